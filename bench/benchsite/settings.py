"""The production settings plus the bench app and its URL. Only for bench/ scripts."""

from lapor.settings import *  # noqa: F401,F403
from lapor.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "benchsite"]
ROOT_URLCONF = "benchsite.urls"
