"""The English catalogue is complete and its compiled .mo matches the .po (fresh machines may lack msgfmt)."""

import gettext
import re
from pathlib import Path

from django.utils import translation

LOCALE = Path(__file__).resolve().parents[1] / "src" / "kechuang" / "locale" / "en" / "LC_MESSAGES"


def test_po_has_no_fuzzy_or_empty_translation():
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po.split("\n\n", 1)[1]
    assert '\nmsgstr ""\n\n' not in po
    # An empty plural form is followed by the next form or the next entry, not by a continuation line.
    assert re.search(r'\nmsgstr\[\d\] ""\n(?!")', po) is None


def test_compiled_catalogue_matches_the_po():
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = po.count("\nmsgid ") - 1  # minus the header
    with open(LOCALE / "django.mo", "rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    msgids = {key if isinstance(key, str) else key[0] for key in catalog} - {""}
    assert len(msgids) == entries


def test_key_strings_in_english():
    with translation.override("en"):
        assert translation.gettext("我的工作台") == "My workbench"
        assert (
            translation.gettext("绍兴市科技创新服务平台")
            == "Shaoxing Science and Technology Innovation Platform"
        )
        assert translation.ngettext("有 %(n)d 家单位待核验", "有 %(n)d 家单位待核验", 2) % {"n": 2} == (
            "2 organizations awaiting verification"
        )
