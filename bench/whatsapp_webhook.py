"""What one WhatsApp message costs: signed webhook in, report (or status answer) written, the answer
delivered to the Cloud API (a local fake on 127.0.0.1:8131-8139) in the same request, since with no
broker the outbox delivers after commit in-process.

    PYTHONPATH=src .venv/bin/python bench/whatsapp_webhook.py [--messages 200] [--database-url URL]

A fresh SQLite database in a temporary directory unless --database-url is given (it is migrated,
and the reports it files stay there). Prints p50/p95/p99 and the mean per kind of message.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    from lapor.intake.tests import fake_cloud_api as wa

    with wa.cloud_api() as cloud, tempfile.TemporaryDirectory() as data:
        os.environ.update(
            {
                "LAPOR_DATA_DIR": data,
                "LAPOR_RATE_WEBHOOK": "1000000/60",
                "LAPOR_FAST_PASSWORD_HASHER": "1",
                "LAPOR_WHATSAPP_TOKEN": wa.TOKEN,
                "LAPOR_WHATSAPP_PHONE_NUMBER_ID": wa.PHONE_NUMBER_ID,
                "LAPOR_WHATSAPP_VERIFY_TOKEN": wa.VERIFY_TOKEN,
                "LAPOR_WHATSAPP_APP_SECRET": wa.APP_SECRET,
                "LAPOR_WHATSAPP_API_BASE": f"{cloud.base}/v21.0",
                "DJANGO_SETTINGS_MODULE": "lapor.settings",
            }
        )
        if args.database_url:
            os.environ["DATABASE_URL"] = args.database_url
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        from lapor.accounts.testing import network_make

        call_command("migrate", verbosity=0)
        network_make()
        client, timings = Client(), {"report": [], "status": []}
        last: dict = {}  # the LAPOR answer, whose tracking id the STATUS message asks about
        for i in range(args.messages):
            wa_id = f"62812{i:08d}"
            cloud.customer_wrote(wa_id)
            for kind, text in (("report", f"LAPOR Lampu jalan nomor {i} mati sejak Senin"), ("status", "STATUS")):
                if kind == "status":
                    text = f"STATUS {last['tracking_id']}"
                started = time.perf_counter()
                res = wa.signed(client, wa.webhook(wa_id, wa.text_message(f"wamid.bench-{kind}-{i}", text)))
                timings[kind].append((time.perf_counter() - started) * 1000)
                assert res.status_code == 200, res.content
                last = res.json()["messages"][0]
        assert len(cloud.sent) == 2 * args.messages and not cloud.refused, (len(cloud.sent), cloud.refused[:1])
        engine = django.db.connection.vendor
        for kind, values in timings.items():
            q = statistics.quantiles(values, n=100)
            print(
                f"{kind:7s} n={len(values)} {engine}: p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms, "
                f"mean {statistics.mean(values):.1f} ms (webhook in, answer delivered to the fake Cloud API)"
            )


if __name__ == "__main__":
    main()
