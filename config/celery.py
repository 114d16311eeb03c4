"""The Celery app: eager in the embedded default, a real worker on Redis when REDIS_URL is set.

Its worker and beat log through Django's LOGGING, and a task carries the id of the request that queued it
(common.logging: the signal handlers, connected once here).
"""

import os

from celery import Celery

from common.logging import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("visits")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
connect_celery_signals()
