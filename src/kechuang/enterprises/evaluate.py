"""The self-assessment (自评) of enterprises from the database: the rule engine's inputs, and its stored results.

`assessment.py` holds the rules and knows nothing of the database; this module reads what they need and
writes what they conclude (`AssessmentResult`, one row per enterprise and kind: the latest).

Which data count (decided here, shown on the page):

* **Submitted** annual data only, for everything the bureau sees: the nightly batch (`assess_all`), the
  re-assessment after a change (`assess_one`), and every stored `AssessmentResult`.
* An enterprise may preview its self-assessment **with its drafts** (`include_drafts=True`; the page offers
  it to the enterprise's own users only). A result that used a draft is never stored, so the bureau's lists
  never rank an enterprise by figures it has not submitted. A result is stored only when it is the
  bureau's view: submitted data, judged on today's date (`SelfAssessment.storable`).

Which years: an application on day D is judged on the fiscal years before D's year — 高企 the three
before it (fewer when the enterprise is younger), 科小 the one before it (rules.md §1.2, §2.5); the
current year's record counts only for the 高企 incident condition ("申请认定前一年内"). "近五年" (科小 第八条
(二)(四)) is read as the five fiscal years before D's year, like "近三个会计年度".

Facts beyond the yearly figures: a 高企 certificate in force on D; a provincial or national research
institution in force on D (企业研究院, 重点企业研究院, 高新技术企业研究开发中心, 企业技术中心); a 科研失信 record
(projects) whose period overlaps the previous and the current year up to D.
"""

from __future__ import annotations

import dataclasses
import fcntl
import gc
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import orjson
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.enums import Role
from kechuang.organizations.enums import OrganizationKind, QualificationKind, QualificationLevel
from kechuang.organizations.models import Organization, Qualification

from .assessment import (
    Assessment,
    EnterpriseFacts,
    RulesetNotFound,
    ScorePart,
    SuperDeduction,
    YearData,
    assess_hnte,
    assess_tsme,
    super_deduction,
)
from .enums import AnnualDataStatus
from .models import AnnualData, AssessmentResult

FLAG_YEARS = 5  # 近五年 (115号 第八条（二）（四）)

# Qualifications that make a 省部级以上研发机构 (115号 第八条（三）、第九条) when held at provincial level or above.
RD_INSTITUTION_KINDS = frozenset(
    {
        QualificationKind.ENTERPRISE_INSTITUTE,
        QualificationKind.KEY_ENTERPRISE_INSTITUTE,
        QualificationKind.HNTE_RD_CENTER,
        QualificationKind.ENTERPRISE_TECH_CENTER,
    }
)
PROVINCIAL_OR_ABOVE = frozenset({QualificationLevel.NATIONAL, QualificationLevel.PROVINCIAL})

# YearData's fields, in its own order, all named as on AnnualData; read positionally in the batch.
YEAR_FIELDS = tuple(f.name for f in dataclasses.fields(YearData))
_FLAG_FIELDS = ("national_award_top3", "led_standard")
# What one AnnualData row is read as: organization, status, YearData's fields, then the two facts flags.
_ROW_FIELDS = ("organization_id", "status", *YEAR_FIELDS, *_FLAG_FIELDS)
_YEAR_SLICE = slice(2, 2 + len(YEAR_FIELDS))
_FLAGS_AT = 2 + len(YEAR_FIELDS)

_CENT = Decimal("0.01")
_RESULT_UPDATE_FIELDS = [
    "assessed_on",
    "data_year",
    "ruleset",
    "eligible",
    "score",
    "failed",
    "undetermined",
    "result",
    "computed_at",
]


def _today() -> date:
    return timezone.localdate()


def year_data(record: AnnualData) -> YearData:
    """An AnnualData row as the rule engine's YearData (same field names)."""
    return YearData(*(getattr(record, name) for name in YEAR_FIELDS))


@dataclass
class Inputs:
    """What the rules get for one enterprise, and where it came from."""

    facts: EnterpriseFacts
    years: dict[int, YearData]
    drafts: list[int] = field(default_factory=list)  # years whose record is a draft (preview only)


