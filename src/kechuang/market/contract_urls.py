"""Routes of the market's contract area (filled in by that area)."""

urlpatterns: list = []
