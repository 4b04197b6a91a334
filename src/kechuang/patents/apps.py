from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kechuang.patents"
    verbose_name = _("专利与知识产权")
