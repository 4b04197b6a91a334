"""Routes of the market's search area (filled in by that area)."""

urlpatterns: list = []
