"""技术合同认定登记的规则 (rules.md §5): the two amounts, the sub-types of each type, dates, and the registration
number. No database: every function here takes plain values and is tested without one.

Sources (rules.md §5.1): 《技术合同认定登记管理办法》国科发政字〔2000〕063号 and 《技术合同认定规则》国科发政字〔2001〕253号
(第五十一条 and the 载体 quantities), reported repealed by the MIIT 《技术合同认定登记管理办法》 of 2026-01-23 whose
text was not obtained; 《民法典》第三编第二十章 for the five contract types.

The amount rule (rules.md §5.3, [V-excerpt]):

    技术交易额 = 合同成交额 − 非技术性费用

非技术性费用 are the equipment, instruments, parts and raw materials bought (购置设备、仪器、零部件、原材料等) and
other costs that are not technology. The direct cost of a *reasonable quantity* of the technology's carriers
(标的物) is not deducted: technical documents in the copies needed to master and archive the technology;
software media, new varieties, strains and hardware carriers in the quantity needed to test and use it;
成套技术设备和试验装置 generally 1–2 sets (`REASONABLE_SETS`). Sets beyond that are deducted at their share of
the item's cost (the sets of one item are taken to cost the same). Both amounts are kept on every contract.

The registration number (登记号) is this platform's own format, not an official one:

    YYYY + RRRRRR + NNNNNN    e.g. 2026330603000001

the year of registration, the 6-digit GB/T 2260 code of the registering bureau's region, and a 6-digit
sequence that starts at 000001 for each region and year and has no gaps (see `contracts.next_registration_no`).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from django.utils.translation import gettext as _

from kechuang.core.errors import DomainError

from .enums import CONTRACT_SUB_TYPES, ContractSubType, ContractType

CENT = Decimal("0.01")
ZERO = Decimal("0")
# The model keeps 16 digits with 2 decimals.
MAX_AMOUNT = Decimal("99999999999999.99")
# 成套技术设备和试验装置: "一般为1-2套" (rules.md §5.3); more sets than this are deducted.
REASONABLE_SETS = 2

REGISTRATION_NO_RE = re.compile(r"^(?P<year>\d{4})(?P<region>\d{6})(?P<seq>\d{6})$")
MAX_SEQUENCE = 999_999


class CostKind(StrEnum):
    """One line of the costs inside a contract's amount (labels in contract_forms.COST_KIND_LABELS)."""

    EQUIPMENT = "equipment"  # 购置设备
    INSTRUMENT = "instrument"  # 购置仪器
    PART = "part"  # 零部件
    MATERIAL = "material"  # 原材料
    OTHER = "other"  # 其他非技术性费用
    CARRIER = "carrier"  # 技术载体（技术文件、软件载体、新品种、菌种、硬件载体，合理数量）
    CARRIER_SET = "carrier_set"  # 技术载体：成套技术设备、试验装置（按套计）


DEDUCTED_KINDS = frozenset(
    {CostKind.EQUIPMENT, CostKind.INSTRUMENT, CostKind.PART, CostKind.MATERIAL, CostKind.OTHER}
)


@dataclass(frozen=True)
class CostItem:
    """A cost inside the contract amount; `quantity` is the number of sets of a CARRIER_SET item."""

    kind: CostKind
    amount: Decimal
    quantity: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Amounts:
    """合同成交额, 非技术性费用 and 技术交易额 of one contract, each a Decimal in yuan with two decimals."""

    contract_amount: Decimal
    non_technical_amount: Decimal
    transaction_amount: Decimal
    items: tuple[CostItem, ...] = ()  # the itemised costs as checked (empty when one figure was given)


