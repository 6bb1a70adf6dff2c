"""Machine-learning core of routing suggestions (pure Python, no Django).

See docs/routing-ml.md and :mod:`lapor.routing.ml.model`.
"""

from .model import (  # noqa: F401
    ARTEFACT_VERSION,
    META_FILE,
    ArtefactError,
    RoutingModel,
    evaluate,
    normalise_text,
    read_csv,
)
