"""Open311 GeoReport v2 at /open311/v2/: services (our topics), service definitions, requests
(POST with an api_key, GET from the public view only), tokens. XML (required by the spec) and JSON.

Spec: https://wiki.open311.org/GeoReport_v2 . What the public API may not show, Open311 does not
show either: GET reads from ``report_public_qs`` (never confidential, never unverified), and an
anonymous report's location is coarsened.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from lapor.accounts.selectors import api_token_authenticate
from lapor.agencies.models import Topic
from lapor.core.errors import DomainError
from lapor.reports import services
from lapor.reports.models import Channel, Report, ReportType, tracking_id_normalize
from lapor.reports.selectors import report_public_qs
from lapor.reports.projection import lens_public, peer_due
from lapor.core.text import json_loads_strict, xml_safe

from .selectors import open311_status, report_status_notes, with_status_notes

WINDOW = dt.timedelta(days=90)  # the spec's default and maximum range for GET requests
# The spec: description is "free form text limited to 4,000 characters". A POST over it is refused;
# a longer report (the other doors take 20,000) is shown clipped, its whole text on its public page.
DESCRIPTION_MAX = 4000
log = logging.getLogger("lapor.open311")
LIST_TAGS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def jurisdiction() -> str:
    return settings.LAPOR_OPEN311_JURISDICTION or "lapor"


def max_requests() -> int:
    return int(settings.LAPOR_OPEN311_MAX_REQUESTS or 1000)


# --- Rendering --------------------------------------------------------------------------------


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _xml_element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_xml_element(key, child))
    elif isinstance(value, list):
        for child in value:
            element.append(_xml_element(LIST_TAGS.get(tag, "item"), child))
    else:
        element.text = xml_safe(_text(value))  # intake cleans texts already: never an unreadable feed
    return element


def render(fmt: str, root: str, item: str, data, status: int = 200) -> HttpResponse:
    """``data`` is a list of items (or one dict for a service definition)."""
    if fmt == "json":
        return HttpResponse(json.dumps(data, ensure_ascii=False), status=status, content_type="application/json")
    if isinstance(data, dict):
        tree = _xml_element(root, data)
    else:
        tree = ET.Element(root)
        for entry in data:
            tree.append(_xml_element(item, entry))
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(tree, encoding="utf-8")
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def render_error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, "errors", "error", [{"code": status, "description": description}], status=status)


def open311_view(methods: list[str]):
    """Checks the method, format and jurisdiction, and turns every failure into the spec's error
    shape in the format asked for: Open311Error/DomainError, a body too large or with too many
    fields, and anything unexpected (500, logged)."""

    def wrap(fn):
        @csrf_exempt
        def view(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            if fmt not in ("xml", "json"):
                return render_error("xml", 400, _("Format harus xml atau json."))
            if request.method not in methods:
                response = render_error(
                    fmt,
                    405,
                    _("Metode %(method)s tidak didukung di sini.")
                    % {"method": request.META.get("REQUEST_METHOD", request.method)[:10]},
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                # in the query string, a form body or a JSON body alike
                wanted = request.GET.get("jurisdiction_id", "")
                if request.method == "POST":
                    wanted = _params(request).get("jurisdiction_id", "") or wanted
                if wanted and wanted != jurisdiction():
                    return render_error(fmt, 404, _("jurisdiction_id tidak dikenal."))
                return fn(request, fmt, **kwargs)
            except Open311Error as exc:
                return render_error(fmt, exc.status, exc.description)
            except DomainError as exc:
                return render_error(fmt, exc.status if 400 <= exc.status < 500 else 400, str(exc.message))
            except RequestDataTooBig:
                return render_error(fmt, 413, _("Badan permintaan terlalu besar."))
            except (TooManyFieldsSent, TooManyFilesSent, SuspiciousOperation, BadRequest, UnicodeDecodeError):
                # BadRequest: a form body that declares a charset other than UTF-8 (was a 500)
                return render_error(fmt, 400, _("Badan permintaan tidak dapat dibaca."))
            except (OperationalError, InterfaceError):
                log.warning("open311: database unavailable", exc_info=True)
                response = render_error(fmt, 503, _("Layanan sedang tidak tersedia; coba lagi sebentar lagi."))
                response["Retry-After"] = "30"
                return response
            except Exception:
                log.exception("open311: unexpected error")
                return render_error(fmt, 500, _("Terjadi kesalahan di server; laporan Anda tidak tersimpan."))

        return view

    return wrap


def _clipped(text: str) -> str:
    return text if len(text) <= DESCRIPTION_MAX else text[: DESCRIPTION_MAX - 1].rstrip() + "…"


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- Services -----------------------------------------------------------------------------------


def service_out(topic: Topic) -> dict:
    return {
        "service_code": topic.slug,
        "service_name": topic.name,
        "description": topic.name_en or topic.name,
        "metadata": True,
        "type": "realtime",
        "keywords": topic.keywords,
        "group": topic.parent.name if topic.parent_id else "",
    }


def _choice(code: str, order: int, description: str, values: list[tuple[str, str]]) -> dict:
    return {
        "variable": True,
        "code": code,
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "",
        "order": order,
        "description": description,
        "values": [{"key": key, "name": name} for key, name in values],
    }


def _field(code: str, order: int, datatype: str, description: str, hint: str = "") -> dict:
    return {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": False,
        "datatype_description": hint,
        "order": order,
        "description": description,
    }


def service_definition_out(topic: Topic) -> dict:
    yes_no = [("false", _("Tidak")), ("true", _("Ya"))]
    return {
        "service_code": topic.slug,
        "attributes": [
            _field("title", 1, "string", _("Judul laporan"), _("Maksimal 200 karakter")),
            _choice("type", 2, _("Jenis laporan"), [(t.value, str(t.label)) for t in ReportType]),
            _field("region_code", 3, "string", _("Kode wilayah Kemendagri"), _("Mis. 13.74.02")),
            _field("incident_date", 4, "datetime", _("Tanggal kejadian")),
            _choice("is_anonymous", 5, _("Anonim: identitas pelapor dirahasiakan"), yes_no),
            _choice("is_confidential", 6, _("Rahasia: laporan tidak tampil untuk publik"), yes_no),
        ],
    }


@open311_view(["GET"])
def services_list(request, fmt):
    topics = Topic.objects.filter(is_active=True).select_related("parent").order_by("path")
    return render(fmt, "services", "service", [service_out(t) for t in topics])


@open311_view(["GET"])
def service_definition(request, fmt, code: str):
    topic = Topic.objects.filter(slug=code, is_active=True).first()
    if topic is None:
        raise Open311Error(404, _("service_code tidak ditemukan."))
    return render(fmt, "service_definition", "", service_definition_out(topic))


# --- Requests -----------------------------------------------------------------------------------


def request_out(report: Report) -> dict:
    lens = lens_public(report)
    lat, lon, address = lens.open_place
    is_open = open311_status(report.state) == "open"
    return {
        "service_request_id": report.tracking_id,
        "status": open311_status(report.state),
        "status_notes": lens.text(report_status_notes(report)) or None,  # public, as the description
        "service_name": report.topic.name if report.topic_id else None,
        "service_code": report.topic.slug if report.topic_id else None,
        "description": _clipped(lens.body),
        "agency_responsible": report.agency.name if report.agency_id else None,
        "service_notice": (peer_due(report) or {}).get("text") if is_open else None,  # held by a peer
        "requested_datetime": _iso(report.submitted_at),
        "updated_datetime": _iso(report.updated_at),
        "expected_datetime": _iso(report.completion_due_at or report.due_at) if is_open else None,
        "address": address or None,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": None,
    }


# Years a date may name: far enough either way for any real query, and never near the limits of
# Python's datetime (9999-12-31 plus the 90-day window overflowed: a 500). Judged on the year as
# written: a bare 1900-01-01 is midnight WIB, still 1899 in UTC, and was refused as outside 1900-2999.
YEAR_FLOOR, YEAR_CEILING = 1900, 2999


def _when(value: str, name: str) -> dt.datetime | None:
    if not value:
        return None
    bad = Open311Error(400, _("%(name)s harus berformat W3C, mis. 2024-01-31T00:00:00Z.") % {"name": name})
    try:  # well-formed but impossible (2024-02-30, month 13, offset +25:00) raises ValueError
        parsed = parse_datetime(value.replace(" ", "+")) or (
            dt.datetime.combine(parse_date(value), dt.time.min) if parse_date(value) else None
        )
        if parsed is None:
            raise bad
        parsed = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    except (ValueError, OverflowError):
        raise bad from None
    if not YEAR_FLOOR <= parsed.year <= YEAR_CEILING:
        raise Open311Error(400, _("%(name)s di luar rentang tahun 1900-2999.") % {"name": name})
    return parsed


def _window(start: dt.datetime | None, end: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if start > end:
        raise Open311Error(400, _("start_date harus sebelum end_date."))
    if end - start > WINDOW:
        raise Open311Error(400, _("Rentang start_date sampai end_date maksimal 90 hari."))
    return start, end


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def requests_query(params) -> list[Report]:
    qs = with_status_notes(report_public_qs().select_related("topic", "agency", "region"))
    ids = _csv(params.get("service_request_id", ""))
    if ids:  # overrides every other filter, as the spec says
        return list(qs.filter(tracking_id__in=[tracking_id_normalize(i) for i in ids[:100]]))
    start, end = _window(
        _when(params.get("start_date", ""), "start_date"), _when(params.get("end_date", ""), "end_date")
    )
    qs = qs.filter(submitted_at__gte=start, submitted_at__lte=end)
    codes = _csv(params.get("service_code", ""))
    if codes:
        qs = qs.filter(topic__slug__in=codes)
    statuses = set(_csv(params.get("status", "")))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status harus open atau closed."))
    if statuses == {"open"}:
        qs = qs.exclude(state__in=["done", "archived"])
    elif statuses == {"closed"}:
        qs = qs.filter(state__in=["done", "archived"])
    return list(qs.order_by("-submitted_at", "-id")[: max_requests()])


@open311_view(["GET", "POST"])
def requests_view(request, fmt):
    if request.method == "POST":
        return request_create(request, fmt)
    return render(fmt, "service_requests", "request", [request_out(r) for r in requests_query(request.GET)])


@open311_view(["GET"])
def request_detail(request, fmt, request_id: str):
    report = (
        with_status_notes(report_public_qs().select_related("topic", "agency", "region"))
        .filter(tracking_id=tracking_id_normalize(request_id))
        .first()
    )
    if report is None:
        raise Open311Error(404, _("service_request_id tidak ditemukan."))
    return render(fmt, "service_requests", "request", [request_out(report)])


@open311_view(["GET"])
def token_detail(request, fmt, token: str):
    """Answers exactly for the reports ``requests/<id>`` shows (``report_public_qs``): an unverified,
    archived or confidential report is "not found" here too, so this does not confirm it exists."""
    tracking_id = tracking_id_normalize(token)
    if not report_public_qs().filter(tracking_id=tracking_id).exists():
        raise Open311Error(404, _("token tidak ditemukan."))
    return render(fmt, "service_requests", "request", [{"service_request_id": tracking_id, "token": token}])


@open311_view(["GET"])
def discovery(request, fmt):
    base = settings.LAPOR_PUBLIC_URL.rstrip("/") + "/open311/v2/"
    changeset = services_changeset()
    data = {
        "changeset": changeset,
        "contact": settings.LAPOR_OPEN311_CONTACT,
        "key_service": _("Minta api_key kepada pengelola LAPOR!"),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }  # XML: one <format> each, as the spec
    return render(fmt, "discovery", "", data)


def services_changeset() -> str:
    """When the service list last changed: a digest of the active topics, kept with the time it was
    first seen under DATA_DIR (every process of a deployment shares it)."""
    rows = (
        Topic.objects.filter(is_active=True)
        .order_by("path")
        .values_list("slug", "name", "name_en", "parent_id", "keywords")
    )
    digest = hashlib.sha256(json.dumps(list(rows), ensure_ascii=False).encode()).hexdigest()
    path = Path(settings.DATA_DIR) / "open311-changeset.json"
    try:
        known = json.loads(path.read_text())
        if known.get("digest") == digest:
            return known["changeset"]
    except (OSError, ValueError, KeyError):
        pass
    changeset = timezone.localtime().isoformat(timespec="seconds")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"digest": digest, "changeset": changeset}))
        tmp.replace(path)
    except OSError:
        log.warning("open311: cannot keep the changeset in %s", path)
    return changeset


# --- POST requests --------------------------------------------------------------------------------

# ASCII digits only: ``\d`` and float() also take other scripts' digits ("١", fullwidth "１")
NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
NUMERIC_FIELDS = ("lat", "long")


def _scalar(key: str, value) -> str:
    """A JSON value as the form field it stands for: text, or a number where the spec has one. An
    object, a list or a boolean given for a text is refused (it was stored as "{'a': 1}" or "True")."""
    if value is None:
        return ""
    if isinstance(value, str):
        if any("\ud800" <= ch <= "\udfff" for ch in value):
            raise Open311Error(400, _("%(name)s memuat karakter yang tidak sah.") % {"name": key})
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and key in NUMERIC_FIELDS:
        return repr(value)
    raise Open311Error(400, _("%(name)s harus berupa teks.") % {"name": key})


BODY_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "application/json")


def _params(request: HttpRequest) -> dict:
    """The POST fields, from a form or a JSON object. Any other body type (text/json, text/plain) is
    refused with 415 naming the types read: it was read as an empty form ("api_key missing")."""
    if request.content_type and request.content_type not in BODY_TYPES:
        raise Open311Error(
            415,
            _("Jenis isi %(type)s tidak dibaca; kirim sebagai %(types)s.")
            % {"type": request.content_type[:60], "types": ", ".join(BODY_TYPES)},
        )
    if request.content_type == "application/json":
        try:
            data = json_loads_strict(request.body or b"{}")  # depth, lone surrogates in keys too
        except (ValueError, UnicodeDecodeError):
            raise Open311Error(400, _("Badan permintaan bukan JSON yang sah.")) from None
        if not isinstance(data, dict):
            raise Open311Error(400, _("Badan permintaan harus objek JSON."))
        return {str(k): _scalar(str(k), v) for k, v in data.items()}
    try:
        params = {k: request.POST.get(k, "") for k in request.POST}
    except UnicodeDecodeError:
        raise Open311Error(400, _("Badan permintaan bukan UTF-8 yang sah.")) from None
    if not _form_is_text(request, params):
        raise Open311Error(400, _("Badan permintaan bukan UTF-8 yang sah."))
    return params


def _form_is_text(request: HttpRequest, params: dict) -> bool:
    """Whether a form body is UTF-8 text. Django does not check: raw bytes that are not UTF-8 it
    reads as Latin-1 ("ÿþ"), percent-escapes that are not (``%FF``) as U+FFFD, and such a report
    was stored garbled. A multipart part it decodes with replacement: a value holding U+FFFD is
    taken as one that was not text."""
    if request.content_type == "application/x-www-form-urlencoded":  # UTF-8 only (Django refuses a charset)
        try:
            parse_qsl(request.body.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            return False
        return True
    return not any("\ufffd" in key or "\ufffd" in value for key, value in params.items())


def _float(params: dict, name: str) -> float | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    if not NUMBER_RE.fullmatch(value):  # float() also takes "1_0", "nan" and "inf"
        raise Open311Error(400, _("%(name)s harus berupa angka.") % {"name": name})
    return float(value)


FLAG_TRUE, FLAG_FALSE = ("true", "1", "yes", "ya"), ("", "false", "0", "no", "tidak")


def _flag(params: dict, name: str) -> bool:
    """A yes/no attribute (the definition lists ``true`` and ``false``). Any other value is refused:
    "on" (an HTML checkbox) or "y" was read as no, and a citizen asking for anonymity was shown."""
    value = params.get(f"attribute[{name}]", "").strip().lower()
    if value not in FLAG_TRUE + FLAG_FALSE:
        raise Open311Error(400, _("attribute[%(name)s] harus true atau false.") % {"name": name})
    return value in FLAG_TRUE


def _title(params: dict, description: str, topic: Topic) -> str:
    title = params.get("attribute[title]", "").strip()
    if title:
        return title
    first = description.strip().splitlines()[0] if description.strip() else topic.name
    return first if len(first) <= 120 else first[:119].rstrip() + "…"


def submission_from(params: dict, topic: Topic) -> services.Submission:
    lat, lon = _float(params, "lat"), _float(params, "long")
    address = (params.get("address_string") or params.get("address_id") or "").strip()
    if lat is None and lon is None and not address:
        raise Open311Error(400, _("Lokasi wajib: lat dan long, address_string, atau address_id."))
    description = params.get("description", "").strip()
    if not description:
        raise Open311Error(400, _("description wajib diisi."))
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(400, _("description paling banyak %(max)d karakter.") % {"max": DESCRIPTION_MAX})
    incident = params.get("attribute[incident_date]", "").strip()
    name = " ".join(p for p in (params.get("first_name", "").strip(), params.get("last_name", "").strip()) if p)
    return services.Submission(
        title=_title(params, description, topic),
        body=description,
        topic_id=topic.pk,
        type=params.get("attribute[type]", "").strip() or ReportType.COMPLAINT,
        region_code=params.get("attribute[region_code]", "").strip() or None,
        latitude=lat,
        longitude=lon,
        address=address[:300],
        channel=Channel.OPEN311,
        incident_date=_when(incident, "incident_date").date() if incident else None,
        is_anonymous=_flag(params, "is_anonymous"),
        is_confidential=_flag(params, "is_confidential"),
        guest_name=name,
        guest_email=params.get("email", "").strip(),
        guest_phone=params.get("phone", "").strip(),
    )


def request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    """The api_key is a lapor ApiToken. With the citizen's e-mail or phone the report is filed as
    theirs (a guest report); without, the key's owner is the reporter of record."""
    params = _params(request)
    user = api_token_authenticate(params.get("api_key", "").strip()) if params.get("api_key") else None
    if user is None:
        raise Open311Error(403, _("api_key tidak ada atau tidak berlaku."))
    topic = Topic.objects.filter(slug=params.get("service_code", "").strip(), is_active=True).first()
    if topic is None:
        raise Open311Error(400, _("service_code tidak ada atau tidak dikenal."))
    submission = submission_from(params, topic)
    as_guest = bool(submission.guest_email or submission.guest_phone)
    hashed = {k: v for k, v in sorted(params.items()) if k != "api_key"}
    result = services.report_submit_once(
        submission=submission,
        reporter=None if as_guest else user,
        owner=f"open311:{user.pk}",
        key=request.headers.get("Idempotency-Key", ""),
        request_hash=services.idempotency_hash(hashed),
    )
    tracking_id = result.report.tracking_id
    notice = _("Laporan diterima. Simpan nomor pelacakan %(id)s.") % {"id": tracking_id}
    return render(
        fmt,
        "service_requests",
        "request",
        [{"service_request_id": tracking_id, "token": tracking_id, "service_notice": notice, "account_id": None}],
        status=200 if result.replayed else 201,
    )
