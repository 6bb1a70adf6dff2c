"""Template helpers: deadlines in plain words, time left, form fields with their errors."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from lapor.accounts.selectors import user_is_staff
from lapor.agencies.models import Topic

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
def date_time(value) -> str:
    """ "7 Des 2026, 19:09": a moment, in the active language and the deployment's time zone; the
    one format for every date with a time (the timeline's)."""
    if not value:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_filter(value, "j M Y, H:i" if isinstance(value, dt.datetime) else "j M Y")


@register.filter
def short_date(value) -> str:
    """ "7 Des 2026" (a day without its time)."""
    if not value:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_filter(value, "j M Y")


@register.filter
def month_words(value) -> str:
    """ "2026-01" → "Januari 2026"; anything else as it is."""
    try:
        return date_filter(dt.date.fromisoformat(f"{value}-01"), "F Y")
    except (TypeError, ValueError):
        return value or ""


@register.filter
def version_time(value) -> str:
    """A model version named by its training moment in UTC ("20261207T115556634988") as
    ``date_time`` words; an unknown name as it is."""
    try:
        moment = dt.datetime.strptime(str(value)[:15], "%Y%m%dT%H%M%S").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return str(value or "")
    return date_time(moment)


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


@register.filter
def percent(value) -> str:
    """A share (0..1) as a percentage in the active language's digits ("87,5%", "50%"); "–" for none."""
    if value is None or value == "":
        return "–"
    return f"{floatformat(float(value) * 100, -1)}%"


@register.filter
def every_words(seconds) -> str:
    """A period in seconds as "setiap 7 hari" / "every 7 days" (hours when not whole days,
    minutes when not whole hours)."""
    seconds = int(seconds or 0)
    if seconds and seconds % 86400 == 0:
        n = seconds // 86400
        if n == 1:  # "every day", not "every 1 day"
            return _("setiap hari")
        return ngettext("setiap %(n)d hari", "setiap %(n)d hari", n) % {"n": n}
    if seconds and seconds % 3600 == 0:
        n = seconds // 3600
        if n == 1:
            return _("setiap jam")
        return ngettext("setiap %(n)d jam", "setiap %(n)d jam", n) % {"n": n}
    n = max(1, round(seconds / 60))
    if n == 1:
        return _("setiap menit")
    return ngettext("setiap %(n)d menit", "setiap %(n)d menit", n) % {"n": n}


def _topic_words(name: str) -> str:
    english = (get_language() or "").startswith("en")
    found = Topic.objects.filter(name=name.strip()).values_list("name_en", flat=True).first() if english else None
    return found or name


@register.filter
def route_reason(reason) -> str:
    """A routing suggestion's reason (routing.suggest, in Indonesian: "kata: a, b; topik: X;
    wilayah laporan", "aturan: X × semua wilayah") in the active language: its labels and fixed
    words translated, topic names in English where set; the report's own words stay as written."""
    labels = {"kata": _("kata"), "topik": _("topik"), "lokasi": _("lokasi"), "aturan": _("aturan")}
    words = {"wilayah laporan": _("wilayah laporan"), "pola umum": _("pola umum"), "semua wilayah": _("semua wilayah")}
    out = []
    for part in str(reason or "").split("; "):
        head, sep, rest = part.partition(": ")
        if sep and head in labels:
            if head == "topik":
                rest = _topic_words(rest)
            elif head == "aturan":
                topic, times, where = rest.rpartition(" × ")
                rest = f"{_topic_words(topic)}{times}{words.get(where, where)}" if times else _topic_words(rest)
            out.append(f"{labels[head]}: {rest}")
        else:
            out.append(words.get(part, part))
    return "; ".join(out)


@register.simple_tag(takes_context=True)
def landing_attrs(context, anchor: str) -> str:
    """``id`` and ``tabindex`` for a place a form can come back to; ``autofocus`` when the page
    came back to it (views.common.landing), so the browser opens the page there."""
    chosen = context.get("landing") or {}
    focus = mark_safe(" autofocus") if chosen.get("anchor") == anchor else ""
    return format_html('id="{}" tabindex="-1"{}', anchor, focus)
