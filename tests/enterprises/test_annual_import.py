"""Bulk import of annual data: every row is checked, and either all are imported or none."""

import time
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kechuang.core.errors import PermissionDenied
from kechuang.core.models import AuditLog
from kechuang.enterprises.annual import EDITABLE_FIELDS, annual_data_save
from kechuang.enterprises.annual_import import (
    AnnualImportRejected,
    Parsed,
    annual_data_import,
    check_rows,
    parse_rows,
    template_header,
)
from kechuang.enterprises.enums import AnnualDataStatus
from kechuang.enterprises.models import AnnualData
from kechuang.organizations.models import Organization
from kechuang.organizations.validators import credit_code_problem

from ..factories import audit_for, credit_code
from .test_annual import YEAR, figures

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def row(code, year=YEAR, **changes) -> list:
    values = {**figures(), **changes}
    return [code, year] + [values.get(name) for name in EDITABLE_FIELDS]


def workbook(rows, header=None, name="年度数据.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = "年度数据"
    sheet.append(template_header() if header is None else header)
    for cells in rows:
        sheet.append(cells)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def rejected(file, by) -> list[tuple[int, str, str]]:
    with pytest.raises(AnnualImportRejected) as exc:
        annual_data_import(file=file, by=by, filename=file.name)
    return [(e.row, e.column, e.message) for e in exc.value.errors]


# ---------------------------------------------------------------------------------------- pure parsing


def test_cells_are_read_in_every_reasonable_form():
    header = [
        "统一社会信用代码 ",
        "年度",
        "收入总额",
        "职工总数",
        "发明专利",
        "集成电路或工业母机企业",
        "备注",
    ]
    parsed = parse_rows(
        header
        + [
            "主营业务收入",
            "高新技术产品（服务）收入",
            "成本费用支出总额",
            "科技人员数",
            "净资产",
            "资产总额",
        ],
        [
            (2, (" 91330603 00000001x8 ", "2024", "1,234.50", 12.0, "3", "是", "x", 1, 1, 1, 1, 1, 1)),
            (3, ("91330603000000018X", 2023.0, 5, "12.25", 0, "否", None, 1, 1, 1, 1, 1, 1)),
        ],
    )
    assert (parsed.errors, parsed.ignored) == ([], ["备注"])
    first, second = parsed.rows
    assert (first.credit_code, first.year, second.year) == ("9133060300000001X8", 2024, 2023)
    assert (first.values["total_income"], first.values["staff_total"], first.values["ip_invention"]) == (
        D("1234.50"),
        D("12"),
        3,
    )
    assert (first.values["enhanced_rate"], second.values["enhanced_rate"], second.values["staff_total"]) == (
        True,
        False,
        D("12.25"),
    )


def test_unreadable_cells_missing_columns_and_duplicates_are_each_reported():
    parsed = parse_rows(template_header(), [(2, tuple(row("A", 2024, ip_design="三", led_standard="可能")))])
    assert parsed.errors and [(e.row, e.column, e.message) for e in parsed.errors] == [
        (2, "外观设计专利", "“三”不是整数。"),
        (2, "近五年主导制定国际、国家或行业标准", "“可能”应为“是”或“否”。"),
    ]
    no_year = [t for t in template_header() if t not in ("年度", "职工总数")]
    assert [(e.row, e.column, e.message) for e in parse_rows(no_year, [(2, ("x",))]).errors] == [
        (1, "年度", "缺少必填列。"),
        (1, "职工总数", "缺少必填列。"),
    ]
    doubled = parse_rows(template_header() + ["发明专利"], [(2, tuple(row("A"))), (3, tuple(row("a")))])
    assert [(e.row, e.column, e.message) for e in doubled.errors] == [
        (1, "发明专利", "列名重复。"),
        (3, "统一社会信用代码", "与第 2 行重复：同一企业同一年度只能出现一次。"),
    ]
    assert [(e.row, e.column, e.message) for e in parse_rows(template_header(), []).errors] == [
        (2, "", "文件中没有数据行。")
    ]


def test_checks_use_the_stored_figures_for_columns_the_file_leaves_out():
    from kechuang.enterprises.annual_import import Enterprise

    header = [
        "统一社会信用代码",
        "年度",
        "收入总额",
        "主营业务收入",
        "高新技术产品（服务）收入",
        "成本费用支出总额",
    ]
    header += ["职工总数", "科技人员数", "净资产", "资产总额"]
    parsed = parse_rows(header, [(2, ("C1", YEAR, 100, 90, 80, 70, 10, 5, 1, 2))])
    enterprise = Enterprise(1, "甲", "enterprise", "330603L01", None)
    stored = {name: None for name in EDITABLE_FIELDS} | {"hnte_rd_other": D("0"), "ip_design": 4}
    errors, warnings = check_rows(
        Parsed(parsed.rows), organizations={"C1": enterprise}, existing={(1, YEAR): stored}, region_codes=None
    )
    assert (errors, warnings) == ([], [])
    errors, _ = check_rows(parsed, organizations={"C1": enterprise}, existing={}, region_codes={"330681"})
    assert [(e.row, e.column, e.message) for e in errors] == [
        (2, "统一社会信用代码", "甲 不在您的管辖区域内。")
    ]


# ---------------------------------------------------------------------------------------------- service


def test_a_good_file_imports_every_row_as_submitted_and_audited(world):
    draft = annual_data_save(organization=world["org_a"], year=YEAR, data={"ip_design": 3}, by=world["ent_a"])
    file = workbook(
        [row(world["org_a"].credit_code), row(world["org_b"].credit_code, YEAR - 1, led_standard="是")]
    )
    summary = annual_data_import(file=file, by=world["staff"], filename=file.name)
    assert (summary.created, summary.updated, summary.warnings, summary.ignored_columns) == (1, 1, [], [])
    a = AnnualData.objects.get(pk=draft.pk)
    b = AnnualData.objects.get(organization=world["org_b"])
    assert (a.status, a.version, a.submitted_by, a.main_revenue, a.ip_design) == (
        AnnualDataStatus.SUBMITTED,
        2,
        world["staff"],
        D("48000000.00"),
        0,
    )
    assert (b.year, b.status, b.version, b.led_standard, b.st_staff) == (
        YEAR - 1,
        "submitted",
        1,
        True,
        D("18.00"),
    )
    updated = audit_for(a, action="update").get()
    assert (updated.actor, updated.reason, updated.region_code) == (
        world["staff"],
        "批量导入：年度数据.xlsx",
        "330603L01",
    )
    assert updated.changes["ip_design"] == ["3", "0"]
    assert updated.changes["status"] == ["draft", "submitted"]
    created = audit_for(b, action="create").get()
    assert (created.actor, created.object_repr, created.changes["main_revenue"]) == (
        world["staff"],
        f"诸暨乙机械有限公司 · {YEAR - 1}",
        [None, "48000000.00"],
    )


def test_a_file_without_some_columns_keeps_the_stored_figures(world):
    annual_data_save(
        organization=world["org_a"], year=YEAR, data=figures(ip_design=3), by=world["ent_a"], submit=True
    )
    keep = {
        "统一社会信用代码",
        "年度",
        "收入总额",
        "主营业务收入",
        "高新技术产品（服务）收入",
        "成本费用支出总额",
    }
    keep |= {"职工总数", "科技人员数", "净资产", "资产总额"}
    header = [title for title in template_header() if title in keep]
    positions = [template_header().index(title) for title in header]
    full = row(world["org_a"].credit_code, total_income=D("53000000"))
    annual_data_import(file=workbook([[full[i] for i in positions]], header=header), by=world["kq_staff"])
    record = AnnualData.objects.get()
    assert (record.total_income, record.ip_design, record.version, record.submitted_by) == (
        D("53000000.00"),
        3,
        2,
        world["ent_a"],
    )


def test_one_bad_row_and_nothing_is_imported(world):
    institution = Organization.objects.get(name="绍兴测试研究院")
    unknown = credit_code(777)
    wrong_check = unknown[:17] + ("0" if unknown[17] != "0" else "1")
    file = workbook(
        [
            row(world["org_a"].credit_code),
            row(world["org_b"].credit_code, st_staff=500, main_revenue="四千万"),
            row(unknown),
            row(wrong_check),
            row(world["org_a"].credit_code),
            row(world["org_b"].credit_code, YEAR + 1),
            row(institution.credit_code, hitech_revenue=D("99000000")),
        ]
    )
    assert rejected(file, world["staff"]) == [
        (3, "主营业务收入", "“四千万”不是数字。"),
        (3, "科技人员数", "科技人员数不能超过职工总数。"),
        (4, "统一社会信用代码", f"统一社会信用代码 {unknown} 未在平台登记。"),
        (5, "统一社会信用代码", credit_code_problem(wrong_check)),
        (6, "统一社会信用代码", "与第 2 行重复：同一企业同一年度只能出现一次。"),
        (7, "年度", f"只能填报已结束的会计年度（{YEAR} 年及以前），不能填报 {YEAR + 1} 年。"),
        (8, "统一社会信用代码", "绍兴测试研究院 不是企业。"),
        (8, "高新技术产品（服务）收入", "高新技术产品（服务）收入不能超过收入总额。"),
    ]
    assert (
        AnnualData.objects.count(),
        AuditLog.objects.filter(content_type__model="annualdata").count(),
    ) == (0, 0)


def test_importers_are_confined_to_their_region_and_role(world):
    file = workbook([row(world["org_a"].credit_code), row(world["org_b"].credit_code)])
    assert rejected(file, world["kq_staff"]) == [
        (3, "统一社会信用代码", "诸暨乙机械有限公司 不在您的管辖区域内。")
    ]
    for user in ("ent_a", "kq_officer", "leader"):
        with pytest.raises(PermissionDenied):
            annual_data_import(file=file, by=world[user])
    assert AnnualData.objects.count() == 0


# ------------------------------------------------------------------------------------------------ pages


def test_template_download(client, world):
    client.force_login(world["staff"])
    response = client.get(reverse("enterprises:annual_template"))
    assert response["Content-Type"] == XLSX
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["年度数据", "填写说明"]
    header = [c.value for c in book["年度数据"][1]]
    assert header == template_header()
    assert header[:5] == ["统一社会信用代码", "年度", "收入总额", "不征税收入", "投资收益"]
    assert "高企口径：委托境外研发费用（实际发生额）" in header and "加计扣除口径：人员人工费用" in header
    guide = list(book["填写说明"].iter_rows(values_only=True))
    assert guide[0] == ("列名", "说明", "是否必填", "格式")
    assert [g[0] for g in guide[1 : len(header) + 1]] == header
    assert guide[1][2:] == ("是", "18位代码，文本")
    client.force_login(world["ent_a"])
    assert client.get(reverse("enterprises:annual_template")).status_code == 403


def test_upload_page_shows_the_row_by_row_report_or_the_summary(client, world):
    client.force_login(world["staff"])
    url = reverse("enterprises:annual_import")
    bad = client.post(url, {"file": workbook([row(world["org_a"].credit_code, st_staff=200, ip_design=-1)])})
    body = bad.content.decode()
    assert bad.status_code == 200
    assert "文件中有 2 处错误，未导入任何数据。请修改后重新上传。" in body
    assert [(e.row, e.column, e.message) for e in bad.context["errors"]] == [
        (2, "科技人员数", "科技人员数不能超过职工总数。"),
        (2, "外观设计专利", "外观设计专利不能为负数。"),
    ]
    assert body.count('data-testid="import-error"') == 2
    assert AnnualData.objects.count() == 0
    good = client.post(
        url, {"file": workbook([row(world["org_a"].credit_code), row(world["org_b"].credit_code)])}
    )
    assert "导入完成：新增 2 条，更新 0 条。" in good.content.decode()
    assert AnnualData.objects.filter(status="submitted").count() == 2


def test_only_real_xlsx_files_within_the_size_limit_are_accepted(client, world, settings):
    client.force_login(world["staff"])
    url = reverse("enterprises:annual_import")

    def refused(upload):
        return client.post(url, {"file": upload}).context["form"].errors["file"]

    assert refused(SimpleUploadedFile("data.csv", b"a,b\n1,2\n")) == [
        "只接受 Excel 工作簿（.xlsx）文件，请使用下载的模板。"
    ]
    assert refused(SimpleUploadedFile("data.xlsx", b"%PDF-1.4\n%%EOF")) == [
        "文件内容不是 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存为 .xlsx 后上传。"
    ]
    assert refused(SimpleUploadedFile("data.xlsx", b"PK\x03\x04broken")) == [
        "文件内容不是 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存为 .xlsx 后上传。"
    ]
    settings.KECHUANG_MAX_UPLOAD_BYTES = 1000
    big = workbook([row(world["org_a"].credit_code)])
    assert refused(big) == [f"文件过大（{filesizeformat(big.size)}），上限为 {filesizeformat(1000)}。"]
    assert AnnualData.objects.count() == 0
    client.force_login(world["ent_a"])
    assert client.get(url).status_code == 403


def test_an_exported_list_can_be_imported_back(client, world):
    annual_data_save(organization=world["org_a"], year=YEAR, data=figures(), by=world["ent_a"], submit=True)
    annual_data_save(
        organization=world["org_b"],
        year=YEAR,
        data=figures(led_standard=True),
        by=world["ent_b"],
        submit=True,
    )
    client.force_login(world["staff"])
    exported = client.get(reverse("enterprises:annual_export"))
    upload = SimpleUploadedFile("export.xlsx", exported.content, content_type=XLSX)
    summary = annual_data_import(file=upload, by=world["staff"])
    assert (summary.created, summary.updated) == (0, 2)
    assert summary.ignored_columns == [
        "企业名称",
        "属地",
        "行业门类",
        "高新技术领域",
        "状态",
        "提交时间",
        "销售收入",
        "研发费用合计（高企口径）",
        "研发费用占销售收入比例（%）",
    ]
    assert (
        AuditLog.objects.filter(content_type__model="annualdata", reason__startswith="批量导入").count() == 0
    )
    assert list(AnnualData.objects.order_by("organization").values_list("version", "led_standard")) == [
        (2, False),
        (2, True),
    ]


def test_five_thousand_rows_import_in_reasonable_time(world):
    """2,500 new records and 2,500 updated ones (the bulk path; measured in docs, bounded generously here)."""
    organizations = Organization.objects.bulk_create(
        [
            Organization(
                kind="enterprise",
                name=f"导入测试{n}号有限公司",
                credit_code=credit_code(50000 + n),
                region_id="330603L01",
                status="verified",
            )
            for n in range(5000)
        ]
    )
    AnnualData.objects.bulk_create(
        [AnnualData(organization=org, year=YEAR, status="draft") for org in organizations[:2500]]
    )
    file = workbook([row(org.credit_code, ip_design=n % 7) for n, org in enumerate(organizations)])
    started = time.perf_counter()
    summary = annual_data_import(file=file, by=world["staff"], filename=file.name)
    elapsed = time.perf_counter() - started
    print(f"\nimported 5000 rows ({file.size} bytes) in {elapsed:.2f} s")
    assert (summary.created, summary.updated) == (2500, 2500)
    assert AnnualData.objects.filter(status="submitted", year=YEAR).count() == 5000
    assert AuditLog.objects.filter(content_type__model="annualdata").count() == 5000
    assert elapsed < 60
