"""One share of the self-assessment batch, run by `evaluate.assess_all` in a process of its own.

    python -m kechuang.enterprises.assessment_worker --on 2026-12-01 --first 1 --last 50000 [--region 330603]

Assesses the enterprises with first ≤ id ≤ last and stores their results; prints the counts as one JSON
line. KECHUANG_ASSESS_DATABASE names the database the parent uses (a test database has another name
than the settings say).
"""

import argparse
import json
import os
import sys
from datetime import date


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kechuang.enterprises.assessment_worker")
    parser.add_argument("--on", required=True, type=date.fromisoformat)
    parser.add_argument("--first", required=True, type=int)
    parser.add_argument("--last", required=True, type=int)
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--region", default=None)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    import django

    django.setup()
    from django.db import connection

    if name := os.environ.get("KECHUANG_ASSESS_DATABASE"):
        connection.settings_dict["NAME"] = name

    from kechuang.enterprises.evaluate import assess_range

    summary = assess_range(
        on=args.on, region_code=args.region, first_id=args.first, last_id=args.last, chunk=args.chunk
    )
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
