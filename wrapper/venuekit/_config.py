"""Client configuration: constructor arguments and ``VENUEKIT_*`` variables in, checked ``Config`` out.

Everything a client is given is checked here, when the client is made, and a bad value raises
``InvalidRequest`` / ``InvalidCredentials`` naming it (``field``) before anything is sent. Venues
come from the registry: the credentials keyword of each venue is its ``Venue`` value, its
variables are its ``CredentialKind.env``.

Example::

    config = build_config(credentials={venue.value: creds}, base_urls=None, timeout=None,
                          attempts=5, deadline=30.0, rate_limits=True)
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs
import httpx

from venuekit import errors
from venuekit._clock import ClockOffset
from venuekit._engine import Target
from venuekit._http import default_timeout
from venuekit._policy import RetryPolicy
from venuekit._ratelimit import Bucket, RateBudget, RateLimit, RateLimiter, key_id
from venuekit._venues import REGISTRY, Venue, VenueSpec, spec_for

__all__ = [
    "CLIENT_ARGUMENTS",
    "RATE_LIMIT_STORE_VARIABLE",
    "Config",
    "RateLimits",
    "Timeout",
    "base_url_variable",
    "build_config",
    "check_policy",
    "check_timeout",
    "credentials_from_env",
    "not_configured",
    "open_budget",
]

#: ``timeout=``: seconds per attempt, an ``httpx.Timeout``, or ``None`` for the defaults.
Timeout = float | httpx.Timeout | None

#: ``rate_limits=``: ``True`` (the venues' documented limits), ``False`` (no client-side pacing),
#: or per-venue overrides keyed by venue value (``None`` turns one venue's pacing off).
RateLimits = Mapping[str, RateLimit | None] | bool


@attrs.frozen(kw_only=True)
class Config:
    """A client's checked configuration: one ``Target`` per configured venue, and the knobs."""

    targets: Mapping[Venue, Target]
    timeout: httpx.Timeout
    policy: RetryPolicy


def base_url_variable(venue: Venue) -> str:
    """``VENUEKIT_<VENUE>_BASE_URL``, the optional base URL override read by ``from_env``."""
    return f"VENUEKIT_{venue.value.upper()}_BASE_URL"


def check_timeout(value: object) -> httpx.Timeout:
    """The per-attempt timeout; ``InvalidRequest(field="timeout")`` unless positive and finite."""
    if value is None:
        return default_timeout()
    if isinstance(value, httpx.Timeout):
        parts = (value.connect, value.read, value.write, value.pool)
        if all(p is None or (_finite_positive(p)) for p in parts):
            return value
    elif _finite_positive(value):
        return httpx.Timeout(float(value))  # type: ignore[arg-type]  # checked just above
    raise errors.InvalidRequest(
        f"timeout must be a number of seconds > 0 or an httpx.Timeout, got {_show(value)}",
        field="timeout",
    )


def check_policy(attempts: object, deadline: object) -> RetryPolicy:
    """The retry policy for these knobs; ``InvalidRequest`` naming the bad one."""
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise errors.InvalidRequest(
            f"attempts must be an int >= 1, got {_show(attempts)}", field="attempts"
        )
    if deadline is not None:
        if isinstance(deadline, float) and math.isinf(deadline) and deadline > 0:
            deadline = None  # no overall budget
        elif not _finite_positive(deadline):
            raise errors.InvalidRequest(
                f"deadline must be a number of seconds > 0 or None, got {_show(deadline)}",
                field="deadline",
            )
    return RetryPolicy(attempts=attempts, deadline=None if deadline is None else float(deadline))  # type: ignore[arg-type]


def _finite_positive(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def _show(value: object) -> str:
    return repr(value)[:60] if isinstance(value, int | float | str | None) else type(value).__name__


def _check_base_url(venue: Venue, value: object) -> str:
    """Validate a base URL (http/https, a host, no query or fragment); drop a trailing ``/``."""
    if not isinstance(value, str):
        raise errors.InvalidRequest(
            f"base URL for {venue.value} must be a str", field="base_urls", venue=venue
        )
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, UnicodeError, ValueError):
        url = None
    if (
        url is None
        or url.scheme not in {"http", "https"}
        or not url.host
        or url.query
        or url.fragment
        or url.userinfo
    ):
        raise errors.InvalidRequest(
            f"base URL for {venue.value} must be http(s)://host[:port][/path] (no query,"
            " fragment or user:password)",
            field="base_urls",
            venue=venue,
        )
    return value.rstrip("/")


def _venue_key(name: object, field: str) -> Venue:
    """The venue a settings key names; ``InvalidRequest(field=field)`` for anything else."""
    try:
        return spec_for(name).venue
    except errors.InvalidRequest as exc:
        raise errors.InvalidRequest(f"{field}: {exc.message}", field=field) from None


