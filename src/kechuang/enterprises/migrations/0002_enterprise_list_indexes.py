"""PostgreSQL only: indexes that keep the enterprise list (企业库) fast at 100,000 organizations.

Each filter of `enterprises/filters.py` on a related table is a `pk IN (subquery)`; these indexes let every
subquery, and the enterprise side of its join, be read from an index alone (docs/bench-enterprises.md):

- the enterprises of a region scope with their ids (counts and joins read 85,000 narrow entries, not the table),
  and the same in the list's order and by id, with the columns the list filters on (a page's ids, and a small
  filtered set checked against the scope, come from an index);
- qualifications by kind and expiry, and by expiry alone, with the columns that decide "in force today";
- submitted annual data by year; 销售收入 and the R&D ratio by year, as the very expressions the filters use
  (`filters.sales_revenue`, `filters.rd_ratio`: change them together);
- self-assessment outcomes.

Not model indexes: partial and expression indexes with INCLUDE are not portable, and SQLite does not need them
at its sizes. Creating them is idempotent, so a database that has them is left as it is.
"""

from django.db import migrations

_RD_FIELDS = (
    "hnte_rd_personnel",
    "hnte_rd_direct",
    "hnte_rd_depreciation",
    "hnte_rd_amortization",
    "hnte_rd_design",
    "hnte_rd_trial",
    "hnte_rd_commissioned_domestic",
    "hnte_rd_commissioned_foreign",
    "hnte_rd_other",
)
_RD_TOTAL = " + ".join(_RD_FIELDS)
_RD_COLUMNS = ", ".join(_RD_FIELDS)
_SALES = "(main_revenue + other_revenue)"
_ORG_FILTERED = "region_id, tier, industry, tech_field, size"

INDEXES = {
    # The enterprises of a region scope: a count reads the first (its entries share a region, so PostgreSQL
    # stores them deduplicated: 70 pages for 85,000 enterprises), a join the second (with the ids).
    "enterprise_list_region": "ON organizations_organization (region_id) WHERE kind = 'enterprise'",
    "enterprise_list_scope": "ON organizations_organization (region_id, id) WHERE kind = 'enterprise'",
    # A page's ids in the list's order, and a filtered set's ids checked one by one (with the name, to order
    # them), with the columns the filters test: both are read from the index without visiting the table.
    "enterprise_list_order": (
        f"ON organizations_organization (name, id) INCLUDE ({_ORG_FILTERED}) WHERE kind = 'enterprise'"
    ),
    "enterprise_list_members": (
        f"ON organizations_organization (id) INCLUDE (name, {_ORG_FILTERED}) WHERE kind = 'enterprise'"
    ),
    "enterprise_list_qualification": (
        "ON organizations_qualification (kind, valid_until) INCLUDE (organization_id, valid_from, revoked_on)"
    ),
    "enterprise_list_qualification_until": (
        "ON organizations_qualification (valid_until) INCLUDE (organization_id, kind, valid_from, revoked_on)"
    ),
    "enterprise_list_annual_year": "ON enterprises_annualdata (year, organization_id) WHERE status = 'submitted'",
    # Expression indexes are not partial, so that ANALYZE's statistics on the expressions reach the planner
    # (it ignores those of partial indexes and would guess a band holds 1 % of the rows). INCLUDE lists every
    # column the filter reads, so the filter is answered from the index alone.
    "enterprise_list_annual_sales": (
        f"ON enterprises_annualdata (year, {_SALES}) "
        "INCLUDE (organization_id, status, main_revenue, other_revenue)"
    ),
    "enterprise_list_annual_rd_ratio": (
        f"ON enterprises_annualdata (year, (({_RD_TOTAL}) / NULLIF({_SALES}, 0))) "
        f"INCLUDE (organization_id, status, main_revenue, other_revenue, {_RD_COLUMNS})"
    ),
    "enterprise_list_assessment": (
        "ON enterprises_assessmentresult (kind, eligible, failed) INCLUDE (organization_id)"
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")
    # The expressions' statistics exist only once the table is analysed; autovacuum would wait for changes.
    for table in ("enterprises_annualdata", "organizations_organization"):
        schema_editor.execute(f"ANALYZE {table}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0001_initial"),
        ("organizations", "0007_qualification_levels_and_tier"),
    ]
    operations = [migrations.RunPython(create, drop)]
