"""Helpers of the canary crawl (test_canary_crawl.py): the canaries, files that carry them in their
metadata, text extraction from every format a surface answers in, the enumeration of every URL
pattern and API operation, and the ledger of findings.

A canary is a string that exists in exactly one place: what a reporter typed or what their account
holds. Finding it in an answer proves that answer carries that data; the rules say who may see it.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

# --- The canaries ---------------------------------------------------------------------------------

# Identity A: the anonymous whistle-blower. Every word is unusual, so a hit is never a coincidence.
A_NAME = "Zubaidah Kanarimurni"
A_NIK = "3174099912850007"
A_PHONE_08, A_PHONE_PLUS, A_PHONE_62 = "081299887766", "+6281299887766", "6281299887766"
A_EMAIL = "zk.pelapor7731@kanari-surel.example"
A_ADDRESS = "Gang Kenarimas Nomor 13, RT 04 RW 09"
A_HANDLE = "zubaidah_kanarimurni"
# Found in any of those forms (a phone is found in all three spellings through its common part).
A_IDENTITY = {
    "name:Zubaidah": "Zubaidah",
    "name:Kanarimurni": "Kanarimurni",
    "nik": A_NIK,
    "phone": "81299887766",
    "email": "pelapor7731",
    "handle": A_HANDLE,
}
A_ADDRESS_CANARY = {"address": "Kenarimas"}
# Identity A2: a second anonymous reporter whose surname is also a word of the region's name
# ("Padang Panjang"): masking the name must not mask that word of the place (issue 14 item 8).
A2_NAME = "Kanarisari Panjang"
A2_IDENTITY = {"name:Kanarisari": "Kanarisari"}
PLACE_MASKED = {"place-name-masked": "Padang [nama disamarkan]"}
# The confidential report of A (also anonymous), by word; and B's own, named but confidential report.
A_CONFIDENTIAL = {"confidential:Xerokanari": "Xerokanari"}
B_NAME = "Marsinah Rahasiawati"
B_EMAIL = "marsinah.rhs5520@kanari-surel.example"
B_CONFIDENTIAL = {
    "confidential:Yakokanari": "Yakokanari",
    "confidential-reporter:Rahasiawati": "Rahasiawati",
    "confidential-reporter:email": "rhs5520",
}

# Identity C: a citizen with a named, public report: the agency handling it sees her; the public,
# other citizens and staff outside its scope never do.
C_NAME = "Suryani Kanaripublika"
C_EMAIL = "suryani.kp8841@kanari-surel.example"
C_NAMED = {"named-reporter:Kanaripublika": "Kanaripublika", "named-reporter:email": "kp8841"}

A_BODY = (
    f"Saya {A_NAME}, NIK {A_NIK}, HP {A_PHONE_08} atau {A_PHONE_PLUS} (WA {A_PHONE_62}), e-mail {A_EMAIL}, "
    f"tinggal di {A_ADDRESS}. Petugas kecamatan meminta uang Rp 500.000 untuk surat pindah."
)


def _photo_jpeg() -> bytes:
    """A JPEG whose EXIF (artist, description, XP author), XMP packet and comment marker hold A's name."""
    from PIL import Image

    img = Image.new("RGB", (24, 24), (200, 40, 40))
    exif = Image.Exif()
    exif[0x013B] = A_NAME  # Artist
    exif[0x010E] = f"Foto oleh {A_NAME}"  # ImageDescription
    exif[0x9C9D] = A_NAME.encode("utf-16-le") + b"\x00\x00"  # XPAuthor
    xmp = (
        f'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="{A_NAME}"/></rdf:RDF></x:xmpmeta>'
        f'<?xpacket end="w"?>'
    ).encode()
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif, comment=f"Dikirim oleh {A_NAME}".encode(), xmp=xmp)
    return out.getvalue()


def _pdf() -> bytes:
    """A one-page PDF whose document information names A as the author."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        f"<< /Author ({A_NAME}) /Title (Bukti pungli) >>".encode(),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _docx() -> bytes:
    """A minimal DOCX whose core properties name A as the creator."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Bukti</w:t></w:r></w:p></w:body></w:document>',
        )
        z.writestr(
            "docProps/core.xml",
            '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.'
            'openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator>{A_NAME}</dc:creator></cp:coreProperties>",
        )
    return out.getvalue()


PHOTO = _photo_jpeg()
PDF = _pdf()
DOCX = _docx()