def _limits(rate_limits: object) -> Mapping[Venue, RateLimit | None]:
    """The limit to pace each venue at (after the safety margin); ``None``: not paced."""
    documented = {v: s.rate_limit for v, s in REGISTRY.items()}
    if rate_limits is True:
        chosen: dict[Venue, RateLimit | None] = documented
    elif rate_limits is False:
        chosen = dict.fromkeys(REGISTRY)
    elif isinstance(rate_limits, Mapping):
        chosen = dict(documented)
        for name, limit in rate_limits.items():
            venue = _venue_key(name, "rate_limits")
            if limit is not None and not isinstance(limit, RateLimit):
                raise errors.InvalidRequest(
                    f"rate limit for {venue.value} must be a venuekit.RateLimit or None",
                    field="rate_limits",
                )
            chosen[venue] = limit
    else:
        raise errors.InvalidRequest(
            "rate_limits must be True, False or a mapping of venue to RateLimit/None, got "
            f"{_show(rate_limits)}",
            field="rate_limits",
        )
    return {v: None if lim is None else lim.with_safety_margin() for v, lim in chosen.items()}


def _target(
    spec: VenueSpec, credentials: object, base_url: str | None, limit: RateLimit | None
) -> Target:
    kind = spec.kind_of(credentials)
    if kind is None:
        names = " or ".join(k.type.__name__ for k in spec.credentials)
        raise errors.InvalidCredentials(
            f"{spec.venue.value} needs {names}, not {type(credentials).__name__}",
            field=spec.venue.value,
            venue=spec.venue,
        )
    secrets = kind.secrets(credentials)
    rate_key = kind.rate_key(credentials)
    bucket = None
    if limit is not None:
        bucket = Bucket(
            spec.venue.value,
            key_id(rate_key, "\x00".join(sorted(s.reveal() for s in secrets)).encode()),
            limit,
        )
    if spec.package is not None:  # load the venue's generated package with its client
        importlib.import_module(spec.package)
    return Target(
        spec=spec,
        base_url=base_url if base_url is not None else kind.base_url,
        credentials=credentials,
        bucket=bucket,
        clock=ClockOffset(),
        secrets=frozenset(secrets),
    )


def build_config(
    *,
    credentials: Mapping[str, object],
    base_urls: object,
    timeout: object,
    attempts: object,
    deadline: object,
    rate_limits: object,
) -> Config:
    """Check every constructor argument; ``InvalidRequest``/``InvalidCredentials`` naming it."""
    urls: dict[Venue, str] = {}
    if base_urls is not None:
        if not isinstance(base_urls, Mapping):
            raise errors.InvalidRequest("base_urls must be a mapping", field="base_urls")
        for name, value in base_urls.items():
            venue = _venue_key(name, "base_urls")
            urls[venue] = _check_base_url(venue, value)
    limits = _limits(rate_limits)
    targets: dict[Venue, Target] = {}
    for name, given in credentials.items():
        if given is None:
            continue
        spec = spec_for(name)
        targets[spec.venue] = _target(spec, given, urls.get(spec.venue), limits[spec.venue])
    return Config(
        targets=MappingProxyType(targets),
        timeout=check_timeout(timeout),
        policy=check_policy(attempts, deadline),
    )


