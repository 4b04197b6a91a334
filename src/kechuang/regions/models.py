from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import RegionLevel


class Region(models.Model):
    """An administrative division (GB/T 2260 code), province → city → county → town.

    `path` lists the codes from the province down to this region ("330000/330600/330603/"), so that
    everything under a region is one prefix match.
    """

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=80, db_index=True, editable=False)
    is_local_code = models.BooleanField(
        _("本地编码"),
        default=False,
        help_text=_("没有公开的统计用区划代码时使用的本地编码，不是国家标准代码。"),
    )
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "") + f"{self.code}/"
        super().save(*args, **kwargs)

    @property
    def choice_label(self) -> str:
        """How a select box shows the region: a town with its county, since town names repeat."""
        if self.level == RegionLevel.TOWN and self.parent_id:
            return f"{self.parent.name} · {self.name}"
        return self.name

    @property
    def full_name(self) -> str:
        names = []
        region = self
        while region is not None:
            names.append(region.name)
            region = region.parent
        return "".join(reversed(names))


class Population(models.Model):
    """A region's resident population at the end of a year (常住人口), as the statistics bureau publishes it; per-capita
    figures (inventions per 10,000 people) use it when it is given."""

    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.CASCADE, related_name="populations"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    population = models.PositiveIntegerField(_("常住人口（人）"))

    class Meta:
        verbose_name = _("常住人口")
        verbose_name_plural = _("常住人口")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="population_once_a_year")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}: {self.population}"
