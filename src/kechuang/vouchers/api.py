"""JSON API of the vouchers (创新券), mounted at /api/vouchers: the same services and permissions as the pages.

Lists are scoped in api_selectors (a bureau sees its region's records, an organization's user only its own).
A record the caller may not see is refused with 403 and the reason; a stale `version` with 409; a rule the
services refuse (a bad amount, a wrong state) with 400 and the Chinese message. Amounts are strings.
"""

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kechuang.core.api import CappedCountPagination, filtered
from kechuang.core.errors import DomainError
from kechuang.core.permissions import require
from kechuang.core.text import enumeration
from kechuang.organizations.models import Organization
from kechuang.regions.models import Region

from . import permissions as perm
from . import services
from .amounts import RuleError, parse_tiers, split_fee, tiers_text, yuan
from .api_filters import (
    BatchFilter,
    BookingFilter,
    EntryFilter,
    FlagFilter,
    OfferingFilter,
    ProgramFilter,
    ProviderFilter,
    QuotaFilter,
)
from .api_schemas import (
    BatchDetailOut,
    BatchFilters,
    BatchIn,
    BatchOut,
    BatchPayIn,
    BookingDetailOut,
    BookingFilters,
    BookingIn,
    BookingOut,
    CompleteForm,
    EntryFilters,
    EntryOut,
    FlagFilters,
    FlagOut,
    FlagReviewIn,
    OfferingFilters,
    OfferingIn,
    OfferingOut,
    OfferingPatch,
    ProgramDetailOut,
    ProgramFilters,
    ProgramIn,
    ProgramOut,
    ProgramPatch,
    ProviderDecideIn,
    ProviderFilters,
    ProviderIn,
    ProviderOut,
    QuotaApproveIn,
    QuotaDetailOut,
    QuotaFilters,
    QuotaIn,
    QuotaOut,
    ReasonIn,
    ReconcileOut,
    SplitOut,
    VersionIn,
)
from .api_selectors import (
    batches_visible_to,
    bookings_visible_to,
    flags_visible_to,
    ledger_entries,
    offerings_public,
    offerings_visible_to,
    programs_visible_to,
    providers_visible_to,
    quotas_visible_to,
    transitions_of,
)
from .enums import QuotaState
from .models import Booking, Flag, Offering, ProviderProfile, Quota, SettlementBatch, VoucherProgram

router = Router(tags=["创新券"])

# Workflow steps only the system takes (in a settlement batch), never offered to a caller.
_SYSTEM_ACTIONS = frozenset({"settle", "pay"})


