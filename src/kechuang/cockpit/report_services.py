"""工作总结: collect the modules' figures of a region and year, render the bureau's template with them, and store
the report (.docx and .xlsx) with every figure it states and the query behind it.

A figure comes from a module's `figures.report_figures(region, year)` (the modules in `SOURCES`; a module
without one is skipped) and is kept as JSON: label, value, unit, module, key (stable, for the template), query
(the SQL of its records) and count (how many records). The text is rendered from that JSON, never from the
database again, so the officer's 存在问题 can be added later without the numbers moving.

The template is the bureau's text: it is rendered by a fresh template engine with Django's built-in tags and
filters only (no loaders, no custom libraries, no autoescape: the output is plain text), over plain values (no
model instances or querysets), and an error is reported in Chinese with its line.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module

from django.core.files.base import ContentFile
from django.db import transaction
from django.template import Context, Engine
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kechuang.core.audit import acting
from kechuang.core.errors import DomainError
from kechuang.core.jobs import enqueue
from kechuang.core.permissions import require
from kechuang.regions.models import Region

from . import permissions as perm
from .default_template import DEFAULT_BODY, DEFAULT_NAME
from .models import AnnualReport, ReportTemplate

logger = logging.getLogger(__name__)

# The modules whose figures the report states, in the report's order: (module, its figures module, heading).
SOURCES: list[tuple[str, str, str]] = [
    ("enterprises", "kechuang.enterprises.figures", "创新主体培育"),
    ("carriers", "kechuang.carriers.figures", "创新载体建设"),
    ("talent", "kechuang.talent.figures", "科技人才引育"),
    ("patents", "kechuang.patents.figures", "知识产权"),
    ("market", "kechuang.market.figures", "科技成果转化"),
    ("vouchers", "kechuang.vouchers.figures", "创新券"),
    ("projects", "kechuang.projects.figures", "科技项目"),
    ("payouts", "kechuang.payouts.figures", "政策兑现"),
    ("inquiries", "kechuang.inquiries.figures", "科技信箱"),
]
# Modules the default text words itself; the others are listed generically (`other_modules`).
WORDED = ("enterprises", "carriers", "market", "vouchers")  # in the order of the default text
NUMERALS = "一二三四五六七八九十"

# Stable keys of the figures the default text quotes, by the (Chinese) label the modules give them.
KEYS: dict[str, str] = {
    "新认定高新技术企业": "new_hnte",
    "高新技术企业净增": "hnte_net_increase",
    "高新技术企业总数": "hnte_total",
    "新增省科技型中小企业": "new_tsme",
    "新增省级企业研究院": "new_enterprise_institutes",
    "新增省级高新技术企业研究开发中心": "new_hnte_rd_centers",
    "新增省级众创空间": "new_maker_spaces",
    "新认定国家级星创天地": "new_star_spaces",
    "产业创新服务综合体": "innovation_complexes",
    "新增外国专家工作站": "new_foreign_workstations",
    "在孵企业": "incubatees",
    "摸排提炼企业技术需求": "demands",
    "征集高校院所科技成果": "achievements",
    "科技对接活动": "events",
    "达成意向合作项目": "intents",
    "技术交易额": "transaction_amount",
    "技术合同成交额": "contract_amount",
    "技术合同登记数": "contracts_registered",
    "派驻科技特派员": "commissioners",
    "新入选人才（团队）": "new_talents",
    "新引进外国专家": "new_foreign_experts",
    "专利申请量": "patent_applications",
    "专利授权量": "patent_grants",
    "有效发明专利": "valid_inventions",
    "每万人口发明专利拥有量": "inventions_per_10k",
    "政策兑现金额": "payouts_amount",
    "兑现企业数": "payouts_enterprises",
    "收到来信": "inquiries_received",
    "按时答复率": "inquiries_in_time_rate",
    "满意率": "inquiries_satisfaction_rate",
    "平均答复用时": "inquiries_average_days",
    "创新券发放": "vouchers_issued",
    "创新券使用": "vouchers_redeemed",
}

# A region with more enterprises than this is generated in the background.
BACKGROUND_ABOVE = 20_000

# The report is written in Chinese whatever the language of the page that generated it.
PROBLEMS_PLACEHOLDER = "（请在此填写存在问题。）"

COMPARATOR_SUFFIX = {"gte": "以上", "lte": "以内", "about": "左右"}


# --------------------------------------------------------------------------------------------
# Figures


def _figure_module(dotted: str):
    try:
        return import_module(dotted)
    except ModuleNotFoundError as exc:
        if exc.name and dotted.startswith(exc.name):
            return None  # the module has no figures (yet)
        raise


def collect_figures(region: Region | str, year: int) -> list[dict]:
    """Every module's report figures for the region and year, as JSON rows (in Chinese, whatever the language
    of the request: the report is written in Chinese)."""
    rows: list[dict] = []
    used: set[str] = set()
    with translation.override("zh-hans"):
        for module, dotted, _heading in SOURCES:
            source = _figure_module(dotted)
            report_figures = getattr(source, "report_figures", None) if source else None
            if report_figures is None:
                continue
            for n, figure in enumerate(report_figures(region, year)):
                label = str(figure.label)
                try:
                    query = str(figure.records.query)
                except Exception:  # noqa: BLE001 - a query the backend cannot print (EmptyResultSet)
                    query = ""
                key = KEYS.get(label, f"{module}_{n + 1}")
                if key in used:  # the same figure from two modules (外国专家工作站): the second is qualified
                    key = f"{module}_{key}"
                used.add(key)
                rows.append(
                    {
                        "module": module,
                        "key": key,
                        "index": n,  # its place in the module's list (the dashboard's drill-down)
                        "label": label,
                        "value": _json_number(figure.value),
                        "unit": str(figure.unit),
                        "query": query,
                        "count": figure.records.count(),
                    }
                )
    return rows


def _json_number(value) -> int | str | None:
    if value is None or isinstance(value, int):
        return value
    return str(value)


def format_number(value) -> str:
    """4686 → "4686"; "56.0" → "56"; "12.50" → "12.5"; None → "—"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, int):
        return str(value)
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


