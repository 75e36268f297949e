"""Cutting the API key out of everything an error carries: its text, body, metadata, headers and causes.

A server (or a proxy) may echo the request's headers back in an error. The key is found in the request's own
`Authorization` header, so a callable `api_key` is covered as well as a str one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import msgspec

from openrouter_core._errors import OpenRouterError
from openrouter_core._safe_text import safe_repr, safe_str

__all__ = ["REDACTED", "clean", "scrub", "secrets_of"]

REDACTED = "<redacted>"
# Shorter keys are not real OpenRouter keys, and cutting them out would garble ordinary text.
_MIN_SECRET = 8


def secrets_of(*header_sets: Mapping[str, str]) -> tuple[str, ...]:
    """The key in each `Authorization` header, as sent and as JSON would escape it."""
    found: list[str] = []
    for headers in header_sets:
        for name, value in headers.items():
            if name.lower() != "authorization" or not isinstance(value, str):
                continue
            token = value[7:] if value[:7].lower() == "bearer " else value
            token = token.strip()
            if len(token) < _MIN_SECRET:
                continue
            escaped = msgspec.json.encode(token).decode()[1:-1]
            found += [secret for secret in (token, escaped) if secret not in found]
    return tuple(found)


def clean(value: Any, secrets: tuple[str, ...]) -> Any:
    """`value` with every secret cut out of its strings (nested mappings and lists too); the same object
    when there was nothing to cut."""
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, httpx.Headers):
        items = value.multi_items()
        cleaned = [(clean(name, secrets), clean(text, secrets)) for name, text in items]
        return value if cleaned == items else httpx.Headers(cleaned)
    if isinstance(value, Mapping):
        pairs = [(clean(k, secrets), clean(v, secrets)) for k, v in value.items()]
        changed = any(
            k is not k0 or v is not v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)
        )
        return dict(pairs) if changed else value
    if isinstance(value, msgspec.Struct):  # an error's `availability`, say
        changes = {}
        for name in value.__struct_fields__:
            old = getattr(value, name)
            new = clean(old, secrets)
            if new is not old:
                changes[name] = new
        return msgspec.structs.replace(value, **changes) if changes else value
    if isinstance(value, (list, tuple)):
        items = [clean(item, secrets) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    return value


def _texts(error: BaseException) -> list[str]:
    texts = [safe_str(error), safe_repr(error)]
    try:
        texts += [safe_str(note) for note in getattr(error, "__notes__", ())]
    except Exception:
        texts.append(REDACTED)  # notes that cannot be read cannot be checked either
    return texts


def _chain_mentions(error: BaseException, secrets: tuple[str, ...]) -> bool:
    seen: set[int] = set()
    link: BaseException | None = error.__cause__ or error.__context__
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if any(secret in text for text in _texts(link) for secret in secrets):
            return True
        link = link.__cause__ or link.__context__
    return False


def scrub(error: OpenRouterError, secrets: tuple[str, ...]) -> OpenRouterError:
    """`error`, changed in place: no secret left in its attributes, `args` or notes, and its cause dropped
    if any exception in the chain quotes one (a traceback would print it)."""
    if not secrets:
        return error
    for name, value in list(vars(error).items()):
        try:
            cleaned = clean(value, secrets)
        except RecursionError:  # nested too deep to check: drop it rather than keep a secret
            cleaned = None
        if cleaned is not value:
            setattr(error, name, cleaned)
    error.args = clean(error.args, secrets)
    if _chain_mentions(error, secrets):
        error.__cause__ = None
        error.__context__ = None
        error.__suppress_context__ = True
    return error
