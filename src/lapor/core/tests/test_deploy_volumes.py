"""deploy/: every file the web and the workers both need is on one shared volume with the right owner.

The worker builds the open data and trains the routing models the web serves and uses; the web
stores attachments the worker's exports and PDFs read. With a volume per container (or none), each
container sees only its own files. Docker cannot run on the build machines, so this reads the compose
file and the Dockerfile, and asks the code itself where it writes."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path, PurePosixPath

import yaml

ROOT = Path(__file__).resolve().parents[4]
DEPLOY = ROOT / "deploy"
DATA_DIR = "/var/lib/lapor"
UID = "10001"

WHERE = """
import django, json, os, datetime as dt
os.environ['DJANGO_SETTINGS_MODULE'] = 'lapor.settings'
django.setup()
from django.conf import settings
from lapor.analytics.opendata import opendata_path
from lapor.analytics.pdf import pdf_path
from lapor.routing.suggest import models_root
print(json.dumps({"DATA_DIR": str(settings.DATA_DIR), "attachments": str(settings.MEDIA_ROOT),
                  "opendata": str(opendata_path()), "monthly_pdf": str(pdf_path(1, dt.date(2026, 1, 1))),
                  "models": str(models_root("agency")), "static": str(settings.STATIC_ROOT)}))
"""


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _app_services(compose: dict) -> dict:
    return {
        name: svc
        for name, svc in compose["services"].items()
        if "build" in svc or str(svc.get("image", "")).startswith("lapor")
    }


def _dockerfile_env(text: str) -> dict:
    env = {}
    for block in re.findall(r"^ENV (.+?)(?<!\\)$", text, flags=re.M | re.S):
        for key, value in re.findall(r"(\w+)=(\S+)", block.replace("\\\n", " ")):
            env[key] = value
    return env


def _written_paths() -> dict:
    """Where the code writes, asked of the code with the image's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAPOR_", "DATABASE_URL"))}
    env.update(_dockerfile_env((DEPLOY / "Dockerfile").read_text()))
    env.update(LAPOR_SECRET_KEY="k" * 50, LAPOR_ALLOWED_HOSTS="lapor.example.go.id", PYTHONPATH=str(ROOT / "src"))
    res = subprocess.run([sys.executable, "-c", WHERE], env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_every_app_service_mounts_the_same_named_volume_at_the_data_dir_as_the_same_user():
    compose = _compose()
    apps = _app_services(compose)
    assert {"migrate", "web", "worker", "beat"} <= set(apps)
    mounts = {}
    for name, svc in apps.items():
        env = svc["environment"]
        assert env["LAPOR_DATA_DIR"] == DATA_DIR, name
        assert str(svc.get("user")) == f"{UID}:{UID}", f"{name} must run as lapor ({UID}), the volume's owner"
        named = [v for v in svc["volumes"] if isinstance(v, str) and v.split(":")[1] == DATA_DIR]
        assert len(named) == 1, f"{name} has no volume at {DATA_DIR}: {svc['volumes']}"
        mounts[name] = named[0].split(":")[0]
        # nothing under the data dir is mounted separately (it would hide the shared files)
        assert not [v for v in svc["volumes"] if str(v).split(":")[1].startswith(DATA_DIR + "/")], name
    assert len(set(mounts.values())) == 1, mounts
    volume = next(iter(mounts.values()))
    assert not volume.startswith(("/", ".")), "a named volume, not a host path"
    assert volume in compose["volumes"]


def test_everything_the_code_writes_is_under_the_shared_volume_and_created_for_its_owner():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    env = _dockerfile_env(dockerfile)
    assert env["LAPOR_DATA_DIR"] == DATA_DIR
    assert re.search(rf"useradd --system --uid {UID} --gid lapor", dockerfile) and "USER lapor" in dockerfile
    created = set()
    for command in re.findall(r"install -d -o lapor -g lapor[^&]*", dockerfile):
        created |= set(re.findall(r'"\$LAPOR_DATA_DIR(?:/([\w-]+))?"', command.replace("\\\n", " ")))
    paths = _written_paths()
    assert paths["DATA_DIR"] == DATA_DIR
    for what in ("attachments", "opendata", "monthly_pdf", "models"):
        path = PurePosixPath(paths[what])
        assert path.is_relative_to(DATA_DIR), f"{what} is written outside the shared volume: {path}"
        top = path.relative_to(DATA_DIR).parts[0]
        assert top in created, f"the image does not create {DATA_DIR}/{top} owned by lapor ({what})"
    assert "" in created  # the data dir itself
    # Static files belong to the image: the volume would otherwise keep the previous release's files.
    assert not PurePosixPath(paths["static"]).is_relative_to(DATA_DIR), paths["static"]
    assert re.search(r"collectstatic", dockerfile)