# --------------------------------------------------------------------------------------------
# Next year's targets


def next_year_targets(region_code: str, year: int) -> list[dict]:
    """The targets set for the region for `year` (the year after the report's), as sentences."""
    try:
        from kechuang.targets.models import Target
    except ImportError:  # pragma: no cover - the targets app is part of the project
        return []
    rows = []
    for target in Target.objects.filter(region_id=region_code, year=year).select_related("indicator"):
        indicator = target.indicator
        unit = indicator.unit or ""
        text = f"{indicator.name}{format_number(target.value)}{unit}{COMPARATOR_SUFFIX.get(target.comparator, '')}"
        if target.stretch_value is not None:
            text += f"，力争{format_number(target.stretch_value)}{unit}"
        rows.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "value": format_number(target.value),
                "stretch_value": format_number(target.stretch_value)
                if target.stretch_value is not None
                else "",
                "unit": unit,
                "comparator": target.comparator,
                "text": text,
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# The template's context and its rendering


def bureau_name(region_name: str) -> str:
    return f"{region_name}科学技术局"


def template_context(*, region: Region, year: int, figures: list[dict], problems: str, targets=None) -> dict:
    """Plain values only (strings, numbers, dicts, lists): what the bureau's template may read."""
    headings = {module: heading for module, _dotted, heading in SOURCES}
    by_key: dict[str, dict] = {}
    modules: dict[str, dict] = {}
    for row in figures:
        item = {
            "key": row["key"],
            "label": row["label"],
            "value": format_number(row["value"]),
            "unit": row["unit"],
            "count": row["count"],
        }
        by_key[row["key"]] = item
        modules.setdefault(
            row["module"],
            {"code": row["module"], "name": headings.get(row["module"], row["module"]), "figures": []},
        )["figures"].append(item)
    # Sub-headings numbered （一）（二）… in the default text's order: the modules it words, then the others.
    ordered = [code for code in WORDED if code in modules] + [code for code in modules if code not in WORDED]
    for n, code in enumerate(ordered):
        modules[code]["number"] = f"（{NUMERALS[n]}）" if n < len(NUMERALS) else f"（{n + 1}）"
    modules = {code: modules[code] for code in ordered}
    targets = next_year_targets(region.code, year + 1) if targets is None else targets
    return {
        "bureau": bureau_name(region.name),
        "region": region.name,
        "region_code": region.code,
        "year": year,
        "next_year": year + 1,
        "f": by_key,
        "m": modules,
        "modules": list(modules.values()),
        "other_modules": [m for code, m in modules.items() if code not in WORDED],
        "targets": targets,
        "t": {t["code"]: t for t in targets},
        "problems": problems.strip() or PROBLEMS_PLACEHOLDER,
    }


