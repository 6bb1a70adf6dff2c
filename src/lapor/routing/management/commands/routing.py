"""``lapor routing train [--label agency|topic]`` trains from this deployment's history;
``lapor routing evaluate --train A.csv --test B.csv [--label agency|topic] [--without-topic]``
prints one JSON object with top1, top3, macro_f1, coverage_at_precision_95, classes,
fit_seconds, predict_ms_per_report, and ``inputs``: the CSV columns the model read (the
topic column when the file has one and the label is the agency, unless --without-topic)."""
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
        ev.add_argument("--test", required=True)
        ev.add_argument("--label", choices=["agency", "topic"], default="agency")
        ev.add_argument("--without-topic", action="store_true",
                        help="leave the topic column out of the inputs (text, place and channel only)")

    def handle(self, *args, **opts):
        if opts["action"] == "train":
            from lapor.routing.suggest import routing_train

            self.stdout.write(json.dumps(routing_train(label=opts["label"], limit=opts["limit"])))
            return
        from lapor.routing.ml import RoutingModel, evaluate, read_csv

        try:
            train, test = read_csv(opts["train"]), read_csv(opts["test"])
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"cannot read CSV: {exc}") from exc
        if not train or not test:
            raise CommandError("both CSV files need at least one row")
        model = RoutingModel(use_topic=not opts["without_topic"])
        result = evaluate(train, test, label=opts["label"], model=model)
        self.stdout.write(json.dumps({**result, "inputs": model.inputs_}))
