"""The home page's section of the newest policies and notices (the home view belongs to the portal's shell)."""

from django import template

from kechuang.portal.content_selectors import latest_published

register = template.Library()


@register.inclusion_tag("portal/content/_latest.html")
def latest_content(n: int = 5):
    return latest_published(n=n)
