"""Routing suggestions: predict the agency (or topic) of a complaint from its text.

Pure Python + scikit-learn; no Django imports, so it can be trained and
benchmarked outside the web application.

Method (see docs/routing-ml.md):

* text is lower-cased, masked tokens ([NOMOR-ID], [TELEPON], [EMAIL]) are
  removed and whitespace is collapsed;
* features: TF-IDF word 1-2-grams + TF-IDF char_wb 2-5-grams + one-hot
  tokens for district / subdistrict / channel + a one-hot token for the
  report's topic (its own weight; never when the topic is the label, and
  switchable with ``use_topic``);
* **location-templated labels**: a label that is the name of the report's own
  subdistrict or district office (e.g. "<office kind> <subdistrict>") is
  rewritten, for training, as the template "<office kind> {subdistrict}".
  This is learned from the data (no list of names): any label that ends with
  the report's own location value becomes a template.  The long tail of
  local-office classes, each with a handful of examples, thus collapses into
  a few well-populated classes, and at prediction time the template is
  filled in with the report's location, which also covers offices never
  seen in training;
* a linear one-vs-rest SVM (liblinear), whose scores are turned into
  probabilities by a softmax with one temperature fitted on the newest 15 % of
  the training data, scored by a twin model fitted on the older 85 % (no
  per-class calibration, so classes with one or two examples are fine); the
  same slice gives ``threshold_95_``, the confidence above which auto-routing
  kept >= 95 % precision.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import math
import os
import pickle
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from scipy.optimize import minimize_scalar
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.svm import LinearSVC

__all__ = [
    "ARTEFACT_VERSION",
    "ArtefactError",
    "RoutingModel",
    "normalise_text",
    "read_csv",
    "evaluate",
    "oracle_coverage_at_precision",
]

# 2: the topic block (_Features.topic) and ``use_topic``; a build that knows only version 1
# would unpickle a version-2 model and fail at prediction, so version 1 and 2 refuse each other.
ARTEFACT_VERSION = 2
MODEL_FILE = "model.pkl"
META_FILE = "metadata.json"
SIG_FILE = "model.pkl.sig"

CSV_COLUMNS = (
    "id",
    "text",
    "agency",
    "topic",
    "district",
    "subdistrict",
    "address",
    "received_at",
    "responded_at",
    "channel",
)

_MASK_RE = re.compile(r"\[(?:NOMOR-ID|TELEPON|EMAIL|[A-Z][A-Z_\-]*)\]")
_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_WS_RE = re.compile(r"\s+")
_TOKEN_RE = r"(?u)\b[^\W\d_][^\W_]+\b"  # words of >= 2 chars, not starting with a digit

# Very common Indonesian function words; they never make a useful "reason".
_STOPWORDS = frozenset(
    """
    ada adalah agar akan aku anda apa atau bagaimana bahwa bapak belum bisa buat
    dan dari dengan di dia dgn dll dr ga gak harus hal ibu ini itu jadi juga jika
    kak kalau kami kan karena kasih ke kita kok lagi lah mau maupun mereka min
    mohon nya oleh pada para pak per saat saja sampai sangat saya sdh sebagai
    sejak sekali selama semua sengan serta setelah siapa sih suda sudah supaya
    tapi telah terima terimakasih tersebut tidak tolong tp untuk utk warga yang
    yg ya
    """.split()
)


# Precision asked of the held-out slice when choosing the auto-routing threshold: a margin above
# the 95 % promised, because the next weeks drift away from the slice (chosen on the second
# quarter of 2022, prequential; docs/routing-ml.md "Round 5": 0.95 there kept 0.933, 0.97 kept 0.954).
THRESHOLD_TARGET = 0.97

# Weight of the topic's one-hot token (chosen on fold B, docs/routing-ml.md "Round 4").
TOPIC_WEIGHT = 1.0


class ArtefactError(Exception):
    """Raised when a saved model cannot be loaded safely (bad signature, wrong version...)."""


# --------------------------------------------------------------------------- text


def normalise_text(text: str | None) -> str:
    """Lower-case, drop masked tokens and URLs, collapse whitespace."""
    if not text:
        return ""
    text = _MASK_RE.sub(" ", str(text))
    text = _URL_RE.sub(" ", text)
    return _WS_RE.sub(" ", text).strip().lower()


def _norm_value(value: Any) -> str:
    if value is None:
        return ""
    return _WS_RE.sub(" ", str(value)).strip().lower()


def _meta_tokens(record: dict) -> list[str]:
    """One-hot place and channel tokens. The region hierarchy: province and regency (in the
    product, the report's region's ancestors; absent from a one-city CSV), district, subdistrict."""
    toks = []
    for key, prefix in (("province", "p"), ("regency", "r"), ("district", "d"), ("subdistrict", "s"), ("channel", "c")):
        v = _norm_value(record.get(key))
        if v:
            toks.append(f"{prefix}={v.replace(' ', '_')}")
    return toks


def _topic_tokens(record: dict) -> list[str]:
    """The report's topic as one one-hot token; none when the record has no topic. ``topic_key``
    (the deployment's unique slug) when the record has one, else the name: two topics may share a
    name under different parents ("Lainnya")."""
    v = _norm_value(record.get("topic_key") or record.get("topic"))
    return [f"t={v.replace(' ', '_')}"] if v else []


def _returned_by(record: dict) -> frozenset[str]:
    """Agencies that returned this report as not theirs (Bukan Wewenang): a list of names, or one
    string of names separated by "|" (CSV)."""
    raw = record.get("returned_by") or ()
    if isinstance(raw, str):
        raw = raw.split("|")
    return frozenset(n.strip() for n in raw if n and n.strip())


def _level_of(label: str) -> str:
    """The government level / kind of an agency label, for the agency tree as output structure:
    a local-office template is its own level ("Kelurahan {subdistrict}"), otherwise the record's
    ``agency_level`` (the product's agency tree) or the name's first word ("Dinas", "Badan")."""
    if _is_template(label):
        return label
    words = label.split()
    return words[0].lower() if words else ""


def _identity(x):
    return x


def read_csv(path: str | os.PathLike) -> list[dict]:
    """Read a routing CSV into a list of dicts.

    Known columns missing from the file are filled with "", extra columns are
    kept as they are.  Rows without text are kept (text = "").
    """
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        out = []
        for row in reader:
            rec = {k: (v if v is not None else "") for k, v in row.items() if k is not None}
            for col in CSV_COLUMNS:
                rec.setdefault(col, "")
            out.append(rec)
    return out


# --------------------------------------------------------------------------- templates


def _compact(value: Any) -> str:
    """Lower-case letters and digits only: "Pacar Kembang", "pacarkembang" -> "pacarkembang"."""
    return "".join(ch for ch in str(value or "").lower() if ch.isalnum())


def _template_candidates(label: str, record: dict) -> list[tuple[str, str]]:
    """Ways to read ``label`` as "<kind of office> <the report's own place>".

    A label whose end spells the report's subdistrict (or district) name, ignoring case,
    spaces and punctuation ("Kelurahan Pacar Kembang" / "Pacarkembang",
    "Kelurahan Wonorejo - Rungkut" / "Wonorejo Rungkut"), starting at a word boundary and
    with something before it, gives ("<head> {subdistrict}", compact place name).
    Longest place first.  Learned from the data, no list of names.
    """
    chars = [(i, ch.lower()) for i, ch in enumerate(label) if ch.isalnum()]
    comp = "".join(ch for _, ch in chars)
    out = []
    for key in ("subdistrict", "district"):
        loc = _compact(record.get(key))
        if len(loc) < 3 or len(comp) <= len(loc) or not comp.endswith(loc):
            continue
        start = chars[len(comp) - len(loc)][0]
        if start > 0 and label[start - 1].isalnum():
            continue  # not a word boundary
        head = label[:start].rstrip(" -,/.")
        if head:
            out.append((f"{head} {{{key}}}", loc))
    out.sort(key=lambda c: -len(c[1]))
    return out


def _template_of(label: str, record: dict) -> str:
    """The template of one label (longest place match; see :func:`_template_candidates`)."""
    cands = _template_candidates(label, record)
    return cands[0][0] if cands else label


def _is_template(label: str) -> bool:
    return label.endswith("{subdistrict}") or label.endswith("{district}")


def _expand(label: str, record: dict, aliases: dict | None = None) -> str | None:
    """Fill a template with the report's location; None if the report has none.

    ``aliases`` maps (template, compact place) to the office's name as written in the
    training labels, so "Kelurahan {subdistrict}" + "Pacarkembang" gives back
    "Kelurahan Pacar Kembang" when that is the name the deployment uses."""
    for key in ("subdistrict", "district"):
        tag = "{" + key + "}"
        if label.endswith(tag):
            raw = record.get(key)
            loc = _WS_RE.sub(" ", str(raw or "")).strip()
            if not loc:
                return None
            if aliases:
                known = aliases.get((label, _compact(loc)))
                if known:
                    return known
            return label[: -len(tag)] + _titlecase(loc)
    return label


def _titlecase(s: str) -> str:
    # keep the caller's spelling if it already has capitals
    return s if any(c.isupper() for c in s) else s.title()


# --------------------------------------------------------------------------- model


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def _fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """Temperature T in [0.01, 10] minimising the NLL of softmax(scores / T) (bounded Brent on log T)."""

    def nll(log_t: float) -> float:
        p = _softmax(scores / math.exp(log_t))
        return float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None))))

    found = minimize_scalar(nll, bounds=(math.log(0.01), math.log(10.0)), method="bounded", options={"xatol": 1e-8})
    return math.exp(float(found.x))


class _Folded:
    """The agency tree as output structure: score(agency) + w × score(its level), where a second
    classifier learns the level (kind of office / government level) on the same features. Both
    are linear, so they fold into one linear model: prediction costs the same."""

    def __init__(self, clf, level_clf, class_level: np.ndarray, weight: float):
        W, b = _two_rows(clf.coef_, clf.intercept_)
        V, d = _two_rows(level_clf.coef_, level_clf.intercept_)
        row = {int(lv): i for i, lv in enumerate(level_clf.classes_)}
        add, add_b = np.zeros_like(W), np.zeros(len(b))
        for i, c in enumerate(clf.classes_):
            j = row.get(int(class_level[c]))
            if j is not None:
                add[i], add_b[i] = V[j], d[j]
        self.classes_ = clf.classes_
        self.coef_ = W + weight * add
        self.intercept_ = b + weight * add_b

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_


def _two_rows(coef: np.ndarray, intercept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A binary LinearSVC's one row as two (negative class, positive class)."""
    if coef.shape[0] == 1:
        return np.vstack([-coef[0], coef[0]]), np.array([-intercept[0], intercept[0]])
    return np.asarray(coef, dtype=np.float64), np.asarray(intercept, dtype=np.float64)


@dataclass
class _Features:
    """Word block first (the reasons are read from it), then char, then location tokens,
    then the topic token (last, so its column is ``topic_offset``)."""

    word: TfidfVectorizer
    char: TfidfVectorizer | None
    meta: TfidfVectorizer | None
    meta_weight: float
    topic: TfidfVectorizer | None = None  # None: the topic is not an input
    topic_weight: float = 0.0

    def fit_transform(
        self, texts: Sequence[str], metas: Sequence[list[str]], topics: Sequence[list[str]] | None = None
    ):
        blocks = [self.word.fit_transform(texts)]
        if self.char is not None:
            blocks.append(self.char.fit_transform(texts))
        if self.meta is not None:
            m = self.meta.fit_transform(metas)
            if self.meta_weight:
                blocks.append(m * self.meta_weight)
        if self.topic is not None:
            if not self.topic_weight or not topics or not any(topics):
                self.topic = None  # no record has a topic (or no weight): not an input
            else:
                blocks.append(self.topic.fit_transform(topics) * self.topic_weight)
        return sp.hstack(blocks, format="csr") if len(blocks) > 1 else blocks[0].tocsr()

    def _blocks(self, texts, metas, topics):
        vecs = [(self.word, texts, 1.0)]
        if self.char is not None:
            vecs.append((self.char, texts, 1.0))
        if self.meta is not None and self.meta_weight:
            vecs.append((self.meta, metas, self.meta_weight))
        if self.topic is not None:
            if topics is None:
                raise ValueError("this model uses the topic as an input: pass topics")
            vecs.append((self.topic, topics, self.topic_weight))
        return vecs

    def transform(self, texts: Sequence[str], metas: Sequence[list[str]], topics: Sequence[list[str]] | None = None):
        """Same matrix as sklearn's transform, computed directly from the fitted
        vocabularies and idf (sklearn's per-call input validation costs several ms,
        too much for one report at a time)."""
        vecs = self._blocks(texts, metas, topics)
        indptr = [0]
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        analyzers = [(v.build_analyzer(), v, docs, w) for v, docs, w in vecs]
        offsets = np.cumsum([0] + [len(v.vocabulary_) for v, _, _ in vecs])
        for i in range(len(texts)):
            for (analyze, v, docs, weight), off in zip(analyzers, offsets):
                vocab = v.vocabulary_
                counts: dict[int, int] = {}
                for tok in analyze(docs[i]):
                    j = vocab.get(tok)
                    if j is not None:
                        counts[j] = counts.get(j, 0) + 1
                if not counts:
                    continue
                idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
                val = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                if v.sublinear_tf:
                    val = np.log(val) + 1.0
                if v.use_idf:
                    val = val * v.idf_[idx]
                if v.norm == "l2":
                    val = val / np.sqrt(np.dot(val, val))
                elif v.norm == "l1":
                    val = val / np.abs(val).sum()
                order = np.argsort(idx)
                indices.append(idx[order] + off)
                data.append((val[order] * weight).astype(np.float32))
            indptr.append(sum(len(a) for a in indices))
        n_features = int(offsets[-1])
        if indices:
            ind, dat = np.concatenate(indices), np.concatenate(data)
        else:
            ind, dat = np.zeros(0, np.int64), np.zeros(0, np.float32)
        return sp.csr_matrix((dat, ind, np.asarray(indptr, dtype=np.int64)), shape=(len(texts), n_features))

    def transform_sklearn(
        self, texts: Sequence[str], metas: Sequence[list[str]], topics: Sequence[list[str]] | None = None
    ):
        """Reference implementation of :meth:`transform` (sklearn's own transforms)."""
        blocks = [
            v.transform(docs) * w if w != 1.0 else v.transform(docs)
            for v, docs, w in self._blocks(texts, metas, topics)
        ]
        return sp.hstack(blocks, format="csr") if len(blocks) > 1 else blocks[0].tocsr()

    @property
    def n_word(self) -> int:
        return len(self.word.vocabulary_)

    @property
    def topic_offset(self) -> int | None:
        """Column of the first topic feature, None when the topic is not an input."""
        if self.topic is None:
            return None
        return sum(len(v.vocabulary_) for v, _, _ in self._blocks([], [], [])[:-1])

    @property
    def inputs(self) -> list[str]:
        """The record fields these features read."""
        out = ["text"]
        if self.meta is not None and self.meta_weight:
            out += ["district", "subdistrict", "channel"]
        if self.topic is not None:
            out.append("topic")
        return out


class RoutingModel:
    """Agency / topic classifier with calibrated top-k suggestions.

    Parameters are the method's knobs; defaults are what the benchmark chose.
    """

    default_temperature = 0.3  # used only when there is too little data for a holdout
    calibrate_temperature = True

    def __init__(
        self,
        *,
        C: float = 0.3,
        meta_weight: float = 0.5,
        templates: bool = True,
        holdout_fraction: float = 0.15,
        class_weight: str | None = None,
        min_df: int = 2,
        n_jobs: int = 2,
        random_state: int = 0,
        half_life_days: float | None = None,
        use_topic: bool = True,
        topic_weight: float = TOPIC_WEIGHT,
        level_weight: float = 0.0,
        return_weight: float = 1.0,
        threshold_target: float = THRESHOLD_TARGET,
    ):
        """``use_topic``: the report's topic is an input (one-hot token of weight
        ``topic_weight``) when the label is not the topic itself and the training
        records have topics; see :attr:`inputs_` for what a fitted model reads."""
        self.C = C
        self.threshold_target = threshold_target
        self.level_weight = level_weight  # > 0: the agency tree as output structure (see _Folded)
        self.return_weight = return_weight  # sample weight of reports some agency returned (Bukan Wewenang)
        self.use_topic = use_topic
        self.topic_weight = topic_weight
        self.half_life_days = half_life_days
        self.meta_weight = meta_weight
        self.templates = templates
        self.holdout_fraction = holdout_fraction
        self.class_weight = class_weight
        self.min_df = min_df
        self.n_jobs = n_jobs
        self.random_state = random_state
        # learned
        self.label: str | None = None
        self.classes_: np.ndarray | None = None  # internal classes (may be templates)
        self.label_set_: list[str] = []  # original labels seen in training
        self.temperature_: float = 1.0
        self.threshold_95_: float | None = None  # chosen on the time-ordered holdout
        self.calibration_: dict = {}
        self.n_train_: int = 0
        self.trained_at_: str | None = None
        self.metrics_: dict = {}
        self._features: _Features | None = None
        self._clf: LinearSVC | None = None
        self._word_names: np.ndarray | None = None

    # ------------------------------------------------------------------ fit

    def _new_features(self) -> _Features:
        word = TfidfVectorizer(
            ngram_range=(1, 2),
            token_pattern=_TOKEN_RE,
            min_df=self.min_df,
            sublinear_tf=True,
            max_df=0.9,
            dtype=np.float32,
        )
        char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            min_df=self.min_df,
            sublinear_tf=True,
            max_df=0.9,
            dtype=np.float32,
        )
        meta = TfidfVectorizer(analyzer=_identity, use_idf=False, norm="l2", dtype=np.float32)
        topic = None
        if self.use_topic and self.label != "topic" and self.topic_weight:
            topic = TfidfVectorizer(analyzer=_identity, use_idf=False, norm="l2", dtype=np.float32)
        return _Features(word, char, meta, self.meta_weight, topic, self.topic_weight)

    def _new_clf(self) -> LinearSVC:
        return LinearSVC(
            C=self.C, class_weight=self.class_weight, dual=True, tol=1e-3, max_iter=3000, random_state=self.random_state
        )  # liblinear shuffles its coordinates: same data, same model

    def _targets(self, records: Sequence[dict], label: str) -> list[str]:
        """Training targets: labels, local offices rewritten as templates.

        When a label could be either template (subdistrict and district share a name),
        the template more often seen unambiguously wins.  Records ``aliases_``: the
        office name actually used for each (template, place)."""
        raw = [str(r.get(label) or "").strip() for r in records]
        if not self.templates:
            cands = [[] for _ in raw]
        else:
            cands = [_template_candidates(y, r) if y else [] for y, r in zip(raw, records)]
        sure: dict[str, int] = {}
        for c in cands:
            if c and (len(c) == 1 or c[0][1] != c[1][1]):
                sure[c[0][0]] = sure.get(c[0][0], 0) + 1
        ys, alias_counts = [], {}
        for y, c, _r in zip(raw, cands, records):
            if c:
                tied = [t for t in c if t[1] == c[0][1]]
                tmpl, loc = max(tied, key=lambda t: sure.get(t[0], 0))
                key = (tmpl, loc)
                alias_counts.setdefault(key, {}).setdefault(y, 0)
                alias_counts[key][y] += 1
                y = tmpl
            ys.append(y)
        self.aliases_ = {k: max(v.items(), key=lambda kv: kv[1])[0] for k, v in alias_counts.items()}
        return ys

    def fit(self, records: Sequence[dict], label: str = "agency") -> "RoutingModel":
        """Fit on records that have a non-empty ``label``.

        Calibration: the newest ``holdout_fraction`` of the records (by received_at,
        else by position) is held out, a second classifier is fitted on the older
        part (in parallel with the final one), and on the held-out slice we fit the
        softmax temperature and choose ``threshold_95_``, the lowest top-1
        confidence at which auto-routing kept precision >= ``threshold_target`` (0.97) there.
        """
        records = [r for r in records if str(r.get(label) or "").strip()]
        if not records:
            raise ValueError(f"no training records with a {label!r} label")
        t0 = time.perf_counter()
        self.label = label
        texts = [normalise_text(r.get("text")) for r in records]
        metas = [_meta_tokens(r) for r in records]
        y_str = self._targets(records, label)
        self.label_set_ = sorted({str(r.get(label)).strip() for r in records})
        self.classes_, y = np.unique(np.asarray(y_str, dtype=object), return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError("need at least two distinct labels to train")

        feats = self._new_features()
        topics = [_topic_tokens(r) for r in records] if feats.topic is not None else None
        X = feats.fit_transform(texts, metas, topics)
        self._features = feats
        self._word_names = feats.word.get_feature_names_out()

        # time-ordered holdout for calibration
        n = len(records)
        n_hold = int(round(n * self.holdout_fraction)) if self.holdout_fraction > 0 else 0
        hold_idx = fit_idx = None
        if n_hold >= 5 and n - n_hold >= 5:
            order = np.argsort([str(r.get("received_at") or "") for r in records], kind="stable")
            fit_idx, hold_idx = np.sort(order[: n - n_hold]), np.sort(order[n - n_hold :])
            if len(np.unique(y[fit_idx])) < 2:
                hold_idx = fit_idx = None

        self._days = _days_of(records) if self.half_life_days else None
        self._returned = (
            np.array([bool(_returned_by(r)) for r in records]) if getattr(self, "return_weight", 1.0) != 1.0 else None
        )
        self._class_level = self._class_levels(records, y) if getattr(self, "level_weight", 0.0) else None

        jobs = [None] if hold_idx is None else [None, fit_idx]
        clfs = Parallel(n_jobs=min(self.n_jobs, len(jobs)), prefer="threads")(
            delayed(self._fit_clf)(X, y, idx) for idx in jobs
        )
        self._clf = clfs[0]
        self.temperature_ = self.default_temperature
        self.threshold_95_ = None
        self.calibration_ = {}
        if hold_idx is not None:
            inner = clfs[1]
            s = np.full((len(hold_idx), len(self.classes_)), np.nan)
            sc = inner.decision_function(X[hold_idx])
            if sc.ndim == 1:
                sc = np.column_stack([-sc, sc])
            s[:, inner.classes_] = sc
            s = np.where(np.isnan(s), np.nanmin(s) - 1.0, s)
            if self.calibrate_temperature:
                self.temperature_ = _fit_temperature(s, y[hold_idx])
            P = _softmax(s / self.temperature_)
            hold = [records[i] for i in hold_idx]
            conf = np.zeros(len(hold))
            ok = np.zeros(len(hold), dtype=bool)
            top_cls = np.full(len(hold), -1)
            for i, rec in enumerate(hold):
                top = self._expanded(rec, P[i], 1)
                if top:
                    conf[i] = top[0][1]
                    ok[i] = top[0][0] == str(rec.get(label)).strip()
                    top_cls[i] = top[0][2]
            self._holdout_eval = {
                "conf": conf,
                "ok": ok,
                "cls": top_cls,
                "idx": hold_idx,
                "P": P,
                "fit_y": y[fit_idx],
            }  # fit-time only
            # the precision asked of the held-out slice: a margin above the 0.95 promised, since the
            # newest reports drift away from the slice (docs/routing-ml.md, Round 5)
            self.threshold_95_ = _threshold_from(conf, ok, getattr(self, "threshold_target", THRESHOLD_TARGET))
            sel = conf >= self.threshold_95_
            self.calibration_ = {
                "n_holdout": int(len(hold)),
                "holdout_top1": round(float(ok.mean()), 4),
                "holdout_coverage_95": round(float(sel.mean()), 4),
                "temperature": round(self.temperature_, 6),
                "threshold_95": round(self.threshold_95_, 6),
            }
        self.n_train_ = n
        self.trained_until_ = max((str(r.get("received_at") or "") for r in records), default="") or None
        self.trained_at_ = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.metrics_ = {"fit_seconds": round(time.perf_counter() - t0, 4), **self.calibration_}
        return self

    def _fit_clf(self, X, y, idx):
        if idx is None:
            idx = np.arange(X.shape[0])
        w = self._weights(idx)
        clf = self._new_clf().fit(X[idx], y[idx], sample_weight=w)
        levels = getattr(self, "_class_level", None)
        if levels is not None and len(np.unique(levels[y[idx]])) >= 2:
            level_clf = self._new_clf().fit(X[idx], levels[y[idx]], sample_weight=w)
            return _Folded(clf, level_clf, levels, self.level_weight)
        return clf

    def _class_levels(self, records: Sequence[dict], y: np.ndarray) -> np.ndarray | None:
        """Level index of each internal class: the commonest ``agency_level`` of its records (the
        product's agency tree), else the label's own (:func:`_level_of`). None: one level only."""
        names: list[str] = []
        for c, label in enumerate(self.classes_):
            given = [str(records[i].get("agency_level") or "") for i in np.nonzero(y == c)[0]]
            given = [g for g in given if g]
            names.append(
                max(set(given), key=given.count) if given and not _is_template(str(label)) else _level_of(str(label))
            )
        uniq, idx = np.unique(np.asarray(names, dtype=object), return_inverse=True)
        return idx if len(uniq) >= 2 else None

    def _weights(self, idx: np.ndarray) -> np.ndarray | None:
        """Recency weights 0.5 ** (age / half-life), age counted from the newest report of
        this fit, normalised to mean 1 (so C keeps its meaning)."""
        days, returned = getattr(self, "_days", None), getattr(self, "_returned", None)
        w = np.ones(len(idx))
        if days is not None and self.half_life_days and not np.isnan(days[idx]).all():
            d = days[idx]
            w = np.power(0.5, (np.nanmax(d) - np.nan_to_num(d, nan=np.nanmin(d))) / float(self.half_life_days))
        if returned is not None:
            w = np.where(returned[idx], w * self.return_weight, w)
        return None if np.all(w == 1.0) else w / w.mean()

    # ------------------------------------------------------------------ predict

    def _check_fitted(self):
        if self._clf is None or self._features is None:
            raise RuntimeError("model is not fitted")

    @property
    def inputs_(self) -> list[str]:
        """The record fields the fitted model reads ("topic" only if it was trained with it)."""
        return self._features.inputs if self._features is not None else []

    def _transform(self, records: Sequence[dict]):
        texts = [normalise_text(r.get("text")) for r in records]
        metas = [_meta_tokens(r) for r in records]
        topics = [_topic_tokens(r) for r in records] if self._features.topic is not None else None
        return self._features.transform(texts, metas, topics)

    def _scores(self, X) -> np.ndarray:
        """Linear scores X @ coef.T + intercept (no sklearn validation; see transform)."""
        W = self.__dict__.get("_W")
        if W is None:
            W = self._W = np.ascontiguousarray(self._clf.coef_.T, dtype=np.float64)
        s = np.asarray(X @ W) + self._clf.intercept_
        if s.shape[1] == 1:  # binary
            s = np.column_stack([-s[:, 0], s[:, 0]])
        return s

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_W", None)  # cache, rebuilt on first use
        state.pop("_days", None)  # fit-time only
        state.pop("_returned", None)
        state.pop("_holdout_eval", None)
        return state

    def predict_proba_internal(self, records: Sequence[dict]) -> np.ndarray:
        """Calibrated probabilities over the internal classes (``classes_``)."""
        self._check_fitted()
        X = self._transform(records)
        return _softmax(self._scores(X) / self.temperature_)

    def _label_of(self, class_idx: int) -> str:
        """The label (or template) of an internal class."""
        return str(self.classes_[class_idx])

    def _expanded(self, record: dict, probs: np.ndarray, k: int) -> list[tuple[str, float, int]]:
        """Top-k real labels for one record: templates filled, duplicates merged."""
        order = np.argsort(-probs)
        merged: dict[str, list] = {}
        returned = _returned_by(record)
        for idx in order[: k + 4 + len(returned)]:
            lab = _expand(self._label_of(idx), record, getattr(self, "aliases_", None))
            if lab is None or lab in returned:  # Bukan Wewenang: never suggested again for this report
                continue
            if lab in merged:
                merged[lab][0] += float(probs[idx])
            else:
                merged[lab] = [float(probs[idx]), int(idx)]
        out = sorted(((lab, p, i) for lab, (p, i) in merged.items()), key=lambda t: -t[1])
        return out[:k]

    def _reason(
        self,
        idx: np.ndarray,
        vals: np.ndarray,
        class_idx: int,
        record: dict,
        n: int = 3,
        topic: tuple[int, float] | None = None,
    ) -> str:
        """Short human reason: the words (word-block features) that pushed this class most,
        ``topik: …`` when the report's topic (column, value) pushed it, ``lokasi: …`` for a
        local office."""
        coef = self._clf.coef_
        if coef.shape[0] == 1:  # binary: row 0 is the positive class
            w = coef[0] if class_idx == 1 else -coef[0]
        else:
            w = coef[class_idx]
        parts = []
        if len(idx):
            contrib = vals * w[idx]
            order = np.argsort(-contrib)
            words: list[str] = []
            used: set[str] = set()
            for j in order:
                if contrib[j] <= 0 or len(words) >= n:
                    break
                name = str(self._word_names[idx[j]])
                if all(t in _STOPWORDS for t in name.split()):
                    continue
                toks = set(name.split())
                if toks & used:
                    continue
                used |= toks
                words.append(name)
            if words:
                parts.append("kata: " + ", ".join(words))
        if topic is not None and topic[1] * w[topic[0]] > 0:
            parts.append(f"topik: {_WS_RE.sub(' ', str(record.get('topic'))).strip()}")
        cls = self._label_of(class_idx)
        if _is_template(cls):
            key = "subdistrict" if cls.endswith("{subdistrict}") else "district"
            parts.append(f"lokasi: {record.get(key)}")
        return "; ".join(parts) if parts else "pola umum"

    def predict_top(self, records: Sequence[dict], k: int = 3) -> list[list[tuple[str, float, str]]]:
        """For each record, up to k (label, calibrated probability, reason), best first."""
        self._check_fitted()
        records = list(records)
        if not records:
            return []
        X = self._transform(records)
        P = _softmax(self._scores(X) / self.temperature_)
        nw = self._features.n_word
        t_off = self._features.topic_offset
        out = []
        for i, rec in enumerate(records):
            lo, hi = X.indptr[i], X.indptr[i + 1]
            idx, vals = X.indices[lo:hi], X.data[lo:hi]
            topic = None
            if t_off is not None and hi > lo and idx[-1] >= t_off:  # the topic block is last
                topic = (int(idx[-1]), float(vals[-1]))
            keep = idx < nw
            idx, vals = idx[keep], vals[keep]
            out.append(
                [
                    (lab, round(p, 6), self._reason(idx, vals, ci, rec, topic=topic))
                    for lab, p, ci in self._expanded(rec, P[i], k)
                ]
            )
        return out

    def predict_labels(self, records: Sequence[dict], k: int = 3) -> list[list[tuple[str, float]]]:
        """Like predict_top without the reasons (faster, for evaluation)."""
        self._check_fitted()
        records = list(records)
        if not records:
            return []
        P = self.predict_proba_internal(records)
        return [[(lab, p) for lab, p, _ in self._expanded(rec, P[i], k)] for i, rec in enumerate(records)]

    def predict_one(
        self,
        text: str,
        district: str = "",
        subdistrict: str = "",
        channel: str = "",
        k: int = 3,
        topic: str = "",
        **extra: Any,
    ) -> list[tuple[str, float, str]]:
        """One report's top-k; ``topic`` (the topic's name) counts only if the model was
        trained with the topic as an input (``"topic" in inputs_``)."""
        rec = {
            "text": text,
            "district": district,
            "subdistrict": subdistrict,
            "channel": channel,
            "topic": topic,
            **extra,
        }
        return self.predict_top([rec], k=k)[0]

    # ------------------------------------------------------------------ thresholds

    def _top1(self, records: Sequence[dict]) -> tuple[np.ndarray, np.ndarray]:
        """(top-1 confidence, correct?) for labelled records."""
        preds = self.predict_labels(records, k=1)
        conf = np.array([p[0][1] if p else 0.0 for p in preds])
        ok = np.array([bool(p) and p[0][0] == str(r.get(self.label) or "").strip() for p, r in zip(preds, records)])
        return conf, ok

    def compare_on_holdout(
        self, records: Sequence[dict], other: RoutingModel, received_after: str | None = None
    ) -> dict:
        """Fit-time only, ``records`` being the ones this model was just fitted on: top-1 of this
        model's held-out twin and of ``other`` on the newest held-out slice, counting only the
        reports received after ``received_after`` (``other``'s ``trained_until``), which neither
        learned from. {"n": 0} without a slice or without such reports."""
        ev = self.__dict__.get("_holdout_eval")
        if ev is None:
            return {"n": 0}
        keep = [
            j
            for j, i in enumerate(ev["idx"])
            if not received_after or str(records[i].get("received_at") or "") > received_after
        ]
        if not keep:
            return {"n": 0}
        ok_other = other._top1([records[ev["idx"][j]] for j in keep])[1]
        return {
            "n": len(keep),
            "new_top1": round(float(ev["ok"][keep].mean()), 4),
            "current_top1": round(float(ok_other.mean()), 4),
        }

    def threshold_for_precision(self, records_holdout: Sequence[dict], target: float = 0.95) -> float:
        """Lowest top-1 confidence threshold t such that the reports with confidence >= t
        have precision >= target on ``records_holdout``.  Returns 1.0 + eps (route nothing
        automatically) when no threshold reaches the target."""
        records = [r for r in records_holdout if str(r.get(self.label) or "").strip()]
        conf, ok = self._top1(records)
        return _threshold_from(conf, ok, target)

    def coverage_at_precision(
        self, records: Sequence[dict], threshold: float | None = None, target: float = 0.95
    ) -> dict:
        """Coverage and precision of auto-routing the reports whose top-1 confidence >= threshold.

        Without a threshold, the oracle threshold for ``target`` on these same records is used
        (an optimistic figure; pass a threshold chosen on held-out data for an honest one).
        """
        records = [r for r in records if str(r.get(self.label) or "").strip()]
        conf, ok = self._top1(records)
        if threshold is None:
            threshold = _threshold_from(conf, ok, target)
        sel = conf >= threshold
        n_sel = int(sel.sum())
        return {
            "threshold": round(float(threshold), 6),
            "coverage": round(n_sel / len(records), 4) if records else 0.0,
            "precision": round(float(ok[sel].mean()), 4) if n_sel else 1.0,
            "n": len(records),
        }

    # ------------------------------------------------------------------ persistence

    def metadata(self) -> dict:
        return {
            "version": ARTEFACT_VERSION,
            "kind": type(self).__name__,
            "trained_at": self.trained_at_,
            "trained_until": getattr(self, "trained_until_", None),  # newest received_at it learned from
            "label": self.label,
            "metrics": self.metrics_,
            "n_train": self.n_train_,
            "classes": list(self.label_set_),
            "temperature": self.temperature_,
            "inputs": self.inputs_,
            "use_topic": bool(self.use_topic),
            "topic_weight": float(self.topic_weight),
        }

    def save(self, path: str | os.PathLike, key: str | bytes) -> Path:
        """Write ``path/`` with model.pkl, model.pkl.sig (HMAC-SHA256 of the pickle
        bytes under ``key``) and metadata.json.  Returns the directory."""
        self._check_fitted()
        key_b = _key_bytes(key)
        d = Path(path)
        d.mkdir(parents=True, exist_ok=True)
        blob = pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)
        meta = self.metadata()
        meta["sha256"] = hashlib.sha256(blob).hexdigest()
        meta_bytes = json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
        sig = _sign(key_b, blob, meta_bytes)
        _atomic_write(d / MODEL_FILE, blob)
        _atomic_write(d / META_FILE, meta_bytes)
        _atomic_write(d / SIG_FILE, sig.encode("ascii"))
        return d

    @classmethod
    def load(cls, path: str | os.PathLike, key: str | bytes) -> "RoutingModel":
        """Load an artefact written by :meth:`save` with the same key.

        The signature is checked before anything is unpickled; a missing or wrong
        signature, a tampered pickle or metadata, or another artefact version raise
        :class:`ArtefactError`."""
        d = Path(path)
        try:
            blob = (d / MODEL_FILE).read_bytes()
            meta_bytes = (d / META_FILE).read_bytes()
            sig = (d / SIG_FILE).read_bytes().decode("ascii").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ArtefactError(f"incomplete model artefact at {d}: {exc}") from exc
        expected = _sign(_key_bytes(key), blob, meta_bytes)
        if not hmac.compare_digest(sig, expected):
            raise ArtefactError(
                f"refusing to load {d}: signature does not match (tampered, or written with another key)"
            )
        meta = json.loads(meta_bytes)
        if meta.get("version") != ARTEFACT_VERSION:
            raise ArtefactError(
                f"artefact version {meta.get('version')} != supported {ARTEFACT_VERSION}: "
                "written by another release, retrain (lapor routing train)"
            )
        obj = pickle.loads(blob)  # signed by this deployment: safe to unpickle
        if not isinstance(obj, RoutingModel):
            raise ArtefactError(f"artefact holds a {type(obj).__name__}, not a RoutingModel")
        if obj.inputs_ != meta.get("inputs"):
            raise ArtefactError(f"artefact {d}: the model reads {obj.inputs_}, its metadata says {meta.get('inputs')}")
        return obj

    @staticmethod
    def read_metadata(path: str | os.PathLike) -> dict:
        """Metadata of an artefact (JSON only, never unpickles; not authenticated)."""
        return json.loads((Path(path) / META_FILE).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- helpers


def _key_bytes(key: str | bytes) -> bytes:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not key:
        raise ValueError("a non-empty signing key is required")
    return key


def _sign(key: bytes, blob: bytes, meta_bytes: bytes) -> str:
    mac = hmac.new(key, digestmod=hashlib.sha256)
    mac.update(b"lapor-routing-artefact-v1\0")
    mac.update(len(blob).to_bytes(8, "big"))
    mac.update(blob)
    mac.update(meta_bytes)
    return mac.hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _days_of(records: Sequence[dict]) -> np.ndarray | None:
    """received_at as days since the epoch (NaN where missing); None if no record has one."""
    out = np.full(len(records), np.nan)
    for i, r in enumerate(records):
        raw = str(r.get("received_at") or "").strip()
        if not raw:
            continue
        try:
            t = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            continue
        if t.tzinfo is None:
            t = t.replace(tzinfo=timezone.utc)
        out[i] = t.timestamp() / 86400.0
    return None if np.isnan(out).all() else out


def _threshold_from(conf: np.ndarray, ok: np.ndarray, target: float) -> float:
    """Lowest threshold t with precision(conf >= t) >= target, maximising coverage."""
    if len(conf) == 0:
        return 1.0 + 1e-9
    order = np.argsort(-conf, kind="stable")
    c, o = conf[order], ok[order].astype(float)
    prec = np.cumsum(o) / np.arange(1, len(o) + 1)
    # only cut between distinct confidence values
    last_of_value = np.r_[c[1:] != c[:-1], True]
    good = np.nonzero((prec >= target) & last_of_value)[0]
    if len(good) == 0:
        return 1.0 + 1e-9
    return float(c[good[-1]])


def oracle_coverage_at_precision(conf: np.ndarray, ok: np.ndarray, target: float = 0.95) -> float:
    t = _threshold_from(np.asarray(conf, float), np.asarray(ok, bool), target)
    return float((np.asarray(conf) >= t).mean()) if len(conf) else 0.0


# --------------------------------------------------------------------------- evaluation


def _macro_f1(y_true: list[str], y_pred: list[str]) -> float:
    labels = sorted(set(y_true))  # classes present in the test set
    return float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0))


