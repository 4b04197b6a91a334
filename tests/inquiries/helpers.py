from datetime import datetime
from zoneinfo import ZoneInfo

from kechuang.inquiries import services

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def letter(*, topic="enterprises", region="330600", by=None, now=None, is_public=False, email="", **extra):
    """A letter through the service; returns (inquiry, access code)."""
    fields = {
        "kind": "question",
        "topic": topic,
        "subject": "高企认定材料咨询",
        "body": "请问高新技术企业认定需要提交哪些研发费用材料？",
        "name": "王先生",
        "phone": "13900000000",
        "email": email,
        "is_public": is_public,
        "region_code": region,
        "by": by,
        "now": now,
        **extra,
    }
    return services.inquiry_submit(**fields)
