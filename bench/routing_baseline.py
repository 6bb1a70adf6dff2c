"""The benchmark's baseline routing model (bench/routing_eval.py, bench/routing_variants.py): plain
TF-IDF word 1-2-grams + LinearSVC, raw labels, no location features. Not part of the product."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from lapor.routing.ml.model import RoutingModel, _Features


class BaselineModel(RoutingModel):
    """Plain TF-IDF word 1-2-grams + LinearSVC, raw labels, no location features.

    For comparison in the benchmark only.  Confidence = softmax of SVM scores (T=1)."""

    def __init__(self, **kw):
        kw.setdefault("holdout_fraction", 0.15)
        super().__init__(templates=False, meta_weight=0.0, use_topic=False, **kw)

    def _new_features(self) -> _Features:
        word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
        return _Features(word, None, None, 0.0)

    def _new_clf(self) -> LinearSVC:
        return LinearSVC(C=1.0, dual=True, max_iter=5000)

    default_temperature = 1.0
    calibrate_temperature = False
