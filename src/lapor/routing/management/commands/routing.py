"""``lapor routing train [--label agency|topic]`` trains from this deployment's history;
``lapor routing evaluate --train A.csv --test B.csv [--label agency|topic] [--without-topic]``
prints one JSON object with top1, top3, macro_f1, coverage_at_precision_95, classes,
fit_seconds, predict_ms_per_report, and ``inputs``: the CSV columns the model read (the
topic column when the file has one and the label is the agency, unless --without-topic).

``lapor routing evaluate --prequential --retrain monthly|weekly --train A.csv [--test B.csv]
[--start YYYY-MM-DD]`` walks the test period in time order (without --test: A's reports from
--start on, or A's second half), retraining before each period on everything received so far;
it prints the same JSON plus the honest auto-routing figures (each retrain's own threshold) and
``periods``. Always text, place and channel only (the topic is left out)."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Routing suggestions: train from the database, or evaluate on CSV files."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train")
        train.add_argument("--label", choices=["agency", "topic"], default="agency")
        train.add_argument("--limit", type=int, default=50_000)
        ev = sub.add_parser("evaluate")
        ev.add_argument("--train", required=True)
        ev.add_argument("--test", help="the period to score (required unless --prequential)")
        ev.add_argument(
            "--prequential",
            action="store_true",
            help="retrain before each period of the test data on everything received so far",
        )
        ev.add_argument("--retrain", choices=["monthly", "weekly"], default="monthly")
        ev.add_argument("--start", help="with --prequential and no --test: first day of the test period")
        ev.add_argument("--half-life-days", type=float, default=None, help="recency weights (default: none)")
        ev.add_argument("--label", choices=["agency", "topic"], default="agency")
        ev.add_argument(
            "--without-topic",
            action="store_true",
            help="leave the topic column out of the inputs (text, place and channel only)",
        )

    def handle(self, *args, **opts):
        if opts["action"] == "train":
            from lapor.routing.suggest import routing_train  # heavy: scikit-learn only when the command runs

            self.stdout.write(json.dumps(routing_train(label=opts["label"], limit=opts["limit"])))
            return
        from lapor.routing.ml import RoutingModel, evaluate, read_csv  # heavy: scikit-learn only when the command runs

        if opts["prequential"]:
            return self._prequential(opts)
        if not opts["test"]:
            raise CommandError("--test is required (or use --prequential)")
        try:
            train, test = read_csv(opts["train"]), read_csv(opts["test"])
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"cannot read CSV: {exc}") from exc
        if not train or not test:
            raise CommandError("both CSV files need at least one row")
        model = RoutingModel(use_topic=not opts["without_topic"])
        result = evaluate(train, test, label=opts["label"], model=model)
        self.stdout.write(json.dumps({**result, "inputs": model.inputs_}))

    def _prequential(self, opts):
        from lapor.routing.ml import RoutingModel, read_csv  # heavy: scikit-learn only when the command runs
        from lapor.routing.ml.prequential import prequential, split_at  # heavy: scikit-learn only when the command runs

        try:
            train = read_csv(opts["train"])
            test = read_csv(opts["test"]) if opts["test"] else None
            start = dt.date.fromisoformat(opts["start"]) if opts["start"] else None
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"cannot read the input: {exc}") from exc
        if test is None:
            train, test = split_at(train, start)
        if not train or not test:
            raise CommandError("need reports both before and in the test period")
        model = None

        def make():
            nonlocal model
            model = RoutingModel(use_topic=False, half_life_days=opts["half_life_days"])
            return model

        try:
            result = prequential(train, test, label=opts["label"], retrain=opts["retrain"], make_model=make)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps({**result, "inputs": model.inputs_}))
