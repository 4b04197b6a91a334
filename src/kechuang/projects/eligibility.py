"""Whether an organization may apply to a call, and if not, every reason why (in Chinese).

Pure: the caller gathers the facts (see selectors.eligibility_for), so the rule is tested without a database.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from kechuang.core.text import enumeration
from kechuang.organizations.enums import OrganizationKind, QualificationKind


@dataclass(frozen=True)
class Facts:
    organization_kind: str
    organization_verified: bool
    region_path: str  # "330000/330600/330603/330603L01/"
    qualifications: frozenset[str]  # kinds valid on the day of applying
    integrity_blocked_until: str | None  # ISO date, when a record blocks applying
    applications_in_call: int  # not counting withdrawn ones


def eligibility_problems(rules: dict, facts: Facts) -> list[str]:
    problems: list[str] = []
    kinds = rules.get("organization_kinds") or []
    if kinds and facts.organization_kind not in kinds:
        names = enumeration(str(OrganizationKind(k).label) for k in kinds if k in OrganizationKind.values)
        problems.append(_("本指南只接受以下单位申报：%(kinds)s。") % {"kinds": names})
    if not facts.organization_verified:
        problems.append(_("单位信息尚未通过科技局核验。"))
    regions = rules.get("region_codes") or []
    if regions and not any(f"/{code}/" in f"/{facts.region_path}" for code in regions):
        problems.append(_("本单位所在属地不在本指南的申报范围内。"))
    wanted = rules.get("qualifications") or []
    if wanted and not facts.qualifications & set(wanted):
        names = "或".join(str(QualificationKind(k).label) for k in wanted if k in QualificationKind.values)
        problems.append(_("须具有有效的%(names)s资质。") % {"names": names})
    if rules.get("require_clean_integrity", True) and facts.integrity_blocked_until:
        problems.append(
            _("单位有科研失信记录，%(until)s（含）前不得申报。") % {"until": facts.integrity_blocked_until}
        )
    limit = rules.get("max_applications_per_organization")
    if limit and facts.applications_in_call >= int(limit):
        problems.append(_("每个单位最多申报 %(n)d 项，本单位已达上限。") % {"n": int(limit)})
    return problems
