"""Routing and topic suggestions from the deployment's own history.

Training reads reports whose handling agency is known (the agency that finally answered, after
any re-routing); the model (lapor.routing.ml) is saved under DATA_DIR/models/<label>/<version>/,
signed with the SECRET_KEY, and loaded only if the signature matches. Rules win when they apply;
the model fills the rest; with too little history it says so and stays out of the way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from lapor.accounts.audit import audit_record
from lapor.agencies.models import Agency, Region, Topic
from lapor.agencies.selectors import region_named_in, routing_rule_match
from lapor.reports import lifecycle as lc
from lapor.reports.models import Report, ReportEvent

from .live import model_versions_live, retrains_recent
from .ml import META_FILE, ArtefactError, RoutingModel
from .regionrank import Candidate, region_rerank

log = logging.getLogger(__name__)
LABELS = ("agency", "topic")
_cache: dict[str, tuple[Path, str, RoutingModel]] = {}  # label -> (artefact directory, version, model)
_pointers: dict[Path, tuple[float, str | None]] = {}  # CURRENT files, re-read at most every POINTER_SECONDS
# artefacts refused (and when): not read nor logged again for REFUSED_RETRY_SECONDS, or until a retrain;
# then read again, in case the refusal came from a passing read error rather than the artefact itself
_refused: dict[Path, float] = {}
REFUSED_RETRY_SECONDS = 600
_lock = threading.Lock()
POINTER_SECONDS = 30
# model versions kept whole: the current one and the two before it (an operator may point CURRENT
# back at one); older ones keep only their metadata (the stats page's history), not the pickle,
# which is tens of MB each (a weekly retrain filled the disk: 39 MB a week for the 2,000-report demo)
ARTEFACTS_KEPT = 3


def min_history() -> int:
    return int(settings.LAPOR_ROUTING_MIN_HISTORY)


def models_root(label: str) -> Path:
    return Path(settings.DATA_DIR) / "models" / label


def _region_names(reports: list[Report]) -> dict[str, str]:
    codes = set()
    for r in reports:
        if r.region_id:
            codes.update(Region.ancestor_codes(r.region_id))
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def record_of(report: Report, names: dict[str, str], returned_by: list[str] | None = None) -> dict:
    """The model's view of a report: text, topic, place (the region hierarchy: province, regency,
    district, village), channel; the handling agency and its kind (the agency tree's level);
    the agencies that returned it as Bukan Wewenang (never suggested again for it).

    The topic is the one chosen at submission (by the reporter or the intake officer; no staff
    action changes it later), so it is known when the report is routed: the agency model reads
    it, the topic model never does (it is that model's answer)."""
    parts = report.region_id.split(".") if report.region_id else []

    def level(n: int) -> str:
        return names.get(".".join(parts[:n]), "") if len(parts) >= n else ""

    return {
        "text": f"{report.title}\n{report.body}",
        "province": level(1),
        "regency": level(2),
        "district": level(3),
        "subdistrict": level(4),
        "channel": report.channel,
        "received_at": report.submitted_at.isoformat(),
        "agency": report.agency.name if report.agency_id else "",
        "agency_level": report.agency.kind if report.agency_id else "",
        "topic": report.topic.name if report.topic_id else "",
        "topic_key": report.topic.slug if report.topic_id else "",
        "returned_by": returned_by or [],
    }


def returned_by(report_ids: list[int]) -> dict[int, list[str]]:
    """Report id -> names of the agencies that returned it as not theirs (Bukan Wewenang)."""
    out: dict[int, list[str]] = {}
    rows = ReportEvent.objects.filter(
        report_id__in=report_ids, kind=ReportEvent.Kind.TRANSITION, action=lc.Action.NOT_AUTHORITY
    ).values_list("report_id", "data")
    for report_id, data in rows:
        name = (data or {}).get("from_agency_name")
        if name:
            out.setdefault(report_id, []).append(name)
    return out


def training_reports(label: str) -> QuerySet[Report]:
    qs = Report.objects.select_related("agency", "topic").filter(state__in=[lc.State.DONE, lc.State.FOLLOWED_UP])
    return qs.filter(agency__isnull=False) if label == "agency" else qs.filter(topic__isnull=False)


def routing_train(*, label: str = "agency", limit: int = 50_000) -> dict:
    """Train on the newest ``limit`` handled reports and make the new model current."""
    if label not in LABELS:
        raise ValueError(f"label must be one of {LABELS}")
    reports = list(training_reports(label).order_by("-submitted_at")[:limit])
    too_little = {"status": "insufficient_history", "reports": len(reports), "needed": min_history()}
    if len(reports) < min_history():
        _retrain_audit(label, too_little)
        return too_little
    names = _region_names(reports)
    returns = returned_by([r.pk for r in reports if r.bounce_count])
    records = [record_of(r, names, returns.get(r.pk)) for r in reversed(reports)]
    if label == "topic":  # the topic model's answers are slugs: names repeat under different parents
        for rec in records:
            rec["topic"] = rec["topic_key"]
    if len({rec[label] for rec in records}) < 2:
        _retrain_audit(label, too_little)
        return too_little
    root = models_root(label)
    fingerprint = _training_fingerprint(label, reports, records)
    current = _current_version(root)
    if current and _fingerprint_read(root / current) == fingerprint:
        # nothing handled (nor re-routed) since the current model: the same data would give the same model
        result = {"status": "unchanged", "version": current, "reports": len(records)}
        _retrain_audit(label, result)
        return result
    model = RoutingModel().fit(records, label=label)
    comparison = _compare_with_current(label, model, records)
    if comparison.get("kept"):
        (root / comparison["version"] / TRAINING_FILE).write_text(fingerprint)  # this data already weighed
        result = {
            "status": "kept_previous",
            "version": comparison["version"],
            "reports": len(records),
            "comparison": comparison,
        }
        _retrain_audit(label, result)
        return result
    version = timezone.now().strftime("%Y%m%dT%H%M%S%f")  # two trainings in one second must not share a directory
    path = model.save(root / version, settings.SECRET_KEY)
    (path / TRAINING_FILE).write_text(fingerprint)
    tmp = root / "CURRENT.tmp"
    tmp.write_text(version)
    tmp.replace(root / "CURRENT")
    _pointers.pop(root / "CURRENT", None)
    _artefacts_prune(root)
    meta = model.metadata()
    result = {
        "status": "trained",
        "version": version,
        "path": str(path),
        "reports": len(records),
        "classes": len(meta.get("classes", [])),
        "threshold_95": getattr(model, "threshold_95_", None),
        "inputs": model.inputs_,
        "comparison": comparison,
    }
    _retrain_audit(label, result)
    return result


# beside the current artefact: the data it learned from, or the newer data a retrain weighed and kept it
# against; a retrain on the same data again records "unchanged" and writes nothing
TRAINING_FILE = "training.sha256"


def _training_fingerprint(label: str, reports: list[Report], records: list[dict]) -> str:
    """A digest of the training data: the reports, their answer (the agency after any re-routing,
    or the topic), their text, place and the agencies that returned them."""
    digest = hashlib.sha256(label.encode())
    for report, rec in zip(reversed(reports), records):
        row = (report.pk, rec[label], rec["topic_key"], report.region_id or "", rec["channel"], rec["returned_by"])
        digest.update(json.dumps(row, ensure_ascii=False).encode())
        digest.update(hashlib.sha256(rec["text"].encode()).digest())
    return digest.hexdigest()


def _current_version(root: Path) -> str | None:
    try:
        return (root / "CURRENT").read_text().strip() or None
    except OSError:
        return None


def _fingerprint_read(path: Path) -> str | None:
    try:
        return (path / TRAINING_FILE).read_text().strip() or None
    except OSError:  # a model from before the fingerprint, or pruned: retrain
        return None


def _artefacts_prune(root: Path) -> list[str]:
    """Drop the pickles of all but the ARTEFACTS_KEPT newest versions (never the current one);
    each keeps its metadata.json. Returns the versions pruned."""
    try:
        current = (root / "CURRENT").read_text().strip()
    except OSError:
        return []
    versions = sorted((d for d in root.iterdir() if d.is_dir()), key=lambda d: d.name, reverse=True)
    pruned = []
    for d in versions[ARTEFACTS_KEPT:]:
        heavy = [f for f in d.iterdir() if f.name != META_FILE]
        if d.name == current or not heavy:
            continue
        for f in heavy:
            f.unlink(missing_ok=True)
        pruned.append(d.name)
    if pruned:
        log.info("routing models %s: artefacts of %d old versions removed, metadata kept", root.name, len(pruned))
    return pruned


def min_compare() -> int:
    return int(settings.LAPOR_ROUTING_MIN_COMPARE)


def _compare_with_current(label: str, model: RoutingModel, records: list[dict]) -> dict:
    """The new model against the current one on the newest held-out slice: the reports received
    after the current model's training, which neither learned from (the new model is scored by
    its held-out twin). ``kept``: the new model is worse there, so the current one stays. With no
    current model, or too few such reports to tell, the new model is taken."""
    loaded = routing_model_get(label)
    if loaded is None:
        return {"n": 0, "kept": False, "why": "no_current_model"}
    version, current = loaded
    since = getattr(current, "trained_until_", None)
    if not since:  # a model from before this check: its training period is unknown
        return {"n": 0, "kept": False, "version": version, "why": "unknown_training_period"}
    found = {**model.compare_on_holdout(records, current, received_after=since), "version": version}
    if found["n"] < min_compare():
        return {**found, "kept": False, "why": "too_few_new_reports"}
    return {**found, "kept": found["new_top1"] < found["current_top1"]}


def _retrain_audit(label: str, result: dict) -> None:
    """Every retrain's outcome in the audit log (shown on the routing stats page): which model
    routes from now on, and why; or that the history was too short to train one."""
    keys = ("status", "version", "reports", "needed", "threshold_95", "comparison")
    detail = {k: result.get(k) for k in keys if k in result}
    audit_record(
        action="routing_retrain",
        target_type=f"routing_model_{label}",
        target_id=result.get("version") or "",  # none when the history was too short to train
        detail={"label": label, **detail},
    )


def routing_model_get(label: str) -> tuple[str, RoutingModel] | None:
    """The current model for a label, loaded once per process per version."""
    pointer = models_root(label) / "CURRENT"
    seen = _pointers.get(pointer)
    if seen is None or time.monotonic() - seen[0] > POINTER_SECONDS:  # no file read per submission
        try:
            version = pointer.read_text().strip()
        except OSError:
            version = None
        seen = _pointers[pointer] = (time.monotonic(), version)
    version = seen[1]
    if version is None:
        return None
    path = models_root(label) / version
    with _lock:
        cached = _cache.get(label)
        if cached and cached[0] == path:  # the directory, not just the version: DATA_DIR may change
            return cached[1], cached[2]
        if path in _refused and time.monotonic() - _refused[path] < REFUSED_RETRY_SECONDS:
            return None
        try:
            model = RoutingModel.load(path, settings.SECRET_KEY)
        except ArtefactError as exc:
            _refused[path] = time.monotonic()
            log.error(
                "routing model %s/%s refused: %s; run `lapor routing train --label %s`", label, version, exc, label
            )
            return None
        _cache[label] = (path, version, model)
        return version, model


def _agency_for(name: str, report: Report) -> Agency | None:
    """Model labels are agency names; prefer the one whose region contains the report's place."""
    candidates = list(Agency.objects.filter(name=name, is_active=True).select_related("region"))
    if not candidates:
        return None
    if report.region_id and len(candidates) > 1:
        codes = set(Region.ancestor_codes(report.region_id))
        local = [a for a in candidates if a.region_id in codes]
        if local:
            return max(local, key=lambda a: len(a.region_id))
    return candidates[0]


# guesses read from the model before the region rule (bench/routing_region_rerank.py chose it)
MODEL_CANDIDATES = 12


def suggest_floor() -> float:
    return float(settings.LAPOR_ROUTING_SUGGEST_FLOOR)


def report_region_code(report: Report) -> str | None:
    """The report's own region, or else the most precise place its text names."""
    return report.region_id or region_named_in(f"{report.title}\n{report.body}")


def model_candidates(report: Report, model: RoutingModel, returns: list[str], *, k: int) -> list[Candidate]:
    """The model's guesses as agencies of the tree, best first (more than shown: the region rule
    may set some aside)."""
    record = record_of(report, _region_names([report]), returns)
    out: list[Candidate] = []
    for name, probability, reason in model.predict_top([record], k=k)[0]:
        agency = _agency_for(name, report)
        if agency is not None:
            out.append(Candidate(agency, round(float(probability), 4), reason))
    return out


def _suggestion(cand: Candidate, floor: float) -> dict:
    """``sure``: offered as a one-tap button; otherwise a guess ("tidak yakin"), under the floor
    or outside the report's region."""
    return {
        "agency_id": cand.agency.pk,
        "agency_name": cand.agency.name,
        "confidence": cand.confidence,
        "reason": cand.reason,
        "source": cand.source,
        "sure": cand.source == "rule" or (cand.confidence >= floor and not cand.foreign),
        "foreign": cand.foreign,
    }


def routing_suggest(report: Report, *, k: int = 3) -> dict:
    """Top agencies for a report: a matching rule first, then the model's calibrated guesses,
    those of the report's region before those of another (regionrank). Each says whether it is
    ``sure`` (see ``_suggestion``); ``floor`` is the confidence under which a guess is not."""
    candidates: list[Candidate] = []
    returns = returned_by([report.pk]).get(report.pk, []) if report.bounce_count else []
    rule = routing_rule_match(topic=report.topic, region=report.region)
    if rule is not None and rule.agency.name in returns:  # Bukan Wewenang: never suggested again
        rule = None
    if rule is not None:
        where = rule.region.name if rule.region_id else "semua wilayah"
        candidates.append(Candidate(rule.agency, 1.0, f"aturan: {rule.topic.name} × {where}", "rule"))
    floor = suggest_floor()
    loaded = routing_model_get("agency")
    if loaded is None:
        status = "rule" if rule else "insufficient_history"
        suggestions = [_suggestion(c, floor) for c in candidates]
        return {"status": status, "model_version": None, "threshold": None, "floor": floor, "suggestions": suggestions}
    version, model = loaded
    for cand in model_candidates(report, model, returns, k=MODEL_CANDIDATES):
        if all(c.agency.pk != cand.agency.pk for c in candidates):
            candidates.append(cand)
    ranked = region_rerank(candidates, report_region_code(report))[:k]
    return {
        "status": "ok",
        "model_version": version,
        "threshold": _threshold(model),
        "floor": floor,
        "suggestions": [_suggestion(c, floor) for c in ranked],
    }


def routing_decision(report: Report, agency: Agency, *, tapped_rank: int | None = None) -> dict | None:
    """Where a person's choice stood among the suggestions they saw, for live top-1 / top-3:
    {"model_version", "rank" (1-based among the *sure* suggestions only, None when not among
    them: taking a guess shown as "tidak yakin" is no success of the model), "source" of the one
    taken, "tapped": taken with the suggestion's own button (``tapped_rank``: its place in the
    whole list shown), "guess": the one taken was shown as a guess}. None without a model
    (nothing to measure). Never fails the routing: a suggestion error is logged, nothing recorded."""
    if routing_model_get("agency") is None:
        return None
    try:
        result = routing_suggest(report)
    except Exception:  # measuring must never stop a person from routing
        log.exception("routing suggestions failed while recording a decision")
        return None
    if result["status"] != "ok":
        return None
    shown = [sug["agency_id"] for sug in result["suggestions"]]
    sure = [sug["agency_id"] for sug in result["suggestions"] if sug["sure"]]
    position = shown.index(agency.pk) + 1 if agency.pk in shown else None
    rank = sure.index(agency.pk) + 1 if agency.pk in sure else None
    return {
        "model_version": result["model_version"],
        "rank": rank,
        "source": result["suggestions"][position - 1]["source"] if position else None,
        "tapped": bool(position and tapped_rank == position),
        "guess": bool(position and rank is None),
        "floor": result["floor"],
    }


def _threshold(model: RoutingModel) -> float | None:
    """The confidence above which the model routes alone; None when training had no held-out slice
    to choose it on (little history): then it never routes alone."""
    threshold = getattr(model, "threshold_95_", None)
    return None if threshold is None else float(threshold)


def routing_auto_choice(report: Report) -> tuple[Agency, dict] | None:
    """The agency to route to without a human, if the model is confident enough (the threshold
    was chosen on held-out history to keep precision at the target)."""
    loaded = routing_model_get("agency")
    if loaded is None or not settings.LAPOR_AUTOROUTE:
        return None
    version, model = loaded
    threshold = _threshold(model)
    if threshold is None:
        return None
    record = record_of(report, _region_names([report]))
    top = model.predict_top([record], k=1)[0]
    if not top or top[0][1] < threshold:
        return None
    agency = _agency_for(top[0][0], report)
    if agency is None:
        return None
    return agency, {
        "automatic": True,
        "model_version": version,
        "confidence": round(float(top[0][1]), 4),
        "threshold": threshold,
        "reason": top[0][2],
    }


def topic_suggest(text: str, *, k: int = 3) -> list[dict]:
    """Likeliest topics while the citizen types: the topic model, or keyword matches without one."""
    text = (text or "")[:2000]
    loaded = routing_model_get("topic")
    topics = list(Topic.objects.filter(is_active=True))
    if loaded is not None:
        _version, model = loaded
        by_slug = {t.slug: t for t in topics}
        out = []
        for slug, probability, _reason in model.predict_top([{"text": text}], k=k)[0]:
            if slug in by_slug:
                out.append(
                    {
                        "topic_id": by_slug[slug].pk,
                        "name": by_slug[slug].name,
                        "confidence": round(float(probability), 4),
                    }
                )
        return out
    lowered = text.lower()
    scored = []
    for topic in topics:
        words = [w.strip().lower() for w in topic.keywords.split(",") if w.strip()]
        hits = sum(1 for w in words if w and w in lowered)
        if hits:
            scored.append((hits, topic.depth, topic))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2].name))
    total = sum(h for h, _d, _t in scored) or 1
    return [{"topic_id": t.pk, "name": t.name, "confidence": round(h / total, 4)} for h, _d, t in scored[:k]]


