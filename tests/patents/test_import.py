from datetime import date, datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kechuang.core.errors import DomainError
from kechuang.patents import patent_import as importer
from kechuang.patents.models import Patent, PatentImport
from kechuang.patents.numbers import check_character

from ..factories import audit_for

# Headers as one of the patent search sites prints them (not the template's).
HEADER = [
    "序号",
    "申请号/专利号",
    "名称",
    "申请（专利权）人",
    "发明人/设计人",
    "申请日",
    "授权日",
    "当前法律状态",
    "IPC主分类号",
    "专利类型",
]


def number(year: int, digit: int, serial: int) -> str:
    digits = f"{year}{digit}{serial:07d}"
    return f"{digits}.{check_character(digits)}"


def xlsx(rows, header=HEADER, name="patents.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(
        name, buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2019, 3, 5, 0, 0), date(2019, 3, 5)),
        ("2019-03-05", date(2019, 3, 5)),
        ("2019.03.05", date(2019, 3, 5)),
        ("20190305", date(2019, 3, 5)),
        (20190305, date(2019, 3, 5)),
        ("2019年3月5日", date(2019, 3, 5)),
        (43529, date(2019, 3, 5)),  # an Excel serial day
        ("", None),
    ],
)
def test_dates_in_the_forms_exports_use(value, expected):
    assert importer.parse_date(value) == expected


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("有效", "granted"),
        ("授权", "granted"),
        ("审中", "applied"),
        ("公开", "applied"),
        ("实质审查", "applied"),
        ("失效", "lapsed"),
        ("无效", "lapsed"),
        ("未缴年费终止", "lapsed"),
        ("驳回", "rejected"),
        ("看不懂", None),
    ],
)
def test_legal_status_words(text, status):
    assert importer.status_of(text) == status


def test_template_headers_are_all_recognised():
    book = load_workbook(BytesIO(importer.template_workbook()))
    header = [cell.value for cell in book.worksheets[0][1]]
    keys = [importer.column_of(title) for title in header]
    assert None not in keys and len(set(keys)) == len(keys)


@pytest.mark.django_db
def test_bureau_import_saves_good_rows_reports_bad_ones_and_reimport_updates(world):
    org_a, org_b = world["org_a"], world["org_b"]
    good_a = number(2017, 1, 601862)
    good_b = number(2019, 2, 12345)
    bad_check = number(2020, 1, 7)[:-1] + ("0" if number(2020, 1, 7)[-1] != "0" else "1")
    rows = [
        [
            1,
            "CN" + good_a,
            "一种染整方法",
            f"{org_a.name}；浙江某大学",
            "张三;李四",
            datetime(2017, 7, 21),
            "2019-03-05",
            "有效",
            "D06P 1/00",
            "发明",
        ],
        [
            2,
            good_b.replace(".", ""),
            "一种夹具",
            org_b.name,
            "王五",
            "2019.03.05",
            None,
            "实质审查",
            "B25B",
            "实用新型",
        ],
        [3, bad_check, "校验位错", org_a.name, "", "2020-01-01", None, "审中", "", ""],
        [4, number(2020, 3, 8), "外观", "不存在的公司", "", "20200101", None, "公开", "", "外观设计"],
        [5, number(2020, 1, 9), "坏日期", org_a.name, "", "2020-13-45", None, "审中", "", ""],
        [6, number(2020, 2, 10), "类型不符", org_a.name, "", "2020-02-02", None, "审中", "", "发明"],
    ]
    result = importer.patent_import(file=xlsx(rows), by=world["staff"], filename="清单.xlsx")
    assert (result.created, result.updated, result.rejected) == (2, 0, 4)
    problems = {p["row"]: p["message"] for p in result.problems}
    assert sorted(problems) == [4, 5, 6, 7]
    assert "校验位" in problems[4]
    assert "不存在的公司" in problems[5] and "未在平台登记" in problems[5]
    assert "不是有效日期" in problems[6]
    assert "不符" in problems[7]
    a = Patent.objects.get(application_no=good_a)
    assert (a.organization, a.kind, a.status, a.granted_on) == (
        org_a,
        "invention",
        "granted",
        date(2019, 3, 5),
    )
    assert a.ipc == "D06P 1/00" and a.inventors == "张三；李四"
    assert audit_for(a, action="create").get().actor == world["staff"]
    b = Patent.objects.get(application_no=good_b)
    assert (b.organization, b.status, b.filed_on) == (org_b, "applied", date(2019, 3, 5))
    assert PatentImport.objects.get().problems == result.problems

    header = [*HEADER, "法律状态公告日"]
    again = [
        [
            1,
            good_a,
            "一种染整方法",
            org_a.name,
            "",
            "2017-07-21",
            "2019-03-05",
            "未缴年费终止",
            "",
            "发明",
            "2022-01-10",
        ],
        [2, good_b, "一种夹具", org_b.name, "", "2019-03-05", "2020-08-08", "授权", "", "", ""],
    ]
    result = importer.patent_import(file=xlsx(again, header=header), by=world["staff"])
    assert (result.created, result.updated, result.rejected) == (0, 2, 0)
    assert Patent.objects.count() == 2
    a.refresh_from_db()
    assert (a.status, a.lapsed_on, a.ipc) == ("lapsed", date(2022, 1, 10), "D06P 1/00")
    line = audit_for(a, action="transition").get()
    assert (line.from_state, line.to_state) == ("granted", "lapsed")
    assert Patent.objects.get(application_no=good_b).status == "granted"


