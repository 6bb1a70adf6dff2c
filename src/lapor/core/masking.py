"""Personal-data masking for everything public (public pages, open data, Open311) and for agency
views of anonymous reports.

Masks: national ID numbers (NIK/KK, 16 digits, also written with spaces, dots or dashes), phone
numbers (mobile +62…, 62…, 08…, and landlines with an area code, with separators and brackets),
numbers written as words ("nol delapan satu dua …"), e-mail addresses, vehicle plates (B 1234 XYZ), house
addresses (a street with a house number), and —
when given — the reporter's own name, as a name: the full name, runs of its words, and its single
words (3+ letters, case-insensitive) except those that also belong to a place name of the report's
region (see ``_names_mask``).
"""

from __future__ import annotations

import re

SEP = r"[\s.\-]?"
# 16 digits with optional single separators between them (NIK/KK); a thousands-grouped amount of
# money that happens to hold 16 digits ("15.000.000-25.000.000") is not one (``_nik_sub``).
NIK_RE = re.compile(r"(?=\d)(?<!\d)(?:\d" + SEP + r"){15}\d(?!\d)")
_SCHEDULE = re.compile(r"(?<!\d)(?:\d{1,2}([.\-/])(?:0?[1-9]|1[0-2])\1(?:19|20)?\d\d|0?8[.:][0-5]\d)(?!\d)")
_MONEY = re.compile(r"\d{1,3}(?:\.\d{3})+")
_MONEY_BEFORE = re.compile(r"(?i:rp|idr)\.?\s?$")
_THOUSANDS = re.compile(r"\d\.\d{3}\.\d{3}(?!\d)")
# Between the digits of a phone number: nothing, or a space, dot, dash, slash or underscore (up to
# two spaces around it), or a bracket around the area code ("+62 (812) 3456-7890", "(0752) 82123").
PSEP = r"(?:\s{0,2}[.\-_]?\s{0,2}|\s?\(|\)\s{0,2}[.\-]?\s{0,2})"
# Mobile: +62 / 62 / (+62) / 0 (also the letter O typed for it), then 8 and 7–11 more digits;
# "+62 (0) 812…" too. A match shaped like a date or a time ("08-05-2023 - 08…", "08.00 - 12.00 -
# 13.00") is a schedule, not a number, and so is an amount after "Rp" (``_phone_sub``).
PHONE_RE = re.compile(
    r"(?=[\d(+Oo])(?<![\d+])(?:\(?(?:\+\s?)?62\)?"
    + PSEP
    + r"(?:\(0\)"
    + PSEP
    + r")?|\(?(?:0|(?<![^\W\d_])[Oo]))"
    + PSEP
    + r"8(?:"
    + PSEP
    + r"\d){7,11}(?!\d)"
)
# Landline: an area code 0[2-7 9]x(x) (or 62 without the 0), bracketed or followed by a separator,
# then a 5–8 digit subscriber number ("(0752) 82123", "021-555 1234", "+62 21 5551234"); or 9–11
# digits written together from such an area code. No slash: "0712/2023" is a letter number.
_LSEP = r"(?:\s{0,2}[.\-]?\s{0,2})"
LANDLINE_RE = re.compile(
    r"(?=[\d(+])(?:(?<![\d+\w])(?:(?:\+?62[\s.\-]?)?\(\s?(?:\+?62\s?)?0?[2-79]\d{1,2}\s?\)\s{0,2}[.\-]?\s{0,2}"
    r"|(?:\+?62|0)[\s.\-]?[2-79]\d{1,2}(?:\s{1,2}[.\-]?\s{0,2}|[.\-]\s{0,2}))"
    r"[1-9](?:" + _LSEP + r"\d){4,7}(?!\d)"
    r"|(?<![\d+\w])0[2-79]\d{7,9}(?!\d))"
)
# Digits written as words, alone or mixed with figures ("nol delapan satu dua 3456 tujuh…").
_DIGIT_WORDS = {
    "nol": "0",
    "kosong": "0",
    "zero": "0",
    "satu": "1",
    "one": "1",
    "dua": "2",
    "two": "2",
    "tiga": "3",
    "three": "3",
    "empat": "4",
    "four": "4",
    "lima": "5",
    "five": "5",
    "enam": "6",
    "six": "6",
    "tujuh": "7",
    "seven": "7",
    "delapan": "8",
    "eight": "8",
    "sembilan": "9",
    "nine": "9",
}
_DIGIT_TOKEN = r"(?:" + "|".join(sorted(_DIGIT_WORDS, key=len, reverse=True)) + r"|\d{1,4}|plus|\+)"
SPELLED_RE = re.compile(
    r"(?=[\d+nkzsodtelfp])(?<![\w+])" + _DIGIT_TOKEN + r"(?:[\s,.\-]{1,3}" + _DIGIT_TOKEN + r"){3,}(?!\w)",
    re.IGNORECASE,
)
_NON_ASCII_DIGITS = {cp: str(int(chr(cp))) for cp in range(0x80, 0x10000) if chr(cp).isdecimal()}
EMAIL_AT = ("@", "(at)", "[at]")  # every way of writing the "at" that EMAIL_RE knows
EMAIL_RE = re.compile(
    r"[A-Za-z0-9._%+\-]+\s?(?:" + "|".join(map(re.escape, EMAIL_AT)) + r")\s?[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"
)
# Indonesian plates: 1–2 letters, 1–4 digits, 0–3 letters (B 1234 XYZ, DK1234AB, AB-123-C).
# Address abbreviations (RT 03 RW 05, KM 5, No 12 A) are not plates.
PLATE_RE = re.compile(
    r"\b(?!(?:RT|RW|KM|NO|RP|JL|GG|HP|WA|TPS|SD|SMP|SMA)\b)[A-Z]{1,2}[\s\-]?\d{1,4}[\s\-]?"
    r"(?!(?:RT|RW|KM|NO|RP|JL|GG)\b)[A-Z]{1,3}\b"
)