def _facts(
    *,
    founded_on: date | None,
    tech_field: str,
    industry: str,
    qualifications: Iterable[tuple[str, str]],
    flag_rows: Iterable[tuple[bool, bool]],
    integrity_breach: bool,
) -> EnterpriseFacts:
    held = set(qualifications)
    award = standard = False
    for has_award, has_standard in flag_rows:
        award = award or has_award
        standard = standard or has_standard
    return EnterpriseFacts(
        founded_on=founded_on,
        tech_field=tech_field or "",
        industry=industry or "",
        # An organization in the registry is registered with a mainland region (GB/T 2260 code).
        is_resident_in_mainland=True,
        valid_hnte=any(kind == QualificationKind.HNTE for kind, _level in held),
        provincial_rd_institution=any(
            kind in RD_INSTITUTION_KINDS and level in PROVINCIAL_OR_ABOVE for kind, level in held
        ),
        national_award_top3=award,
        led_standard=standard,
        integrity_breach=integrity_breach,
    )


def _integrity_window(on: date) -> Q:
    """科研严重失信 "在填报上一年及当年内" (115号 第六条（四）): a record whose period overlaps that window."""
    return Q(kind="misconduct", starts_on__lte=on, ends_on__gte=date(on.year - 1, 1, 1))


def _integrity_records():
    from kechuang.projects.models import IntegrityRecord

    return IntegrityRecord.objects


def _annual_rows(organization_ids_q: Q, on: date, include_drafts: bool):
    # Unordered: the default ordering (by the enterprise's name) joined the organizations and sorted on disk.
    qs = AnnualData.objects.filter(
        organization_ids_q, year__gte=on.year - FLAG_YEARS, year__lte=on.year
    ).order_by()
    if not include_drafts:
        qs = qs.filter(status=AnnualDataStatus.SUBMITTED)
    return qs


def inputs_for(*, organization: Organization, on: date, include_drafts: bool = False) -> Inputs:
    """The facts and yearly data of one enterprise for an assessment on `on` (three queries)."""
    rows = list(_annual_rows(Q(organization=organization), on, include_drafts).values_list(*_ROW_FIELDS))
    held = Qualification.objects.filter(organization=organization).in_force(on).values_list("kind", "level")
    breach = (
        _integrity_records().filter(_integrity_window(on), organization=organization).exists()
        if organization.pk
        else False
    )
    facts = _facts(
        founded_on=organization.founded_on,
        tech_field=organization.tech_field,
        industry=organization.industry,
        qualifications=held,
        flag_rows=[row[_FLAGS_AT:] for row in rows if on.year - FLAG_YEARS <= row[2] < on.year],
        integrity_breach=breach,
    )
    years = {row[2]: YearData.from_row(row[_YEAR_SLICE]) for row in rows}
    drafts = sorted(row[2] for row in rows if row[1] != AnnualDataStatus.SUBMITTED)
    return Inputs(facts, years, drafts)


def facts_for(organization: Organization, on: date, *, include_drafts: bool = False) -> EnterpriseFacts:
    """The EnterpriseFacts of one enterprise on `on`."""
    return inputs_for(organization=organization, on=on, include_drafts=include_drafts).facts


def years_for(organization: Organization, on: date, *, include_drafts: bool = False) -> dict[int, YearData]:
    """The YearData of one enterprise that an assessment on `on` may read, by year."""
    return inputs_for(organization=organization, on=on, include_drafts=include_drafts).years


# ---------------------------------------------------------------------------------------------
# One enterprise


def may_include_drafts(user, organization: Organization) -> bool:
    """Only the enterprise's own users see its unsubmitted figures in a self-assessment (a preview)."""
    return (
        user.is_authenticated
        and user.role == Role.ENTERPRISE
        and user.active_organization_id == organization.pk
    )


