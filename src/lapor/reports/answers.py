"""Answers that answer: a follow-up is rated before it is sent.

One of the source articles asks agencies to answer complaints satisfyingly, "not just to answer".
``answer_check`` flags a follow-up that is very short, is a boilerplate text the agency sends to
many reports, names no concrete action, date, place or contact, or does not address what the
report says. The liaison sees the flags and their reasons and may still send: the check advises,
it never blocks. The flags are recorded on the follow-up's event, so analytics can show whether
flagged answers really get worse ratings and more reopens (``analytics/answers.py``).

The rules are plain word lists and counts, readable by the officials they judge; their precision
on a hand-labelled set and on the demo data is in ``docs/answer-quality.md``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

SHORT = "short"
BOILERPLATE = "boilerplate"
NOT_CONCRETE = "not_concrete"
OFF_TOPIC = "off_topic"
FLAGS_ALL = (SHORT, BOILERPLATE, NOT_CONCRETE, OFF_TOPIC)

REASONS = {
    SHORT: _("Jawaban sangat singkat. Jelaskan apa yang sudah atau akan dilakukan, kapan, dan di mana."),
    BOILERPLATE: _("Teks ini sudah dikirim hampir sama persis ke banyak laporan lain. "
                   "Sesuaikan dengan laporan ini."),
    NOT_CONCRETE: _("Jawaban tidak menyebut tindakan nyata, tanggal, tempat, atau kontak yang dapat dihubungi."),
    OFF_TOPIC: _("Jawaban tidak menyinggung hal yang dilaporkan. Sebutkan masalah yang diadukan pelapor."),
}

LABELS = {
    SHORT: _("Terlalu singkat"),
    BOILERPLATE: _("Teks seragam"),
    NOT_CONCRETE: _("Tanpa tindakan nyata"),
    OFF_TOPIC: _("Tidak menjawab laporan"),
}


def answer_reasons() -> list[dict]:
    """Each flag with its short label and the reason shown to the liaison (for pages and docs)."""
    return [{"code": code, "label": str(LABELS[code]), "reason": str(REASONS[code])} for code in FLAGS_ALL]


MIN_WORDS = 15
SHINGLE = 3  # words per shingle for near-duplicate detection
SIMILAR = 0.6  # Jaccard similarity of shingles above which two answers are "the same text"
RECENT_ANSWERS = 400  # how many of the agency's latest follow-ups the boilerplate check reads

WORD_RE = re.compile(r"[a-z0-9]+")
TRACKING_RE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b")

# Promises without content: "akan ditindaklanjuti", "sedang diproses", "sudah kami teruskan".
VAGUE_ROOTS = {
    "tindaklanjut", "tindak", "lanjut", "proses", "terus", "koordinasi", "perhati", "tampung", "pelajar",
    "kaji", "terima", "catat", "sampai", "informasi", "mohon", "harap", "upaya", "usaha",
}
# Roots of concrete work in public services (done, scheduled or refused with a reason).
ACTION_ROOTS = {
    "perbaik", "baik", "ganti", "bersih", "angkut", "tambal", "pasang", "tinjau", "periksa", "cek", "survei",
    "tertib", "salur", "cair", "bangun", "keruk", "potong", "tebang", "tutup", "buka", "segel", "tegur",
    "sanksi", "denda", "kirim", "jadwal", "terbit", "kembali", "bayar", "ukur", "uji", "rapi", "cat",
    "normalisasi", "lebar", "aspal", "cor", "semprot", "fogging", "evakuasi", "bongkar", "angkat", "sedot",
    "operasi", "patroli", "razia", "aktif", "pulih", "sambung", "tanam", "rawat", "pindah", "ubah",
    "verifikasi", "validasi", "tolak", "setuju", "hapus", "kunjung", "datang", "temu", "undang", "panggil",
    "audit", "selidik", "blokir", "batal", "cabut", "tarik", "kuras", "ambil", "antar", "pangkas", "tegas",
}
DATE_RE = re.compile(
    r"\b(senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu depan|besok|lusa|hari ini|pekan depan|bulan depan"
    r"|kemarin|tadi|pagi ini|siang ini|sore ini|malam ini"
    r"|januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember"
    r"|tanggal|pukul|jam \d|triwulan|\d{1,2}[/.-]\d{1,2}([/.-]\d{2,4})?|\d+\s+hari(\s+kerja)?)\b", re.I)
# A named place: "Jalan Sudirman", "Gang Mawar", "RT 03", "Kelurahan Bukit Surungan" (not "lampu jalan").
PLACE_RE = re.compile(
    r"\b(?i:jalan|jl\.?|gang|gg\.?|rt|rw|kelurahan|kecamatan|desa|dusun|kampung|perumahan|blok|pasar|terminal"
    r"|puskesmas|sekolah|kantor|taman|lantai)\s+(?:[A-Z][\w'-]+|\d+)")
CONTACT_RE = re.compile(
    r"(\b(hubungi|telepon|telp|tel|wa|whatsapp|email|surel|loket|call center|pengaduan@|datang ke)\b"
    r"|\b0\d{2,4}[\s.-]?\d{3,}|\+62|\S+@\S+\.\w+|https?://|www\.)", re.I)

STOPWORDS = set("""
ada adalah agar akan aku anda apa atas atau bagi bahwa baik bapak belum bila bisa boleh dalam dan dari
dengan di dia hal harus hari ibu ini itu jadi jika juga kami kamu karena ke kepada ketika kita lagi lalu
lebih maka mana masih mereka mohon namun oleh pada para saat saja sampai sangat saudara saya sebagai
sedang sejak sekarang seperti sesuai setelah sudah supaya tahun tapi telah tentang terhadap terima kasih
tersebut tetapi untuk yang yth warga laporan lapor pelapor kembali silakan tanggapi masalah kendala
informasi atas nya pak bu sdr hormat dengan selamat pagi siang sore malam
""".split())
PREFIXES = ("meng", "meny", "mem", "men", "me", "peng", "peny", "pem", "pen", "pe", "ber", "ter", "di", "ke", "se")
SUFFIXES = ("nya", "kan", "lah", "kah", "an", "i")


@dataclass(frozen=True)
class AnswerCheck:
    flags: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.flags

    @property
    def reasons(self) -> list[dict]:
        return [{"code": flag, "reason": str(REASONS[flag])} for flag in self.flags]


def stem(word: str) -> str:
    """A crude Indonesian stem: one prefix and one suffix off, enough to match "diperbaiki" with
    "perbaikan" and "lampu" with "lampunya"."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    for prefix in PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            word = word[len(prefix):]
            break
    return word


