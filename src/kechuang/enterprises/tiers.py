"""梯度培育: which rung of the ladder an enterprise stands on, from the qualifications it holds on a day.

科技型中小企业 → 高新技术企业 → 省级以上研发机构（企业研究院、高新技术企业研究开发中心、企业技术中心）→
创新型领军企业（或省级重点企业研究院）. The highest rung reached counts. Plain Python: no database.
"""

from collections.abc import Iterable

from kechuang.organizations.enums import QualificationKind, QualificationLevel, Tier

_RD_INSTITUTIONS = {
    QualificationKind.ENTERPRISE_INSTITUTE,
    QualificationKind.HNTE_RD_CENTER,
    QualificationKind.ENTERPRISE_TECH_CENTER,
}
_PROVINCIAL_OR_ABOVE = {QualificationLevel.NATIONAL, QualificationLevel.PROVINCIAL}
_LEADERS = {QualificationKind.INNOVATION_LEADER, QualificationKind.KEY_ENTERPRISE_INSTITUTE}

TIER_ORDER = [Tier.NONE, Tier.TSME, Tier.HNTE, Tier.RD_INSTITUTION, Tier.LEADER]


def tier_of(held: Iterable[tuple[str, str]]) -> Tier:
    """The tier for the (kind, level) pairs of the qualifications in force."""
    held = set(held)
    kinds = {kind for kind, _level in held}
    if kinds & _LEADERS:
        return Tier.LEADER
    if any(kind in _RD_INSTITUTIONS and level in _PROVINCIAL_OR_ABOVE for kind, level in held):
        return Tier.RD_INSTITUTION
    if QualificationKind.HNTE in kinds:
        return Tier.HNTE
    if QualificationKind.TSME in kinds:
        return Tier.TSME
    return Tier.NONE
