"""One share of the self-assessment batch, run by `evaluate.assess_all` in a process of its own.

    python -m kechuang.enterprises.assessment_worker --on 2026-12-01 --queue /tmp/…/chunks.json [--region 330603]

Takes id ranges from the batch's queue (`evaluate.ChunkQueue`) until none is left, assesses their
enterprises and stores the results; prints the counts of the ranges it did as one JSON line. KECHUANG_ASSESS_DATABASE names the database the parent uses (a test database has another name
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
    parser.add_argument("--queue", required=True)
    parser.add_argument("--region", default=None)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    import django

    django.setup()
    from django.db import connection

    if name := os.environ.get("KECHUANG_ASSESS_DATABASE"):
        connection.settings_dict["NAME"] = name

    from pathlib import Path

    from kechuang.enterprises.evaluate import ChunkQueue, assess_queue

    summary = assess_queue(ChunkQueue(Path(args.queue)), on=args.on, region_code=args.region)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