def words(text: str) -> list[str]:
    return WORD_RE.findall((text or "").lower())


def content_stems(text: str) -> set[str]:
    return {stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 2 and not w.isdigit()}


def normalised(text: str) -> str:
    """The answer as a template: tracking numbers and digits stripped, so "Laporan ABCD-1234 …
    tanggal 3" and "Laporan WXYZ-9876 … tanggal 5" are the same text."""
    return " ".join(re.sub(r"\d+", "0", w) for w in words(TRACKING_RE.sub(" ", text or "")))


def shingles(text: str) -> set[tuple[str, ...]]:
    ws = normalised(text).split()
    if len(ws) < SHINGLE:
        return {tuple(ws)} if ws else set()
    return {tuple(ws[i:i + SHINGLE]) for i in range(len(ws) - SHINGLE + 1)}


def similar(a: set, b: set) -> bool:
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= SIMILAR


def is_concrete(body: str, places: tuple[str, ...] = ()) -> bool:
    if DATE_RE.search(body) or PLACE_RE.search(body) or CONTACT_RE.search(body):
        return True
    lowered = body.lower()
    if any(name and name.lower() in lowered for name in places):
        return True
    return any(action_root(w) for w in words(body))


VERB_PREFIXES = ("meng", "meny", "mem", "men", "me", "di", "ter")
VERB_SUFFIXES = ("kan", "i", "nya", "")


def action_root(word: str) -> str | None:
    """The root of a verb of concrete work ("diperbaiki", "mengganti", "dijadwalkan", "ditambal"),
    or None. Nouns ("kebersihan", "penambalan") do not count: the answer must say what was done."""
    for prefix in VERB_PREFIXES:
        if not word.startswith(prefix):
            continue
        rest = word[len(prefix):]
        for suffix in VERB_SUFFIXES:
            root = rest[: len(rest) - len(suffix)] if suffix and rest.endswith(suffix) else rest
            if suffix and not rest.endswith(suffix):
                continue
            # me- swallows the root's first consonant: menambal (tambal), memasang (pasang), menyapu (sapu)
            for candidate in (root, "t" + root, "p" + root, "k" + root, "s" + root):
                if candidate in ACTION_ROOTS:
                    return candidate
    return None


def addresses_report(body: str, report_text: str) -> bool:
    """The answer shares at least one content word (by stem) with the report's title, body or
    topic, or is about a report whose text says too little to tell."""
    report_stems = content_stems(report_text)
    if len(report_stems) < 3:
        return True
    answer_stems = content_stems(body) - {stem(v) for v in VAGUE_ROOTS}
    return bool(answer_stems & report_stems)


