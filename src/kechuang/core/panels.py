"""Panels: a page made of optional parts that other areas add (the enterprise page, a market listing).

A page lists its panel specs `(context name, module, template)`. Each module offers `panel(**kwargs)` returning
what its template needs, or None to show nothing. Areas are built independently, so a module or template that
does not exist yet is skipped; a module that exists but fails to import is an error, never hidden.
"""

import importlib
from dataclasses import dataclass

from django.template import TemplateDoesNotExist
from django.template.loader import get_template


@dataclass(frozen=True)
class Panel:
    name: str
    template: str


def collect_panels(specs, **kwargs) -> tuple[list[Panel], dict]:
    """The panels of `specs` whose module and template exist and that have something to show for `kwargs`,
    in spec order, with their context keyed by panel name."""
    shown, context = [], {}
    for name, module_name, template in specs:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise  # the module exists but is broken: show the error, do not hide the panel
            continue
        panel = getattr(module, "panel", None)
        if panel is None:
            continue
        try:
            get_template(template)
        except TemplateDoesNotExist:
            continue
        value = panel(**kwargs)
        if value is None:
            continue
        shown.append(Panel(name, template))
        context[name] = value
    return shown, context
