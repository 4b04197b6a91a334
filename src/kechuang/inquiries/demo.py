"""The 科技信箱's demo data: about 300 letters to 绍兴 and its counties from 2019 to today.

Most are answered within the deadline (5 working days), about one in ten late; the last weeks' letters are
still open (some past their deadline: they show red in the bureau's queue and the daily job flags them);
most answered ones are closed after a while, and about six in ten are rated (mostly 4–5). A few have a
follow-up and a second answer. About four in ten agreed to publication. Letters of the named demo enterprise
user (ent_demo) are among them.

Written in bulk in one transaction (no audit lines, no notifications). A second run finds the first planned
letter and adds nothing. Every demo letter's access code is `DEMO_CODE` (demo only), so a tester can open any
of them at 查询办理进度.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .calendar import WorkCalendar
from .enums import InquiryKind, InquiryState, MessageAuthor, Topic
from .routing import TOPIC_DEPARTMENT

SH = ZoneInfo("Asia/Shanghai")
CITY = "330600"
COUNTIES = ("330602", "330603", "330604", "330624", "330681", "330683")
DEFAULT_SEED = 20268
DEMO_CODE = "DEMO2026"
PER_YEAR = {2019: 24, 2020: 28, 2021: 33, 2022: 37, 2023: 40, 2024: 44, 2025: 48, 2026: 36}
PRESENT = 12  # more letters in the last three weeks, so that some are open and some past their deadline

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
TITLES = ("先生", "女士", "经理", "老师", "工程师")

CONTENT = {
    Topic.PROJECTS: [
        (
            "市级科技计划项目申报截止时间咨询",
            "请问今年市级重点研发计划项目的申报截止时间是什么时候？企业是否可以同时申报两个项目？",
            "今年市级重点研发计划申报通知已在门户网站发布，截止时间以通知为准；同一单位同一年度作为牵头单位只能申报一项。",
        ),
        (
            "项目验收材料提交方式",
            "我单位承担的科技计划项目即将到期，验收材料是线上提交还是需要报送纸质材料？",
            "项目验收实行线上提交，请登录平台在“项目管理—结题验收”中上传材料，无需报送纸质件。",
        ),
        (
            "项目经费调剂如何办理",
            "项目执行中设备费需要调剂到材料费，需要履行什么手续？",
            "直接费用中除设备费外的其他科目调剂由项目承担单位自主调剂；设备费调增需报科技局备案，请在平台提交调剂申请。",
        ),
    ],
    Topic.ENTERPRISES: [
        (
            "高新技术企业认定研发费用归集",
            "请问高企认定时委托外部研发的费用如何计入研发费用总额？",
            "委托外部研究开发费用按实际发生额的80%计入研发费用总额，境外委托部分不超过境内研发费用的三分之二。",
        ),
        (
            "科技型中小企业评价入库咨询",
            "我公司成立两年，职工80人，能否申请科技型中小企业评价？需要哪些条件？",
            "职工总数不超过500人、年销售收入不超过2亿元、研发费用占比符合要求的企业均可自主评价入库，详见平台指引。",
        ),
        (
            "高企重新认定时间",
            "我公司高企证书明年到期，重新认定应在什么时候申报？",
            "高企资格期满前三个月内提出复审（重新认定）申请，今年申报批次安排请关注门户网站通知。",
        ),
    ],
    Topic.MARKET: [
        (
            "技术合同认定登记流程",
            "企业签订的技术开发合同如何办理认定登记？登记后有哪些优惠？",
            "请在技术市场模块提交合同认定登记申请，经技术合同登记机构审核后可享受技术转让所得减免等优惠。",
        ),
        (
            "科技成果转化奖励如何申请",
            "高校成果在我市企业转化落地，企业能否申请成果转化奖励？",
            "符合条件的成果转化项目可在政策兑现中申请，具体条件见成果转化相关政策。",
        ),
    ],
    Topic.VOUCHERS: [
        (
            "创新券能否用于检测服务",
            "我公司想做产品第三方检测，能否使用创新券支付？",
            "检测服务属于创新券支持范围，请在服务目录中选择已入库的服务机构预约，按规定比例使用创新券。",
        ),
        (
            "创新券额度用完后能否再申领",
            "今年申领的创新券已经用完，还能否追加申领？",
            "每家企业年度累计申领上限以当年创新券计划为准，未达上限的可再次申领。",
        ),
        (
            "建议扩大创新券服务范围",
            "建议把工业设计和软件测评纳入创新券支持范围，方便中小企业使用。",
            "感谢您的建议，我局将在明年创新券计划修订时研究纳入。",
        ),
    ],
    Topic.TALENT: [
        (
            "科技特派员派驻申请",
            "我们合作社希望申请省级科技特派员驻村指导，应该如何申请？",
            "请通过所在乡镇（街道）向区、县（市）科技局提出需求，由科技局统筹对接派驻。",
        ),
        (
            "外国专家工作许可咨询",
            "企业引进外籍技术专家，工作许可在哪里办理？",
            "外国人来华工作许可通过全国外国人来华工作管理服务系统在线申请，可就近到政务服务中心咨询。",
        ),
    ],
    Topic.IP: [
        (
            "发明专利资助标准",
            "我公司今年授权了3件发明专利，是否有资助？标准是多少？",
            "授权发明专利可按知识产权政策申请资助，标准及申报时间见政策兑现栏目。",
        ),
        (
            "专利侵权投诉渠道",
            "发现有企业仿冒我公司专利产品，应向哪个部门投诉？",
            "可向市场监管部门（知识产权执法）投诉举报，也可向知识产权保护中心申请快速维权。",
        ),
    ],
    Topic.POLICY: [
        (
            "研发费用补助何时兑现",
            "去年申报的企业研发投入补助什么时候能拨付到位？",
            "研发投入补助经审核公示后分批拨付，目前已进入拨付阶段，请关注政策兑现中的办理进度。",
        ),
        (
            "政策兑现材料过多",
            "建议简化政策兑现申报材料，系统已有的数据不再要求企业重复提交。",
            "感谢建议，政策兑现已实现系统已有数据自动调取，企业只需确认即可。",
        ),
    ],
    Topic.OTHER: [
        (
            "平台登录问题",
            "单位管理员离职后无法登录平台，如何更换管理员？",
            "请由单位出具更换管理员的函件，在平台“单位信息—成员管理”中提交变更申请，科技局审核后生效。",
        ),
        (
            "办事窗口服务态度投诉",
            "上周到窗口咨询，工作人员解答不够耐心，希望改进。",
            "感谢您的监督，我局已对窗口工作人员进行提醒教育，进一步改进服务。",
        ),
    ],
}
FOLLOW_UPS = ("请问具体需要哪些附件？", "能否提供联系人电话？", "按答复操作后系统仍提示错误，怎么办？")
SECOND_ANSWERS = ("附件清单见申报通知附件2，如有疑问可致电业务处室。", "已安排专人与您联系，请保持电话畅通。")
TOPIC_WEIGHTS = {
    Topic.PROJECTS: 18, Topic.ENTERPRISES: 20, Topic.MARKET: 9, Topic.VOUCHERS: 12,
    Topic.TALENT: 8, Topic.IP: 10, Topic.POLICY: 13, Topic.OTHER: 10,
}  # fmt: skip


@dataclass
class SeedResult:
    letters: int = 0
    messages: int = 0
    skipped: bool = False
    seconds: float = 0.0


def _received(rng: random.Random, day: date) -> datetime:
    roll = rng.random()
    if roll < 0.12:
        hour, minute = rng.randint(17, 22), rng.randint(0, 59)  # evening: counts from the next working day
    else:
        hour, minute = rng.randint(8, 16), rng.randint(0, 59)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


def _at_work(rng: random.Random, day: date) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randint(9, 16), rng.randint(0, 59), tzinfo=SH)


def plan(*, seed: int = DEFAULT_SEED, today: date, calendar: WorkCalendar, days: int = 5) -> list[dict]:
    """Every letter as a dict of Inquiry fields plus "_messages" [(author, body, at)]; pure."""
    rng = random.Random(seed)
    topics, weights = zip(*TOPIC_WEIGHTS.items(), strict=True)
    letters = []
    batches = [(date(year, 1, 2), min(date(year, 12, 30), today), count) for year, count in PER_YEAR.items()]
    batches.append((today - timedelta(days=21), today, PRESENT))
    for first, last, count in batches:
        span = (last - first).days
        for _ in range(count):
            day = first + timedelta(days=rng.randint(0, span))
            received = _received(rng, day)
            topic = rng.choices(topics, weights)[0]
            subject, body, answer = rng.choice(CONTENT[topic])
            kind = (
                InquiryKind.COMPLAINT
                if "投诉" in subject
                else (InquiryKind.SUGGESTION if subject.startswith("建议") else InquiryKind.QUESTION)
            )
            due = calendar.due_on(received, days)
            letter = {
                "region_id": CITY if rng.random() < 0.55 else rng.choice(COUNTIES),
                "kind": kind,
                "topic": topic,
                "subject": subject,
                "body": body,
                "name": rng.choice(SURNAMES) + rng.choice(TITLES),
                "phone": f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                "email": "",
                "is_public": rng.random() < 0.4,
                "department": TOPIC_DEPARTMENT[topic],
                "received_at": received,
                "due_on": due,
                "state": InquiryState.ASSIGNED,
                "_messages": [],
            }
            start = calendar.counting_day(received)
            age = calendar.working_days_between(start, today)
            roll = rng.random()
            if age <= days and roll < 0.6 or age > days and today - due < timedelta(days=30) and roll < 0.5:
                # still open: recent, or a few of the last weeks' left past the deadline
                letter["state"] = InquiryState.RECEIVED if rng.random() < 0.3 else InquiryState.ASSIGNED
                letters.append(letter)
                continue
            late = rng.random() < 0.1
            took = rng.randint(days + 1, days + 4) if late else rng.choice((1, 2, 2, 3, 3, 4, 4, 5))
            answered_day = calendar.add_working_days(start, took)
            if answered_day > today:
                letters.append(letter)
                continue
            answered_at = _at_work(rng, answered_day)
            letter["_messages"].append((MessageAuthor.BUREAU, answer, answered_at))
            letter.update(
                answered_at=answered_at, answered_in_time=answered_day <= due, state=InquiryState.ANSWERED
            )
            if rng.random() < 0.06:  # a follow-up and a second answer
                asked_day = calendar.add_working_days(answered_day, 1)
                again_day = calendar.add_working_days(asked_day, rng.randint(1, 3))
                if again_day <= today:
                    asked = _at_work(rng, asked_day)
                    letter["_messages"].append((MessageAuthor.ASKER, rng.choice(FOLLOW_UPS), asked))
                    letter["_messages"].append(
                        (MessageAuthor.BUREAU, rng.choice(SECOND_ANSWERS), _at_work(rng, again_day))
                    )
                    letter["due_on"] = calendar.due_on(asked, days)
            if rng.random() < 0.6:
                letter["satisfaction"] = rng.choices((5, 4, 3, 2, 1), (55, 28, 10, 4, 3))[0]
                if letter["satisfaction"] <= 2:
                    letter["satisfaction_note"] = "答复不够具体，问题没有解决。"
                elif rng.random() < 0.3:
                    letter["satisfaction_note"] = "答复及时，解释清楚。"
            if (today - answered_day).days > 20 and rng.random() < 0.8:
                letter["state"] = InquiryState.CLOSED
            letters.append(letter)
    letters.sort(key=lambda x: x["received_at"])
    per_day: dict[date, int] = {}
    for letter in letters:
        day = letter["received_at"].date()
        per_day[day] = per_day.get(day, 0) + 1
        letter["tracking_no"] = f"XX{day:%Y%m%d}{per_day[day]:05d}"
    return letters


def seed(
    *, seed: int = DEFAULT_SEED, today: date | None = None, log: Callable[[str], None] = print, **kwargs
):
    """Write the 科技信箱 demo once (a second run adds nothing)."""
    from django.db import transaction
    from django.utils import timezone

    from kechuang.accounts.models import User
    from kechuang.regions.models import Region

    from .calendar import answer_days
    from .models import Inquiry, InquiryMessage
    from .services import hash_code

    started = time.monotonic()
    result = SeedResult()
    today = today or timezone.localdate()
    calendar = WorkCalendar()
    letters = plan(seed=seed, today=today, calendar=calendar, days=answer_days())
    if not letters or Inquiry.objects.filter(tracking_no=letters[0]["tracking_no"]).exists():
        result.skipped = True
        log("科技信箱：演示来信已存在，跳过。")
        return result
    taken = set(
        Inquiry.objects.filter(tracking_no__in=[x["tracking_no"] for x in letters]).values_list(
            "tracking_no", flat=True
        )
    )
    letters = [
        x for x in letters if x["tracking_no"] not in taken
    ]  # real letters of today keep their numbers
    known = set(Region.objects.filter(pk__in=(CITY, *COUNTIES)).values_list("pk", flat=True))
    bureau = {}
    for user in User.objects.filter(role__in=("bureau_staff", "bureau_admin"), region_id__in=known).order_by(
        "pk"
    ):
        bureau.setdefault(user.region_id, user)
    askers = list(User.objects.filter(role="enterprise", is_active=True).order_by("pk")[:40])
    named = User.objects.filter(username="ent_demo").first()
    rng = random.Random(seed + 1)
    rows, threads = [], []
    for i, letter in enumerate(letters):
        messages = letter.pop("_messages")
        if letter["region_id"] not in known:
            letter["region_id"] = CITY
        if askers and rng.random() < 0.25 or named is not None and i % 40 == 0:
            user = named if named is not None and i % 40 == 0 else rng.choice(askers)
            letter.update(
                user=user, organization_id=user.organization_id, name=user.get_full_name() or letter["name"]
            )
            letter["email"] = user.email or ""
        letter["access_code"] = hash_code(letter["tracking_no"], DEMO_CODE)
        letter["created_at"] = letter["received_at"]
        rows.append(Inquiry(**letter))
        threads.append(messages)
    with transaction.atomic():
        Inquiry.objects.bulk_create(rows, batch_size=500)
        saved = dict(
            Inquiry.objects.filter(tracking_no__in=[r.tracking_no for r in rows]).values_list(
                "tracking_no", "pk"
            )
        )
        message_rows = [
            InquiryMessage(
                inquiry_id=saved[row.tracking_no],
                author=author,
                body=body,
                at=at,
                by=bureau.get(row.region_id) if author == MessageAuthor.BUREAU else row.user,
            )
            for row, messages in zip(rows, threads, strict=True)
            for author, body, at in messages
        ]
        InquiryMessage.objects.bulk_create(message_rows, batch_size=1000)
    result.letters, result.messages = len(rows), len(message_rows)
    result.seconds = round(time.monotonic() - started, 2)
    log(
        f"科技信箱：{result.letters} 封来信，{result.messages} 条答复/追问（查询码 {DEMO_CODE}），"
        f"{result.seconds} 秒。"
    )
    return result
