"""Routes of the market's event area (filled in by that area)."""

urlpatterns: list = []
