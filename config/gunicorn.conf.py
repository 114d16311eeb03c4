"""gunicorn's settings for the service: `gunicorn -c config/gunicorn.conf.py` (Dockerfile, `make prod-local`).

The master reads the Django settings before it forks, so a production missing a setting it needs stops here with
the settings' one line (config/settings.py), instead of workers failing to boot over and over.

Logging (common.logging.GunicornLogger, docs/observability.md): gunicorn's own lines and its access log in the
service's format (JSON when LOG_FORMAT is json). An access line has the method, the path without its query string
(link tokens redacted), status, length, duration and the request id: never the query string, the referer
(which can carry a token), the user agent or the client's address.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings

from common.logging import ACCESS_LOG_FORMAT

settings.DEBUG  # noqa: B018 - reading a setting imports them all, and runs their checks

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = "-"
# The service's log format, redacted (common.logging.GunicornLogger). access_log_format is the text format's access
# line (LOG_FORMAT=text); the JSON line has the same fields. The logger offers no other atoms.
logger_class = "common.logging.GunicornLogger"
access_log_format = ACCESS_LOG_FORMAT
# gunicorn's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl), shared by every gunicorn on the
# machine; the service does not use it.
control_socket_disable = True
