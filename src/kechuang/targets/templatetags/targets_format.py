"""`{{ value|plain }}`: a Decimal without trailing zeros and never in exponent form (300, 2.8, 12.5)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain(value) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except ArithmeticError:
            return str(value)
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
