import unicodedata

from django.core.management.base import BaseCommand

from kechuang.accounts.models import User
from kechuang.demo.generator import DEMO_PASSWORD, NAMED_LOGINS

URL = "http://127.0.0.1:8000/"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


class Command(BaseCommand):
    help = "列出演示账号（用户名、密码、能看到什么）。"

    def handle(self, *args, **options):
        present = set(
            User.objects.filter(username__in=[n.username for n in NAMED_LOGINS]).values_list(
                "username", flat=True
            )
        )
        label_width = max(_width(n.label) for n in NAMED_LOGINS) + 2
        name_width = max(len(n.username) for n in NAMED_LOGINS) + 2
        lines = [
            "",
            f"演示账号（密码均为 {DEMO_PASSWORD}）  打开 {URL}",
            "",
            _pad("角色", label_width)
            + _pad("用户名", name_width)
            + _pad("密码", len(DEMO_PASSWORD) + 2)
            + "能看到",
        ]
        for login in NAMED_LOGINS:
            note = login.sees if login.username in present else "（尚未创建：请先运行 manage.py demo_data）"
            lines.append(
                _pad(login.label, label_width)
                + _pad(login.username, name_width)
                + _pad(DEMO_PASSWORD, len(DEMO_PASSWORD) + 2)
                + note
            )
        # The tenth role, the public, needs no account: the portal, notices and public notices are open.
        lines.append(
            _pad("公众访客", label_width)
            + _pad("（无需登录）", name_width)
            + _pad("", len(DEMO_PASSWORD) + 2)
            + f"门户首页、通知公告与公示：直接打开 {URL}"
        )
        lines.append("")
        self.stdout.write("\n".join(lines))