def credentials_from_env(environ: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Credentials and base URLs from ``VENUEKIT_*`` variables: ``({venue: creds}, {venue: url})``.

    A venue whose variables are all unset (or empty) is left out; one with only some of them set
    raises ``InvalidCredentials`` naming the first missing variable.
    """
    found: dict[str, Any] = {}
    urls: dict[str, str] = {}
    for venue, spec in REGISTRY.items():
        url = environ.get(base_url_variable(venue), "")
        if url:
            urls[venue.value] = url
        for kind in spec.credentials:
            values = {field: environ.get(name, "") for field, name in kind.env}
            if not any(values.values()):
                continue
            missing = [name for field, name in kind.env if not values[field]]
            if missing:
                raise errors.InvalidCredentials(
                    f"{venue.value}: {', '.join(missing)} not set (the other variables are)",
                    field=missing[0],
                    venue=venue,
                )
            if venue.value in found:
                raise errors.InvalidCredentials(
                    f"{venue.value}: variables of two kinds of key are set; set one",
                    field=kind.env[0][1],
                    venue=venue,
                )
            found[venue.value] = _from_env(venue, kind.env, kind.from_env, kind.type, values)
    return found, urls


def _from_env(
    venue: Venue,
    env: tuple[tuple[str, str], ...],
    build: Any,
    cls: Any,
    values: Mapping[str, str],
) -> Any:
    """Build one kind of credentials; ``InvalidCredentials`` naming the variable at fault."""
    names = dict(env)
    try:
        return build(values) if build is not None else cls(**values)
    except errors.InvalidCredentials as exc:
        if exc.field is not None and exc.field.startswith("VENUEKIT_"):
            raise
        variable = names.get(exc.field) if exc.field is not None else None
        raise errors.InvalidCredentials(
            f"{variable or venue.value}: {exc.message}", field=variable, venue=venue
        ) from None


def not_configured(venue: Venue) -> errors.VenueNotConfigured:
    """The error for a venue used without credentials, saying how to give them."""
    spec = REGISTRY[venue]
    kinds = " or ".join(f"{k.type.__name__}(...)" for k in spec.credentials)
    names = ", ".join(name for k in spec.credentials[:1] for _, name in k.env)
    return errors.VenueNotConfigured(
        f"{venue.value} is not configured: pass {venue.value}={kinds} to the client, "
        f"or set {names} for from_env()",
        field=venue.value,
        venue=venue,
    )


#: What ``Client`` and ``AsyncClient`` take, appended to their docstrings.
CLIENT_ARGUMENTS = """
    Only venues given credentials are usable; the others raise ``VenueNotConfigured``.

    Arguments (all keyword-only):
        <venue>: the venues' credentials, one keyword per venue named by its
            ``venuekit.Venue`` value (the handle's docstring names its credentials classes).
        base_urls: production URLs overridden per venue (keys: venue values).
        transport: passed to every venue's httpx client (tests, proxies); closed with the client.
        timeout: per attempt, seconds or an ``httpx.Timeout`` (default connect 5 s, read 10 s).
        attempts: attempts per cancel, the first included (default 5; ``1`` turns retries off).
            Retried: connection errors, timeouts, dropped connections, HTTP 5xx and 429, with
            exponential backoff and full jitter, never sooner than ``Retry-After``. Never
            retried: authentication, not found, already done, invalid requests.
        deadline: seconds for a whole call, waits included (default 30; ``None``: no limit).
        rate_limits: client-side pacing shared by every call of this client, per venue and API
            key: ``True`` (default) paces 2 % under the documented limits; ``False`` turns pacing
            off; a mapping such as ``{"<venue>": venuekit.RateLimit(rate=2, burst=2)}``
            overrides venues (``None``: no pacing for that venue).
        rate_limit_store: ``"redis://host:port/db"`` (or a redis-py client) to share the budget
            with every process using the same store and key (extra ``redis``); it fails open
            to this process's own pacing, with a WARNING, while the store is down.
        clock: where time is read and waited (default: the system clock;
            ``venuekit.testing.FakeClock`` in tests).
        on_event: called with a ``venuekit.Event`` after every failed attempt that is retried
            and at the end of every call (metrics, tracing); it must not raise.

    Every argument is checked here: a bad one raises ``InvalidRequest`` / ``InvalidCredentials``
    naming it. Redirects are never followed. ``venuekit.testing.instant_retries()`` makes retry
    waits zero.
"""


#: The variable ``from_env`` reads the shared rate-limit store from.
RATE_LIMIT_STORE_VARIABLE = "VENUEKIT_RATE_LIMIT_STORE"


def open_budget(store: object, clock: Callable[[], float]) -> RateBudget:
    """The client's rate budget: in this process, or shared through a Redis/Valkey ``store``.

    ``store`` is ``None``, a ``redis://`` / ``rediss://`` / ``unix://`` URL, or a ready redis-py
    client; anything else is ``InvalidRequest(field="rate_limit_store")``. A store needs the
    ``redis`` extra (``InvalidRequest`` naming it when missing). Every process given the same
    store and key shares one budget; the store is used fail-open (see the README).
    """
    local = RateLimiter(clock=clock)
    if store is None:
        return local
    if isinstance(store, str):
        if not store.startswith(("redis://", "rediss://", "unix://")):
            raise errors.InvalidRequest(
                "rate_limit_store must be a redis://, rediss:// or unix:// URL or a redis client",
                field="rate_limit_store",
            )
    elif not type(store).__module__.startswith("redis"):
        raise errors.InvalidRequest(
            f"rate_limit_store must be a URL or a redis client, not {type(store).__name__}",
            field="rate_limit_store",
        )
    try:
        from venuekit._ratelimit_store import RedisRateBudget

        return RedisRateBudget(store, fallback=local)  # type: ignore[arg-type]
    except (ImportError, ValueError) as exc:
        raise errors.InvalidRequest(str(exc), field="rate_limit_store") from None
