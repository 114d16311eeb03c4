from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop

# The default service name, marked for the catalogue: a name set in the environment is shown as it is.
SERVICE_NAME_MSGID = gettext_noop("Visit someone in prison")


def service(request: HttpRequest) -> dict[str, Any]:
    """What every page's layout needs: the service names and the feedback link."""
    return {
        "service_name": gettext(settings.SERVICE_NAME),  # the default name is in the catalogue (SERVICE_NAME_MSGID)
        "staff_service_name": settings.STAFF_SERVICE_NAME,
        "feedback_url": settings.FEEDBACK_URL,
    }
