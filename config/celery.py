"""The Celery app: eager in the embedded default, a real worker on Redis when REDIS_URL is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("visits")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
