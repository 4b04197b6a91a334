"""The annual-report indicators each carrier kind starts with (年报指标); the bureau changes them on the
indicator page afterwards. Loaded by migration 0002 (and by tests whose flushes remove it)."""

# kind -> [(code, name, unit, value_type, required)]
DEFAULT_INDICATORS: dict[str, list[tuple[str, str, str, str, bool]]] = {
    "incubator": [
        ("incubatees", "在孵企业数", "家", "integer", True),
        ("new_incubatees", "当年新增在孵企业数", "家", "integer", True),
        ("graduates", "毕业企业数", "家", "integer", True),
        ("incubatee_revenue", "在孵企业营业收入总额（万元）", "万元", "decimal", True),
        ("funded_incubatees", "获得投融资企业数", "家", "integer", True),
        ("incubatee_ip", "在孵企业知识产权数", "件", "integer", True),
        ("space_m2", "孵化场地面积（平方米）", "平方米", "decimal", True),
        ("staff", "从业人员数", "人", "integer", True),
    ],
    "maker_space": [
        ("teams", "入驻创业团队和企业数", "个", "integer", True),
        ("new_teams", "当年新增创业团队和企业数", "个", "integer", True),
        ("new_companies", "当年注册企业数", "家", "integer", True),
        ("funded_teams", "获得投融资团队和企业数", "个", "integer", True),
        ("events", "举办创新创业活动场次", "场", "integer", True),
        ("mentors", "创业导师人数", "人", "integer", False),
        ("space_m2", "场地面积（平方米）", "平方米", "decimal", True),
    ],
    "star_space": [
        ("teams", "入驻创业团队和企业数", "个", "integer", True),
        ("new_teams", "当年新增创业团队和企业数", "个", "integer", True),
        ("trainings", "举办培训场次", "期", "integer", True),
        ("trainees", "培训人次", "人次", "integer", True),
        ("technologies", "推广新技术新品种数", "项", "integer", True),
        ("farmers_served", "带动农户数", "户", "integer", False),
    ],
    "complex": [
        ("enterprises_served", "服务企业数", "家", "integer", True),
        ("service_revenue", "服务收入（万元）", "万元", "decimal", True),
        ("rd_platforms", "集聚研发机构数", "个", "integer", True),
        ("tech_problems", "解决技术难题数", "项", "integer", True),
        ("achievements_transferred", "转化科技成果数", "项", "integer", True),
        ("staff", "专职服务人员数", "人", "integer", False),
    ],
    "institute": [
        ("rd_expense", "研发经费支出（万元）", "万元", "decimal", True),
        ("researchers", "研发人员数", "人", "integer", True),
        ("patents_granted", "授权发明专利数", "件", "integer", True),
        ("achievements_transferred", "转化科技成果数", "项", "integer", True),
        ("contract_amount", "技术合同成交额（万元）", "万元", "decimal", True),
        ("spinoffs", "孵化衍生企业数", "家", "integer", False),
    ],
    "key_lab": [
        ("researchers", "固定研究人员数", "人", "integer", True),
        ("projects", "承担科研项目数", "项", "integer", True),
        ("funding", "科研经费（万元）", "万元", "decimal", True),
        ("papers", "发表论文数", "篇", "integer", True),
        ("patents_granted", "授权发明专利数", "件", "integer", True),
    ],
    "eng_center": [
        ("rd_expense", "研发投入（万元）", "万元", "decimal", True),
        ("researchers", "工程技术人员数", "人", "integer", True),
        ("new_products", "开发新产品新技术数", "项", "integer", True),
        ("patents_granted", "授权专利数", "件", "integer", True),
        ("achievements_transferred", "成果转化项目数", "项", "integer", True),
    ],
    "workstation": [
        ("experts", "进站院士和专家数", "人", "integer", True),
        ("days_on_site", "院士专家在站工作天数", "天", "integer", True),
        ("projects", "合作研发项目数", "项", "integer", True),
        ("patents", "申请专利数", "件", "integer", True),
        ("trained", "培养技术人才数", "人", "integer", False),
    ],
    "foreign_workstation": [
        ("experts", "引进外国专家数", "人", "integer", True),
        ("days_on_site", "外国专家在站工作天数", "天", "integer", True),
        ("projects", "合作项目数", "项", "integer", True),
        ("technologies", "引进新技术数", "项", "integer", True),
        ("trained", "培养技术人才数", "人", "integer", False),
    ],
}


def seed(model) -> int:
    """Create the indicators a kind does not have yet (by code); returns how many were created."""
    existing = set(model.objects.values_list("kind", "code"))
    rows = [
        model(
            kind=kind, code=code, name=name, unit=unit, value_type=value_type, required=required, position=n
        )
        for kind, lines in DEFAULT_INDICATORS.items()
        for n, (code, name, unit, value_type, required) in enumerate(lines, 1)
        if (kind, code) not in existing
    ]
    model.objects.bulk_create(rows)
    return len(rows)
