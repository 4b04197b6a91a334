"""Chinese patent application numbers (rules.md §7b). Pure functions, no Django.

Since 2003-10-01: YYYY + kind digit + 7-digit serial + "." + check character; before: YY + kind digit + 5-digit
serial. The check is Σ digit·weight mod 11 with weights 2,3,4,5,6,7,8,9,2,3,4,5 (10 is written X). Written forms
vary (CN…, ZL …, spaces, no dot); one normalized form is stored: the digits, a dot, the check character.
Only Django's gettext is used, so the messages translate.
"""

import re

from django.utils.translation import gettext as _

WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
# kind digit → PatentKind value (8 and 9: PCT applications entering China)
KIND_DIGITS = {"1": "invention", "2": "utility_model", "3": "design", "8": "invention", "9": "utility_model"}

_STRIP = re.compile(r"[\s.·．]")


class InvalidNumber(ValueError):
    """The message is Chinese and says what is wrong."""


def check_character(digits: str) -> str:
    total = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=False))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalize(text: str) -> str:
    """'ZL 2017 1 0601862.3', 'CN201710601862.3', '2017106018623' → '201710601862.3'; raises InvalidNumber."""
    raw = (text or "").strip().upper()
    if raw.startswith(("CN", "ZL")):
        raw = raw[2:]
    compact = _STRIP.sub("", raw)
    if not compact:
        raise InvalidNumber(_("专利申请号为空。"))
    if len(compact) in (13, 9):
        digits, check = compact[:-1], compact[-1]
    elif len(compact) in (12, 8):
        raise InvalidNumber(_("专利申请号“%(number)s”缺少校验位。") % {"number": text})
    else:
        raise InvalidNumber(
            _("专利申请号“%(number)s”位数不对：应为12位数字加校验位（2003年10月前为8位）。")
            % {"number": text}
        )
    if not digits.isdigit() or not (check.isdigit() or check == "X"):
        raise InvalidNumber(_("专利申请号“%(number)s”含有不允许的字符。") % {"number": text})
    kind_digit = digits[4] if len(digits) == 12 else digits[2]
    if kind_digit not in KIND_DIGITS:
        raise InvalidNumber(
            _("专利申请号“%(number)s”的类型位“%(digit)s”无效。") % {"number": text, "digit": kind_digit}
        )
    expected = check_character(digits)
    if check != expected:
        raise InvalidNumber(
            _("专利申请号“%(number)s”的校验位应为“%(expected)s”，不是“%(check)s”。")
            % {"number": text, "expected": expected, "check": check}
        )
    return f"{digits}.{check}"


def kind_of(number: str) -> str:
    """The PatentKind value of a normalized number."""
    digits = number.split(".")[0]
    return KIND_DIGITS[digits[4] if len(digits) == 12 else digits[2]]


def filing_year(number: str) -> int:
    digits = number.split(".")[0]
    if len(digits) == 12:
        return int(digits[:4])
    year = int(digits[:2])
    return 1900 + year if year >= 85 else 2000 + year  # the Chinese patent system began in 1985