@pytest.mark.django_db
def test_enterprise_clerk_imports_only_its_own_patents(world):
    own = number(2021, 1, 1)
    rows = [
        [1, own, "本单位的", f"浙江某大学;{world['org_a'].name}", "", "2021-04-01", None, "审中", "", ""],
        [2, number(2021, 1, 2), "别人的", world["org_b"].name, "", "2021-04-01", None, "审中", "", ""],
    ]
    result = importer.patent_import(file=xlsx(rows), by=world["ent_a"])
    assert (result.created, result.rejected, result.organization) == (1, 1, world["org_a"])
    assert result.problems[0]["row"] == 3 and "不含本单位" in result.problems[0]["message"]
    assert Patent.objects.get().organization == world["org_a"]
    # Keqiao's bureau may not import for a Zhuji enterprise either.
    result = importer.patent_import(file=xlsx(rows[1:]), by=world["kq_staff"])
    assert result.created == 0 and "管辖区域" in result.problems[0]["message"]


@pytest.mark.django_db
def test_file_refused_as_a_whole(world):
    with pytest.raises(DomainError, match="Excel"):
        importer.patent_import(file=SimpleUploadedFile("a.xlsx", b"not a workbook"), by=world["staff"])
    with pytest.raises(DomainError, match="申请日"):
        importer.patent_import(
            file=xlsx([[1, number(2021, 1, 1)]], header=["序号", "申请号", "专利名称", "申请人"]),
            by=world["staff"],
        )
    with pytest.raises(DomainError):  # an expert imports nothing
        importer.patent_import(file=xlsx([]), by=world["expert"])
    assert not PatentImport.objects.exists()


@pytest.mark.django_db
def test_import_pages(world, client):
    client.force_login(world["ent_a"])
    url = reverse("patents:patent_import")
    assert client.get(reverse("patents:patent_import_template")).status_code == 200
    response = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")})
    assert response.status_code == 200 and ".xlsx" in response.content.decode()
    rows = [[1, number(2021, 1, 3), "页面导入", world["org_a"].name, "", "2021-04-01", None, "审中", "", ""]]
    response = client.post(url, {"file": xlsx(rows)})
    result = PatentImport.objects.get()
    assert response.url == reverse("patents:patent_import_result", args=[result.pk])
    assert "新增 1 件" in client.get(response.url).content.decode()
    client.force_login(world["ent_b"])  # another user does not see the result
    assert client.get(response.url).status_code == 404


def test_exact_headers_win_over_longer_ones():
    positions = importer.column_positions(["申请人地址", "申请号", "申请人", "法律状态公告日", "法律状态"])
    assert positions["applicants"] == 2 and positions["status"] == 4 and positions["lapsed_on"] == 3


@pytest.mark.django_db
def test_long_list_goes_to_a_background_job(world, monkeypatch):
    from kechuang.core import jobs
    from kechuang.core.models import Notification
    from kechuang.patents import registry_jobs  # noqa: F401

    queued = []
    monkeypatch.setattr(importer, "MAX_ROWS", 1)
    monkeypatch.setattr(jobs, "enqueue", lambda name, **kwargs: queued.append((name, kwargs)))
    rows = [
        [i, number(2021, 1, i), f"专利{i}", world["org_a"].name, "", "2021-04-01", None, "审中", "", ""]
        for i in (1, 2)
    ]
    assert (
        importer.patent_import_or_enqueue(file=xlsx(rows), by=world["ent_a"], filename="长清单.xlsx") is None
    )
    assert not Patent.objects.exists()
    [(name, kwargs)] = queued
    assert jobs.run_job_now(name, kwargs)["created"] == 2
    assert jobs.run_job_now(name, kwargs) == {"skipped": kwargs["path"]}  # a second run does nothing
    result = PatentImport.objects.get()
    assert (result.created, result.imported_by) == (2, world["ent_a"])
    assert Notification.objects.get(recipient=world["ent_a"]).link.endswith(f"/import/{result.pk}/")
