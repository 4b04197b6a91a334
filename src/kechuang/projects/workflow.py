"""The application workflow as data: every state, every allowed transition and who may take it."""

from kechuang.core.workflow import Transition, Workflow

from .enums import ApplicationAction as A
from .enums import ApplicationState as S
from .enums import Holder
from .enums import ProjectAction as PA
from .enums import ProjectState as PS
from .permissions import (
    WITHDRAWABLE_ON_REQUEST,
    applicant_may,
    bureau_may,
    locality_may,
    reviewer_or_bureau_may,
)

APPLICATION_WORKFLOW = Workflow(
    "application",
    {
        (S.DRAFT, A.SUBMIT): Transition(S.SUBMITTED, applicant_may),
        (S.DRAFT, A.WITHDRAW): Transition(S.WITHDRAWN, applicant_may),
        (S.SUBMITTED, A.WITHDRAW): Transition(S.WITHDRAWN, applicant_may, needs_reason=True),
        (S.SUBMITTED, A.RECOMMEND): Transition(S.RECOMMENDED, locality_may),
        (S.SUBMITTED, A.NOT_RECOMMEND): Transition(S.REJECTED, locality_may, needs_reason=True),
        (S.RECOMMENDED, A.PASS_CHECK): Transition(S.CHECKED, bureau_may),
        (S.RECOMMENDED, A.RETURN): Transition(S.RETURNED, bureau_may, needs_reason=True),
        (S.RECOMMENDED, A.REJECT): Transition(S.REJECTED, bureau_may, needs_reason=True),
        # A corrected application goes straight back to the formal check that returned it.
        (S.RETURNED, A.SUBMIT): Transition(S.RECOMMENDED, applicant_may),
        (S.CHECKED, A.START_REVIEW): Transition(S.IN_REVIEW, bureau_may),
        (S.IN_REVIEW, A.FINISH_REVIEW): Transition(S.REVIEWED, reviewer_or_bureau_may),
        (S.REVIEWED, A.PROPOSE): Transition(S.PROPOSED, bureau_may),
        (S.REVIEWED, A.DECLINE): Transition(S.NOT_APPROVED, bureau_may, needs_reason=True),
        (S.PROPOSED, A.DECLINE): Transition(S.NOT_APPROVED, bureau_may, needs_reason=True),
        (S.PROPOSED, A.PUBLISH): Transition(S.IN_NOTICE, bureau_may),
        (S.IN_NOTICE, A.APPROVE): Transition(S.APPROVED, bureau_may),
        (S.IN_NOTICE, A.OBJECTION_UPHELD): Transition(S.NOT_APPROVED, bureau_may, needs_reason=True),
        # After the deadline, or once accepted into processing and before approval (立项), an application is
        # withdrawn only by the bureau granting the applicant's recorded withdrawal request (撤回申请).
        **{
            (state, A.WITHDRAW_ON_REQUEST): Transition(S.WITHDRAWN, bureau_may, needs_reason=True)
            for state in WITHDRAWABLE_ON_REQUEST
        },
    },
    state_labels={s.value: s.label for s in S},
    action_labels={a.value: a.label for a in A},
)

# Who holds the file in each state, for the applicant's "who has it now" line and overdue lists.
HOLDER_BY_STATE = {
    S.DRAFT: Holder.APPLICANT,
    S.RETURNED: Holder.APPLICANT,
    S.SUBMITTED: Holder.LOCALITY,
    S.RECOMMENDED: Holder.BUREAU,
    S.CHECKED: Holder.BUREAU,  # waiting for the expert draw
    S.IN_REVIEW: Holder.EXPERTS,
    S.REVIEWED: Holder.BUREAU,
    S.PROPOSED: Holder.BUREAU,
    S.IN_NOTICE: Holder.BUREAU,
    S.APPROVED: Holder.APPLICANT,  # the agreement (任务书) is the applicant's next step
    S.NOT_APPROVED: Holder.NOBODY,
    S.REJECTED: Holder.NOBODY,
    S.WITHDRAWN: Holder.NOBODY,
}


def _project_applicant_may(user, project):
    return applicant_may(user, project.application)


def _project_bureau_may(user, project):
    return bureau_may(user, project.application)


PROJECT_WORKFLOW = Workflow(
    "project",
    {
        (PS.AGREEMENT, PA.SUBMIT_AGREEMENT): Transition(PS.AGREEMENT_REVIEW, _project_applicant_may),
        (PS.AGREEMENT_REVIEW, PA.RETURN_AGREEMENT): Transition(
            PS.AGREEMENT, _project_bureau_may, needs_reason=True
        ),
        (PS.AGREEMENT_REVIEW, PA.SIGN): Transition(PS.IN_PROGRESS, _project_bureau_may),
        (PS.IN_PROGRESS, PA.APPLY_ACCEPTANCE): Transition(PS.ACCEPTANCE, _project_applicant_may),
        (PS.ACCEPTANCE, PA.PASS): Transition(PS.ACCEPTED, _project_bureau_may),
        (PS.ACCEPTANCE, PA.PASS_CONDITIONALLY): Transition(
            PS.CONDITIONAL, _project_bureau_may, needs_reason=True
        ),
        (PS.ACCEPTANCE, PA.FAIL): Transition(PS.FAILED, _project_bureau_may, needs_reason=True),
    },
    state_labels={s.value: s.label for s in PS},
    action_labels={a.value: a.label for a in PA},
)

# Days after a public notice ends within which the bureau closes it (a call's stage_days["in_notice"] overrides).
NOTICE_CLOSE_DAYS = 5

# Days each project stage may take before it shows as overdue; a call's stage_days may override them
# under the same keys (the project states do not clash with the application states).
PROJECT_STAGE_DAYS = {
    PS.AGREEMENT: 30,  # the organization drafts and submits the agreement
    PS.AGREEMENT_REVIEW: 10,  # the bureau signs or returns it
    PS.ACCEPTANCE: 60,  # the bureau draws the panel and decides
}
# 实施中 ends with the agreement's end date: the organization applies for acceptance within this many days after.
ACCEPTANCE_APPLICATION_DAYS = 90
