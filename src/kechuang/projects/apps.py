from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "kechuang.projects"
    label = "projects"
    verbose_name = _("科技计划项目")

    def ready(self) -> None:
        from . import expressions  # noqa: F401  registers kc_hamming on SQLite connections
