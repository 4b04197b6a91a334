"""The portal's demo content: policies of 绍兴市 and of 柯桥区 and 诸暨市, notices and news from 2019 to 2026,
and the service guide (科技服务手册) of the city bureau.

Written in bulk in one transaction (demo data has no audit lines); a second run finds the city's
《绍兴市关于加快科技创新的若干政策》 and adds nothing. The payouts demo looks that policy up by its title
(`INNOVATION_POLICY_TITLE`) for its 高新技术企业 and invention patent payout items, and the talent policy by
`TALENT_POLICY_TITLE`.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db import transaction

from .enums import NoticeKind, PolicyCategory, PublishState
from .models import Notice, Policy, ServiceGuide

TZ = ZoneInfo("Asia/Shanghai")
CITY, KEQIAO, ZHUJI = "330600", "330603", "330681"
INNOVATION_POLICY_TITLE = "绍兴市关于加快科技创新的若干政策"
TALENT_POLICY_TITLE = "绍兴市“名士之乡”英才计划实施办法"
CITY_BUREAU = "绍兴市科学技术局"

C = PolicyCategory
POLICIES = [
    {
        "region": CITY,
        "title": INNOVATION_POLICY_TITLE,
        "document_no": "绍政发〔2023〕12号",
        "issuer": "绍兴市人民政府",
        "category": C.ENTERPRISE,
        "summary": (
            "一、支持企业梯度培育。对首次认定的国家高新技术企业，给予一次性奖励20万元；重新认定的给予10万元奖励。"
            "对入库的科技型中小企业给予1万元奖励。\n"
            "二、鼓励知识产权创造。对企业新获授权的发明专利，每件资助1万元，单个企业年度资助不超过50万元。\n"
            "三、支持企业加大研发投入。对研发费用加计扣除额较上年增长的企业，按增量部分的10%给予补助，最高100万元。"
        ),
        "conditions": (
            "1．在绍兴市行政区域内注册、具有独立法人资格的企业；\n"
            "2．高新技术企业奖励：认定年度内首次通过国家高新技术企业认定并取得证书；\n"
            "3．发明专利资助：专利权人为本企业，授权公告日在兑现年度内；\n"
            "4．近三年内无严重失信行为，未发生重大安全、环保、质量事故。"
        ),
        "how_to_apply": (
            "通过“科创”平台政策兑现栏目在线申报，系统自动比对高新技术企业认定、专利授权等数据，企业无需重复提交证书。"
            "区、县（市）科技局初审，市科技局复核，财政部门拨付。"
        ),
        "effective_from": date(2023, 3, 1),
        "effective_until": date(2027, 12, 31),
        "published": date(2023, 2, 20),
    },
    {
        "region": CITY,
        "title": TALENT_POLICY_TITLE,
        "document_no": "绍委人才〔2022〕3号",
        "issuer": "中共绍兴市委人才工作领导小组",
        "category": C.TALENT,
        "summary": (
            "对入选“名士之乡”英才计划的创业创新人才（团队），按层次给予100万元至1000万元项目资助；"
            "对引进的顶尖人才团队实行“一事一议”。入选人才享受安居补助、子女入学等服务保障。"
        ),
        "conditions": (
            "1．申报人年龄一般不超过55周岁，具有博士学位或副高级以上职称；\n"
            "2．创业类人才须在绍兴注册企业并担任法定代表人或第一大股东，个人出资不低于30%；\n"
            "3．创新类人才须与在绍企业签订3年以上劳动合同。"
        ),
        "how_to_apply": "每年集中申报一次，由用人单位通过平台提交，经区、县（市）推荐，市委人才办组织评审。",
        "effective_from": date(2022, 5, 1),
        "effective_until": date(2026, 12, 31),
        "published": date(2022, 4, 18),
    },
    {
        "region": CITY,
        "title": "绍兴市科技创新券管理办法",
        "document_no": "绍市科发〔2021〕8号",
        "issuer": CITY_BUREAU,
        "category": C.FINANCE,
        "summary": "企业使用创新券向服务机构购买检验检测、研发设计、科技咨询等服务，1万元以下全额支付，1万元及以上支付50%，每家企业年度累计不超过30万元。",
        "conditions": "在绍兴注册的科技型中小企业、高新技术企业和创业团队；服务机构须在平台登记并经核验。",
        "how_to_apply": "企业在平台申领额度后预约服务，服务完成并确认后由服务机构申请兑付。",
        "effective_from": date(2021, 4, 1),
        "effective_until": date(2026, 3, 31),
        "published": date(2021, 3, 22),
    },
    {
        "region": CITY,
        "title": "绍兴市研发费用后补助实施细则",
        "document_no": "绍市科发〔2024〕5号",
        "issuer": CITY_BUREAU,
        "category": C.RD,
        "summary": "对上年度研发费用达到500万元以上且较前一年增长的规模以上工业企业，按研发费用增量的5%至10%给予后补助。",
        "conditions": "规模以上工业企业；研发费用以税务部门加计扣除申报数为准；享受本补助的企业须建有研发机构。",
        "how_to_apply": "每年4月至5月在平台申报，税务数据由平台自动获取。",
        "effective_from": date(2024, 1, 1),
        "effective_until": date(2028, 12, 31),
        "published": date(2024, 3, 8),
    },
    {
        "region": CITY,
        "title": "绍兴市新型研发机构认定和管理办法",
        "document_no": "绍市科发〔2022〕15号",
        "issuer": CITY_BUREAU,
        "category": C.CARRIER,
        "summary": "认定的市级新型研发机构，按上年度研发投入的20%给予最高300万元补助；省级新型研发机构另给予一次性奖励100万元。",
        "conditions": "在绍兴注册的独立法人；有稳定的研发团队，研发人员不少于30人；年度研发经费支出不低于1000万元。",
        "how_to_apply": "申请单位向所在区、县（市）科技局提出申请，经推荐后由市科技局组织评审认定。",
        "effective_from": date(2022, 9, 1),
        "effective_until": None,
        "published": date(2022, 8, 25),
    },
    {
        "region": CITY,
        "title": "绍兴市技术交易奖励办法",
        "document_no": "绍市科发〔2023〕9号",
        "issuer": CITY_BUREAU,
        "category": C.TRANSFER,
        "summary": "对经认定登记的技术开发、技术转让合同，按技术交易额的3%给予买方企业奖励，单个企业年度最高50万元；对促成交易的技术经纪人给予佣金补助。",
        "conditions": "技术合同经技术合同登记机构认定登记，并已实际支付；卖方为高校、科研院所或科技型企业。",
        "how_to_apply": "在平台“网上技术市场”栏目提交技术合同登记，年度结束后统一兑现。",
        "effective_from": date(2023, 6, 1),
        "effective_until": date(2027, 5, 31),
        "published": date(2023, 5, 26),
    },
    {
        "region": CITY,
        "title": "绍兴市知识产权质押融资风险补偿办法",
        "document_no": "绍市监〔2020〕21号",
        "issuer": "绍兴市市场监督管理局、绍兴市科学技术局",
        "category": C.IP,
        "summary": "对合作银行开展知识产权质押贷款产生的本金损失，由风险池按40%予以补偿；企业贷款利息按基准利率的50%给予贴息。",
        "conditions": "借款企业拥有有效发明专利或实用新型专利，且质押登记在有效期内。",
        "how_to_apply": "企业向合作银行提出贷款申请，放款后通过平台申请贴息。",
        "effective_from": date(2020, 7, 1),
        "effective_until": date(2023, 6, 30),
        "published": date(2020, 6, 15),
        "state": PublishState.WITHDRAWN,
    },
    {
        "region": CITY,
        "title": "绍兴市科技企业孵化器和众创空间扶持办法（征求意见稿）",
        "document_no": "",
        "issuer": CITY_BUREAU,
        "category": C.CARRIER,
        "summary": "对新认定的国家级科技企业孵化器奖励200万元、省级100万元；对新认定的省级众创空间奖励30万元。",
        "conditions": "运营主体为在绍兴注册的独立法人，孵化场地面积不低于3000平方米。",
        "how_to_apply": "",
        "effective_from": None,
        "effective_until": None,
        "published": None,
        "state": PublishState.DRAFT,
    },
    {
        "region": KEQIAO,
        "title": "柯桥区推动纺织产业科技创新若干意见",
        "document_no": "柯政发〔2023〕18号",
        "issuer": "绍兴市柯桥区人民政府",
        "category": C.ENTERPRISE,
        "summary": "对纺织印染企业实施数字化、绿色化技术改造项目，按研发设备投入的15%给予补助；首次认定的高新技术企业在市级奖励基础上再奖励10万元。",
        "conditions": "柯桥区注册的纺织、印染、服装企业；项目已完成并通过验收。",
        "how_to_apply": "向柯桥区科技局提交申请，区科技局会同经信局审核。",
        "effective_from": date(2023, 7, 1),
        "effective_until": date(2026, 6, 30),
        "published": date(2023, 6, 20),
    },
    {
        "region": KEQIAO,
        "title": "柯桥区科技人才安居补助实施细则",
        "document_no": "柯人才〔2024〕2号",
        "issuer": "中共绍兴市柯桥区委人才办",
        "category": C.TALENT,
        "summary": "对在柯桥区企业全职工作的博士给予每月3000元、硕士每月1500元的租房补贴，最长3年。",
        "conditions": "与区内企业签订劳动合同并在柯桥缴纳社会保险；本人及配偶在柯桥无自有住房。",
        "how_to_apply": "用人单位每半年集中申报一次。",
        "effective_from": date(2024, 1, 1),
        "effective_until": date(2026, 12, 31),
        "published": date(2023, 12, 22),
    },
    {
        "region": ZHUJI,
        "title": "诸暨市关于加快建设创新型城市的实施意见",
        "document_no": "诸政发〔2022〕25号",
        "issuer": "诸暨市人民政府",
        "category": C.RD,
        "summary": "对企业承担国家、省重点研发计划项目的，按上级资助额给予1:0.5配套；对新建省级企业研究院奖励100万元。",
        "conditions": "诸暨市注册的企业；项目已通过上级立项并签订任务书。",
        "how_to_apply": "向诸暨市科技局提交立项文件和任务书，经审核后拨付。",
        "effective_from": date(2022, 10, 1),
        "effective_until": date(2026, 9, 30),
        "published": date(2022, 9, 26),
    },
    {
        "region": ZHUJI,
        "title": "诸暨市科技特派员工作实施办法",
        "document_no": "诸科〔2021〕6号",
        "issuer": "诸暨市科学技术局",
        "category": C.OTHER,
        "summary": "每年选派科技特派员驻乡镇、进企业开展技术服务，给予每人每年2万元工作经费；对成效突出的特派员予以通报表扬。",
        "conditions": "高校、科研院所及农技推广单位具有中级以上职称的在职人员。",
        "how_to_apply": "派出单位推荐，诸暨市科技局审核后公布名单。",
        "effective_from": date(2021, 3, 1),
        "effective_until": None,
        "published": date(2021, 2, 24),
    },
]

NOTICE_TOPICS = [
    (
        NoticeKind.NOTICE,
        "关于组织申报{year}年度绍兴市科技计划项目的通知",
        "各区、县（市）科技局，各有关单位：\n根据《绍兴市科技计划项目管理办法》，现组织申报{year}年度市科技计划项目。请各单位登录“科创”平台在线填报，推荐截止时间以平台公布为准。\n联系电话：0575-85201234",
    ),
    (
        NoticeKind.NOTICE,
        "关于开展{year}年度高新技术企业认定申报工作的通知",
        "各有关企业：\n{year}年度高新技术企业认定工作分两批开展。请拟申报企业对照认定条件开展自评，并在“科创”平台完成自评后提交申报材料。",
    ),
    (
        NoticeKind.NOTICE,
        "{year}年第一批科技型中小企业入库名单公示",
        "经企业自主评价、区县审核，现将{year}年第一批拟入库科技型中小企业名单予以公示，公示期5个工作日。如有异议，请于公示期内书面反映。",
    ),
    (
        NoticeKind.NOTICE,
        "关于兑现{year}年度科技创新政策奖励资金的通知",
        "根据《绍兴市关于加快科技创新的若干政策》，现启动{year}年度高新技术企业认定奖励和发明专利资助兑现工作。符合条件的企业可在“科创”平台政策兑现栏目在线申请。",
    ),
    (
        NoticeKind.NOTICE,
        "关于征集{year}年度企业技术需求的通知",
        "为促进产学研合作，现面向全市企业征集技术需求。请企业登录网上技术市场发布需求，平台将自动匹配高校院所成果。",
    ),
    (
        NoticeKind.NEWS,
        "市科技局召开{year}年全市科技工作会议",
        "会议总结了上年度全市科技工作，部署了{year}年重点任务。会议强调，要聚焦企业创新主体地位，持续推进高新技术企业和科技型中小企业梯度培育。",
    ),
    (
        NoticeKind.NEWS,
        "绍兴{year}年新增国家高新技术企业创历史新高",
        "据统计，{year}年全市新认定国家高新技术企业数量较上年明显增长，高新技术产业增加值占规上工业比重持续提升。",
    ),
    (
        NoticeKind.NEWS,
        "科技特派员助力乡村振兴：{year}年工作综述",
        "{year}年，全市科技特派员深入乡镇、企业开展技术服务，推广新品种、新技术，帮助解决生产难题。",
    ),
]

GUIDES = [
    (
        "high_tech",
        "高新技术企业认定",
        "在中国境内（不含港、澳、台地区）注册一年以上的居民企业；近一年有科技成果转化；研发费用占比、高新技术产品收入占比、科技人员占比符合《高新技术企业认定管理办法》规定。",
        "1．高新技术企业认定申请书；\n2．营业执照；\n3．知识产权相关材料；\n4．近三个会计年度财务会计报告及研发费用专项审计报告；\n5．近一个会计年度高新技术产品（服务）收入专项审计报告；\n6．科技人员名单及社保缴纳证明。",
        "企业自评→网上注册填报→区县科技局推荐→省高企认定机构组织专家评审→公示→公告并颁发证书。",
        60,
        "《高新技术企业认定管理办法》（国科发火〔2016〕32号）",
    ),
    (
        "high_tech",
        "科技型中小企业评价",
        "在中国境内注册的居民企业，职工总数不超过500人、年销售收入不超过2亿元、资产总额不超过2亿元，科技人员占比不低于10%。",
        "1．科技型中小企业信息表；\n2．上年度企业所得税年度纳税申报表；\n3．知识产权证明材料（如有）。",
        "企业在全国科技型中小企业信息服务平台自主评价并填报→区县科技局形式审查→公示→入库登记编号。",
        20,
        "《科技型中小企业评价办法》（国科发政〔2017〕115号）",
    ),
    (
        "achievement",
        "技术合同认定登记",
        "签订技术开发、技术转让、技术许可、技术咨询、技术服务合同的法人、个人和其他组织。",
        "1．技术合同文本（原件）；\n2．技术合同登记表；\n3．当事人身份证明或营业执照。",
        "在平台提交合同→登记机构审查→认定登记→出具登记证明。",
        7,
        "《技术合同认定登记管理办法》",
    ),
    (
        "achievement",
        "创新券申领",
        "在绍兴注册的科技型中小企业、高新技术企业和创业团队。",
        "1．企业基本信息（平台自动带出）；\n2．拟使用的服务类别。",
        "企业在线申领→符合条件自动发放或科技局审核→额度到账。",
        3,
        "《绍兴市科技创新券管理办法》",
    ),
    (
        "achievement",
        "创新券兑付",
        "已完成服务并经企业确认的服务机构。",
        "1．服务合同；\n2．服务报告或检测报告；\n3．发票。",
        "服务机构申请兑付→科技局审核纳入结算批次→财政拨付。",
        15,
        "《绍兴市科技创新券管理办法》",
    ),
    (
        "planning",
        "科技计划项目申报",
        "在绍兴注册的企业、高校、科研院所等法人单位；项目负责人须为申报单位在职人员。",
        "1．项目申报书；\n2．单位营业执照或法人证书；\n3．合作协议（如有）；\n4．自筹资金证明。",
        "单位在线填报→主管部门推荐→形式审查→专家评审→局务会审议→公示→立项。",
        90,
        "《绍兴市科技计划项目管理办法》",
    ),
    (
        "planning",
        "科技计划项目验收",
        "承担市科技计划项目、任务书约定执行期已满的单位。",
        "1．项目验收申请表；\n2．项目总结报告；\n3．经费决算表及审计报告；\n4．成果证明材料。",
        "单位提交验收申请→科技局组织专家验收→出具验收意见。",
        30,
        "《绍兴市科技计划项目管理办法》",
    ),
    (
        "ip",
        "专利资助申请",
        "专利权人为绍兴注册的企业、事业单位或个人，专利授权公告日在资助年度内。",
        "1．专利证书或授权公告；\n2．申请人营业执照或身份证明。",
        "在平台政策兑现栏目申请→系统比对专利授权数据→审核→拨付。",
        20,
        "《绍兴市关于加快科技创新的若干政策》",
    ),
    (
        "ip",
        "知识产权质押融资贴息",
        "以专利、商标办理质押贷款并按期还本付息的企业。",
        "1．贷款合同；\n2．质押登记通知书；\n3．利息支付凭证。",
        "企业申请→合作银行确认→科技局审核→拨付贴息。",
        20,
        "《绍兴市知识产权质押融资风险补偿办法》",
    ),
    (
        "rural_social",
        "科技特派员选派",
        "高校、科研院所及农技推广单位具有中级以上职称的在职科技人员。",
        "1．科技特派员申报表；\n2．派出单位推荐意见；\n3．职称证书复印件。",
        "个人申请→派出单位推荐→科技局审核→公布名单→签订服务协议。",
        30,
        "《关于深入推行科技特派员制度的实施意见》",
    ),
    (
        "rural_social",
        "农业科技园区认定",
        "以农业科技创新为主的园区，有明确的管理机构和规划。",
        "1．认定申请书；\n2．园区建设规划；\n3．运营主体证明材料。",
        "区县推荐→实地考察→专家评审→认定公布。",
        60,
        "《绍兴市农业科技园区管理办法》",
    ),
    (
        "high_tech",
        "企业研究开发中心认定",
        "在绍兴注册的高新技术企业或科技型中小企业，研发投入占销售收入比例不低于3%。",
        "1．认定申请书；\n2．研发机构组建文件；\n3．研发人员名单；\n4．研发设备清单。",
        "企业申请→区县推荐→专家评审→认定。",
        45,
        "《绍兴市企业研究开发中心认定管理办法》",
    ),
    (
        "high_tech",
        "科技企业孵化器认定",
        "运营主体为独立法人，孵化场地面积不低于3000平方米，在孵企业不少于30家。",
        "1．认定申请书；\n2．场地产权或租赁证明；\n3．在孵企业名单及协议。",
        "申请→区县推荐→实地核查→认定公布。",
        45,
        "《科技企业孵化器管理办法》",
    ),
    (
        "achievement",
        "研发费用加计扣除政策辅导",
        "开展研发活动的企业。",
        "1．研发项目立项文件；\n2．研发费用辅助账。",
        "企业提出需求→科技局与税务部门联合辅导→出具鉴定意见（如需）。",
        10,
        "《关于进一步完善研发费用税前加计扣除政策的公告》",
    ),
    (
        "office",
        "科技信箱咨询",
        "所有企业、单位和个人。",
        "无需材料，在线填写咨询内容即可。",
        "在线提交→分办到处室→答复（5个工作日内）。",
        5,
        "《绍兴市科学技术局政务咨询工作制度》",
    ),
]


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(9 + rng.randrange(8), rng.randrange(60)), TZ)


def plan(*, seed: int = 8) -> dict[str, list]:
    """Every record to write, as unsaved model instances (pure apart from building instances)."""
    rng = random.Random(seed)
    policies = []
    for spec in POLICIES:
        spec = dict(spec)
        published = spec.pop("published")
        state = spec.pop("state", PublishState.PUBLISHED)
        policies.append(
            Policy(
                region_id=spec.pop("region"),
                state=state,
                published_at=_moment(published, rng) if published else None,
                **spec,
            )
        )
    notices = []
    for year in range(2019, 2027):
        for index in rng.sample(range(len(NOTICE_TOPICS)), 4 if year < 2026 else 2):
            kind, title, body = NOTICE_TOPICS[index]
            month = 1 + (index * 3 + year) % 11
            day = date(year, month, 1 + rng.randrange(27))
            if day > date(2026, 11, 30):
                day = date(2026, 11, 1 + rng.randrange(20))
            region = CITY if rng.random() < 0.75 else rng.choice([KEQIAO, ZHUJI])
            notices.append(
                Notice(
                    region_id=region,
                    kind=kind,
                    title=title.format(year=year),
                    body=body.format(year=year),
                    state=PublishState.PUBLISHED,
                    published_at=_moment(day, rng),
                )
            )
    notices.append(
        Notice(
            region_id=CITY,
            kind=NoticeKind.NOTICE,
            title="关于开展2027年度科技计划项目指南征集的通知（草稿）",
            body="各有关单位：现征集2027年度市科技计划项目指南建议。",
            state=PublishState.DRAFT,
        )
    )
    guides = [
        ServiceGuide(
            region_id=CITY,
            department=department,
            name=name,
            who_can_apply=who,
            materials=materials,
            procedure=procedure,
            time_limit_days=days,
            fee="不收费",
            basis=basis,
            contact="0575-8520" + str(1200 + position),
            online_link="“科创”平台",
            position=position,
            state=PublishState.PUBLISHED,
        )
        for position, (department, name, who, materials, procedure, days, basis) in enumerate(GUIDES, start=1)
    ]
    return {"policies": policies, "notices": notices, "guides": guides}


def seed(*, seed: int = 8, log=print, **kwargs) -> None:
    """Write the portal's demo content once."""
    if Policy.objects.filter(region_id=CITY, title=INNOVATION_POLICY_TITLE).exists():
        log("门户内容：已存在，跳过。")
        return
    records = plan(seed=seed)
    with transaction.atomic():
        Policy.objects.bulk_create(records["policies"])
        Notice.objects.bulk_create(records["notices"])
        ServiceGuide.objects.bulk_create(records["guides"])
    log(
        f"门户内容：政策{len(records['policies'])}条，通知与动态{len(records['notices'])}条，"
        f"服务事项{len(records['guides'])}项。"
    )
