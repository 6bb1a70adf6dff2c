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
from collections import Counter, deque
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import AnswerRating, Message, Report
from .projection import lens_agency
from .selectors import agency_recent_answers, recent_answers, report_place_names

SHORT = "short"
BOILERPLATE = "boilerplate"
NOT_CONCRETE = "not_concrete"
OFF_TOPIC = "off_topic"
FLAGS_ALL = (SHORT, BOILERPLATE, NOT_CONCRETE, OFF_TOPIC)

REASONS = {
    SHORT: _("Jawaban sangat singkat. Jelaskan apa yang sudah atau akan dilakukan, kapan, dan di mana."),
    BOILERPLATE: _("Teks ini sudah dikirim hampir sama persis ke banyak laporan lain. Sesuaikan dengan laporan ini."),
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


MIN_WORDS = 10
SHINGLE = 3  # words per shingle for near-duplicate detection
SIMILAR = 0.6  # Jaccard similarity of shingles above which two answers are "the same text"
TOPIC_ANSWERS = 300  # answers on a topic read for its vocabulary
ALL_ANSWERS = 1500  # answers overall read for the comparison
RECENT_ANSWERS = 400  # how many of the agency's latest follow-ups the boilerplate check reads

WORD_RE = re.compile(r"[a-z0-9]+")
TRACKING_RE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b")

# Verbs of promises without content: "akan ditindaklanjuti", "sedang diproses", "sudah kami teruskan",
# "menjadi perhatian", "kami pantau". Any other verb a government actor did or will do counts as an
# action ("ditambal", "mengganti", "diberi peringatan", "dijelaskan"), unless it only repeats the
# report's own words ("air tidak mengalir").
VAGUE_ROOTS = {
    "tindaklanjut",
    "tindak",
    "lanjut",
    "proses",
    "terus",
    "koordinasi",
    "perhati",
    "tampung",
    "pelajar",
    "ajar",
    "kaji",
    "terima",
    "catat",
    "sampai",
    "informasi",
    "informasikan",
    "mohon",
    "harap",
    "upaya",
    "usaha",
    "jadi",
    "pantau",
    "tunggu",
    "ucap",
    "lapor",
    "maksud",
    "kena",
    "tanggap",
    "dukung",
    "apresiasi",
    "harga",
    "ingat",
    "alam",
    "sebab",
    "ikut",
    "lihat",
    "dengar",
    "baca",
    "tahu",
    "rasa",
    "buat",
    "akan",
    "hadap",
    "hubungkan",
}
DATE_RE = re.compile(
    r"\b(senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu depan|besok|lusa|hari ini|pekan depan|bulan depan"
    r"|kemarin|tadi|pagi ini|siang ini|sore ini|malam ini|minggu ini|pekan ini|bulan ini|tahun ini"
    r"|januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember"
    r"|tanggal|pukul|jam \d|triwulan|\d{1,2}[/.-]\d{1,2}([/.-]\d{2,4})?|\d+\s+hari(\s+kerja)?)\b",
    re.I,
)
# A named place: "Jalan Sudirman", "Gang Mawar", "RT 03", "Kelurahan Bukit Surungan" (not "lampu jalan").
PLACE_RE = re.compile(
    r"\b(?i:jalan|jl\.?|gang|gg\.?|rt|rw|kelurahan|kecamatan|desa|dusun|kampung|perumahan|blok|pasar|terminal"
    r"|puskesmas|sekolah|kantor|taman|lantai)\s+(?:[A-Z][\w'-]+|\d+)"
)
CONTACT_RE = re.compile(
    r"(\b(hubungi|telepon|telp|tel|wa|whatsapp|email|surel|loket|call center|pengaduan@|datang ke)\b"
    r"|\b0\d{2,4}[\s.-]?\d{3,}|\+62|\S+@\S+\.\w+|https?://|www\.)",
    re.I,
)

STOPWORDS = set(
    """
ada adalah agar akan aku anda apa atas atau bagi bahwa baik bapak belum bila bisa boleh dalam dan dari
dengan di dia hal harus hari ibu ini itu jadi jika juga kami kamu karena ke kepada ketika kita lagi lalu
lebih maka mana masih mereka mohon namun oleh pada para saat saja sampai sangat saudara saya sebagai
sedang sejak sekarang seperti sesuai setelah sudah supaya tahun tapi telah tentang terhadap terima kasih
tersebut tetapi untuk yang yth warga laporan lapor pelapor kembali silakan tanggapi masalah kendala
informasi atas nya pak bu sdr hormat dengan selamat pagi siang sore malam
""".split()
)
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
            word = word[len(prefix) :]
            break
    return word


def words(text: str) -> list[str]:
    return WORD_RE.findall((text or "").lower())


@lru_cache(maxsize=8192)
def content_stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 2 and not w.isdigit())


def normalised(text: str) -> str:
    """The answer as a template: tracking numbers and digits stripped, so "Laporan ABCD-1234 …
    tanggal 3" and "Laporan WXYZ-9876 … tanggal 5" are the same text."""
    return " ".join(re.sub(r"\d+", "0", w) for w in words(TRACKING_RE.sub(" ", text or "")))


