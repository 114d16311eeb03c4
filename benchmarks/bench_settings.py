"""Settings for the gunicorn that `benchmarks/pages.py` starts: the service's own settings (read from the same
environment: DEBUG off, the bench database), plus a bare view to compare against and static files served from the
source folders (DEBUG off would otherwise want the manifest `collectstatic` writes). Used by the benchmark only."""

from benchmarks.stub_settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing collected
