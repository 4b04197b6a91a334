"""Routes of the market's listing area (filled in by that area)."""

urlpatterns: list = []
