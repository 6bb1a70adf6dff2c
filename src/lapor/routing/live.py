"""How each routing model version does in real use (reads only).

* Live precision of automatic routes: of the reports a model version routed without a person,
  the share the agency it chose did **not** return as "Bukan Wewenang".
* Retrains: each one's outcome, from the audit log (``routing_retrain``): a new model taken, the
  previous one kept because the new one was worse on the newest reports, or too little history.
* Live top-1 / top-3 from real decisions: when a person routes, the route event records where the
  chosen agency stood among the suggestions shown (``data.suggestion.rank``, see
  ``suggest.routing_decision``); top-1 is the share taken at rank 1, top-3 at rank 1 to 3. The rank
  counts only the suggestions offered as sure (at or above LAPOR_ROUTING_SUGGEST_FLOOR, in the
  report's region): a guess shown as "tidak yakin" and taken is no success of the model.
"""

from __future__ import annotations

from django.db.models import Count
from django.db.models.fields.json import KeyTextTransform, KeyTransform

from lapor.accounts.models import AuditLog
from lapor.reports import lifecycle as lc
from lapor.reports.models import ReportEvent

from .ml import RoutingModel


def _transitions(action: str):
    return ReportEvent.objects.filter(kind=ReportEvent.Kind.TRANSITION, action=action)


def _auto_routes():
    return _transitions(lc.Action.ROUTE).filter(data__automatic=True, data__has_key="model_version")


def _auto_counts() -> dict[str, int]:
    rows = (
        _auto_routes()
        .annotate(v=KeyTextTransform("model_version", "data"))
        .values("v")
        .annotate(n=Count("id"))
        .values_list("v", "n")
    )
    return {v: n for v, n in rows if v}


def _returned_counts() -> dict[str, int]:
    """Per version: automatic routes the chosen agency returned as not theirs. Returns are few, so
    they are matched in Python: same report, the agency that returned it is the one routed to."""
    returns: dict[int, set] = {}
    for report_id, data in (
        _transitions(lc.Action.NOT_AUTHORITY).filter(data__was_auto_routed=True).values_list("report_id", "data")
    ):
        returns.setdefault(report_id, set()).add((data or {}).get("from_agency_id"))
    out: dict[str, int] = {}
    if not returns:
        return out
    for report_id, data in _auto_routes().filter(report_id__in=list(returns)).values_list("report_id", "data"):
        if data.get("agency_id") in returns[report_id]:
            out[data["model_version"]] = out.get(data["model_version"], 0) + 1
    return out


def _decision_counts() -> dict[str, dict[str, int]]:
    """Per version: people's routes with suggestions shown, taken at rank 1, at rank 1-3, by a tap."""
    sug = KeyTransform("suggestion", "data")
    rows = (
        _transitions(lc.Action.ROUTE)
        .filter(data__has_key="suggestion")
        .annotate(
            v=KeyTextTransform("model_version", sug), r=KeyTextTransform("rank", sug), t=KeyTextTransform("tapped", sug)
        )
        .values("v", "r", "t")
        .annotate(n=Count("id"))
        .values_list("v", "r", "t", "n")
    )
    out: dict[str, dict[str, int]] = {}
    for v, rank, tapped, n in rows:
        c = out.setdefault(v or "", {"decisions": 0, "top1": 0, "top3": 0, "tapped": 0})
        c["decisions"] += n
        rank = int(rank) if rank not in (None, "", "null") else None
        c["top1"] += n if rank == 1 else 0
        c["top3"] += n if rank is not None and rank <= 3 else 0
        c["tapped"] += n if str(tapped).lower() in ("true", "1") else 0
    return out


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def model_versions_live(current: str | None, root) -> list[dict]:
    """One row per agency model version (trained ones on disk, and any version named by events),
    newest first: its training figures and its live precision, top-1 and top-3."""
    auto, returned, decisions = _auto_counts(), _returned_counts(), _decision_counts()
    versions = set(auto) | set(decisions)
    metas: dict[str, dict] = {}
    if root.is_dir():
        for d in root.iterdir():
            if d.is_dir():
                try:
                    metas[d.name] = RoutingModel.read_metadata(d)
                except (OSError, ValueError):
                    continue
                versions.add(d.name)
    rows = []
    for v in sorted((v for v in versions if v), reverse=True):
        meta, n_auto, n_back = metas.get(v, {}), auto.get(v, 0), returned.get(v, 0)
        dec = decisions.get(v, {"decisions": 0, "top1": 0, "top3": 0, "tapped": 0})
        rows.append(
            {
                "version": v,
                "current": v == current,
                "trained_at": meta.get("trained_at"),
                "n_train": meta.get("n_train"),
                "holdout_top1": (meta.get("metrics") or {}).get("holdout_top1"),
                "auto_routed": n_auto,
                "returned": n_back,
                "live_precision": _ratio(n_auto - n_back, n_auto),
                "decisions": dec["decisions"],
                "tapped": dec["tapped"],
                "live_top1": _ratio(dec["top1"], dec["decisions"]),
                "live_top3": _ratio(dec["top3"], dec["decisions"]),
            }
        )
    return rows


RETRAINS_SHOWN = 8


def retrains_recent(limit: int = RETRAINS_SHOWN) -> list[dict]:
    """The newest retrain outcomes (agency and topic models), newest first: when, which model,
    ``status`` (trained | kept_previous | unchanged | insufficient_history), the version routing from then on,
    how many reports it learnt from, and the comparison on the newest reports (``n`` reports;
    ``new_top1`` / ``current_top1``; ``why`` when no comparison decided)."""
    rows = AuditLog.objects.filter(action="routing_retrain").order_by("-at", "-id")[:limit]
    out = []
    for row in rows:
        detail = row.detail or {}
        comparison = detail.get("comparison") or {}
        out.append(
            {
                "at": row.at,
                "label": detail.get("label") or row.target_type.removeprefix("routing_model_"),
                "status": detail.get("status") or "",
                "version": detail.get("version") or row.target_id or None,
                "reports": detail.get("reports"),
                "needed": detail.get("needed"),
                "compared": comparison.get("n") or 0,
                "new_top1": comparison.get("new_top1"),
                "current_top1": comparison.get("current_top1"),
                "why": comparison.get("why") or "",
            }
        )
    return out
