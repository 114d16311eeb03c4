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
from collections import ChainMap
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    Undefined,
    select_autoescape,
)
from jinja2.filters import do_indent
from markupsafe import Markup, escape

_ENVIRONMENT: Environment | None = None


@functools.lru_cache(maxsize=1024)
def _static(path: str, static_url: str | None) -> str:
    return static(path)


def static_url(path: str) -> str:
    """Django's ``static``, remembered: a file's URL does not change while the process runs (the manifest of hashed
    names is read once), and each look-up costs a page about 50 Python calls."""
    return _static(path, settings.STATIC_URL)


def _forget_static_urls(*, setting: str, **kwargs: Any) -> None:
    if setting in {"STATIC_URL", "STORAGES", "STATIC_ROOT"}:  # tests that change where static files are
        _static.cache_clear()


setting_changed.connect(_forget_static_urls)


@functools.lru_cache(maxsize=2048)
def _reverse(name: str, args: tuple[Any, ...], prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=args or None)


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """Django's ``reverse``, remembered for positional arguments (a URL does not change while the process runs;
    each look-up costs about 40 Python calls, several times a page)."""
    if kwargs:
        return reverse(name, kwargs=kwargs)
    return _reverse(name, args, get_script_prefix(), get_urlconf())


def govuk_date(value: Any, with_weekday: bool = False) -> str:
    """A date the GOV.UK way: 'Monday 23 November 2026' or '23 November 2026'."""
    if type(value) is date:  # a day's name in a language does not change: remembered (Django's formatting is slow)
        return _govuk_date(value, with_weekday, translation.get_language())
    return date_format(value, "l j F Y" if with_weekday else "j F Y")


@functools.lru_cache(maxsize=4096)
def _govuk_date(value: date, with_weekday: bool, language: str | None) -> str:
    return date_format(value, "l j F Y" if with_weekday else "j F Y")


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


