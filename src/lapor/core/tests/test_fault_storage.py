"""Attachment storage full or read-only: the upload fails with a clear 4xx message, and nothing is
half-written (no attachment row, no audit event, no orphan file). Uses real tmpfs mounts when the
test may mount (root), and a simulated ENOSPC otherwise."""

import errno
import io
import os
import subprocess
import uuid
from pathlib import Path

import pytest
from PIL import Image

from lapor.accounts.testing import submission_data
from lapor.reports.models import Attachment, ReportEvent

pytestmark = pytest.mark.django_db


def noisy_png(size: int = 200) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)).save(out, format="PNG")
    return out.getvalue()


def _upload(client, api, data):
    created = api.post("/api/reports", submission_data(guest_email="warga@example.org")).json()
    f = io.BytesIO(data)
    f.name = "foto-jalan.png"
    response = client.post(
        f"/api/reports/{created['tracking_id']}/attachments", {"file": f}, HTTP_X_REPORT_SECRET=created["guest_secret"]
    )
    return response, created["tracking_id"]


def _nothing_written(tracking_id: str, root: Path):
    assert not Attachment.objects.filter(report__tracking_id=tracking_id).exists()
    assert not ReportEvent.objects.filter(report__tracking_id=tracking_id, kind=ReportEvent.Kind.ATTACHMENT).exists()
    assert not [p for p in root.rglob("*") if p.is_file()]


def _refused_cleanly(response):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "storage_unavailable" and body["message"]


@pytest.fixture
def tmpfs(tmp_path):
    mounted = []

    def mount(options: str) -> Path:
        target = tmp_path / f"m{uuid.uuid4().hex[:6]}"
        target.mkdir()
        if subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True
        ).returncode:
            pytest.skip("cannot mount a tmpfs here (needs root)")
        mounted.append(target)
        return target

    yield mount
    for target in mounted:
        subprocess.run(["umount", str(target)], capture_output=True)


@pytest.mark.parametrize("options", ["size=16k", "size=64k,ro"], ids=["disk-full", "read-only"])
def test_upload_to_full_or_read_only_storage_fails_cleanly(net, api, client, settings, tmpfs, options):
    settings.MEDIA_ROOT = str(tmpfs(options))
    response, tracking_id = _upload(client, api, noisy_png())
    _refused_cleanly(response)
    _nothing_written(tracking_id, Path(settings.MEDIA_ROOT))


def test_upload_when_the_disk_fills_mid_write_fails_cleanly(net, api, client, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path / "attachments")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("lapor.reports.attachments.os.fsync", disk_full)
    response, tracking_id = _upload(client, api, noisy_png(40))
    _refused_cleanly(response)
    _nothing_written(tracking_id, tmp_path / "attachments")
