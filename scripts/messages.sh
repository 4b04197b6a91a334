#!/usr/bin/env bash
# Regenerate and compile the English catalogue after adding or changing translatable strings.
#   bash scripts/messages.sh
# Source strings (msgids) are Chinese; the one catalogue is src/kechuang/locale/en/LC_MESSAGES/django.po
# (settings.LOCALE_PATHS). makemessages keeps existing translations: new strings come in with an empty
# msgstr and changed ones are marked "#, fuzzy" (fuzzy entries are NOT compiled) — translate them, drop
# the fuzzy flag, run this again, and commit both the .po and the .mo (fresh machines may lack msgfmt).
# Needs GNU gettext (apt-get install gettext).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
PO=src/kechuang/locale/en/LC_MESSAGES/django.po

# The project-level locale dir must exist, or makemessages would look for per-app ones.
mkdir -p src/kechuang/locale

"$PYTHON" manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=tests --ignore=node_modules

# Everything goes into the one project catalogue: no per-app locale directories.
stray=$(find src -type d -name locale ! -path src/kechuang/locale)
if [ -n "$stray" ]; then
  echo "error: per-app locale directories found (use src/kechuang/locale only):" >&2
  echo "$stray" >&2
  exit 1
fi

"$PYTHON" manage.py compilemessages --ignore=.venv

# Report what still needs a translator: untranslated or fuzzy entries fall back to Chinese.
stats=$(msgfmt --check --statistics -o /dev/null "$PO" 2>&1)
echo "$PO: $stats"
case "$stats" in
  *fuzzy*|*untranslated*) echo "warning: some entries are untranslated or fuzzy; translate them and run this again." >&2 ;;
esac