# --- Text out of any answer -------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    parts = [data.decode("latin-1")]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)).decode("latin-1"))
        except zlib.error:
            pass
    text = "\n".join(parts)
    # Strings in PDF text operators may be hex or escaped; literal strings keep their letters.
    return text


def text_of(data: bytes, content_type: str = "") -> str:
    """Every readable text of an answer: zip members (XLSX, DOCX), gzip (open data), PDF streams,
    and the raw bytes both as UTF-8 and UTF-16 (EXIF XP tags)."""
    if not data:
        return ""
    parts: list[str] = []
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except OSError:
            pass
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for name in z.namelist():
                    parts.append(name)
                    parts.append(z.read(name).decode("utf-8", "replace"))
        except zipfile.BadZipFile:
            pass
    if data[:5] == b"%PDF-":
        parts.append(_pdf_text(data))
    parts.append(data.decode("utf-8", "replace"))
    if b"\x00" in data:
        parts.append(data.decode("utf-16-le", "replace"))
        parts.append(data[1:].decode("utf-16-le", "replace"))
    text = "\n".join(parts)
    # JSON escapes non-ASCII and some punctuation; undo the common ones so "\u0040" is still "@".
    return text.replace("\\u0040", "@").replace("\\/", "/")


def response_text(res) -> str:
    if getattr(res, "streaming", False):
        data = b"".join(res.streaming_content)
    else:
        data = res.content
    return text_of(data, res.get("Content-Type", ""))


def strip_echo(text: str, query: str) -> str:
    """The page without the viewer's own query in it (search box, pagination and language links)."""
    import html
    from urllib.parse import quote, quote_plus

    for form in {query, html.escape(query), quote(query), quote_plus(query), quote(query, safe=""), json_escape(query)}:
        if form:
            text = text.replace(form, "")
    return text


def json_escape(value: str) -> str:
    import json

    return json.dumps(value)[1:-1]


def hits(text: str, canaries: dict[str, str]) -> list[str]:
    low = text.lower()
    return [label for label, value in canaries.items() if value.lower() in low]


# --- The ledger -------------------------------------------------------------------------------------


@dataclass
class Ledger:
    """Findings per (role, surface, canary), with one example URL each, and the coverage."""

    leaks: dict[tuple[str, str, str], str] = field(default_factory=dict)
    requests: int = 0
    statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    crawled_patterns: set[str] = field(default_factory=set)
    crawled_operations: set[str] = field(default_factory=set)
    errors: dict[tuple[str, str], str] = field(default_factory=dict)
    per_surface: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def check(self, role: str, surface: str, text: str, forbidden: dict[str, str], where: str = "") -> list[str]:
        found = hits(text, forbidden)
        for label in found:
            self.leaks.setdefault((role, surface, label), where or surface)
        return found

    def report(self, doors: dict[str, str] | None = None) -> str:
        if not self.leaks and not self.errors:
            return ""
        doors = doors or {}

        def label(where: str) -> str:  # name the door of each tracking id in the example
            return re.sub(
                r"[0-9A-Z]{4}-[0-9A-Z]{4}",
                lambda m: f"{m.group(0)}[{doors[m.group(0)]}]" if m.group(0) in doors else m.group(0),
                where,
            )

        lines = [
            f"{len(self.leaks)} leak(s) by (role, surface, canary) in {self.requests} requests "
            f"(per surface: the roles that saw the same canaries, the canaries, one example):"
        ]
        per_role: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for (role, surface, canary), where in sorted(self.leaks.items()):
            per_role[surface][role].append((canary, where))
        for surface in sorted(per_role):
            lines.append(f"  {surface}")
            groups: dict[tuple, list[str]] = defaultdict(list)
            examples: dict[tuple, dict[str, list[str]]] = {}
            for role, found in per_role[surface].items():
                key = tuple(c for c, _ in found)
                groups[key].append(role)
                if key not in examples:  # one example per distinct URL, with the canaries seen there
                    examples[key] = defaultdict(list)
                    for canary, where in found:
                        examples[key][where].append(canary)
            for key, roles in sorted(groups.items(), key=lambda kv: kv[1]):
                shown = "; ".join(
                    f"{label(where)} ({', '.join(c)})" if len(examples[key]) > 1 else label(where)
                    for where, c in list(examples[key].items())[:4]
                )
                lines.append(f"    {', '.join(sorted(roles))}: {', '.join(key)}  e.g. {shown}")
        if self.errors:
            lines.append(f"{len(self.errors)} server error(s) (5xx) during the crawl:")
            for (role, surface), where in sorted(self.errors.items()):
                lines.append(f"    {role:<14} {surface}  e.g. {where}")
        return "\n".join(lines)


