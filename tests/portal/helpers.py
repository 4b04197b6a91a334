from kechuang.portal import content_services as services
from kechuang.regions.models import Region

POLICY_VALUES = {
    "title": "绍兴市关于加快科技创新的若干政策",
    "category": "enterprise",
    "summary": "对首次认定的国家高新技术企业给予一次性奖励20万元。",
    "conditions": "在绍兴注册，认定年度内首次通过国家高新技术企业认定。",
    "document_no": "绍政发〔2023〕12号",
}


def published_policy(by, *, region="330600", **values):
    policy = services.policy_create(
        region=Region.objects.get(pk=region), values=POLICY_VALUES | values, by=by
    )
    return services.policy_publish(policy=policy, by=by)
