"""gunicorn's settings for the service: `gunicorn -c config/gunicorn.conf.py` (Dockerfile, `make prod-local`).

The master reads the Django settings before it forks, so a production missing a setting it needs stops here with
the settings' one line (config/settings.py), instead of workers failing to boot over and over.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings

settings.DEBUG  # noqa: B018 - reading a setting imports them all, and runs their checks

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = "-"