# A home's address: a street, alley or estate name followed by a house number ("Gang Kenarimas
# Nomor 13", "Jl. Melati No. 3A", "Perum Griya Asri Blok C-7"). A street named without a house number
# stays, and so does a neighbourhood unit (RT 03 RW 05, some forty homes): that is where a pothole is,
# and staff need it; with a house number it is where someone lives.
# An abbreviation (jl, gg, perum…) says "address" whatever follows; a full word (jalan, gang…) only
# before a capitalised name: "Jalan Sudirman No. 5" is an address, "jalan berlubang nomor 5" is not.
_STREET_ABBR = r"(?i:jln|jl|gg|lrg|lr|komp|perum|dsn|kp)\.?\s+(?:[^\W\d_][\w'’\-]*\.?\s+){1,4}?"
_STREET_WORD = (
    r"(?i:jalan|gang|lorong|kompleks|komplek|perumahan|asrama|dusun|kampung)\s+(?:[A-Z][\w'’\-]*\.?\s+){1,4}?"
)
HOUSE_RE = re.compile(
    r"\b(?:" + _STREET_ABBR + "|" + _STREET_WORD + r"),?\s*"
    r"(?i:nomor|nomer|no|nr|blok|blk)\.?\s*[A-Za-z]?[\-\s]?\d{1,4}[A-Za-z]?\b"
)
ADDRESS_MASK = "[alamat disamarkan]"
NIK_MASK = "[NIK disamarkan]"
PHONE_MASK = "[telepon disamarkan]"
EMAIL_MASK = "[email disamarkan]"
PLATE_MASK = "[nopol disamarkan]"
NAME_MASK = "[nama disamarkan]"
_DIGIT = re.compile(r"\d").search
_SPELLED_HINT = re.compile(
    r"(?=[nkzsodtelfNKZSODTELF])(?i:nol|kosong|zero|satu|dua|tiga|empat|lima|enam|tujuh|"
    r"delapan|sembilan|one|two|three|four|five|six|seven|eight|nine)"
).search
_WORD = re.compile(r"[^\W\d_]+")
# What may stand between the words of one name: spaces, a dot ("Muh. Rizal"), an apostrophe
# ("Ma'ruf"), a hyphen. Anything else (a comma, a line break with other text) ends the name.
_NAME_GAP = re.compile(r"[ \t.'’\-]{1,3}")
# The administrative words region names start with: "Kota Padang Panjang" is written "Padang Panjang".
PLACE_PREFIXES = frozenset(
    {
        "kota",
        "kabupaten",
        "kab",
        "kecamatan",
        "kec",
        "kelurahan",
        "kel",
        "desa",
        "nagari",
        "provinsi",
        "prov",
        "daerah",
        "istimewa",
        "khusus",
        "ibukota",
        "administrasi",
        "adm",
    }
)


def _nik_sub(match: re.Match) -> str:
    return match.group() if _THOUSANDS.search(match.group()) else NIK_MASK


def _phone_sub(match: re.Match) -> str:
    found = match.group()
    if _SCHEDULE.match(found.lstrip("(+ ")):
        return found
    if _MONEY.fullmatch(found) and _MONEY_BEFORE.search(match.string[max(0, match.start() - 5) : match.start()]):
        return found  # "Rp 62.812.345.000"
    return PHONE_MASK


def _spelled_sub(match: re.Match) -> str:
    """A run of digit words and figures is a phone number or a NIK when its digits say so."""
    tokens = re.findall(_DIGIT_TOKEN, match.group(), re.IGNORECASE)
    if not any(t.casefold() in _DIGIT_WORDS for t in tokens):
        return match.group()  # figures only: the patterns above have had their say
    digits = "".join(_DIGIT_WORDS.get(t.casefold(), t) for t in tokens if t not in ("+",) and t.casefold() != "plus")
    if len(digits) == 16:
        return NIK_MASK
    if digits.startswith(("0", "62", "8")) and 9 <= len(digits) <= 14:
        return PHONE_MASK
    return match.group()


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text or "")]


