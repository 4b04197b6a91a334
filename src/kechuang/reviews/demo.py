"""Demo expert pool: a profile for every expert user, employed by the demo's institutions."""

import random

from kechuang.accounts.models import User
from kechuang.organizations.enums import TechField
from kechuang.organizations.models import Organization

from .models import Expert

KEYWORDS = {
    "electronic_information": "集成电路 嵌入式 软件 通信 物联网",
    "bio_medicine": "生物医药 制剂 医疗器械 基因 检测",
    "aerospace": "航空 材料 导航 结构",
    "new_materials": "纤维 新材料 纺织 高分子 复合材料",
    "high_tech_services": "检验检测 科技服务 设计 知识产权",
    "new_energy": "光伏 储能 电池 节能 电机",
    "resources_environment": "印染废水 污水处理 环保 固废 大气",
    "advanced_manufacturing": "数控 机床 轴承 自动化 机器人 智能制造",
}


def seed(log=print) -> None:
    users = list(User.objects.filter(role="expert", expert_profile__isnull=True).order_by("id"))
    if not users:
        log("专家库演示数据已存在，跳过")
        return
    rng = random.Random(2019)
    employers = list(Organization.objects.filter(kind="institution").order_by("id")[:40]) or [None]
    fields = [f.value for f in TechField]
    experts = []
    for user in users:
        chosen = rng.sample(fields, 2)
        employer = rng.choice(employers)
        experts.append(
            Expert(
                user=user,
                organization=employer,
                region_id=(employer.region_id if employer else "330600"),
                title=rng.choice(["教授", "研究员", "高级工程师", "副教授"]),
                field_codes=chosen,
                keywords=" ".join(KEYWORDS[f] for f in chosen),
                profile="长期从事相关领域研究与产业化工作。",
                load_cap=rng.choice([3, 5, 8]),
            )
        )
    Expert.objects.bulk_create(experts, batch_size=2000)
    log(f"专家库：{len(experts)} 位专家")
