"""Template helpers: deadlines in plain words, time left, form fields with their errors."""

from __future__ import annotations

import datetime as dt

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from lapor.accounts.selectors import user_is_staff

register = template.Library()


@register.filter
def long_date(value) -> str:
    """ "Jumat, 27 November 2026" (in the active language, in the deployment's time zone)."""
    if not value:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)  # WIB: a deadline at 23:59 must not show the next day
    return date_filter(value, "l, j F Y")


@register.filter
def deadline_words(value) -> str:
    if not value:
        return ""
    return _("paling lambat %(date)s") % {"date": long_date(value)}


@register.filter
def time_left_words(left: dict | None) -> str:
    if not left:
        return _("tanpa batas waktu")
    days = left["days"]
    if left["overdue"]:
        return ngettext("terlambat %(n)d hari kerja", "terlambat %(n)d hari kerja", days) % {"n": days}
    if days == 0:
        return _("batas waktu hari ini")
    return ngettext("sisa %(n)d hari kerja", "sisa %(n)d hari kerja", days) % {"n": days}


@register.inclusion_tag("web/includes/field.html")
def field(bound_field, hint: str = ""):
    return {"f": bound_field, "hint": hint}


@register.simple_tag
def staff_user(user) -> bool:
    return user_is_staff(user)


@register.filter
def field_kind(bound_field) -> str:
    """ "check" (one checkbox), "choices" (radio buttons or several checkboxes) or "input"."""
    widget = bound_field.field.widget
    input_type = getattr(widget, "input_type", "")
    if input_type == "radio" or (input_type == "checkbox" and getattr(widget, "allow_multiple_selected", False)):
        return "choices"
    return "check" if input_type == "checkbox" else "input"


@register.filter
def topic_name(topic) -> str:
    """A topic in the active language (its English name where one is set)."""
    if topic is None:
        return ""
    english = (get_language() or "").startswith("en")
    return (getattr(topic, "name_en", "") or topic.name) if english else topic.name