@lru_cache(maxsize=8192)
def shingles(text: str) -> frozenset[tuple[str, ...]]:
    ws = normalised(text).split()
    if len(ws) < SHINGLE:
        return frozenset({tuple(ws)}) if ws else frozenset()
    return frozenset(tuple(ws[i : i + SHINGLE]) for i in range(len(ws) - SHINGLE + 1))


def similar(a: frozenset, b: frozenset) -> bool:
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= SIMILAR


def is_concrete(body: str, places: tuple[str, ...] = (), report_text: str = "") -> bool:
    if DATE_RE.search(body) or PLACE_RE.search(body) or CONTACT_RE.search(body):
        return True
    lowered = body.lower()
    if any(name and name.lower() in lowered for name in places):
        return True
    restated = set(words(report_text))
    return any(w in ACTION_NOUNS or (w not in restated and action_root(w)) for w in words(body))


# Work named as a noun that is still concrete ("melakukan verifikasi lapangan", "fogging")
ACTION_NOUNS = {
    "verifikasi",
    "normalisasi",
    "fogging",
    "patroli",
    "razia",
    "survei",
    "audit",
    "sidak",
    "penertiban",
    "pengecekan",
    "peninjauan",
    "pemeriksaan",
    # outcomes that say the problem is gone ("stok blanko telah tersedia kembali")
    "tersedia",
    "terpasang",
    "tersambung",
    "terbit",
    "normal",
}
VERB_PREFIXES = ("meng", "meny", "mem", "men", "me", "di")
# words that look like verbs and are not actions: prepositions, copulas, "dimana"
NOT_VERBS = {
    "melalui",
    "mengenai",
    "menurut",
    "menuju",
    "merupakan",
    "memiliki",
    "mempunyai",
    "dimana",
    "disini",
    "disana",
    "memang",
    "mengingat",
    "menjelang",
    "menyangkut",
    "meskipun",
    "melainkan",
    "mendatang",
}
VERB_SUFFIXES = ("kan", "i", "")


def action_root(word: str) -> str | None:
    """The root of a verb of action ("diperbaiki", "mengganti", "dijadwalkan", "diberi"), or None for
    a noun ("kebersihan", "penambalan"), a vague verb ("ditindaklanjuti", "memantau") or a word too
    short to judge."""
    if len(word) < 5 or word in NOT_VERBS:
        return None
    for prefix in VERB_PREFIXES:
        if not word.startswith(prefix):
            continue
        rest = word[len(prefix) :]
        roots = [rest[: len(rest) - len(sfx)] if sfx else rest for sfx in VERB_SUFFIXES if rest.endswith(sfx)]
        # me- swallows the root's first consonant: menambal (tambal), memantau (pantau), menerima (terima)
        candidates = {c for r in roots for c in (r, "t" + r, "p" + r, "k" + r, "s" + r)}
        if candidates & VAGUE_ROOTS or any(c.startswith(("tindaklanjut", "koordinasi")) for c in candidates):
            return None
        return roots[-1] if len(roots[-1]) >= 3 else None
    return None


def addresses_report(body: str, report_text: str, topic_words: frozenset[str] = frozenset()) -> bool:
    """The answer shares at least one content word (by stem) with the report's title, body or topic
    name, or with the words answers on this topic typically use (``topic_vocabulary``: "trafo"
    answers "listrik padam"), or is about a report whose text says too little to tell."""
    report_stems = content_stems(report_text)
    if len(report_stems) < 3:
        return True
    answer_stems = content_stems(body) - {stem(v) for v in VAGUE_ROOTS}
    return bool(answer_stems & (report_stems | topic_words))


def topic_vocabulary(
    topic_texts: list[str], all_texts: list[str], *, min_docs: int = 3, lift: float = 3.0
) -> frozenset[str]:
    """The stems that mark answers on one topic: used by at least ``min_docs`` of its answers and at
    least ``lift`` times as often there as in answers overall ("trafo" for electricity, not
    "petugas")."""
    mine: Counter[str] = Counter()
    everyone: Counter[str] = Counter()
    for text in topic_texts:
        mine.update(content_stems(text))
    for text in all_texts:
        everyone.update(content_stems(text))
    n_mine, n_all = max(len(topic_texts), 1), max(len(all_texts), 1)
    return frozenset(w for w, n in mine.items() if n >= min_docs and n / n_mine >= lift * everyone[w] / n_all)


def boilerplate_count(body: str, earlier: list[str]) -> int:
    """How many earlier answers (each from a different report) are near copies of this one."""
    mine = shingles(body)
    return sum(1 for text in earlier if similar(mine, shingles(text)))


def answer_rate(
    *,
    body: str,
    report_text: str,
    earlier: list[str],
    places: tuple[str, ...] = (),
    topic_words: frozenset[str] = frozenset(),
) -> AnswerCheck:
    """The rules, on plain values (no database): ``answer_check`` gathers the values."""
    flags = []
    if len(words(body)) < MIN_WORDS:
        flags.append(SHORT)
    if boilerplate_count(body, earlier) >= settings.LAPOR_ANSWER_BOILERPLATE_MIN:
        flags.append(BOILERPLATE)
    if not is_concrete(body, places, report_text):
        flags.append(NOT_CONCRETE)
    if not addresses_report(body, report_text, topic_words):
        flags.append(OFF_TOPIC)
    return AnswerCheck(flags=tuple(flags))