@dataclass
class SelfAssessment:
    """The self-assessment of one enterprise on one day: 高企, 科小 and the super deduction of one year.

    Unpacks as `hnte, tsme, deduction = assess_enterprise(...)`; the rest says which data were used.
    """

    hnte: Assessment
    tsme: Assessment
    deduction: SuperDeduction | None
    on: date
    deduction_year: int
    deduction_problem: str  # why there is no deduction ("" when there is one)
    hnte_missing_years: list[int]  # years of the 近三个会计年度 without annual data
    tsme_missing_years: list[int]  # the reference year, when it has no annual data
    drafts: list[int]  # years the result used a draft of (only with include_drafts)
    include_drafts: bool

    def __iter__(self) -> Iterator:
        return iter((self.hnte, self.tsme, self.deduction))

    @property
    def missing_years(self) -> list[int]:
        return sorted(set(self.hnte_missing_years) | set(self.tsme_missing_years))

    @property
    def storable(self) -> bool:
        """Stored as the latest result only when it is what the batch would compute: submitted data, today."""
        return not self.drafts and self.on == _today()


def _assess(facts: EnterpriseFacts, years: dict[int, YearData], on: date):
    """Both assessments and their missing years, as the page and the batch compute them.

    科小 is judged on the year before `on`'s; without its data the rules get an empty year, so every
    condition that needs a figure is undecided and says so.
    """
    hnte = assess_hnte(facts, list(years.values()), on=on)
    hnte_missing = [y for y in hnte.years if y not in years]
    reference = on.year - 1
    tsme_year = years.get(reference)
    tsme = assess_tsme(facts, tsme_year or YearData(year=reference), on=on)
    return hnte, tsme, hnte_missing, ([] if tsme_year else [reference])


def assess_enterprise(
    *,
    organization: Organization,
    on: date | None = None,
    include_drafts: bool = False,
    deduction_year: int | None = None,
) -> SelfAssessment:
    """Assess one enterprise for an application on `on` (default today); drafts count only when asked."""
    on = on or _today()
    inputs = inputs_for(organization=organization, on=on, include_drafts=include_drafts)
    hnte, tsme, hnte_missing, tsme_missing = _assess(inputs.facts, inputs.years, on)
    deduction_year = deduction_year or on.year - 1
    deduction, problem = None, ""
    if deduction_year in inputs.years:
        try:
            deduction = super_deduction(inputs.years[deduction_year])
        except RulesetNotFound as exc:
            problem = str(exc)
    else:
        problem = _("缺少%(year)s年度数据") % {"year": deduction_year}
    return SelfAssessment(
        hnte=hnte,
        tsme=tsme,
        deduction=deduction,
        on=on,
        deduction_year=deduction_year,
        deduction_problem=problem,
        hnte_missing_years=hnte_missing,
        tsme_missing_years=tsme_missing,
        drafts=inputs.drafts,
        include_drafts=include_drafts,
    )


# ---------------------------------------------------------------------------------------------
# Serialising and storing


def _part(part: ScorePart) -> dict:
    out = {
        "code": part.code,
        "label": part.label,
        "max": part.max_points,
        "low": part.low,
        "high": part.high,
        "band": part.band,
        "basis": part.basis,
        "expert": part.expert,
    }
    if part.review:
        out["review"] = part.review
    if part.choice:
        out["choice"] = part.choice
    if part.items:
        out["items"] = [_part(item) for item in part.items]
    return out


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def serialize(assessment: Assessment, *, missing_years: Iterable[int] = ()) -> dict:
    """The full result as the API returns it: every check with its text, the score with every part and
    sub-item and how its range was found, the gaps, the notes. (What is stored is `stored_result`.)"""
    score = assessment.score
    out = {
        "kind": assessment.kind,
        "ruleset": assessment.ruleset,
        "source": assessment.source,
        "on": assessment.on.isoformat(),
        "reference_year": assessment.reference_year,
        "years": list(assessment.years),
        "eligible": assessment.eligible,
        "checks": [
            {
                "code": c.code,
                "rule": c.rule,
                "label": c.label,
                "passed": c.passed,
                "figure": c.figure,
                "threshold": c.threshold,
                "message": c.message,
                **({} if c.required else {"required": False}),
            }
            for c in assessment.checks
        ],
        "score": {
            "low": str(score.low),
            "high": str(score.high),
            "estimate": str(score.estimate),
            "value": _dec(score.value),
            "pass_mark": score.pass_mark,
            "parts": [_part(p) for p in score.parts],
        },
        "missing": list(assessment.missing),
        "missing_years": list(missing_years),
        "notes": list(assessment.notes),
    }
    if assessment.route:
        out["route"] = assessment.route
    return out