class TemplateProblem(DomainError):
    """The bureau's template cannot be rendered; the message names the line."""


_ENGINE: Engine | None = None
BLOCKED_TAGS = frozenset({"debug", "load", "csrf_token", "url"})


def sandbox_engine() -> Engine:
    """A template engine of its own: Django's built-in tags (less `debug`, which prints the process's modules)
    and filters only, no loaders (no include or extends), no custom libraries, no autoescape."""
    global _ENGINE
    if _ENGINE is None:
        from django.template import Library, defaultfilters, defaulttags

        tags = Library()
        tags.tags = {name: tag for name, tag in defaulttags.register.tags.items() if name not in BLOCKED_TAGS}
        engine = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=False, debug=True)
        engine.template_builtins = [tags, defaultfilters.register]
        _ENGINE = engine
    return _ENGINE


def render_text(body: str, context: dict) -> str:
    """Render the template text; raise TemplateProblem (Chinese, with the line) on any error."""
    engine = sandbox_engine()
    try:
        template = engine.from_string(body)
        return template.render(Context(context, autoescape=False))
    except Exception as exc:  # noqa: BLE001 - any error of the bureau's text is shown, never a 500
        line = _error_line(exc)
        detail = _readable(str(exc).strip())[:200]
        if line:
            message = _("模板第%(line)s行有错误：%(detail)s") % {"line": line, "detail": detail}
        else:
            message = _("模板有错误：%(detail)s") % {"detail": detail}
        raise TemplateProblem(message, field="body") from exc


_ERRORS = (
    (re.compile(r"Invalid block tag on line \d+: '([^']+)'"), gettext_noop("不支持的标签“%(x)s”")),
    (re.compile(r"Invalid filter: '([^']+)'"), gettext_noop("不支持的过滤器“%(x)s”")),
    (re.compile(r"Unclosed tag on line \d+: '([^']+)'"), gettext_noop("标签“%(x)s”没有结束")),
)


def _readable(detail: str) -> str:
    """Django's message in Chinese where it is a common one (the original otherwise)."""
    for pattern, message in _ERRORS:
        found = pattern.search(detail)
        if found:
            return _(message) % {"x": found.group(1)}
    return detail


def _error_line(exc: Exception) -> int | None:
    """The line of the error (the engine runs in debug mode, so every error carries it)."""
    info = getattr(exc, "template_debug", None)
    return int(info["line"]) if info and info.get("line") else None


@dataclass
class Block:
    kind: str  # "title", "heading", "subheading", "paragraph"
    text: str


def parse_blocks(text: str) -> list[Block]:
    """The rendered text as the document's blocks: the first heading is the title."""
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            blocks.append(Block("subheading", line[3:].strip()))
        elif line.startswith("# "):
            kind = "heading" if any(b.kind == "title" for b in blocks) else "title"
            blocks.append(Block(kind, line[2:].strip()))
        else:
            blocks.append(Block("paragraph", line))
    return blocks


def template_body_for(region: Region) -> tuple[ReportTemplate | None, str]:
    """The active template of the region or of the nearest region above it; else the default text."""
    from .report_selectors import template_active_for

    template = template_active_for(region)
    return template, (template.body if template else DEFAULT_BODY)


def report_document_context(report: AnnualReport, body: str | None = None) -> dict:
    """What build_docx needs: title, blocks, and the figures; from the report's stored figures."""
    if body is None:
        body = report.template.body if report.template_id else template_body_for(report.region)[1]
    context = template_context(
        region=report.region, year=report.year, figures=report.figures, problems=report.problems
    )
    blocks = parse_blocks(render_text(body, context))
    title = next((b.text for b in blocks if b.kind == "title"), "")
    return {"title": title, "blocks": [b for b in blocks if b.kind != "title"], "figures": report.figures}


