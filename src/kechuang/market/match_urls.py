"""Routes of the market's match area (filled in by that area)."""

urlpatterns: list = []
