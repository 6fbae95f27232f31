"""`Secret`: a credential value that never shows itself, and `redact` for text that might.

A `Secret` wraps a ``str``, ``bytes`` or ``int`` (API secret, passphrase, private key, access
token). ``repr``, ``str`` and ``format`` give ``Secret('…')`` whatever the value; pickling is
refused (a pickle would carry the value in clear); ``copy``/``deepcopy`` return the same object
(it is immutable); equality is constant-time (`hmac.compare_digest`) and works against another
`Secret` or a plain value of the same type. The value comes out only through `Secret.reveal`.
The hash is that of a SHA-256 digest (``hash()`` of an int would be the int modulo a prime), so
a `Secret` and the plain value compare equal but do not collide in a set: keep sets homogeneous.

Code that signs with a secret calls ``reveal()`` inside the expression that uses the value
(``hmac.digest(secret.reveal(), message, "sha256")``) and never binds the result to a name, so a
traceback rendered with frame locals (``traceback.TracebackException(..., capture_locals=True)``,
rich, Sentry) shows ``Secret('…')`` and nothing else.

Example:
    >>> token = Secret("s3cr3t")
    >>> token, str(token), f"{token}"
    (Secret('…'), "Secret('…')", "Secret('…')")
    >>> token == "s3cr3t", token == Secret("other")
    (True, False)
    >>> token.reveal()
    's3cr3t'
    >>> redact("passphrase abc rejected", [Secret("abc")])
    'passphrase [REDACTED] rejected'
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any, Generic, NoReturn, TypeVar, final

__all__ = ["REDACTED", "Secret", "redact"]

#: What `redact` puts in place of a secret.
REDACTED = "[REDACTED]"

_T = TypeVar("_T", str, bytes, int)


def _canonical(value: object) -> bytes:
    """A type-tagged byte form, so ``Secret("1")`` and ``Secret(1)`` never compare equal."""
    if isinstance(value, str):
        return b"s" + value.encode("utf-8", "surrogatepass")
    if isinstance(value, bytes):
        return b"b" + value
    return b"i" + str(value).encode("ascii")


@final
class Secret(Generic[_T]):
    """A credential value hidden from ``repr``/``str``/``format``/pickle; `reveal` returns it.

    Example:
        >>> key = Secret(b"\\x00key")
        >>> key
        Secret('…')
        >>> key.reveal()
        b'\\x00key'
    """

    __slots__ = ("__value",)

    def __init__(self, value: _T) -> None:
        if isinstance(value, bool) or not isinstance(value, str | bytes | int):
            raise TypeError(f"Secret holds str, bytes or int, not {type(value).__name__}")
        self.__value: _T = value

    def reveal(self) -> _T:
        """Return the value; use it inside an expression, never keep it in a variable.

        Example:
            >>> Secret(42).reveal()
            42
        """
        return self.__value

    def __repr__(self) -> str:
        return "Secret('…')"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return hmac.compare_digest(_canonical(self.__value), _canonical(other.reveal()))
        if isinstance(other, str | bytes | int) and not isinstance(other, bool):
            return hmac.compare_digest(_canonical(self.__value), _canonical(other))
        return NotImplemented

    def __hash__(self) -> int:
        # A digest, not hash(value): hash() of an int is the int modulo a prime.
        return hash(hashlib.sha256(_canonical(self.__value)).digest())

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled (the pickle would hold the value in clear)")

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        self.__reduce__()

    def __copy__(self) -> Secret[_T]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret[_T]:
        return self

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, "_Secret__value"):
            raise AttributeError("Secret is immutable")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Secret is immutable")


def redact(text: str, secrets: Iterable[Secret[str]]) -> str:
    """Replace every occurrence of each secret in ``text`` with ``[REDACTED]``, any length.

    Longer secrets are replaced first, so a secret that contains a shorter one is removed whole.

    Example:
        >>> redact("key ab, secret abcd", [Secret("ab"), Secret("abcd")])
        'key [REDACTED], secret [REDACTED]'
    """
    for secret in sorted(secrets, key=lambda s: len(s.reveal()), reverse=True):
        if secret.reveal():
            text = text.replace(secret.reveal(), REDACTED)
    return text