def _get(model, pk: int, *, select=()):
    found = model.objects.select_related(*select).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _regions(codes, *, field: str) -> list[Region]:
    found = {region.pk: region for region in Region.objects.filter(pk__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise DomainError(_("区划代码不存在：%(codes)s") % {"codes": enumeration(missing)}, field=field)
    return [found[code] for code in codes]


def _amount(value, *, field: str):
    try:
        return yuan(value)
    except RuleError as exc:
        raise DomainError(str(exc), field=field) from None


# ---------------------------------------------------------------------------------------------
# Programs


def _program(request, pk: int) -> VoucherProgram:
    program = _get(VoucherProgram, pk, select=("region",))
    require(perm.can_view_program(request.user, program))
    return program


def _program_detail(request, pk: int) -> VoucherProgram:
    """The program re-read with what its detail shows: the rule in a sentence, the books for its bureau only,
    and what the caller may do."""
    user = request.user
    program = _program(request, pk)
    program.api_tiers_text = tiers_text(parse_tiers(program.copay_tiers), program.copay_mode)
    program.api_books = None
    if perm.can_view_program_books(user, program):
        program.api_books = {
            name: getattr(program, name)
            for name in (
                "budget",
                "issued",
                "expired",
                "committed",
                "redeemed",
                "settled",
                "paid",
                "remaining",
                "outstanding",
            )
        }
    program.api_actions = []
    if perm.can_manage_program(user, program):
        program.api_actions = ["update", *services.PROGRAM_WORKFLOW.available(program, user)]
    return program


def _program_values(payload, *, exclude_unset: bool) -> dict:
    data = payload.dict(exclude_unset=exclude_unset)
    values = {k: v for k, v in data.items() if k in services.PROGRAM_FIELDS}
    if "copay_tiers" in values:
        values["copay_tiers"] = [[str(part) for part in tier] for tier in values["copay_tiers"]]
    if "copay_mode" in values:
        values["copay_mode"] = str(values["copay_mode"])
    return values


@router.get("/programs", response=list[ProgramOut], summary="创新券计划列表")
@paginate(CappedCountPagination, page_size=20)
def program_list(request, filters: Query[ProgramFilters]):
    """Open programs for everyone signed in; every program of the caller's region for its bureau."""
    return filtered(ProgramFilter, filters, programs_visible_to(user=request.user), request)


@router.get("/programs/{pk}", response=ProgramDetailOut, summary="创新券计划详情")
def program_detail(request, pk: int):
    """The terms, the co-payment rule in one sentence, and (for the issuing region's bureau) the ledger."""
    return _program_detail(request, pk)


@router.post("/programs", response={201: ProgramDetailOut}, summary="新建创新券计划（草稿）")
def program_create_api(request, payload: ProgramIn):
    code = payload.region_code or request.user.region_id
    if not code:
        raise DomainError(_("请选择发放地区。"), field="region_code")
    region = _regions([code], field="region_code")[0]
    partners = _regions(payload.partner_region_codes, field="partner_region_codes")
    program = services.program_create(
        region=region,
        values=_program_values(payload, exclude_unset=False),
        partner_regions=partners,
        by=request.user,
    )
    return Status(201, _program_detail(request, program.pk))


@router.patch("/programs/{pk}", response=ProgramDetailOut, summary="修改创新券计划")
def program_update_api(request, pk: int, payload: ProgramPatch):
    """Only the fields sent are changed; a stale `version` is refused with 409."""
    program = _program(request, pk)
    partners = None
    if payload.partner_region_codes is not None:
        partners = _regions(payload.partner_region_codes, field="partner_region_codes")
    services.program_update(
        program=program,
        values=_program_values(payload, exclude_unset=True),
        partner_regions=partners,
        expected_version=payload.version,
        by=request.user,
    )
    return _program_detail(request, pk)


@router.post("/programs/{pk}/open", response=ProgramDetailOut, summary="开始受理")
def program_open_api(request, pk: int, payload: VersionIn):
    services.program_open(program=_program(request, pk), by=request.user, expected_version=payload.version)
    return _program_detail(request, pk)


@router.post("/programs/{pk}/close", response=ProgramDetailOut, summary="结束计划")
def program_close_api(request, pk: int, payload: VersionIn):
    """Closing expires every unused quota; the amounts return to the budget."""
    services.program_close(program=_program(request, pk), by=request.user, expected_version=payload.version)
    return _program_detail(request, pk)


@router.get("/programs/{pk}/split", response=SplitOut, summary="试算创新券与企业自付")
def program_split(request, pk: int, fee: str):
    """How a fee of `fee` yuan splits between the voucher and the enterprise under the program's tiers (before
    any quota limit)."""
    program = _program(request, pk)
    split = split_fee(_amount(fee, field="fee"), parse_tiers(program.copay_tiers), program.copay_mode)
    return {
        "fee": split.fee,
        "voucher": split.voucher,
        "enterprise": split.enterprise,
        "explanation": split.explanation,
    }


def _books(request, pk: int) -> VoucherProgram:
    program = _program(request, pk)
    require(perm.can_view_program_books(request.user, program))
    return program


@router.get("/programs/{pk}/ledger", response=list[EntryOut], summary="台账记录")
@paginate(CappedCountPagination, page_size=50)
def ledger_list(request, pk: int, filters: Query[EntryFilters]):
    """Every movement of the program's money, oldest first (the issuing region's bureau and officers)."""
    return filtered(EntryFilter, filters, ledger_entries(program=_books(request, pk)), request)


@router.get("/programs/{pk}/reconcile", response=ReconcileOut, summary="台账核对")
def program_reconcile(request, pk: int):
    """The program's and its quotas' running totals against the sums of the ledger entries."""
    from .ledger import reconcile

    problems = reconcile(_books(request, pk))
    return {"balanced": not problems, "problems": problems}


@router.post("/programs/{pk}/batches", response={201: BatchDetailOut}, summary="编制结算批次")
def batch_create_api(request, pk: int, payload: BatchIn):
    """A batch of the program's claimed redemptions (all of them, or `booking_ids`)."""
    batch = services.batch_create(
        program=_program(request, pk), bookings=payload.booking_ids, by=request.user
    )
    return Status(201, _batch_detail(request, batch.pk))


# ---------------------------------------------------------------------------------------------
# Providers


@router.get("/provider", response=ProviderOut, summary="本单位的服务机构信息")
def provider_mine(request):
    organization_id = request.user.active_organization_id
    found = (
        ProviderProfile.objects.select_related("organization", "organization__region")
        .filter(organization_id=organization_id)
        .first()
        if organization_id
        else None
    )
    if found is None:
        raise Http404
    return found


@router.put("/provider", response={200: ProviderOut, 201: ProviderOut}, summary="申请成为服务机构或修改信息")
def provider_register_api(request, payload: ProviderIn):
    """Register the caller's organization as a voucher provider (201), or change its profile (200); a rejected
    request goes back to the bureau for verification."""
    organization_id = request.user.active_organization_id
    require(perm.can_edit_provider(request.user, organization_id))
    organization = Organization.objects.get(pk=organization_id)
    existed = ProviderProfile.objects.filter(organization=organization).exists()
    profile = services.provider_register(organization=organization, values=payload.dict(), by=request.user)
    found = ProviderProfile.objects.select_related("organization", "organization__region").get(pk=profile.pk)
    return Status(200 if existed else 201, found)


@router.get("/providers", response=list[ProviderOut], summary="服务机构列表（科技局）")
@paginate(CappedCountPagination, page_size=50)
def provider_list(request, filters: Query[ProviderFilters]):
    """Provider profiles of the caller's region; `state=pending` for those waiting to be verified."""
    require(perm.can_oversee_vouchers(request.user))
    return filtered(ProviderFilter, filters, providers_visible_to(user=request.user), request)


def _provider(request, pk: int) -> ProviderProfile:
    profile = _get(ProviderProfile, pk, select=("organization", "organization__region"))
    require(perm.can_view_provider(request.user, profile))
    return profile


@router.get("/providers/{pk}", response=ProviderOut, summary="服务机构详情")
def provider_detail(request, pk: int):
    return _provider(request, pk)


@router.post("/providers/{pk}/decide", response=ProviderOut, summary="核验服务机构")
def provider_decide_api(request, pk: int, payload: ProviderDecideIn):
    services.provider_decide(
        profile=_provider(request, pk),
        action=payload.action,
        reason=payload.reason,
        by=request.user,
        expected_version=payload.version,
    )
    return _provider(request, pk)


# ---------------------------------------------------------------------------------------------
# Offerings (the public catalogue, 创新地图)


@router.get("/offerings", response=list[OfferingOut], auth=None, summary="服务项目与仪器目录")
@paginate(CappedCountPagination, page_size=20)
def offering_list(request, filters: Query[OfferingFilters], mine: bool = False):
    """Active services and instruments of verified providers; open to everyone. `mine=true`: the caller's own
    organization's offerings, inactive ones included."""
    if mine:
        organization_id = request.user.active_organization_id if request.user.is_authenticated else None
        queryset = offerings_visible_to(user=request.user).filter(provider_id=organization_id)
    else:
        queryset = offerings_public()
    return filtered(OfferingFilter, filters, queryset, request)


def _offering_visible(request, pk: int) -> Offering:
    offering = offerings_visible_to(user=request.user).filter(pk=pk).first()
    if offering is None:
        raise Http404
    return offering


@router.get("/offerings/{pk}", response=OfferingOut, auth=None, summary="服务项目与仪器详情")
def offering_detail(request, pk: int):
    return _offering_visible(request, pk)


def _offering_values(payload, *, exclude_unset: bool) -> dict:
    values = payload.dict(exclude_unset=exclude_unset, exclude={"version", "region_code"})
    if "kind" in values and values["kind"] is not None:
        values["kind"] = str(values["kind"])
    values = {k: v for k, v in values.items() if v is not None}
    if payload.region_code:
        values["region"] = _regions([payload.region_code], field="region_code")[0]
    return values


@router.post("/offerings", response={201: OfferingOut}, summary="新增服务项目或仪器")
def offering_create_api(request, payload: OfferingIn):
    organization_id = request.user.active_organization_id
    require(perm.can_edit_provider(request.user, organization_id))
    offering = services.offering_create(
        provider=Organization.objects.get(pk=organization_id),
        values=_offering_values(payload, exclude_unset=False),
        by=request.user,
    )
    return Status(201, offerings_visible_to(user=request.user).get(pk=offering.pk))


@router.patch("/offerings/{pk}", response=OfferingOut, summary="修改服务项目或仪器")
def offering_update_api(request, pk: int, payload: OfferingPatch):
    """Only the fields sent are changed; a stale `version` is refused with 409."""
    services.offering_update(
        offering=_get(Offering, pk),
        values=_offering_values(payload, exclude_unset=True),
        by=request.user,
        expected_version=payload.version,
    )
    return offerings_visible_to(user=request.user).get(pk=pk)


# ---------------------------------------------------------------------------------------------
# Quotas


def _quota(request, pk: int) -> Quota:
    quota = _get(Quota, pk, select=("program", "organization"))
    require(perm.can_view_quota(request.user, quota))
    return quota


def _quota_detail(request, pk: int) -> Quota:
    quota = _quota(request, pk)
    quota.api_history = transitions_of(quota)
    quota.api_actions = (
        ["approve", "reject"]
        if quota.state == QuotaState.APPLIED and perm.can_decide_quota(request.user, quota)
        else []
    )
    return quota


@router.get("/quotas", response=list[QuotaOut], summary="创新券额度列表")
@paginate(CappedCountPagination, page_size=50)
def quota_list(request, filters: Query[QuotaFilters]):
    """The caller's organization's quotas; for a bureau, those of its region's programs."""
    return filtered(QuotaFilter, filters, quotas_visible_to(user=request.user), request)


@router.post("/quotas", response={201: QuotaDetailOut}, summary="申领创新券额度")
def quota_apply_api(request, payload: QuotaIn):
    """Apply for a quota for the caller's organization; approved at once, for what the rules allow, when the
    program approves automatically."""
    organization_id = request.user.active_organization_id
    require(perm.can_apply_for(request.user, organization_id))
    quota = services.quota_apply(
        program=_program(request, payload.program_id),
        organization=Organization.objects.get(pk=organization_id),
        requested=payload.requested,
        purpose=payload.purpose,
        by=request.user,
    )
    return Status(201, _quota_detail(request, quota.pk))


@router.get("/quotas/{pk}", response=QuotaDetailOut, summary="创新券额度详情")
def quota_detail(request, pk: int):
    return _quota_detail(request, pk)


@router.post("/quotas/{pk}/approve", response=QuotaDetailOut, summary="审核通过额度申领")
def quota_approve_api(request, pk: int, payload: QuotaApproveIn):
    services.quota_approve(
        quota=_quota(request, pk), amount=payload.amount, by=request.user, expected_version=payload.version
    )
    return _quota_detail(request, pk)


@router.post("/quotas/{pk}/reject", response=QuotaDetailOut, summary="不予通过额度申领")
def quota_reject_api(request, pk: int, payload: ReasonIn):
    services.quota_reject(
        quota=_quota(request, pk), reason=payload.reason, by=request.user, expected_version=payload.version
    )
    return _quota_detail(request, pk)


# ---------------------------------------------------------------------------------------------
# Bookings


def _booking(request, pk: int) -> Booking:
    booking = _get(
        Booking, pk, select=("quota", "quota__program", "quota__organization", "provider", "offering")
    )
    require(perm.can_view_booking(request.user, booking))
    return booking


def _booking_detail(request, pk: int) -> Booking:
    booking = _booking(request, pk)
    booking.api_history = transitions_of(booking)
    booking.api_actions = [
        action
        for action in services.BOOKING_WORKFLOW.available(booking, request.user)
        if action not in _SYSTEM_ACTIONS
    ]
    booking.api_invoice_url = (
        reverse("api:vouchers_booking_file", args=[pk, "invoice"]) if booking.invoice_file else None
    )
    booking.api_report_url = (
        reverse("api:vouchers_booking_file", args=[pk, "report"]) if booking.report_file else None
    )
    return booking


@router.get("/bookings", response=list[BookingOut], summary="创新券使用记录")
@paginate(CappedCountPagination, page_size=50)
def booking_list(request, filters: Query[BookingFilters]):
    """Enterprise: the bookings it made; provider: those it received (`side` picks one); bureau: those issued
    by or used in its region."""
    return filtered(BookingFilter, filters, bookings_visible_to(user=request.user), request)


@router.post("/bookings", response={201: BookingDetailOut}, summary="预约服务（使用创新券）")
def booking_create_api(request, payload: BookingIn):
    """Book an offering with one of the caller's quotas; the voucher's share of the fee is committed at once."""
    booking = services.booking_create(
        quota=_quota(request, payload.quota_id),
        offering=_get(Offering, payload.offering_id),
        fee=payload.fee,
        service_date=payload.service_date,
        note=payload.note,
        by=request.user,
    )
    return Status(201, _booking_detail(request, booking.pk))


@router.get("/bookings/{pk}", response=BookingDetailOut, summary="创新券使用详情")
def booking_detail(request, pk: int):
    """The booking, its history of transitions and what the caller may do now."""
    return _booking_detail(request, pk)


@router.post("/bookings/{pk}/accept", response=BookingDetailOut, summary="服务机构接受预约")
def booking_accept_api(request, pk: int, payload: VersionIn):
    services.booking_accept(booking=_booking(request, pk), by=request.user, expected_version=payload.version)
    return _booking_detail(request, pk)


@router.post("/bookings/{pk}/decline", response=BookingDetailOut, summary="服务机构谢绝预约")
def booking_decline_api(request, pk: int, payload: ReasonIn):
    services.booking_decline(
        booking=_booking(request, pk),
        reason=payload.reason,
        by=request.user,
        expected_version=payload.version,
    )
    return _booking_detail(request, pk)


@router.post("/bookings/{pk}/cancel", response=BookingDetailOut, summary="企业取消预约")
def booking_cancel_api(request, pk: int, payload: ReasonIn):
    services.booking_cancel(
        booking=_booking(request, pk),
        reason=payload.reason,
        by=request.user,
        expected_version=payload.version,
    )
    return _booking_detail(request, pk)


@router.post("/bookings/{pk}/complete", response=BookingDetailOut, summary="登记服务完成")
def booking_complete_api(
    request,
    pk: int,
    form: Form[CompleteForm],
    invoice_file: File[UploadedFile | None] = None,
    report_file: File[UploadedFile | None] = None,
):
    """multipart/form-data: `invoice_no`, the actual `fee` (default: as booked), `version`, and the files
    `invoice_file` and `report_file` (PDF, PNG or JPG; the report is required unless one was uploaded
    before). A lower fee releases the difference to the quota, a higher one commits more."""
    services.booking_complete(
        booking=_booking(request, pk),
        fee=form.fee,
        invoice_no=form.invoice_no,
        invoice_file=invoice_file,  # checked by the service (validate_upload)
        report_file=report_file,
        by=request.user,
        expected_version=form.version,
    )
    return _booking_detail(request, pk)


@router.post("/bookings/{pk}/confirm", response=BookingDetailOut, summary="企业确认服务")
def booking_confirm_api(request, pk: int, payload: VersionIn):
    """The voucher pays its share (committed → redeemed); the enterprise pays the rest to the provider."""
    services.booking_confirm(booking=_booking(request, pk), by=request.user, expected_version=payload.version)
    return _booking_detail(request, pk)


@router.post("/bookings/{pk}/dispute", response=BookingDetailOut, summary="企业提出异议")
def booking_dispute_api(request, pk: int, payload: ReasonIn):
    services.booking_dispute(
        booking=_booking(request, pk),
        reason=payload.reason,
        by=request.user,
        expected_version=payload.version,
    )
    return _booking_detail(request, pk)


@router.post("/bookings/{pk}/claim", response=BookingDetailOut, summary="服务机构申请兑付")
def booking_claim_api(request, pk: int, payload: VersionIn):
    services.booking_claim(booking=_booking(request, pk), by=request.user, expected_version=payload.version)
    return _booking_detail(request, pk)


@router.get("/bookings/{pk}/files/{which}", url_name="vouchers_booking_file", summary="下载发票或服务报告")
def booking_file(request, pk: int, which: str):
    """`which`: invoice or report; for the parties and the bureaus of both regions."""
    if which not in ("invoice", "report"):
        raise Http404
    upload = getattr(_booking(request, pk), f"{which}_file")
    if not upload:
        raise Http404
    response = FileResponse(upload.open("rb"), as_attachment=True, filename=upload.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Settlement


def _batch(request, pk: int) -> SettlementBatch:
    batch = _get(SettlementBatch, pk, select=("program",))
    require(perm.can_view_program_books(request.user, batch.program))
    return batch


def _batch_detail(request, pk: int) -> SettlementBatch:
    _batch(request, pk)
    batch = batches_visible_to(user=request.user).get(pk=pk)
    batch.api_bookings = list(bookings_visible_to(user=request.user).filter(batch=batch).order_by("pk"))
    return batch


@router.get("/batches", response=list[BatchOut], summary="结算批次列表")
@paginate(CappedCountPagination, page_size=50)
def batch_list(request, filters: Query[BatchFilters]):
    """Settlement batches of the caller's region's programs (the issuing region settles)."""
    require(perm.can_oversee_vouchers(request.user))
    return filtered(BatchFilter, filters, batches_visible_to(user=request.user), request)


@router.get("/batches/{pk}", response=BatchDetailOut, summary="结算批次详情")
def batch_detail(request, pk: int):
    return _batch_detail(request, pk)


@router.post("/batches/{pk}/approve", response=BatchDetailOut, summary="审定结算批次")
def batch_approve_api(request, pk: int, payload: VersionIn):
    services.batch_approve(batch=_batch(request, pk), by=request.user, expected_version=payload.version)
    return _batch_detail(request, pk)


@router.post("/batches/{pk}/pay", response=BatchDetailOut, summary="登记拨付")
def batch_pay_api(request, pk: int, payload: BatchPayIn):
    """Record the payment: every booking of the batch is paid and its provider told."""
    services.batch_pay(
        batch=_batch(request, pk),
        paid_on=payload.paid_on,
        reference=payload.reference,
        by=request.user,
        expected_version=payload.version,
    )
    return _batch_detail(request, pk)


# ---------------------------------------------------------------------------------------------
# Risk flags


@router.get("/flags", response=list[FlagOut], summary="风险提示")
@paginate(CappedCountPagination, page_size=50)
def flag_list(request, filters: Query[FlagFilters]):
    """Risk flags of the caller's region's programs, open ones first."""
    require(perm.can_oversee_vouchers(request.user))
    return filtered(FlagFilter, filters, flags_visible_to(user=request.user), request)


@router.post("/flags/{pk}/review", response=FlagOut, summary="核查风险提示")
def flag_review_api(request, pk: int, payload: FlagReviewIn):
    """Clear the flag (`cleared`) or confirm it (`confirmed`), with a note."""
    services.flag_review(
        flag=_get(Flag, pk),
        state=payload.state,
        note=payload.note,
        by=request.user,
        expected_version=payload.version,
    )
    return flags_visible_to(user=request.user).get(pk=pk)