def _place_phrases(places) -> list[tuple[str, ...]]:
    """Each place's words, and again without its leading administrative words."""
    phrases = set()
    for place in places:
        words = _words(place)
        if words:
            phrases.add(tuple(words))
        while words and words[0] in PLACE_PREFIXES:
            words = words[1:]
        if words:
            phrases.add(tuple(words))
    return sorted(phrases, key=len, reverse=True)


def _occurrences(tokens: list[str], gaps: list[bool], phrase: tuple[str, ...]):
    """Start indexes where ``phrase`` occurs as consecutive tokens (joined by name gaps when
    ``gaps`` is given for that purpose; any gap for places)."""
    n = len(phrase)
    for i in range(len(tokens) - n + 1):
        if tuple(tokens[i : i + n]) == phrase and all(gaps[i + k] for k in range(n - 1)):
            yield i


def _names_mask(text: str, names, places) -> str:
    """Mask a reporter's name as a name.

    - the full name (its words in order) wherever it occurs, always;
    - any run of two or more words of the name (in any order: "Santoso Budi", "Bu Siti Aminah");
    - a single word of the name (3+ letters) on its own, unless the word also belongs to a place
      name of the report's region (``places``): masking it there ("di [nama disamarkan] Panjang"
      beside the region "Koto Panjang") would tell the public which part of the place name is in
      the reporter's name, so a lone word shared with a place is left as written;
    - nothing inside an occurrence of one of ``places`` ("Koto Panjang", "Padang Panjang"), not even
      part of the full name ("Rina Koto Panjang" → "[nama disamarkan] Koto Panjang"): a place shown
      whole says nothing about the name, a place shown in part says which part is the name.
    """
    name_words = [_words(name) for name in names if name]
    vocabulary = {w for words in name_words for w in words if len(w) >= 2}
    if not vocabulary:
        return text
    matches = list(_WORD.finditer(text))
    tokens = [m.group().casefold() for m in matches]
    if not vocabulary.intersection(tokens):
        return text
    # gaps[i]: token i and token i+1 are separated as the words of one name may be
    gaps = [bool(_NAME_GAP.fullmatch(text[matches[i].end() : matches[i + 1].start()])) for i in range(len(matches) - 1)]
    gaps.append(False)
    forced = [False] * len(tokens)
    for words in name_words:
        if len(words) >= 2:
            for start in _occurrences(tokens, gaps, tuple(words)):
                forced[start : start + len(words)] = [True] * len(words)
    place_words = {w for place in places for w in _words(place)}
    protected = [False] * len(tokens)
    any_gap = [True] * len(tokens)
    for phrase in _place_phrases(places):
        for start in _occurrences(tokens, any_gap, phrase):
            protected[start : start + len(phrase)] = [True] * len(phrase)
    candidate = [(f or t in vocabulary) and not p for t, f, p in zip(tokens, forced, protected)]
    masked = [False] * len(tokens)
    i = 0
    while i < len(tokens):
        if not candidate[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and gaps[j] and candidate[j + 1]:
            j += 1
        if j > i:  # a run of two or more words of the name
            masked[i : j + 1] = [True] * (j - i + 1)
        elif forced[i] or (len(tokens[i]) >= 3 and tokens[i] not in place_words):
            masked[i] = True
        i = j + 1
    if not any(masked):
        return text
    out, last, i = [], 0, 0
    while i < len(tokens):
        if not masked[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and masked[j + 1] and gaps[j]:
            j += 1
        out += [text[last : matches[i].start()], NAME_MASK]
        last = matches[j].end()
        i = j + 1
    out.append(text[last:])
    return "".join(out)


def text_mask(text: str, *, names: list[str] | tuple[str, ...] = (), places: list[str] | tuple[str, ...] = ()) -> str:
    """Mask personal data in free text. ``names``: full names to hide (an anonymous reporter's);
    ``places``: the names of the report's places (its region and the regions above it, see
    ``reports.selectors.report_place_names``), whose words are not masked on their own."""
    if not text:
        return text or ""
    # Most texts hold no e-mail and no digit: skip the patterns that cannot match (the same result)
    if any(at in text for at in EMAIL_AT):
        text = EMAIL_RE.sub(EMAIL_MASK, text)
    if not text.isascii():  # fullwidth or Arabic-Indic figures are figures too
        text = text.translate(_NON_ASCII_DIGITS)
    if _DIGIT(text):  # NIK, phone numbers, plates and house addresses all hold a digit
        text = NIK_RE.sub(_nik_sub, text)
        text = PHONE_RE.sub(_phone_sub, text)
        text = LANDLINE_RE.sub(PHONE_MASK, text)
        text = HOUSE_RE.sub(ADDRESS_MASK, text)
        text = PLATE_RE.sub(PLATE_MASK, text)
    if _SPELLED_HINT(text):
        text = SPELLED_RE.sub(_spelled_sub, text)
    if names:
        text = _names_mask(text, names, places)
    return text
