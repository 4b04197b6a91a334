"""统一社会信用代码 (credit_code) — GB 32100-2015; see ../shared/docs/rules.md §4."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kechuang.core.text import enumeration

# rules.md §4.2: 31 characters, I O S V Z never used; value = index.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Wi = 3^(i-1) mod 31 for positions 1–17.
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def normalize_credit_code(raw: str) -> str:
    """Upper-case and strip spaces (people paste codes with spaces and in lower case)."""
    return "".join((raw or "").split()).upper()


def credit_code_check_char(first17: str) -> str:
    """The check character for the first 17 characters (rules.md §4.2: 31 − Σ mod 31, 31 → '0')."""
    total = sum(CHARSET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why `code` is not a valid credit code, in Chinese, or None when it is valid."""
    if len(code) != 18:
        return _("统一社会信用代码应为18位，当前为%(n)d位。") % {"n": len(code)}
    bad = sorted({c for c in code if c not in CHARSET})
    if bad:
        return _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、S、V、Z）。") % {
            "chars": enumeration(bad)
        }
    if not code[2:8].isdigit():
        return _("统一社会信用代码第3—8位应为行政区划代码（6位数字）。")
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return _("统一社会信用代码校验位错误：校验位应为 %(expected)s，当前为 %(actual)s。") % {
            "expected": expected,
            "actual": code[17],
        }
    return None


def credit_code_only_check_character_wrong(code: str) -> bool:
    """True when the code is well-formed but its check character does not match (pilot codes)."""
    return (
        len(code) == 18
        and all(c in CHARSET for c in code)
        and code[2:8].isdigit()
        and code[17] != credit_code_check_char(code[:17])
    )


def validate_credit_code(value: str) -> None:
    problem = credit_code_problem(normalize_credit_code(value))
    if problem:
        raise ValidationError(problem, code="credit_code")
