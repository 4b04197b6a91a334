"""JSON API of the vouchers (创新券); the same services and permissions as the pages."""

from ninja import Router

router = Router(tags=["创新券"])
