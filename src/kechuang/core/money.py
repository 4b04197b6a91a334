"""Money is Decimal yuan; shown with two decimals wherever a message quotes an amount."""

from decimal import Decimal


def yuan(value) -> str:
    return f"{Decimal(value):.2f}"
