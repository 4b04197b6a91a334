"""Application forms defined per call as data, and the checks on what applicants enter.

A definition is a list of fields:

    {"key": "title", "label": "项目名称", "type": "text", "required": true, "max_length": 100}
    {"key": "applicant", "label": "申报单位", "type": "text", "prefill": "organization.name", "readonly": true}
    {"key": "amount", "label": "申请经费（元）", "type": "money", "required": true, "min": "0"}
    {"key": "start", "label": "开始日期", "type": "date"}
    {"key": "field", "label": "技术领域", "type": "choice", "choices": ["电子信息", "新材料"]}
    {"key": "budget", "label": "经费预算", "type": "table", "min_rows": 1, "sum_of": "amount", "total": "amount",
     "columns": [{"key": "item", "label": "科目", "type": "text"}, {"key": "amount", "label": "金额", "type": "money"}]}
    {"key": "plan", "label": "可行性报告", "type": "file", "required": true, "allowed": ["pdf"], "max_bytes": 5242880}

Pure functions: no database, so pages, API and the formal check validate alike.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

FIELD_TYPES = ("text", "longtext", "number", "money", "date", "choice", "table", "file")
CELL_TYPES = ("text", "number", "money", "date", "choice")
FILE_TYPES = ("pdf", "png", "jpg", "jpeg")

# What a form may prefill from the organization's profile or the user, so nothing is asked twice.
PREFILL_SOURCES = {
    "organization.name": lambda org, user: org.name,
    "organization.credit_code": lambda org, user: org.credit_code,
    "organization.address": lambda org, user: org.address,
    "organization.region": lambda org, user: org.region.name,
    "organization.legal_representative": lambda org, user: org.legal_representative,
    "organization.contact_phone": lambda org, user: org.contact_phone,
    "organization.industry": lambda org, user: org.get_industry_display(),
    "organization.tech_field": lambda org, user: org.get_tech_field_display(),
    "user.name": lambda org, user: str(user),
    "user.phone": lambda org, user: user.phone,
    "user.email": lambda org, user: user.email,
}


def definition_problems(definition) -> list[str]:
    """What is wrong with a form definition (for the officer who writes it)."""
    problems: list[str] = []
    if not isinstance(definition, list):
        return [_("表单定义应为字段列表。")]
    seen: set[str] = set()
    for index, spec in enumerate(definition, 1):
        key = spec.get("key") if isinstance(spec, dict) else None
        if not key or not str(key).isidentifier():
            problems.append(_("第 %(n)d 个字段缺少有效的 key。") % {"n": index})
            continue
        if key in seen:
            problems.append(_("字段 %(key)s 重复。") % {"key": key})
        seen.add(key)
        kind = spec.get("type")
        if kind not in FIELD_TYPES:
            problems.append(_("字段 %(key)s 的类型 %(type)s 不受支持。") % {"key": key, "type": kind})
        if kind == "choice" and not spec.get("choices"):
            problems.append(_("单选字段 %(key)s 没有选项。") % {"key": key})
        if kind == "table":
            columns = spec.get("columns") or []
            if not columns:
                problems.append(_("表格字段 %(key)s 没有列。") % {"key": key})
            for column in columns:
                if column.get("type", "text") not in CELL_TYPES:
                    problems.append(_("表格字段 %(key)s 的列类型不受支持。") % {"key": key})
        if kind == "file" and not set(spec.get("allowed") or FILE_TYPES) <= set(FILE_TYPES):
            problems.append(_("附件字段 %(key)s 的文件类型只能是 PDF、PNG、JPG。") % {"key": key})
        if spec.get("prefill") and spec["prefill"] not in PREFILL_SOURCES:
            problems.append(
                _("字段 %(key)s 的预填来源 %(src)s 不存在。") % {"key": key, "src": spec["prefill"]}
            )
    return problems


def prefill(definition, *, organization, user) -> dict:
    """Initial data taken from the organization's profile and the user."""
    data = {}
    for spec in definition:
        source = spec.get("prefill")
        if source in PREFILL_SOURCES:
            data[spec["key"]] = PREFILL_SOURCES[source](organization, user) or ""
    return data


def _label(spec) -> str:
    return spec.get("label") or spec["key"]