def _stored_check(check) -> dict:
    out = {
        "code": check.code,
        "rule": check.rule,
        "label": check.label,
        "passed": check.passed,
        "figure": check.figure,
        "threshold": check.threshold,
        "message": check.message,
    }
    if not check.required:
        out["required"] = False
    return out


def stored_result(assessment: Assessment, *, missing_years: Iterable[int] = ()) -> dict:
    """The JSON kept in AssessmentResult.result: what lists, the reserve pool and the API read without recomputing.

    A check that did not pass (the ones lists and the reserve pool explain) keeps its rule, label, figure,
    threshold and message; of the passed ones only the codes are kept; the score keeps its range and its four
    parts. The
    rest (sub-items, the reasoning of each band, notes) is on the page, which recomputes. Kept small on
    purpose: the nightly batch writes two of these for every enterprise (docs: 100,000 in under 30 s).
    """
    score = assessment.score
    out = {
        "ruleset": assessment.ruleset,
        "on": assessment.on.isoformat(),
        "reference_year": assessment.reference_year,
        "years": list(assessment.years),
        "eligible": assessment.eligible,
        "checks": [_stored_check(c) for c in assessment.checks if c.passed is not True],
        "passed": [c.code for c in assessment.checks if c.passed is True],
        "score": {
            "low": str(score.low),
            "high": str(score.high),
            "estimate": str(score.estimate),
            "value": _dec(score.value),
        },
        "parts": [
            {
                "code": p.code,
                "label": p.label,
                "low": p.low,
                "high": p.high,
                "max": p.max_points,
                "expert": p.expert,
            }
            for p in score.parts
        ],
        "missing": list(assessment.missing),
        "missing_years": list(missing_years),
    }
    if assessment.route:
        out["route"] = assessment.route
    return out


def serialize_deduction(deduction: SuperDeduction) -> dict:
    return {
        "ruleset": deduction.ruleset,
        "year": deduction.year,
        "rate": str(deduction.rate),
        "eligible": str(deduction.eligible),
        "extra_deduction": str(deduction.extra_deduction),
        "capitalized_extra": str(deduction.capitalized_extra),
        "total_extra": str(deduction.total_extra),
        "lines": [
            {"label": line.label, "amount": _dec(line.amount), "text": line.text, "note": line.note}
            for line in deduction.lines
        ],
    }


def _estimate(assessment: Assessment) -> Decimal:
    return assessment.score.estimate.quantize(_CENT, ROUND_HALF_UP)


# The columns one result writes, in this order (computed_at is set by the write itself).
_RESULT_COLUMNS = (
    "organization_id",
    "kind",
    "assessed_on",
    "data_year",
    "ruleset",
    "eligible",
    "score",
    "failed",
    "undetermined",
    "result",
)


def _result_values(organization_id: int, assessment: Assessment, missing_years: list[int]) -> tuple:
    """One AssessmentResult row as values in _RESULT_COLUMNS order."""
    return (
        organization_id,
        assessment.kind,
        assessment.on,
        assessment.reference_year,
        assessment.ruleset,
        assessment.eligible,
        _estimate(assessment),
        assessment.failed,
        assessment.undetermined,
        stored_result(assessment, missing_years=missing_years),
    )