def evaluate(
    train_records: Sequence[dict],
    test_records: Sequence[dict],
    label: str = "agency",
    model: RoutingModel | None = None,
) -> dict:
    """Fit on train_records, score on test_records.

    Returns exactly: top1, top3, macro_f1, coverage_at_precision_95 (oracle threshold on
    the test set), classes (distinct labels in training), fit_seconds,
    predict_ms_per_report (batch prediction of top-3 with reasons)."""
    model = model if model is not None else RoutingModel()
    train = [r for r in train_records if str(r.get(label) or "").strip()]
    test = [r for r in test_records if str(r.get(label) or "").strip()]
    t0, c0 = time.perf_counter(), time.process_time()
    model.fit(train, label=label)
    fit_s, fit_cpu = time.perf_counter() - t0, time.process_time() - c0

    t1, c1 = time.perf_counter(), time.process_time()
    preds = model.predict_top(test, k=3)
    pred_ms = (time.perf_counter() - t1) * 1000 / max(len(test), 1)
    pred_cpu_ms = (time.process_time() - c1) * 1000 / max(len(test), 1)

    y = [str(r.get(label)).strip() for r in test]
    top1 = [p[0][0] if p else "" for p in preds]
    conf = np.array([p[0][1] if p else 0.0 for p in preds])
    ok = np.array([a == b for a, b in zip(top1, y)])
    in3 = [yy in {lab for lab, _, _ in p} for yy, p in zip(y, preds)]
    n = max(len(test), 1)
    result = {
        "top1": round(float(ok.sum()) / n, 4),
        "top3": round(sum(in3) / n, 4),
        "macro_f1": round(_macro_f1(y, top1), 4) if test else 0.0,
        "coverage_at_precision_95": round(oracle_coverage_at_precision(conf, ok, 0.95), 4),
        "classes": int(len(model.label_set_)),
        "fit_seconds": round(fit_s, 4),
        "predict_ms_per_report": round(pred_ms, 4),
    }
    model.metrics_.update({k: v for k, v in result.items() if k != "classes"})
    # CPU-time figures (all threads), for load-independent comparisons; not in the result
    model.metrics_["fit_cpu_seconds"] = round(fit_cpu, 4)
    model.metrics_["predict_cpu_ms_per_report"] = round(pred_cpu_ms, 4)
    return result
