"""Routes of the market's thread area (filled in by that area)."""

urlpatterns: list = []
