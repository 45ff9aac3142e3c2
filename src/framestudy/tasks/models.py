"""What an article's metadata and an outlet's registry entry may contain.

Both are validated with pydantic so a typo in a front-matter key or an outlet entry is
reported by name instead of being silently ignored. Facts the source does not state are the
string ``"unknown"`` (:data:`UNKNOWN`); the evidence for a best guess goes into a note
(``date_note``, ``notes``), never into the value itself.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from framestudy.tasks.identity import ID_PATTERN

UNKNOWN = "unknown"

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_OUTLET_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _iso_dates(data: Any) -> Any:
    """YAML reads ``2023-10-03`` as a date; metadata keeps dates as ISO strings."""
    if isinstance(data, dict):
        return {
            key: value.isoformat() if isinstance(value, dt.date) else value
            for key, value in data.items()
        }
    return data


def _check_date(value: str | None) -> str | None:
    if value is None or value == UNKNOWN:
        return value
    if not _DATE.match(value):
        raise ValueError(
            f"must be {UNKNOWN!r} or an ISO date (YYYY-MM-DD, YYYY-MM or YYYY), got {value!r}"
        )
    try:  # reject 2023-02-30 and friends
        parts = [int(p) for p in value.split("-")] + [1, 1]
        dt.date(*parts[:3])
    except ValueError:
        raise ValueError(f"{value!r} is not a calendar date") from None
    return value


class DropLine(BaseModel):
    """A line a researcher removes from one article by hand, with the reason."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    line: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class ArticleMeta(BaseModel):
    """An article's metadata: the YAML front matter of a file in ``tasks/articles/``.

    ``outlet`` is required and must be an id in ``tasks/outlets.yaml``; so must
    ``original_source`` (the outlet that first published a syndicated article).
    ``language`` is the language of the text as stored; ``translated_from`` the language of
    the original when the text is a translation. ``kind`` is the genre as published (the
    outlet's label, not the coders' ``genre``). ``drop_lines`` lists lines of this article
    that the general cleaning rules do not catch, each with a reason. ``article_id`` is the
    article's identity (:mod:`.identity`): written once the article is stored, never changed
    by edits to the text.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    article_id: str | None = None
    outlet: str = Field(min_length=1)
    title: str = UNKNOWN
    date: str = UNKNOWN
    date_note: str | None = None
    author: str = UNKNOWN
    language: str = UNKNOWN
    translated_from: str | None = None
    original_source: str | None = None
    original_date: str | None = None
    kind: str = UNKNOWN
    url: str | None = None
    imported_from: str | None = None
    notes: str | None = None
    drop_lines: list[DropLine] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _yaml_dates(cls, data: Any) -> Any:
        return _iso_dates(data)

    @field_validator("article_id", mode="before")
    @classmethod
    def _article_id(cls, value: Any) -> Any:
        if value is None:  # `article_id:` with nothing after it
            raise ValueError("is empty: give the article an id, or remove the line")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # `article_id: 17` in YAML, or a numeric CSV/JSON id
        if isinstance(value, str):
            value = value.strip()
            if not ID_PATTERN.match(value):
                raise ValueError(
                    f"{value!r} is not a usable id: use letters, digits and . _ : - "
                    "(at most 100 characters, starting with a letter or digit)"
                )
        return value

    @field_validator("date", "original_date")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        return _check_date(value)

    @field_validator("language", "translated_from")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is None or value == UNKNOWN or _LANGUAGE.match(value):
            return value
        raise ValueError(f"must be an ISO 639 code such as 'en' or {UNKNOWN!r}, got {value!r}")

    @field_validator("title", "author", "kind")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value:
            raise ValueError(f"is empty; write {UNKNOWN!r} if the source does not say")
        return value


class Outlet(BaseModel):
    """One entry of the outlet registry ``tasks/outlets.yaml``.

    ``language`` is the language the outlet originally publishes in; ``type`` a short
    description such as "state-funded broadcaster", "independent", "alternative",
    "aggregator"; ``domains`` the web sites (host names) it publishes on, used to recognise
    it in imported HTML pages.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str
    name: str = Field(min_length=1)
    country: str = UNKNOWN
    language: str = UNKNOWN
    type: str = UNKNOWN
    domains: list[str] = Field(default_factory=list)
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _OUTLET_ID.match(value):
            raise ValueError(
                f"{value!r} is not a valid outlet id: use lower-case letters, digits and '-'"
            )
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value == UNKNOWN or _LANGUAGE.match(value):
            return value
        raise ValueError(f"must be an ISO 639 code such as 'en' or {UNKNOWN!r}, got {value!r}")

    @field_validator("domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        return [d.strip().lower().removeprefix("www.") for d in value]
