"""One Jinja2 environment for every page, holding the official GOV.UK Frontend macros.

The macros come from ``govuk-frontend-jinja`` (installed with govuk-frontend-django). Django builds this
environment once per process; templates and macro modules are compiled once and reused. govuk-frontend-django's
own components, which as shipped build a new environment on every render, are pointed at the same environment by
``use_shared_environment`` (see docs/govuk-rendering.md for the figures).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

import cachetools
from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS, WEEKDAYS
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    Undefined,
    select_autoescape,
)
from markupsafe import Markup

_ENVIRONMENT: Environment | None = None


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """Django's ``reverse``, with the URL's arguments as the call's: ``url("visits:choose-time-rank", 2)``."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def govuk_date(value: Any, with_weekday: bool = False) -> str:
    """A date the GOV.UK way: 'Monday 23 November 2026' or '23 November 2026' (Django's ``date_format`` with
    "l j F Y" or "j F Y", from the same translated names, without its format parser)."""
    day = f"{value.day} {MONTHS[value.month]} {value.year}"
    return f"{WEEKDAYS[value.weekday()]} {day}" if with_weekday else day


def govuk_datetime(value: Any) -> str:
    """'23 November 2026 at 2:15pm'."""
    return translation.gettext("%(date)s at %(time)s") % {"date": govuk_date(value), "time": govuk_time(value)}


def govuk_time(value: Any) -> str:
    """A time the GOV.UK way: '2pm', '9:15am', 'midday' (in Welsh '2yp', '9:15yb', 'canol dydd')."""
    if value.hour == 12 and value.minute == 0:
        return translation.gettext("midday")
    if value.hour == 0 and value.minute == 0:
        return translation.gettext("midnight")
    hour = value.hour % 12 or 12
    time = str(hour) if value.minute == 0 else f"{hour}:{value.minute:02d}"
    if value.hour < 12:
        return translation.gettext("%(time)sam") % {"time": time}
    return translation.gettext("%(time)spm") % {"time": time}


def from_iso(value: str) -> date:
    """'2026-11-23' -> a date, for answers kept as ISO strings in the session."""
    return date.fromisoformat(value)


def error_item(text: str, href: str) -> dict[str, str]:
    """One entry of a GOV.UK error summary's errorList."""
    return {"text": text, "href": href}


class GovukEnvironment(Environment):
    """Jinja's environment, with each template's globals in a plain dict.

    Jinja keeps a template's globals as a ``ChainMap`` over the environment's, so that globals added to the
    environment later still show through. Ours are all set when the environment is built, before any template is
    loaded, and a ChainMap is slow where Jinja reads it on every render: each ``{% from ... import %}`` takes the
    set difference of the page's globals and the imported template's, and each template rendered copies them into
    its context, through the ChainMap's Python-level methods. A dict copy (made once, when the template is loaded)
    does both in C: about 6% of a first view of the date picker's instructions (docs/benchmarks.md)."""

    def make_globals(self, d: Any = None) -> Any:
        return {**self.globals, **(d or {})}