def answer_check(*, report, body: str) -> AnswerCheck:
    """Rate a follow-up for ``report`` before it is sent (and again as it is recorded)."""
    lens = lens_agency(report)
    topic = report.topic.name if report.topic_id else ""
    report_text = " ".join([lens.title, lens.body, topic])
    earlier = agency_recent_answers(agency=report.agency, exclude_report=report, limit=RECENT_ANSWERS)
    return answer_rate(
        body=body,
        report_text=report_text,
        earlier=earlier,
        places=report_place_names(report),
        topic_words=topic_words_get(report.topic_id),
    )


def topic_words_get(topic_id: int | None) -> frozenset[str]:
    """``topic_vocabulary`` of the latest answers, kept in the shared cache for ten minutes."""
    if topic_id is None:
        return frozenset()
    key = f"answers:topic-words:{topic_id}"
    words_ = cache.get(key)
    if words_ is None:
        words_ = topic_vocabulary(
            recent_answers(topic_id=topic_id, limit=TOPIC_ANSWERS), recent_answers(limit=ALL_ANSWERS)
        )
        cache.set(key, words_, 600)
    return words_


def answer_flags_backfill(*, stdout=None) -> int:
    """Rate the follow-ups sent without a rating (before the checker existed, or written by the
    demo's generator), oldest first, each against the agency's answers before it, as
    ``report_follow_up`` would have. Adds an ``AnswerRating`` per answer; touches nothing else.
    Returns how many were rated."""
    pending = set(
        Message.objects.filter(kind=Message.Kind.FOLLOW_UP, answer_rating__isnull=True).values_list("pk", flat=True)
    )
    if not pending:
        return 0
    siblings: dict[int, set[int]] = {}  # report -> the reports clustered with it (one problem, one answer)
    by_cluster: dict[int, set[int]] = {}
    for report_id, cluster_id in Report.clusters.through.objects.values_list("report_id", "cluster_id"):
        by_cluster.setdefault(cluster_id, set()).add(report_id)
    for members in by_cluster.values():
        for report_id in members:
            siblings.setdefault(report_id, set()).update(members)
    history: dict[int | None, deque] = {}
    rows = (
        Message.objects.filter(kind=Message.Kind.FOLLOW_UP)
        .order_by("created_at", "pk")
        .values_list("pk", "report_id", "agency_id", "body", "created_at")
        .iterator(chunk_size=2000)
    )
    todo = []
    for pk, report_id, agency_id, body, created_at in rows:
        earlier = history.setdefault(agency_id, deque(maxlen=RECENT_ANSWERS))
        if pk in pending:
            todo.append(
                (
                    pk,
                    report_id,
                    body,
                    created_at,
                    _latest_per_report(earlier, besides={report_id} | siblings.get(report_id, set())),
                )
            )
        earlier.appendleft((report_id, body))
    reports = Report.objects.select_related("topic").in_bulk({t[1] for t in todo})
    vocabulary = _vocabulary_all()
    ratings = []
    for pk, report_id, body, created_at, answers in todo:
        report = reports[report_id]
        lens = lens_agency(report)
        topic = report.topic.name if report.topic is not None else ""
        check = answer_rate(
            body=body,
            report_text=" ".join([lens.title, lens.body, topic]),
            earlier=answers,
            places=report_place_names(report),
            topic_words=vocabulary.get(report.topic_id or 0, frozenset()),
        )
        ratings.append(
            AnswerRating(message_id=pk, flags=list(check.flags), flagged=bool(check.flags), created_at=created_at)
        )
    with transaction.atomic():
        AnswerRating.objects.bulk_create(ratings, batch_size=1000, ignore_conflicts=True)
    if stdout is not None:
        stdout.write(f"Answers rated: {len(ratings)}\n")  # a plain stream adds no line end of its own
    return len(ratings)


def _vocabulary_all() -> dict[int, frozenset[str]]:
    """Each topic's answer vocabulary from its latest answers, as ``topic_words_get`` reads it now
    (the backfill uses today's vocabulary for older answers too)."""
    overall = recent_answers(limit=ALL_ANSWERS)

    topics = (
        Message.objects.filter(kind=Message.Kind.FOLLOW_UP, report__topic__isnull=False)
        .values_list("report__topic_id", flat=True)
        .distinct()
    )
    return {t: topic_vocabulary(recent_answers(topic_id=t, limit=TOPIC_ANSWERS), overall) for t in topics}


def _latest_per_report(earlier, *, besides: set[int]) -> list[str]:
    """The agency's earlier answers as ``selectors.agency_recent_answers`` gives them: newest first,
    one per report, the report being answered (and its cluster) left out."""
    seen, texts = set(besides), []
    for report_id, body in earlier:
        if report_id not in seen:
            seen.add(report_id)
            texts.append(body)
    return texts
