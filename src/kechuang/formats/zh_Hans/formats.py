"""Chinese number formats with the comma grouping that financial pages use (46,860,000.00 元).

Django's zh_Hans formats have no thousand separator, so `floatformat:"2g"` printed 46860000.00 in Chinese and
46,860,000.00 in English. Everything else is Django's own.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
