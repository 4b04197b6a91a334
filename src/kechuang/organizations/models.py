from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import AuditedModel
from kechuang.core.validators import validate_upload

from .enums import (
    Industry,
    InstitutionType,
    OrganizationKind,
    OrganizationSize,
    QualificationKind,
    QualificationLevel,
    TechField,
    Tier,
    VerificationStatus,
)


class Organization(AuditedModel):
    """A legal entity the bureau deals with: enterprise, institution, service provider, agency.

    Identified by its 统一社会信用代码; registered by its own users (then pending bureau
    verification) or created by bureau staff (verified at once).
    """

    kind = models.CharField(_("单位类型"), max_length=16, choices=OrganizationKind.choices, db_index=True)
    institution_type = models.CharField(
        _("院所类型"), max_length=20, choices=InstitutionType.choices, blank=True
    )
    name = models.CharField(_("单位名称"), max_length=100, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    credit_code_override_reason = models.CharField(
        _("校验位例外理由"),
        max_length=200,
        blank=True,
        help_text=_("校验位不符的历史代码（如2015年前试点代码）经科技局人员确认后登记的理由。"),
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("属地"), on_delete=models.PROTECT, related_name="organizations"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    industry = models.CharField(
        _("行业门类"), max_length=1, choices=Industry.choices, blank=True, db_index=True
    )
    tech_field = models.CharField(
        _("高新技术领域"), max_length=32, choices=TechField.choices, blank=True, db_index=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位（母公司）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subsidiaries",
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    size = models.CharField(_("规模"), max_length=8, choices=OrganizationSize.choices, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    # Names as the business licence record shows them; the voucher fraud checks compare them (related parties).
    shareholders = models.TextField(
        _("主要股东"), blank=True, help_text=_("每行一个：自然人姓名或单位名称。")
    )
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    license_file = models.FileField(
        _("营业执照/登记证书"), upload_to="licenses/%Y/", blank=True, validators=[validate_upload]
    )
    status = models.CharField(
        _("核验状态"),
        max_length=10,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PENDING,
        db_index=True,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    # Kept by kechuang.enterprises.services.organization_refresh_tier whenever a qualification changes
    # (and daily, for expiries), so lists can filter and count by tier without joining qualifications.
    tier = models.CharField(
        _("培育梯度"), max_length=16, choices=Tier.choices, default=Tier.NONE, db_index=True
    )

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["region", "kind", "name"]),
            models.Index(fields=["kind", "status", "name"]),
            models.Index(fields=["kind", "industry", "region"]),
        ]

    def __str__(self) -> str:
        return self.name


class QualificationQuerySet(models.QuerySet):
    def in_force(self, day):
        """Qualifications valid on `day` (issued, not expired, not revoked by then)."""
        return self.filter(valid_from__lte=day, valid_until__gte=day).exclude(revoked_on__lte=day)


class Qualification(AuditedModel):
    """A recognition an organization holds for a period (科技型中小企业, 高新技术企业 …).

    The enterprises module manages them; calls check them for eligibility.
    """

    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="qualifications"
    )
    kind = models.CharField(_("资质类型"), max_length=16, choices=QualificationKind.choices)
    level = models.CharField(
        _("级别"), max_length=12, choices=QualificationLevel.choices, default=QualificationLevel.PROVINCIAL
    )
    certificate_no = models.CharField(_("证书编号"), max_length=60, blank=True)
    valid_from = models.DateField(_("发证日期"))
    valid_until = models.DateField(_("有效期至"))
    revoked_on = models.DateField(_("取消日期"), null=True, blank=True)
    revoke_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    objects = QualificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("资质")
        verbose_name_plural = _("资质")
        ordering = ["organization", "kind", "-valid_until"]
        indexes = [
            models.Index(fields=["organization", "kind", "valid_until"]),
            models.Index(fields=["kind", "valid_from"], name="qualification_kind_from"),
            models.Index(fields=["valid_until", "kind"], name="qualification_until"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_kind_display()}"

    def in_force_on(self, day) -> bool:
        """Valid on `day`: issued, not expired, not revoked before that day."""
        return self.valid_from <= day <= self.valid_until and (
            self.revoked_on is None or day < self.revoked_on
        )

    @property
    def region_id(self):
        return self.organization.region_id
