"""Where a letter goes: the default department for its topic, and the region that answers it.

Topic → department (accounts.enums.Department), as the bureau's 三定 divides the work:

* 科技计划项目 → 规划与政策处 (it draws up the plans and guides; the programme offices answer through it)
* 高企与科技型企业 → 高新技术处
* 技术市场与成果转化, 创新券 → 成果转化处 (technology market, transfer, innovation vouchers)
* 人才与科技特派员 → 农村与社会发展处 (科技特派员 are run by the rural office)
* 知识产权 → 知识产权科
* 政策兑现 → 规划与政策处 (policy texts and their payouts)
* 其他 → 办公室 (which passes it on when another office should answer)

The bureau may reassign a letter to any department (services.inquiry_reassign).

Region: the city's bureau (settings.KECHUANG_INQUIRY_REGION, default 绍兴市 330600) unless the asker picks
one of its counties (区、县、市).
"""

from django.conf import settings

from kechuang.accounts.enums import Department

from .enums import Topic

DEFAULT_REGION = "330600"

TOPIC_DEPARTMENT = {
    Topic.PROJECTS: Department.PLANNING,
    Topic.ENTERPRISES: Department.HIGH_TECH,
    Topic.MARKET: Department.ACHIEVEMENT,
    Topic.VOUCHERS: Department.ACHIEVEMENT,
    Topic.TALENT: Department.RURAL_SOCIAL,
    Topic.IP: Department.IP,
    Topic.POLICY: Department.PLANNING,
    Topic.OTHER: Department.OFFICE,
}


def default_department(topic: str) -> str:
    return str(TOPIC_DEPARTMENT.get(topic, Department.OFFICE))


def city_code() -> str:
    return getattr(settings, "KECHUANG_INQUIRY_REGION", DEFAULT_REGION)


def region_choices() -> list[tuple[str, str]]:
    """The city and its counties (direct children), city first: what the asker may pick."""
    from kechuang.regions.models import Region

    city = city_code()
    rows = list(Region.objects.filter(pk=city).values_list("code", "name"))
    rows += list(Region.objects.filter(parent_id=city).order_by("code").values_list("code", "name"))
    return rows


def region_for(picked: str | None) -> str:
    """The region answering a letter: the county picked if it is one of the city's, else the city."""
    city = city_code()
    if picked and picked != city and picked in {code for code, _ in region_choices()}:
        return picked
    return city
