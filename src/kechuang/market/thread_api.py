"""JSON API of the market's thread area (filled in by that area)."""

from ninja import Router

router = Router(tags=["market"])
