from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CarriersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kechuang.carriers"
    verbose_name = _("创新载体")
