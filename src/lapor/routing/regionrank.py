"""Region sense for routing suggestions: the model knows words better than places.

When the report's region is known (its own region, or a place its text names), a suggested agency
of another province or regency ("Pemerintah Kota Bau Bau" for a pothole in Padang) is replaced by
the agency with the same role in the report's region ("Pemerintah Kota Padang"); with no such
agency it is kept, below every agency of the report's region and marked as outside it. Guesses
that land on one agency add up: the model spreads its belief in a role ("the city's government")
over that role's offices in many regions, and the report's own region gathers it.

The role of an agency is its kind (a regency's and a city's government count as one) and its name
without its region's name: "Perumda Air Minum Kota Padang Panjang" -> ("regional_enterprise",
"perumda air minum"). Agencies without a region (ministries, national bodies) are never foreign.
"""

from __future__ import annotations

from dataclasses import dataclass

from lapor.agencies.models import Agency, Region

_SAME_KIND = {Agency.Kind.CITY: Agency.Kind.REGENCY}  # a kabupaten's government and a kota's: one role
_REGION_WORDS = ("kabupaten", "kota", "provinsi", "kab.")


@dataclass
class Candidate:
    agency: Agency
    confidence: float
    reason: str
    source: str = "model"
    foreign: bool = False  # of another province/regency than the report's, with no local counterpart


def _strip(name: str) -> str:
    words = name.casefold().split()
    return " ".join(w for w in words if w not in _REGION_WORDS)


def role_of(agency: Agency) -> tuple[str, str]:
    name = _strip(agency.name)
    if agency.region_id:
        place = _strip(agency.region.name)
        if place and name.endswith(place):
            name = name[: -len(place)].strip()
    return _SAME_KIND.get(agency.kind, agency.kind), name  # type: ignore[call-overload]


def is_foreign(agency: Agency, region_code: str) -> bool:
    """Of a region that neither contains the report's place nor lies inside it."""
    code = agency.region_id
    if not code:
        return False
    return code not in Region.ancestor_codes(region_code) and not code.startswith(region_code + ".")


def _counterpart(agency: Agency, region_code: str) -> Agency | None:
    """The agency with the same role in the report's region, at the same level as ``agency``'s region."""
    level = agency.region_id.count(".") + 1 if agency.region_id else 0
    chain = Region.ancestor_codes(region_code)
    if level < 1 or level > len(chain):
        return None
    kinds = {agency.kind, *(k for k, v in _SAME_KIND.items() if v == agency.kind), _SAME_KIND.get(agency.kind)}
    role = role_of(agency)
    for other in Agency.objects.filter(region_id=chain[level - 1], kind__in=[k for k in kinds if k], is_active=True):
        if role_of(other) == role:
            return other
    return None


def region_rerank(candidates: list[Candidate], region_code: str | None) -> list[Candidate]:
    """Candidates best first, with the region rule applied (see the module's docstring)."""
    if not region_code:
        return candidates
    out: list[Candidate] = []
    for cand in candidates:
        if cand.source == "model" and is_foreign(cand.agency, region_code):
            local = _counterpart(cand.agency, region_code)
            if local is None:
                cand.foreign = True
            else:
                cand = Candidate(local, cand.confidence, f"{cand.reason}; wilayah laporan", cand.source)
        same = next((c for c in out if c.agency.pk == cand.agency.pk), None)
        if same is None:
            out.append(cand)
        elif same.source == "model":  # one office, several guesses for it: the model's belief in that role
            same.confidence = round(min(1.0, same.confidence + cand.confidence), 4)
    # stable: the rule first, then by confidence; agencies outside the report's region last
    return sorted(out, key=lambda c: (c.foreign, c.source != "rule", -c.confidence))