def _write(rows: list[tuple]) -> None:
    """Upsert result rows on (organization, kind): COPY + INSERT … ON CONFLICT on PostgreSQL, else bulk_create.

    On PostgreSQL, bulk_create(update_conflicts=True) sends each column as one array parameter (UNNEST), and
    psycopg quotes an array of JSON texts character by character in Python: 100,000 results took minutes.
    COPY takes the JSON as it is, and one INSERT … SELECT … ON CONFLICT merges it.
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        _write_copy(rows)
        return
    AssessmentResult.objects.bulk_create(
        [AssessmentResult(**dict(zip(_RESULT_COLUMNS, row, strict=True))) for row in rows],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["organization", "kind"],
        update_fields=_RESULT_UPDATE_FIELDS,
    )


# The temporary table the COPY fills, made once per session. Its JSON column is compressed like the table's
# (lz4 where PostgreSQL has it, migration 0003): a value compressed here is stored as it is, and pglz, the
# default, cost an eighth of the database's work in the batch.
_COPY_TEMP_TABLE = """
DO $$ BEGIN
  IF to_regclass('pg_temp.assessment_incoming') IS NULL THEN
    CREATE TEMP TABLE assessment_incoming (organization_id bigint, kind varchar(8), assessed_on date,
      data_year smallint, ruleset varchar(32), eligible boolean, score numeric(6, 2), failed smallint,
      undetermined smallint, result json) ON COMMIT DELETE ROWS;
    IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals))
    THEN
      ALTER TABLE assessment_incoming ALTER COLUMN result SET COMPRESSION lz4;
    END IF;
  END IF;
END $$
"""
_COPY_BOOL = {True: b"t", False: b"f", None: b"\\N"}


def _copy_line(row: tuple) -> bytes:
    """One row in COPY's text format (tab-separated, \\N for NULL), in _RESULT_COLUMNS order.

    Made by hand: psycopg's write_row dumps each value through its own adapter and cost a third of the
    write. The values are ids, codes, a date, numbers and the JSON, so only the JSON needs escaping: orjson
    writes no raw tab, newline or carriage return, and a backslash is doubled as COPY requires.
    """
    org, kind, on, year, ruleset, eligible, score, failed, undetermined, result = row
    # orjson: the standard encoder cost more than the rules themselves at 200,000 rows.
    data = orjson.dumps(result).replace(b"\\", b"\\\\")
    head = f"{org}\t{kind}\t{on.isoformat()}\t{year}\t{ruleset}\t".encode()
    tail = f"\t{score}\t{failed}\t{undetermined}\t".encode()
    return b"".join((head, _COPY_BOOL[eligible], tail, data, b"\n"))


def _write_copy(rows: list[tuple]) -> None:
    table = connection.ops.quote_name(AssessmentResult._meta.db_table)
    columns = ", ".join(_RESULT_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*_RESULT_COLUMNS[2:], "computed_at"))
    own_transaction = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if own_transaction:
            # A batch's own commit: results are recomputed every night, so losing the last one in a crash
            # costs nothing and the commit need not wait for the WAL flush. Never in a caller's transaction.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(_COPY_TEMP_TABLE)
        cursor.execute("TRUNCATE assessment_incoming")  # a caller's transaction may hold an earlier batch
        with cursor.cursor.copy(f"COPY assessment_incoming ({columns}) FROM STDIN") as copy:
            copy.write(b"".join(map(_copy_line, rows)))
        cursor.execute(
            f"INSERT INTO {table} ({columns}, computed_at) SELECT {columns}, %s FROM assessment_incoming "
            f"ON CONFLICT (organization_id, kind) DO UPDATE SET {updates}",
            [timezone.now()],
        )


def store_result(*, organization: Organization, result: SelfAssessment) -> bool:
    """Keep `result` as the enterprise's latest AssessmentResult rows (高企 and 科小) when it is storable.

    Returns whether it was stored: a preview with drafts, or on another day than today, is not.
    """
    if not result.storable:
        return False
    _write(
        [
            _result_values(organization.pk, result.hnte, result.hnte_missing_years),
            _result_values(organization.pk, result.tsme, result.tsme_missing_years),
        ]
    )
    return True


def assess_one(*, organization_id: int, on: date | None = None) -> SelfAssessment | None:
    """Re-assess one enterprise on submitted data and store the result (after its data or qualifications change)."""
    organization = Organization.objects.filter(pk=organization_id, kind=OrganizationKind.ENTERPRISE).first()
    if organization is None:
        return None
    on = on or _today()
    result = assess_enterprise(organization=organization, on=on)
    _write(
        [
            _result_values(organization.pk, result.hnte, result.hnte_missing_years),
            _result_values(organization.pk, result.tsme, result.tsme_missing_years),
        ]
    )
    return result


# ---------------------------------------------------------------------------------------------
# The batch


def _region_codes(region_code: str | None) -> list[str] | None:
    if not region_code:
        return None
    from kechuang.regions.selectors import regions_under

    return regions_under(region_code)


def _enterprises(region_code: str | None):
    qs = Organization.objects.filter(kind=OrganizationKind.ENTERPRISE)
    if codes := _region_codes(region_code):
        qs = qs.filter(region_id__in=codes)
    return qs


def assess_all(
    *, on: date | None = None, region_code: str | None = None, chunk: int = 2500, workers: int | None = None
) -> dict:
    """Assess every enterprise (of `region_code` and below) on submitted data and store the latest results.

    Reads with a few large queries per `chunk` enterprises (never one per enterprise) and upserts
    AssessmentResult in bulk, one transaction per chunk; running it twice leaves the same rows. On
    PostgreSQL, outside a transaction, with more than one chunk, `workers` processes share the chunks
    (default: KECHUANG_ASSESS_WORKERS, else the number of CPUs): this one and worker processes of their own
    (`python -m kechuang.enterprises.assessment_worker`), since the rules are pure Python and one process
    keeps one core busy. Each process takes the next chunk when it is done with one (`ChunkQueue`), so a
    worker that starts late or runs slower does not leave the others waiting for it.
    Returns counts: enterprises, rows written, eligible per kind.
    """
    on = on or _today()
    workers = _workers(workers)
    if workers > 1:
        ids = list(_enterprises(region_code).order_by("pk").values_list("pk", flat=True))
        if len(ids) > chunk:
            return _assess_in_parallel(ids, on=on, region_code=region_code, chunk=chunk, workers=workers)
    return assess_range(on=on, region_code=region_code, chunk=chunk)


def _workers(asked: int | None) -> int:
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1  # SQLite has one writer; a worker could not see the caller's uncommitted rows
    if asked is None:
        asked = int(os.environ.get("KECHUANG_ASSESS_WORKERS", "0")) or os.cpu_count() or 1
    return max(1, asked)


class ChunkQueue:
    """The id ranges of a batch, handed out one at a time to the processes that share it.

    A file holds the ranges and the index of the next one; a process takes a range under an exclusive
    lock on the file (flock), so two never take the same one.
    """

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def create(cls, directory: str, ids: list[int], chunk: int) -> ChunkQueue:
        ranges = [(ids[i], ids[min(i + chunk, len(ids)) - 1]) for i in range(0, len(ids), chunk)]
        path = Path(directory) / "chunks.json"
        path.write_text(json.dumps({"next": 0, "ranges": ranges}))
        return cls(path)

    def take(self) -> tuple[int, int] | None:
        """The next (first_id, last_id), or None when every range is taken."""
        with self.path.open("r+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
            state = json.load(handle)
            index = state["next"]
            if index >= len(state["ranges"]):
                return None
            state["next"] = index + 1
            handle.seek(0)
            handle.write(json.dumps(state))
            handle.truncate()
        first, last = state["ranges"][index]
        return first, last


@contextmanager
def _without_cycle_collection():
    """The cyclic garbage collector paused: it ran every few hundred allocations and walked Django's whole
    object graph, which cost a seventh of the batch. The batch makes no reference cycles (its objects are
    freed by reference counting as each chunk ends), so nothing waits for the collector meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@_without_cycle_collection()  # across the chunks: re-enabled, it would run a full collection