def autoroute_stats(*, since: dt.datetime | None = None) -> dict:
    """How automatic routing does: routed without a human, and how many came back as Bukan Wewenang."""
    events = ReportEvent.objects.filter(kind=ReportEvent.Kind.TRANSITION)
    if since:
        events = events.filter(created_at__gte=since)
    auto = events.filter(action=lc.Action.ROUTE, data__automatic=True)
    by_model = auto.filter(data__has_key="model_version").count()
    bounced = events.filter(action=lc.Action.NOT_AUTHORITY, data__was_auto_routed=True).count()
    total = auto.count()
    return {
        "auto_routed": total,
        "by_model": by_model,
        "by_rule": total - by_model,
        "bounced_back": bounced,
        "bounce_rate": round(bounced / total, 4) if total else None,
    }


def routing_stats() -> dict:
    """The routing stats page and API: automatic routing overall, and each agency model version's
    live precision (Bukan Wewenang returns of its automatic routes) and live top-1 / top-3 (where
    people's own choices stood among its suggestions)."""
    try:
        current = (models_root("agency") / "CURRENT").read_text().strip() or None
    except OSError:
        current = None
    return {
        **autoroute_stats(),
        "current_version": current,
        "models": model_versions_live(current, models_root("agency")),
        "retrain_seconds": int(settings.LAPOR_ROUTING_RETRAIN_SECONDS),
        "retrains": retrains_recent(),
    }