def _clean_scalar(kind, value, spec, label):
    """(clean value, error) for one scalar value; blank values come back as ''."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "", None
    text = str(value).strip()
    if kind in ("text", "longtext"):
        limit = spec.get("max_length") or (200 if kind == "text" else 5000)
        if len(text) > limit:
            return text, _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": limit}
        return text, None
    if kind in ("number", "money"):
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            return text, _("%(label)s应为数字。") % {"label": label}
        if not number.is_finite():
            return text, _("%(label)s应为数字。") % {"label": label}
        if kind == "money":
            if number != number.quantize(Decimal("0.01")):
                return text, _("%(label)s最多保留两位小数。") % {"label": label}
            number = number.quantize(Decimal("0.01"))
        if spec.get("min") is not None and number < Decimal(str(spec["min"])):
            return text, _("%(label)s不能小于 %(min)s。") % {"label": label, "min": spec["min"]}
        if spec.get("max") is not None and number > Decimal(str(spec["max"])):
            return text, _("%(label)s不能大于 %(max)s。") % {"label": label, "max": spec["max"]}
        return str(number), None
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat(), None
        except ValueError:
            return text, _("%(label)s应为日期（年-月-日）。") % {"label": label}
    if kind == "choice":
        if text not in [str(c) for c in spec.get("choices", [])]:
            return text, _("%(label)s的选项无效。") % {"label": label}
        return text, None
    return text, None


def clean_data(
    definition, raw: dict, *, files: dict[str, int] | None = None, complete: bool
) -> tuple[dict, dict]:
    """Check `raw` against the definition; returns (cleaned data, {key: [Chinese errors]}).

    With complete=False (a draft being saved) missing required values are not errors; wrong values
    are. `files` counts the attachments already uploaded per file field.
    """
    files = files or {}
    cleaned: dict = {}
    errors: dict[str, list[str]] = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    for spec in definition:
        key, kind, label = spec["key"], spec.get("type", "text"), _label(spec)
        if kind == "file":
            if complete and spec.get("required") and not files.get(key):
                add(key, _("请上传%(label)s。") % {"label": label})
            continue
        if kind == "table":
            rows = raw.get(key) or []
            if not isinstance(rows, list):
                add(key, _("%(label)s格式不正确。") % {"label": label})
                continue
            clean_rows = []
            for number, row in enumerate(rows, 1):
                row = row if isinstance(row, dict) else {}
                clean_row = {}
                for column in spec.get("columns", []):
                    cell_label = _("%(label)s第%(row)d行%(column)s") % {
                        "label": label,
                        "row": number,
                        "column": _label(column),
                    }
                    value, error = _clean_scalar(
                        column.get("type", "text"), row.get(column["key"]), column, cell_label
                    )
                    clean_row[column["key"]] = value
                    if error:
                        add(key, error)
                    elif complete and column.get("required") and value == "":
                        add(key, _("请填写%(label)s。") % {"label": cell_label})
                if any(v != "" for v in clean_row.values()):
                    clean_rows.append(clean_row)
            cleaned[key] = clean_rows
            if complete and len(clean_rows) < int(spec.get("min_rows", 1 if spec.get("required") else 0)):
                add(
                    key,
                    _("%(label)s至少需要 %(n)d 行。") % {"label": label, "n": int(spec.get("min_rows", 1))},
                )
            if spec.get("max_rows") and len(clean_rows) > int(spec["max_rows"]):
                add(key, _("%(label)s最多 %(n)d 行。") % {"label": label, "n": int(spec["max_rows"])})
            continue
        value, error = _clean_scalar(kind, raw.get(key), spec, label)
        cleaned[key] = value
        if error:
            add(key, error)
        elif complete and spec.get("required") and value == "":
            add(key, _("请填写%(label)s。") % {"label": label})
    if complete:
        for key, message in table_sum_problems(definition, cleaned).items():
            add(key, message)
    return cleaned, errors


def table_sum_problems(definition, data) -> dict[str, str]:
    """Tables whose column must add up to a total field ('lines summing to the total')."""
    problems = {}
    for spec in definition:
        if spec.get("type") != "table" or not spec.get("sum_of") or not spec.get("total"):
            continue
        try:
            total = Decimal(str(data.get(spec["total"])))
            lines = sum(
                (Decimal(row.get(spec["sum_of"]) or "0") for row in data.get(spec["key"], [])), Decimal("0")
            )
        except (InvalidOperation, TypeError):
            continue  # a value that is not a number is reported on its own field
        if not total.is_finite() or lines == total:
            continue
        total_spec = next(s for s in definition if s["key"] == spec["total"])
        problems[spec["key"]] = _("%(label)s合计 %(lines)s 元，与%(total)s不一致（%(value)s 元）。") % {
            "label": _label(spec),
            "lines": lines,
            "total": _label(total_spec),
            "value": total,
        }
    return problems
