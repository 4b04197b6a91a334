"""JSON API of the market's contract area (filled in by that area)."""

from ninja import Router

router = Router(tags=["market"])