def assess_queue(queue: ChunkQueue, *, on: date, region_code: str | None = None) -> dict:
    """Assess the ranges of `queue` until none is left; the counts of the ranges this process did."""
    summary = {"enterprises": 0, "rows": 0, "hnte_eligible": 0, "tsme_eligible": 0}
    while (taken := queue.take()) is not None:
        first, last = taken
        # One range is one chunk: assess_range's own chunking does not split it further.
        done = assess_range(
            on=on, region_code=region_code, first_id=first, last_id=last, chunk=last - first + 1
        )
        for key, value in done.items():
            summary[key] += value
    return summary


def _assess_in_parallel(
    ids: list[int], *, on: date, region_code: str | None, chunk: int, workers: int
) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "kechuang.settings"),
        "KECHUANG_ASSESS_DATABASE": str(connection.settings_dict["NAME"]),
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parents[2]), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    with tempfile.TemporaryDirectory(prefix="kechuang-assess-") as directory:
        queue = ChunkQueue.create(directory, ids, chunk)
        command = [
            sys.executable,
            "-m",
            "kechuang.enterprises.assessment_worker",
            f"--on={on.isoformat()}",
            f"--queue={queue.path}",
        ]
        if region_code:
            command.append(f"--region={region_code}")
        children = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(workers - 1)
        ]
        try:
            # This process works too, from the first chunk, while the workers start (about 2 s each).
            summary = assess_queue(queue, on=on, region_code=region_code)
        except BaseException:
            for child in children:
                child.kill()
                child.communicate()
            raise
        failures = []
        for child in children:
            out, err = child.communicate()
            if child.returncode:
                failures.append(err.strip()[-2000:])
                continue
            for key, value in json.loads(out.strip().splitlines()[-1]).items():
                summary[key] += value
    if failures:
        raise RuntimeError("assessment worker failed:\n" + "\n\n".join(failures))
    return summary