def boilerplate_count(body: str, earlier: list[str]) -> int:
    """How many earlier answers (each from a different report) are near copies of this one."""
    mine = shingles(body)
    return sum(1 for text in earlier if similar(mine, shingles(text)))


def answer_rate(*, body: str, report_text: str, earlier: list[str], places: tuple[str, ...] = ()) -> AnswerCheck:
    """The rules, on plain values (no database): ``answer_check`` gathers the values."""
    flags = []
    if len(words(body)) < MIN_WORDS:
        flags.append(SHORT)
    if boilerplate_count(body, earlier) >= settings.LAPOR_ANSWER_BOILERPLATE_MIN:
        flags.append(BOILERPLATE)
    if not is_concrete(body, places):
        flags.append(NOT_CONCRETE)
    if not addresses_report(body, report_text):
        flags.append(OFF_TOPIC)
    return AnswerCheck(flags=tuple(flags))


def answer_check(*, report, body: str) -> AnswerCheck:
    """Rate a follow-up for ``report`` before it is sent (and again as it is recorded)."""
    from .projection import lens_agency
    from .selectors import agency_recent_answers, report_place_names

    lens = lens_agency(report)
    topic = report.topic.name if report.topic_id else ""
    report_text = " ".join([lens.title, lens.body, topic])
    earlier = agency_recent_answers(agency=report.agency, exclude_report=report, limit=RECENT_ANSWERS)
    return answer_rate(body=body, report_text=report_text, earlier=earlier, places=report_place_names(report))


def answer_flags_backfill(*, stdout=None) -> int:
    """Rate the follow-ups sent without a rating (before the checker existed, or written by the
    demo's generator), oldest first, each against the agency's answers before it, as
    ``report_follow_up`` would have. Adds an ``AnswerRating`` per answer; touches nothing else.
    Returns how many were rated."""
    from collections import deque

    from django.db import transaction

    from .models import AnswerRating, Message, Report
    from .projection import lens_agency
    from .selectors import report_place_names

    pending = set(Message.objects.filter(kind=Message.Kind.FOLLOW_UP, answer_rating__isnull=True)
                  .values_list("pk", flat=True))
    if not pending:
        return 0
    siblings: dict[int, set[int]] = {}  # report -> the reports clustered with it (one problem, one answer)
    by_cluster: dict[int, set[int]] = {}
    for report_id, cluster_id in Report.clusters.through.objects.values_list("report_id", "cluster_id"):
        by_cluster.setdefault(cluster_id, set()).add(report_id)
    for members in by_cluster.values():
        for report_id in members:
            siblings.setdefault(report_id, set()).update(members)
    history: dict[int, deque] = {}
    rows = (Message.objects.filter(kind=Message.Kind.FOLLOW_UP).order_by("created_at", "pk")
            .values_list("pk", "report_id", "agency_id", "body", "created_at").iterator(chunk_size=2000))
    todo = []
    for pk, report_id, agency_id, body, created_at in rows:
        earlier = history.setdefault(agency_id, deque(maxlen=RECENT_ANSWERS))
        if pk in pending:
            todo.append((pk, report_id, body, created_at, _latest_per_report(earlier, besides={report_id} | siblings.get(report_id, set()))))
        earlier.appendleft((report_id, body))
    reports = Report.objects.select_related("topic").in_bulk({t[1] for t in todo})
    ratings = []
    for pk, report_id, body, created_at, earlier in todo:
        report = reports[report_id]
        lens = lens_agency(report)
        text = " ".join([lens.title, lens.body, report.topic.name if report.topic_id else ""])
        check = answer_rate(body=body, report_text=text, earlier=earlier, places=report_place_names(report))
        ratings.append(AnswerRating(message_id=pk, flags=list(check.flags), flagged=bool(check.flags),
                                    created_at=created_at))
    with transaction.atomic():
        AnswerRating.objects.bulk_create(ratings, batch_size=1000, ignore_conflicts=True)
    if stdout is not None:
        stdout.write(f"Answers rated: {len(ratings)}")
    return len(ratings)


def _latest_per_report(earlier, *, besides: set[int]) -> list[str]:
    """The agency's earlier answers as ``selectors.agency_recent_answers`` gives them: newest first,
    one per report, the report being answered (and its cluster) left out."""
    seen, texts = set(besides), []
    for report_id, body in earlier:
        if report_id not in seen:
            seen.add(report_id)
            texts.append(body)
    return texts
