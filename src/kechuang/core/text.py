"""Joining words and clauses in the reader's language: Chinese uses 、 and ；, English a comma and a semicolon."""

from collections.abc import Iterable

from django.utils.translation import pgettext


def enumeration(items: Iterable) -> str:
    """高新技术企业、科技型中小企业 / high-tech enterprise, tech SME."""
    return pgettext("list separator", "、").join(str(item) for item in items)


def clauses(items: Iterable) -> str:
    """Independent reasons or findings: 同一法定代表人；同一地址 / same legal representative; same address."""
    return pgettext("clause separator", "；").join(str(item) for item in items)
