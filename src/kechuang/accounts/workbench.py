"""What each role finds on 我的工作台: the modules that exist today, in the order the role uses them."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kechuang.organizations.enums import VerificationStatus
from kechuang.organizations.selectors import organizations_visible_to

from .enums import MembershipStatus, Role


@dataclass(frozen=True)
class Tile:
    title: str
    url: str
    description: str = ""
    count: int | None = None


def tiles_for(user) -> list[Tile]:
    tiles: list[Tile] = []
    if user.is_superuser or user.is_region_scoped:
        visible = organizations_visible_to(user=user)
        tiles.append(Tile(_("单位库"), reverse("organizations:list"), _("辖区内的企业、高校院所和服务机构")))
        if user.is_superuser or user.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF):
            tiles.append(
                Tile(
                    _("待核验单位"),
                    reverse("organizations:list") + "?status=pending",
                    _("自行注册、等待核验的单位"),
                    count=visible.filter(status=VerificationStatus.PENDING).count(),
                )
            )
            tiles.append(Tile(_("登记单位"), reverse("organizations:create"), _("直接登记一家单位")))
        if user.is_superuser or user.role == Role.BUREAU_ADMIN:
            tiles.append(Tile(_("审计日志"), reverse("audit:list"), _("谁在何时修改了什么")))
            tiles.append(Tile(_("系统管理"), reverse("admin:index"), _("用户、区划等基础数据")))
    if user.is_superuser or user.is_region_scoped:
        from kechuang.projects.selectors import applications_overdue

        tiles.append(
            Tile(
                _("项目申报书"),
                reverse("projects:application_list"),
                _("待推荐、待审查的申报书"),
                count=applications_overdue(user=user).count() or None,
            )
        )
    if user.is_superuser or user.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF):
        tiles.append(
            Tile(
                _("申报指南管理"), reverse("projects:call_manage_list"), _("计划类别下的申报指南、条件与名额")
            )
        )
        tiles.append(Tile(_("专家库"), reverse("reviews:expert_list"), _("评审专家的领域、单位、负荷与回避")))
    if user.is_superuser or user.is_region_scoped:
        from kechuang.projects.selectors import projects_overdue

        tiles.append(
            Tile(
                _("立项项目"),
                reverse("projects:project_list"),
                _("任务书审核、经费拨付"),
                count=projects_overdue(user=user).count() or None,
            )
        )
    if user.is_superuser or user.is_bureau:
        tiles.append(
            Tile(_("项目统计"), reverse("projects:figures"), _("各指南申报、推荐、审查、立项情况，可导出"))
        )
    if user.role in (Role.ENTERPRISE, Role.INSTITUTION) and user.active_organization_id:
        tiles.append(Tile(_("项目申报"), reverse("projects:call_list"), _("查看申报指南，在线填报")))
        tiles.append(Tile(_("我的申报书"), reverse("projects:application_list"), _("草稿、进度与办理记录")))
        tiles.append(Tile(_("立项项目"), reverse("projects:project_list"), _("任务书、经费拨付")))
    if user.organization_id:
        tiles.append(
            Tile(
                _("本单位信息"),
                reverse("organizations:detail", args=[user.organization_id]),
                _("单位基本信息与核验状态"),
            )
        )
    if user.is_org_admin and user.active_organization_id:
        from .models import User

        pending = User.objects.filter(
            organization_id=user.organization_id, membership_status=MembershipStatus.PENDING
        ).count()
        tiles.append(
            Tile(_("单位成员"), reverse("accounts:members"), _("审核申请加入本单位的用户"), count=pending)
        )
    if user.role == Role.EXPERT:
        from kechuang.reviews.enums import OPEN_ASSIGNMENT_STATES
        from kechuang.reviews.selectors import assignments_for_expert

        tiles.append(
            Tile(
                _("我的评审任务"),
                reverse("reviews:mine"),
                _("接受或谢绝邀请、在线评分"),
                count=assignments_for_expert(user=user).filter(state__in=OPEN_ASSIGNMENT_STATES).count()
                or None,
            )
        )
        tiles.append(Tile(_("我的专家信息"), reverse("reviews:expert_mine"), _("专业领域、关键词与回避单位")))
    tiles.extend(_enterprise_tiles(user))
    tiles.extend(_market_tiles(user))
    tiles.extend(_voucher_tiles(user))
    tiles.extend(_carrier_talent_patent_tiles(user))
    tiles.extend(_cockpit_tiles(user))
    tiles.append(Tile(_("API 令牌"), reverse("accounts:tokens"), _("用于接口调用的个人令牌")))
    tiles.append(Tile(_("账号安全"), reverse("accounts:security"), _("修改密码、在所有设备上退出")))
    return tiles


def _enterprise_tiles(user) -> list[Tile]:
    """企业培育: the registry, annual data, qualifications, the reserve pool and liaison work."""
    tiles: list[Tile] = []
    if user.is_superuser or user.is_region_scoped:
        from datetime import timedelta

        from django.utils import timezone

        from kechuang.enterprises.selectors import qualifications_visible_to

        today = timezone.localdate()
        expiring = (
            qualifications_visible_to(user=user)
            .in_force(today)
            .filter(valid_until__lte=today + timedelta(days=90))
            .count()
        )
        tiles += [
            Tile(
                _("企业库"),
                reverse("enterprises:enterprise_list"),
                _("培育梯度、资质、年度数据与后备库，可导出"),
            ),
            Tile(
                _("企业年度数据"),
                reverse("enterprises:annual_list"),
                _("各企业填报的年度数据，批量导入与导出"),
            ),
            Tile(
                _("资质台账"),
                reverse("enterprises:qualification_list") + "?expiring_within=90",
                _("高企、科小、研发机构等资质及到期情况"),
                count=expiring or None,
            ),
            Tile(_("后备库"), reverse("enterprises:reserve_list"), _("按规则推荐、人工培育的后备企业")),
            Tile(_("走访记录"), reverse("enterprises:liaison_visits"), _("挂联走访、企业需求与跟进")),
        ]
        if user.is_superuser or user.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.OFFICER):
            tiles.append(
                Tile(
                    _("我的跟进事项"), reverse("enterprises:liaison_follow_ups"), _("由我负责、待完成的跟进")
                )
            )
            tiles.append(
                Tile(_("我的挂联企业"), reverse("enterprises:liaison_mine"), _("我挂联的企业及其需求"))
            )
        if user.is_superuser or user.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF):
            tiles.append(
                Tile(_("挂联安排"), reverse("enterprises:liaison_assignments"), _("安排干部挂联企业"))
            )
    if user.role == Role.ENTERPRISE and user.active_organization_id:
        tiles += [
            Tile(_("我的企业"), reverse("enterprises:mine"), _("培育梯度、资质与自评结果")),
            Tile(_("年度数据填报"), reverse("enterprises:annual_mine"), _("每年填报一次企业主要指标")),
            Tile(
                _("高企、科小自评"),
                reverse("enterprises:assessment_mine"),
                _("按认定条件逐项对照，看还差什么"),
            ),
        ]
    return tiles


def _market_tiles(user) -> list[Tile]:
    """网上技术市场: listings, contacts, negotiations, events and contract registration, by role."""
    from kechuang.market.enums import ContactRequestStatus, ContractState, ThreadState
    from kechuang.market.listings import contact_requests_received, listings_for_moderation
    from kechuang.market.threads import threads_visible_to

    tiles: list[Tile] = []
    if user.active_organization_id and user.role in (Role.ENTERPRISE, Role.INSTITUTION):
        tiles.append(
            Tile(_("我的供需信息"), reverse("market:my_listings"), _("发布技术需求和科技成果，查看匹配结果"))
        )
    if user.active_organization_id:
        waiting = contact_requests_received(user=user).filter(status=ContactRequestStatus.PENDING).count()
        tiles.append(
            Tile(
                _("联系方式申请"),
                reverse("market:contact_requests"),
                _("同意或拒绝他人查看联系方式"),
                count=waiting or None,
            )
        )
    if user.active_organization_id or user.role == Role.BROKER:
        open_threads = (
            threads_visible_to(user=user).exclude(state__in=[ThreadState.CLOSED, ThreadState.FAILED]).count()
        )
        tiles.append(
            Tile(
                _("我的洽谈"),
                reverse("market:threads"),
                _("与对方的洽谈消息和进展"),
                count=open_threads or None,
            )
        )
    if user.is_superuser or user.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF):
        from kechuang.market.contracts import contracts_visible_to

        tiles.append(
            Tile(
                _("供需信息审核"),
                reverse("market:moderation"),
                _("发布或退回待审核的技术需求和科技成果"),
                count=listings_for_moderation(user=user).count() or None,
            )
        )
        tiles.append(
            Tile(
                _("技术合同登记"),
                reverse("market:contract_list"),
                _("认定登记、统计与导出"),
                count=contracts_visible_to(user=user).filter(state=ContractState.SUBMITTED).count() or None,
            )
        )
        tiles.append(Tile(_("对接活动"), reverse("market:event_list"), _("组织活动、报名、排期和成效")))
    if user.is_superuser or user.is_region_scoped:
        tiles.append(Tile(_("洽谈漏斗"), reverse("market:funnel"), _("从联系到签约的转化情况")))
    return tiles


def _voucher_tiles(user) -> list[Tile]:
    """创新券: the bureau's programs and queues; an organization's quotas, bookings and provider profile."""
    from kechuang.vouchers.bureau_views import workbench_tiles

    tiles = workbench_tiles(user)
    if user.active_organization_id and user.role in (Role.ENTERPRISE, Role.INSTITUTION):
        tiles.append(Tile(_("我的创新券"), reverse("vouchers:quotas"), _("申领额度、预约服务、确认使用")))
    if user.active_organization_id and user.role in (Role.PROVIDER, Role.INSTITUTION):
        tiles.append(
            Tile(_("创新券服务"), reverse("vouchers:provider_register"), _("服务机构登记、服务项目与仪器"))
        )
        tiles.append(Tile(_("创新券订单"), reverse("vouchers:bookings"), _("接受预约、登记完成、申请兑付")))
    return tiles


def _carrier_talent_patent_tiles(user) -> list[Tile]:
    """创新载体、科技特派员与人才、专利: the bureau's registers and queues; an organization's own records."""
    from kechuang.carriers.carrier_selectors import reports_visible_to
    from kechuang.carriers.enums import ReportState
    from kechuang.patents.enums import ClaimState
    from kechuang.patents.subsidy_selectors import claims_visible_to

    tiles = []
    editor = user.is_superuser or user.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF)
    if user.is_superuser or user.is_region_scoped:
        tiles.append(
            Tile(_("创新载体"), reverse("carriers:list"), _("孵化器、众创空间、综合体、实验室与工作站"))
        )
        if editor:
            tiles.append(
                Tile(
                    _("载体年报"),
                    reverse("carriers:reports"),
                    _("待确认的载体年度报告"),
                    count=reports_visible_to(user=user).filter(state=ReportState.SUBMITTED).count() or None,
                )
            )
            tiles.append(
                Tile(_("载体绩效评价"), reverse("carriers:schemes"), _("按类型加权评分、定等、排名与处理"))
            )
        tiles.append(
            Tile(_("科技特派员"), reverse("talent:commissioners"), _("派驻乡镇、工作日志与年度小结"))
        )
        tiles.append(Tile(_("人才与外国专家"), reverse("talent:talents"), _("领军人才、创新团队、外国专家")))
        tiles.append(Tile(_("专利"), reverse("patents:patent_list"), _("辖区单位的专利、导入与统计")))
        if editor:
            tiles.append(
                Tile(
                    _("专利资助"),
                    reverse("patents:subsidy_claims"),
                    _("待审核的专利资助申请"),
                    count=claims_visible_to(user=user).filter(state=ClaimState.SUBMITTED).count() or None,
                )
            )
        tiles.append(Tile(_("质押融资与执法"), reverse("patents:cases"), _("知识产权质押融资、专利纠纷案件")))
    elif user.active_organization_id and user.role in (Role.ENTERPRISE, Role.INSTITUTION, Role.PROVIDER):
        tiles.append(Tile(_("我的专利"), reverse("patents:patent_list"), _("登记、导入专利，查看统计")))
        tiles.append(
            Tile(_("专利资助"), reverse("patents:subsidy_policies"), _("按政策申请专利资助，进度可查"))
        )
        tiles.append(Tile(_("我的创新载体"), reverse("carriers:list"), _("本单位运营的载体、在孵企业与年报")))
        if user.role == Role.INSTITUTION:
            tiles.append(
                Tile(_("科技特派员"), reverse("talent:commissioners"), _("本单位派出的特派员与工作日志"))
            )
    return tiles


def _cockpit_tiles(user) -> list[Tile]:
    """科技大脑、目标考核、工作总结、科技信箱、政策兑现 and the portal's content; an organization's payouts and letters."""
    from django.utils import timezone

    from kechuang.inquiries.inquiry_selectors import inquiries_for_bureau, overdue_q
    from kechuang.payouts.enums import ClaimState
    from kechuang.payouts.payout_selectors import claims_visible_to

    tiles = []
    editor = user.is_superuser or user.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF)
    if user.is_superuser or user.is_region_scoped:
        tiles.append(
            Tile(_("科技大脑"), reverse("cockpit:dashboard"), _("各项指标、历年趋势、地区排名，逐项可查明细"))
        )
        if user.is_superuser or user.is_bureau:
            tiles.append(
                Tile(_("目标考核"), reverse("targets:progress_home"), _("目标、完成进度与地区考核排名"))
            )
            tiles.append(Tile(_("年度工作总结"), reverse("cockpit:reports"), _("由数据生成工作总结和统计表")))
        overdue = inquiries_for_bureau(user).filter(overdue_q(timezone.localdate())).count()
        tiles.append(
            Tile(
                _("科技信箱"), reverse("inquiries:queue"), _("来信分办、答复与按时率"), count=overdue or None
            )
        )
        if editor:
            tiles.append(
                Tile(
                    _("政策兑现"),
                    reverse("payouts:claims"),
                    _("待审核的兑现申请"),
                    count=claims_visible_to(user).filter(state=ClaimState.SUBMITTED).count() or None,
                )
            )
            tiles.append(Tile(_("政策与公告"), reverse("portal:policies"), _("发布政策、通知公告与办事指南")))
    elif user.active_organization_id and user.role in (Role.ENTERPRISE, Role.INSTITUTION, Role.PROVIDER):
        tiles.append(Tile(_("政策兑现"), reverse("payouts:mine"), _("按已有资质、专利等直接申请奖励补助")))
    if user.is_authenticated and not (user.is_superuser or user.is_region_scoped):
        tiles.append(Tile(_("我的来信"), reverse("inquiries:mine"), _("向科技局咨询、建议、投诉及答复")))
    return tiles
