from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kechuang.talent"
    verbose_name = _("科技特派员与人才")