def preview_blocks(*, region: Region, year: int, body: str, figures: list[dict] | None = None) -> list[Block]:
    """The template rendered for a preview (the latest report's figures of the region, or none)."""
    if figures is None:
        latest = AnnualReport.objects.filter(region=region, year=year).exclude(generated_at=None).first()
        figures = latest.figures if latest else []
    context = template_context(region=region, year=year, figures=figures, problems="")
    return parse_blocks(render_text(body, context))


# --------------------------------------------------------------------------------------------
# Services


def _file_name(report: AnnualReport, ext: str) -> str:
    return f"report-{report.region_id}-{report.year}-{report.pk}.{ext}"


def _write_files(report: AnnualReport, body: str | None = None) -> None:
    from .report_build import build_docx, build_xlsx

    document = build_docx(report_document_context(report, body))
    tables = build_xlsx(report.figures)
    if report.document:
        report.document.delete(save=False)
    if report.tables:
        report.tables.delete(save=False)
    report.document.save(_file_name(report, "docx"), ContentFile(document), save=False)
    report.tables.save(_file_name(report, "xlsx"), ContentFile(tables), save=False)


def _is_large(region: Region) -> bool:
    from kechuang.organizations.enums import OrganizationKind
    from kechuang.organizations.models import Organization
    from kechuang.regions.selectors import regions_under

    count = Organization.objects.filter(
        kind=OrganizationKind.ENTERPRISE, region_id__in=regions_under(region)
    ).count()
    return count > BACKGROUND_ABOVE


@acting
@transaction.atomic
def report_generate(*, region: Region, year: int, by, background: bool | None = None) -> AnnualReport:
    """Generate the region's work summary for the year: now (small regions), or in the background (large ones,
    or `background=True`: the report is listed as 生成中 until the job has written it)."""
    require(perm.can_generate_report(by, region.code))
    this_year = timezone.localdate().year
    if not 2000 <= int(year) <= this_year:
        raise DomainError(_("年度应在2000年至%(y)s年之间。") % {"y": this_year}, field="year")
    template, body = template_body_for(region)
    # The template is checked before anything is stored: an error is the bureau's to fix, with its line.
    render_text(body, template_context(region=region, year=year, figures=[], problems="", targets=[]))
    report = AnnualReport.objects.create(region=region, year=year, template=template, generated_by=by)
    if background is None:
        background = _is_large(region)
    if background:
        enqueue("cockpit.report_build", report_id=report.pk)
        return report
    return report_fill(report=report, body=body)


def report_fill(*, report: AnnualReport, body: str | None = None) -> AnnualReport:
    """Compute the figures of a (new) report and write its files (the job's work, or inline)."""
    report.figures = collect_figures(report.region, report.year)
    report.generated_at = timezone.now()
    _write_files(report, body)
    report.bump_version()
    report.save()
    return report


@acting
@transaction.atomic
def report_set_problems(*, report: AnnualReport, text: str, expected_version: int | None, by) -> AnnualReport:
    """The officer's 二、存在问题; the document is written again with it (the figures stay as they were)."""
    report = (
        AnnualReport.objects.select_for_update(of=("self",))
        .select_related("region", "template")
        .get(pk=report.pk)
    )
    require(perm.can_edit_report(by, report.region_id))
    report.check_version(expected_version)
    if report.generated_at is None:
        raise DomainError(_("工作总结正在生成，请稍后再填写存在问题。"))
    report.problems = (text or "").strip()
    _write_files(report)
    report.bump_version()
    report.save()
    return report


@acting
@transaction.atomic
def report_template_save(*, region: Region, body: str, expected_version: int | None, by) -> ReportTemplate:
    """Save the region's own template (created on first save); refused when it does not render."""
    require(perm.can_edit_report_template(by, region.code))
    if not (body or "").strip():
        raise DomainError(_("模板正文不能为空。"), field="body")
    render_text(
        body,
        template_context(
            region=region, year=timezone.localdate().year - 1, figures=[], problems="", targets=[]
        ),
    )
    template = (
        ReportTemplate.objects.select_for_update().filter(region=region, active=True).order_by("id").first()
    )
    if template is None:
        return ReportTemplate.objects.create(region=region, name=DEFAULT_NAME, body=body)
    template.check_version(expected_version)
    template.body = body
    template.bump_version()
    template.save()
    return template