def environment(**options: Any) -> Environment:
    """Build the environment Django's Jinja2 backend uses; called once per process."""
    global _ENVIRONMENT
    template_dirs = options.pop("loader", None)
    loader = ChoiceLoader(
        [
            template_dirs or FileSystemLoader([str(d) for d in settings.TEMPLATES[0]["DIRS"]]),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    # The GOV.UK macros are ports of Nunjucks, where a missing param is silently empty. Django's backend asks for
    # DebugUndefined when DEBUG is on, which would print debug text into the pages (even into form values).
    options["undefined"] = Undefined
    options.setdefault("autoescape", select_autoescape())
    options.setdefault("auto_reload", settings.DEBUG)
    options.setdefault("cache_size", 800)
    env = GovukEnvironment(loader=loader, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translation.gettext, translation.ngettext, newstyle=True
    )
    env.globals.update(
        static=static,
        url=url,
        get_messages=get_messages,
        get_language=translation.get_language,
        settings=settings,
        govuk_shared=govuk_shared,
        kept=kept,
    )
    env.filters.update(
        govuk_date=govuk_date,
        govuk_time=govuk_time,
        fromiso=from_iso,
        error_item=error_item,
        localtime=timezone.localtime,
        govuk_datetime=govuk_datetime,
    )
    _ENVIRONMENT = env
    return env


def shared_environment() -> Environment:
    """The environment of the Jinja2 template backend (built on first use)."""
    if _ENVIRONMENT is None:
        from django.template import engines

        engines["jinja2"]  # building the backend calls environment()
    assert _ENVIRONMENT is not None
    return _ENVIRONMENT


@functools.cache
def _component_path(macro_name: str) -> str:
    # govukCharacterCount -> character-count
    stem = macro_name.removeprefix("govuk")
    slug = "".join("-" + c.lower() if c.isupper() else c for c in stem).lstrip("-")
    return f"govuk_frontend_jinja/components/{slug}/macro.html"


def render_macro(macro_name: str, params: dict[str, Any] | None = None) -> Markup:
    """Call one official GOV.UK macro (e.g. ``govukButton``) with its params, from Python."""
    module = shared_environment().get_template(_component_path(macro_name)).module
    return Markup(getattr(module, macro_name)(params or {}))


# The rendering cache: an official macro's markup is a function of its params and the language alone, and the
# macros are the costly part of a page (docs/benchmarks.md). Markup that many visitors see alike (the header and
# footer, a day of the date picker) is rendered once per distinct call and kept (RENDERING_CACHE_ENTRIES), the
# least recently used dropped first. Only for params without personal data: a form's answers go through
# ``render_macro``.
_SHARED: cachetools.LRUCache[Hashable, Markup] = cachetools.LRUCache(maxsize=max(settings.RENDERING_CACHE_ENTRIES, 1))
_SHARED_LOCK = threading.Lock()


def _frozen(value: Any) -> Hashable:
    if isinstance(value, dict):
        return tuple((key, _frozen(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, Markup):
        return ("html", str(value))
    return (type(value).__name__, value)


# The macros' indentation and blank lines, out of the markup kept: about a fifth of a page's characters, which every
# response would otherwise encode and compress again (docs/benchmarks.md). A browser reads a newline as the spaces it
# replaces, except in <pre> and <textarea>, whose markup is kept as it was made.
_INDENTATION = re.compile(r"\n[ \t\r\n]+")  # not \s: a no-break space is content


def without_indentation(markup: str) -> str:
    """The markup with each run of whitespace that starts a line cut to the newline."""
    if "<pre" in markup or "<textarea" in markup:
        return markup
    return _INDENTATION.sub("\n", markup)


def kept_markup(key: Hashable, render: Callable[[], str]) -> Markup:
    """The markup ``render`` makes (``without_indentation``), from the rendering cache when it holds this key (with
    the language): ``key`` must hold everything else the markup depends on."""
    if settings.RENDERING_CACHE_ENTRIES <= 0:  # off: to measure what it saves
        return Markup(without_indentation(render()))
    full_key = (key, translation.get_language())
    with _SHARED_LOCK:
        found = _SHARED.get(full_key)
    if found is None:
        found = Markup(without_indentation(render()))
        with _SHARED_LOCK:
            _SHARED[full_key] = found
    return found


def kept(*key: Hashable, caller: Callable[[], str]) -> Markup:
    """``{% call kept("footer", value, ...) %}...{% endcall %}``: the block through the rendering cache, for a block
    whose markup depends only on the key's values and the language (and URLs, fixed while the process runs)."""
    return kept_markup(("block", *key), caller)


def govuk_shared(macro_name: str, params: dict[str, Any]) -> Markup:
    """``render_macro``, through the rendering cache: for markup that is the same for everyone who sees it."""
    return kept_markup((macro_name, _frozen(params)), lambda: render_macro(macro_name, params))


def use_shared_environment() -> None:
    """Make govuk-frontend-django's components render through the shared environment.

    As shipped, ``GovUKComponent.render`` builds a new Jinja environment, loader and template on every call
    (about 10 ms for one button). The component's data and macro are unchanged; only the environment is reused.
    """
    from govuk_frontend_django.components.base import GovUKComponent

    if getattr(GovUKComponent, "_uses_shared_environment", False):
        return

    def render(
        self: Any,
        template_name: Any = None,
        context: Any = None,
        renderer: Any = None,
        component_data: dict[str, Any] | None = None,
    ) -> str:
        data = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        if component_data:
            data.update(component_data)
        data = _drop_empty(data)
        return render_macro(self._macro_name, data)

    GovUKComponent.shipped_render = GovUKComponent.render  # type: ignore[attr-defined]  # kept for the benchmark
    GovUKComponent.render = render  # type: ignore[method-assign]
    GovUKComponent.__str__ = render  # type: ignore[method-assign]
    GovUKComponent.__html__ = render  # type: ignore[attr-defined]
    GovUKComponent._uses_shared_environment = True  # type: ignore[attr-defined]


def _drop_empty(data: Any) -> Any:
    """Remove None values the way govuk-frontend-django does before calling a macro."""
    if isinstance(data, dict):
        return {k: _drop_empty(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_drop_empty(v) for v in data if v is not None]
    if hasattr(data, "__dataclass_fields__"):
        return _drop_empty({k: v for k, v in data.__dict__.items() if not k.startswith("_")})
    return data
