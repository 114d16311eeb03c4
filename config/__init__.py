"""The wiring, at the top of the layers: settings read from the environment once (``settings``), the URLs
(``urls``), the Celery app (``celery``), WSGI, gunicorn's settings, the health checks (``health``), Sentry, the
static files storage, and the Jinja environment as the settings build it (``jinja``). It may use every package; none
may use it (they read ``django.conf.settings``)."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