def money(value, *, field: str, label: str) -> Decimal:
    """`value` as yuan with at most two decimals, not negative and within what the model keeps."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(label)s不是有效的金额。") % {"label": label}, field=field) from None
    if not amount.is_finite():
        raise DomainError(_("%(label)s不是有效的金额。") % {"label": label}, field=field)
    if amount < ZERO:
        raise DomainError(_("%(label)s不能为负数。") % {"label": label}, field=field)
    if amount != amount.quantize(CENT, ROUND_HALF_UP):
        raise DomainError(_("%(label)s最多保留两位小数（元）。") % {"label": label}, field=field)
    if amount > MAX_AMOUNT:
        raise DomainError(_("%(label)s超出可登记的范围。") % {"label": label}, field=field)
    return amount.quantize(CENT)


def deducted(item: CostItem) -> Decimal:
    """How much of one cost item is 非技术性费用 (rules.md §5.3).

    Bought equipment, instruments, parts, raw materials and other non-technical costs: all of it.
    Carriers in the quantity needed: nothing. 成套技术设备/试验装置: the sets beyond REASONABLE_SETS, pro rata.
    """
    if item.kind in DEDUCTED_KINDS:
        return item.amount
    if item.kind == CostKind.CARRIER_SET:
        sets = item.quantity or 0
        if sets < 1:
            raise DomainError(_("成套技术设备或试验装置须填写套数。"), field="non_technical_items")
        if sets <= REASONABLE_SETS:
            return ZERO
        return (item.amount * (sets - REASONABLE_SETS) / sets).quantize(CENT, ROUND_HALF_UP)
    return ZERO


def amounts(
    contract_amount, *, items: Iterable[CostItem] | None = None, non_technical_amount=None
) -> Amounts:
    """Both amounts of a contract from its amount and either its itemised costs or one non-technical figure.

    技术交易额 = 合同成交额 − 非技术性费用 (rules.md §5.3). The costs are part of the contract amount, so
    neither their total nor the non-technical part may exceed it.
    """
    total = money(contract_amount, field="contract_amount", label=_("合同成交额"))
    if total <= ZERO:
        raise DomainError(_("合同成交额必须大于零。"), field="contract_amount")
    items = list(items or ())
    checked: list[CostItem] = []
    if items and non_technical_amount not in (None, ""):
        raise DomainError(
            _("非技术性费用请逐项填写或只填一个总数，不要同时填写。"), field="non_technical_amount"
        )
    if items:
        checked = [
            CostItem(
                kind=CostKind(item.kind),
                amount=money(item.amount, field="non_technical_items", label=_("费用金额")),
                quantity=int(item.quantity) if item.quantity else None,
                note=(item.note or "").strip()[:100],
            )
            for item in items
        ]
        if sum((item.amount for item in checked), ZERO) > total:
            raise DomainError(_("各项费用之和不能超过合同成交额。"), field="non_technical_items")
        non_technical = sum((deducted(item) for item in checked), ZERO)
    elif non_technical_amount in (None, ""):
        non_technical = ZERO
    else:
        non_technical = money(non_technical_amount, field="non_technical_amount", label=_("非技术性费用"))
    if non_technical > total:
        raise DomainError(_("非技术性费用不能超过合同成交额。"), field="non_technical_amount")
    return Amounts(
        contract_amount=total,
        non_technical_amount=non_technical,
        transaction_amount=total - non_technical,
        items=tuple(checked),
    )


def sub_types_of(contract_type: str) -> tuple[str, ...]:
    """The sub-types a contract of `contract_type` may have (rules.md §5.2)."""
    return tuple(CONTRACT_SUB_TYPES.get(contract_type, ()))


def check_type(contract_type: str, sub_type: str) -> None:
    """The type is one of the five and the sub-type is one of its own (rules.md §5.2)."""
    if contract_type not in ContractType.values:
        raise DomainError(_("请选择合同类型。"), field="contract_type")
    if sub_type not in sub_types_of(contract_type):
        allowed = "、".join(str(ContractSubType(s).label) for s in sub_types_of(contract_type))
        raise DomainError(
            _("%(type)s合同的子类只能是：%(allowed)s。")
            % {"type": ContractType(contract_type).label, "allowed": allowed},
            field="sub_type",
        )


def check_dates(
    *, signed_on: date | None, valid_from: date | None, valid_until: date | None, today: date
) -> None:
    """Signed on a day not in the future; the term, when given, ends no earlier than it starts."""
    if signed_on is None:
        raise DomainError(_("请填写签订日期。"), field="signed_on")
    if signed_on > today:
        raise DomainError(_("签订日期不能晚于今天。"), field="signed_on")
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise DomainError(_("履行期限止不能早于履行期限起。"), field="valid_until")


def registration_no(year: int, region_code: str, sequence: int) -> str:
    """登记号 = year + the registering region's 6-digit code + a 6-digit sequence (our format)."""
    if not (1000 <= year <= 9999) or not re.fullmatch(r"\d{6}", region_code or ""):
        raise ValueError(f"no registration number for year {year!r} and region {region_code!r}")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise DomainError(_("本年度登记号已用完，请联系系统管理员。"))
    return f"{year:04d}{region_code}{sequence:06d}"


def parse_registration_no(number: str) -> tuple[int, str, int] | None:
    """(year, region code, sequence) of a registration number, or None when it is not one of ours."""
    found = REGISTRATION_NO_RE.match(number or "")
    if found is None:
        return None
    return int(found["year"]), found["region"], int(found["seq"])


def next_registration_no(year: int, region_code: str, last: str | None) -> str:
    """The number after `last` (the highest of the region and year so far), or the first one."""
    parsed = parse_registration_no(last) if last else None
    return registration_no(year, region_code, (parsed[2] if parsed else 0) + 1)