# --- Enumeration ------------------------------------------------------------------------------------


@dataclass
class UrlPattern:
    route: str  # as written, the prefixes joined (e.g. "lacak/<str:tracking_id>/")
    params: list[str]
    is_regex: bool
    callback: object
    name: str


_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


def url_patterns() -> list[UrlPattern]:
    """Every URL pattern of the site, flattened from the resolver (includes, admin, the API)."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.resolvers import RegexPattern

    out: list[UrlPattern] = []

    def walk(patterns, prefix: str, regex: bool):
        for p in patterns:
            piece = str(p.pattern)
            is_regex = regex or isinstance(p.pattern, RegexPattern)
            if is_regex and not isinstance(p.pattern, RegexPattern):
                piece = re.escape(piece)  # unlikely: a route below a regex include
            if isinstance(p.pattern, RegexPattern):
                piece = piece.lstrip("^").rstrip("$") if piece != "^" else ""
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + piece, is_regex)
            elif isinstance(p, URLPattern):
                route = prefix + piece
                names = [m.group("name") for m in _ROUTE_PARAM.finditer(route)] + [
                    m.group("name") for m in _REGEX_GROUP.finditer(route)
                ]
                out.append(UrlPattern(route, names, is_regex, p.callback, p.name or ""))

    walk(get_resolver().url_patterns, "", False)
    return out


def url_fill(pattern: UrlPattern, values: dict[str, str]) -> str:
    """The concrete path of a pattern with its parameters filled in."""
    route = pattern.route
    route = _ROUTE_PARAM.sub(lambda m: str(values[m.group("name")]), route)
    route = _REGEX_GROUP.sub(lambda m: str(values[m.group("name")]), route)
    if pattern.is_regex:
        route = route.replace("\\.", ".").replace("\\-", "-").replace("\\/", "/")
    return "/" + route


def regex_alternatives(pattern: UrlPattern, name: str) -> list[str]:
    for m in _REGEX_GROUP.finditer(pattern.route):
        if m.group("name") == name and re.fullmatch(r"[\w|]+", m.group("body")):
            return m.group("body").split("|")
    return []


def api_route_key(route: str) -> str:
    """'api/reports/<tracking_id>' (Ninja's resolver form) -> '/api/reports/{tracking_id}' (schema form)."""
    return "/" + _ROUTE_PARAM.sub(lambda m: "{" + m.group("name") + "}", route)


def schema_resolve(schema: dict, node):
    if isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"].split("/")[-1]
        return schema_resolve(schema, schema["components"]["schemas"][ref])
    return node


def body_for(schema: dict, op: dict, values: dict) -> tuple[str, dict] | None:
    """A request body for an operation, each property filled from ``values`` by name, else by type."""
    content = (op.get("requestBody") or {}).get("content") or {}
    if not content:
        return None
    kind = "application/json" if "application/json" in content else next(iter(content))
    body_schema = schema_resolve(schema, content[kind].get("schema") or {})
    props = body_schema.get("properties") or {}
    if kind.startswith("multipart"):
        out = {}
        for name, prop in props.items():
            prop = schema_resolve(schema, prop)
            if name in values:
                out[name] = values[name]
            if name == "payload" and prop.get("properties"):
                import json

                out[name] = json.dumps({k: values.get(k, _by_type(schema, v)) for k, v in prop["properties"].items()})
        return kind, out
    out = {}
    for name, prop in props.items():
        out[name] = values[name] if name in values else _by_type(schema, prop)
    return kind, out


def _by_type(schema: dict, prop: dict):
    prop = schema_resolve(schema, prop)
    if "default" in prop:
        return prop["default"]
    if "anyOf" in prop:
        options = [schema_resolve(schema, o) for o in prop["anyOf"]]
        if any(o.get("type") == "null" for o in options):
            return None  # optional: left out, as a careful client would
        return _by_type(schema, options[0])
    kind = prop.get("type")
    return {"string": "Uji kanari", "integer": 1, "number": 0, "boolean": False, "array": [], "object": {}}.get(kind)
