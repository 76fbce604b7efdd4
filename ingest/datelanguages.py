"""htmldate's last-resort date parser, asked only in the languages the page can be in.

When htmldate's own parsers give up on a date-like string ("lunes 7 de enero de 2008"), it
hands the string to dateparser with no language given. dateparser then tries the string
against each of its 205 locales in turn, compiling every locale's patterns on the way: about
30 MB and 1.8 CPU-seconds in each extraction worker, paid the first time any page holds a
string no early locale accepts, which on a real crawl is one of its first pages.

Here dateparser tries only English (which it tries first anyway), the page's declared
language, and the languages whose month or day names the string holds where English does
not read them ("gennaio", "января", "Montag"): the locales that can read the string. Each
parser is built once per set of languages.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache

import htmldate.extractors as _htmldate

_OUTSIDE = object()  # no page_language block is open in this context
_page_language: ContextVar[object] = ContextVar("page_language", default=_OUTSIDE)
_STOCK = _htmldate._external_date  # htmldate's own: every locale


@contextmanager
def page_language(language: str | None) -> Iterator[None]:
    """Within this block, htmldate's dateparser fallback tries only `languages_for(string,
    language)` (`language` in ISO 639-1). Outside it, and in other threads, htmldate answers
    as it ships: a caller using trafilatura directly in the same process gets its own answers."""
    token = _page_language.set(language)
    # htmldate caches each string's answer (try_date_expr), which now depends on the language.
    _htmldate.try_date_expr.cache_clear()
    try:
        yield
    finally:
        _htmldate.try_date_expr.cache_clear()
        _page_language.reset(token)


_DAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@lru_cache(maxsize=1)
def locale_tables() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """Each month and weekday name of every dateparser locale (folded as htmldate folds it) ->
    its locales; and every locale's name. Read from dateparser's data, nothing compiled."""
    from dateparser.languages.loader import default_loader

    found: dict[str, set[str]] = {}
    locales = default_loader.get_locale_map()
    for name, locale in locales.items():
        for key in _htmldate.MONTH_KEYS + _DAY_KEYS:
            for word in locale.info.get(key, []):
                if _htmldate.WORD.fullmatch(word):
                    found.setdefault(_htmldate._fold_month_name(word), set()).add(name)
    return {word: frozenset(names) for word, names in found.items()}, frozenset(locales)


def languages_for(string: str, declared: str | None) -> frozenset[str]:
    """English, the declared language if dateparser knows it, and the languages of the
    string's month and day names."""
    month_names, known = locale_tables()
    languages = {"en"}
    if declared in known:
        languages.add(declared)
    for word in _htmldate.WORD.findall(string):
        readers = month_names.get(_htmldate._fold_month_name(word), frozenset())
        if "en" not in readers:  # "Jan", "Nov": English reads them; the 50 locales sharing them add nothing
            languages |= readers
    return frozenset(languages)


@lru_cache(maxsize=64)
def _parser(languages: frozenset[str]):  # -> dateparser.DateDataParser
    from dateparser import DateDataParser

    # htmldate's own parser (built once, locales loaded lazily) lends its settings.
    return DateDataParser(languages=sorted(languages), settings=_htmldate.get_external_parser()._settings)


def external_date(string: str) -> datetime | None:
    """htmldate's `_external_date`, with dateparser limited to `languages_for(string, page
    language)` inside a page_language block; htmldate's own outside one."""
    language = _page_language.get()
    if language is _OUTSIDE:
        return _STOCK(string)
    try:
        return _parser(languages_for(string, language)).get_date_data(string)["date_obj"]  # type: ignore[arg-type]
    except (OverflowError, ValueError):  # the same two errors htmldate's own version catches
        return None


# Both of htmldate's call sites look `_external_date` up in their module at call time; the
# hook is set once, here, rather than swapped per page, which threads would race on.
_htmldate._external_date = external_date