def indent(s: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> Any:
    """Jinja's ``indent`` filter, with the same output, faster on markup.

    The GOV.UK macros indent every nested component's markup. Jinja's filter works line by line on ``Markup``,
    where each concatenation goes through ``escape``; this does the same work on the plain text and marks the
    result safe once (the input was already safe, and indenting adds only the indentation)."""
    if not isinstance(s, Markup):
        return do_indent(s, width, first, blank)
    indention = width if isinstance(width, str) else " " * width
    text = str(s) + "\n"  # the same quirk as Jinja's, for splitlines
    if blank:
        rv = ("\n" + indention).join(text.splitlines())
    else:
        lines = text.splitlines()
        rv = lines.pop(0)
        if lines:
            rv += "\n" + "\n".join(indention + line if line else line for line in lines)
    if first:
        rv = indention + rv
    return Markup(rv)


_LINE_BREAK_RUN = re.compile(r"[ \t\r\f\v]*\n[ \t\n\r\f\v]*")  # ASCII only: a no-break space is content
_WHITESPACE_KEEPERS = ("<pre", "<textarea")


def squeeze(html: str) -> Markup:
    """Markup with each run of whitespace that holds a line break collapsed to one line break.

    Browsers render any run of whitespace as one space (outside ``<pre>`` and ``<textarea>``, left as they are), so
    the page looks and reads the same; the GOV.UK macros' indentation is a fifth of a page's bytes."""
    if any(tag in html for tag in _WHITESPACE_KEEPERS):
        return Markup(html)
    return Markup(_LINE_BREAK_RUN.sub("\n", html))


_FRAGMENTS: dict[Hashable, Any] = {}
_FRAGMENTS_LOCK = threading.Lock()
FRAGMENTS_MAX = 256  # a picker is ~30 KB: at most ~8 MB a process


def cached(*key: Hashable, caller: Callable[[], str]) -> Markup:
    """``{% call cached("name", value, ...) %}...{% endcall %}``: the block rendered once and reused.

    For markup that repeats unchanged for many requests (the header and footer, the date picker of a prison's
    window): the block's output must depend only on the key's values, the language and the URL configuration, which
    are the cache key. The block is rendered by the official macros as usual; its output is kept whitespace-squeezed
    (``squeeze``) in this process, the oldest entry dropped beyond ``FRAGMENTS_MAX``."""
    if settings.DEBUG:  # templates reload when edited: render every time
        return squeeze(caller())
    full_key = (key, translation.get_language(), get_script_prefix(), get_urlconf())
    html = _FRAGMENTS.get(full_key)
    if html is None:
        html = squeeze(caller())
        with _FRAGMENTS_LOCK:
            while len(_FRAGMENTS) >= FRAGMENTS_MAX:
                del _FRAGMENTS[next(iter(_FRAGMENTS))]
            _FRAGMENTS[full_key] = html
    return html


_SHELLS: dict[Hashable, tuple[Markup, ...]] = {}
SHELL_MARKER = "@@shell@@"
SHELL_BLOCKS = 7  # pageTitle, head, header, beforeContent, content, footer, bodyEnd (layouts/shell.html)


def page_shell(html_lang: str, container_classes: str = "") -> tuple[Markup, ...]:
    """The official GOV.UK page template, cut where a page's own blocks go (layouts/shell.html): rendered once per
    language and container class and reused, so that a page renders only its blocks (layouts/base.html)."""
    key = (html_lang, container_classes, get_script_prefix(), get_urlconf(), settings.STATIC_URL)
    parts = None if settings.DEBUG else _SHELLS.get(key)
    if parts is None:
        html = (
            shared_environment()
            .get_template("layouts/shell.html")
            .render(htmlLang=html_lang, containerClasses=container_classes)
        )
        parts = tuple(Markup(part) for part in squeeze(html).split(SHELL_MARKER))
        assert len(parts) == SHELL_BLOCKS + 1, "layouts/shell.html must mark each block once"
        _SHELLS[key] = parts
    return parts


_SLOT = re.compile(r"@@slot:(\w+)@@")


class _Slots:
    """What a ``filled`` block sees: for each value, a marker where the value will go (or the value itself when
    it is empty, so that the macro takes the same branch it would with the real value)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        value = self._values[name]
        return Markup(f"@@slot:{name}@@") if value else value

    __getitem__ = __getattr__


def filled(*key: Hashable, caller: Callable[[_Slots], str], **values: Any) -> Markup:
    """``{% call(v) filled("name", shape, ..., a=..., b=...) %}{{ govukX({... v.a ... v.b ...}) }}{% endcall %}``:
    a block rendered once per key with markers in place of its values, then filled with the values each time.

    For components whose markup is the same for everyone but for a few values that the macro inserts as they are
    (a summary list's keys, links and rows are fixed; its values are the visitor's answers). Each value is filled in
    escaped as the macro would have escaped it: text escaped, markup (``html``) as it is. Only for values that the
    macro does not compare, measure or transform (a radio's value compared with the chosen one would not do); an
    empty value is passed through as it is and is part of the key. The key holds whatever else changes the markup."""
    full_key = (
        "filled",
        key,
        tuple((name, bool(value)) for name, value in values.items()),
        translation.get_language(),
        get_script_prefix(),
        get_urlconf(),
    )
    parts = None if settings.DEBUG else _FRAGMENTS.get(full_key)
    if parts is None:
        parts = tuple(_SLOT.split(squeeze(caller(_Slots(values)))))
        if not settings.DEBUG:
            with _FRAGMENTS_LOCK:
                while len(_FRAGMENTS) >= FRAGMENTS_MAX:
                    del _FRAGMENTS[next(iter(_FRAGMENTS))]
                _FRAGMENTS[full_key] = parts  # type: ignore[assignment]
    # parts: markup, a value's name, markup, a value's name, ..., markup
    return Markup("".join(part if i % 2 == 0 else escape(values[part]) for i, part in enumerate(parts)))


class _Globals(ChainMap):  # type: ignore[type-arg]
    """A template's globals, as Jinja makes them (its own over the environment's), with ``keys()`` a plain set.

    Every ``{% from ... import ... %}`` (five in the GOV.UK page template, on every page) subtracts these keys from
    the importing context's; on a ChainMap's ``KeysView`` that is a Python loop of some 90 calls, on a set one C
    operation. The mapping itself is Jinja's (``Environment.make_globals``), live as before."""

    def keys(self) -> Any:
        return set().union(*self.maps)


class _GovukEnvironment(Environment):
    def make_globals(self, d: Any) -> Any:
        return _Globals({} if d is None else d, self.globals)


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
    env = _GovukEnvironment(loader=loader, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translation.gettext, translation.ngettext, newstyle=True
    )
    env.globals.update(
        static=static_url,
        url=url,
        get_messages=get_messages,
        get_language=translation.get_language,
        settings=settings,
        cached=cached,
        filled=filled,
        page_shell=page_shell,
    )
    env.filters.update(
        govuk_date=govuk_date,
        govuk_time=govuk_time,
        fromiso=from_iso,
        error_item=error_item,
        localtime=timezone.localtime,
        govuk_datetime=govuk_datetime,
    )
    env.filters["indent"] = indent
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
