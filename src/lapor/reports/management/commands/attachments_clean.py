"""``lapor attachments_clean``: remove metadata from attachments stored before uploads were cleaned
(reports/cleaning.py). Each file is cleaned, written next to the old one and renamed over it (never
half-written); size and checksum are updated. A file that cannot be cleaned is listed (by attachment
id) and left untouched for an operator to decide. Rerunnable: a clean file stays the same."""

import hashlib
import os

from django.core.management.base import BaseCommand

from lapor.core.errors import ValidationFailed
from lapor.reports.attachments import attachment_path
from lapor.reports.cleaning import metadata_remove
from lapor.reports.models import Attachment


class Command(BaseCommand):
    help = "Remove metadata from attachments stored before uploads were cleaned."

    def handle(self, *args, **opts):
        cleaned = unchanged = 0
        failed: list[int] = []
        for att in Attachment.objects.order_by("pk").iterator(chunk_size=500):
            path = attachment_path(att)
            if not path.exists():
                continue
            data = path.read_bytes()
            try:
                clean = metadata_remove(data, att.content_type)
            except ValidationFailed:
                failed.append(att.pk)
                continue
            if clean == data:
                unchanged += 1
                continue
            tmp = path.with_name(path.name + ".clean")
            with open(tmp, "wb") as fh:
                fh.write(clean)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            Attachment.objects.filter(pk=att.pk).update(size=len(clean), sha256=hashlib.sha256(clean).hexdigest())
            cleaned += 1
        self.stdout.write(
            f"lampiran dibersihkan: {cleaned}, sudah bersih: {unchanged}, tidak dapat dibersihkan: "
            f"{len(failed)}{' (id ' + ', '.join(map(str, failed)) + ')' if failed else ''}\n"
        )
