import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "regions.json"


def load_regions(apps, schema_editor):
    """Load (or refresh) the region tree from data/regions.json; safe to run on existing data."""
    Region = apps.get_model("regions", "Region")
    paths = {}
    for order, item in enumerate(json.loads(DATA.read_text(encoding="utf-8"))["regions"]):
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


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
