"""``{% tr "key" name=value %}``: a phrase of the public page in the visitor's language."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def tr(context: template.Context, key: str, **values: Any) -> str:
    # simple_tag output is escaped (autoescape is on), so catalog text cannot inject markup
    return str(context["tr"](key, **values))