@_without_cycle_collection()
def assess_range(
    *,
    on: date,
    region_code: str | None = None,
    first_id: int | None = None,
    last_id: int | None = None,
    chunk: int = 2500,
) -> dict:
    """Assess the enterprises with first_id ≤ id ≤ last_id (all when None) and store their results."""
    enterprises = _enterprises(region_code)
    if first_id is not None:
        enterprises = enterprises.filter(pk__gte=first_id)
    if last_id is not None:
        enterprises = enterprises.filter(pk__lte=last_id)
    organizations = list(enterprises.order_by("pk").values_list("pk", "founded_on", "tech_field", "industry"))
    summary = {"enterprises": len(organizations), "rows": 0, "hnte_eligible": 0, "tsme_eligible": 0}
    if not organizations:
        return summary
    # Rows of other organizations in the id range are read but never looked up; a region narrows the reads.
    codes = _region_codes(region_code)
    in_region = Q(organization__region_id__in=codes) if codes else Q()
    in_range = in_region & Q(
        organization_id__gte=organizations[0][0], organization_id__lte=organizations[-1][0]
    )
    held: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for org_id, kind, level in (
        Qualification.objects.filter(in_range)
        .in_force(on)
        .filter(
            Q(kind=QualificationKind.HNTE) | Q(kind__in=RD_INSTITUTION_KINDS, level__in=PROVINCIAL_OR_ABOVE)
        )
        .order_by()  # the default ordering would join the organizations to sort by name
        .values_list("organization_id", "kind", "level")
    ):
        held[org_id].append((kind, level))
    breaches = set(
        _integrity_records()
        .filter(in_range, _integrity_window(on))
        .order_by()
        .values_list("organization_id", flat=True)
    )

    flag_from = on.year - FLAG_YEARS
    for start in range(0, len(organizations), chunk):
        block = organizations[start : start + chunk]
        by_org: dict[int, list[tuple]] = defaultdict(list)
        rows = _annual_rows(
            in_region & Q(organization_id__gte=block[0][0], organization_id__lte=block[-1][0]),
            on,
            include_drafts=False,
        ).values_list(*_ROW_FIELDS)
        for row in rows:
            by_org[row[0]].append(row)
        results = []
        for org_id, founded_on, tech_field, industry in block:
            own = by_org.get(org_id, ())
            facts = _facts(
                founded_on=founded_on,
                tech_field=tech_field,
                industry=industry,
                qualifications=held.get(org_id, ()),
                flag_rows=[row[_FLAGS_AT:] for row in own if flag_from <= row[2] < on.year],
                integrity_breach=org_id in breaches,
            )
            years = {row[2]: YearData.from_row(row[_YEAR_SLICE]) for row in own}
            hnte, tsme, hnte_missing, tsme_missing = _assess(facts, years, on)
            results.append(_result_values(org_id, hnte, hnte_missing))
            results.append(_result_values(org_id, tsme, tsme_missing))
            summary["hnte_eligible"] += hnte.eligible is True
            summary["tsme_eligible"] += tsme.eligible is True
        _write(results)
        summary["rows"] += len(results)
    return summary
