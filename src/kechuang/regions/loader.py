"""Loads the region tree from data/regions.json (used by the data migration and by test setup)."""

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "regions.json"


def load_regions(Region) -> int:
    """Create or refresh every region; `Region` may be the historical model of a migration."""
    paths: dict[str, str] = {}
    items = json.loads(DATA.read_text(encoding="utf-8"))["regions"]
    for order, item in enumerate(items):
        parent = item["parent"]
        paths[item["code"]] = (paths[parent] if parent else "") + item["code"] + "/"
        Region.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "level": item["level"],
                "parent_id": parent,
                "path": paths[item["code"]],
                "is_local_code": item.get("is_local_code", False),
                "sort_order": order,
            },
        )
    return len(items)
