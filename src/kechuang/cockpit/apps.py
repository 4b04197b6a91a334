from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kechuang.cockpit"
    verbose_name = _("科技大脑与工作总结")
