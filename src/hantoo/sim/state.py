"""One simulator's configuration and live state, reachable from every handler.

:class:`SimConfig` is what a caller chooses (persona, persistence, seed, clock, limits, faults,
keys); :class:`SimState` is what the server holds while it runs: the clock, the exchange engine,
the auth registry, the limiter, the faults, per-app handler overrides and counters. There is no
module-level mutable state: two apps in one process (two ``create_app`` calls) share nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from hantoo.config import SIM_ACCOUNT, SIM_APP_KEY, SIM_APP_SECRET, SIM_HTS_ID, parse_account

from .auth import AppKey, AuthRegistry
from .engine.calendar import TradingCalendar
from .engine.clock import SessionClock
from .faults import FaultConfig, Faults
from .handlers import Handler
from .limits import PROFILES, Limiter, LimitProfile, parse_profile
from .replies import ACCOUNT_INVALID, api_error

__all__ = ["KeySpec", "Persona", "SimConfig", "SimState"]

Persona = Literal["real", "paper"]
_log = logging.getLogger("hantoo.sim")


@dataclass(frozen=True)
class KeySpec:
    """An app key to register at start. ``account`` like ``"12345678-01"``."""

    app_key: str = field(repr=False)
    app_secret: str = field(repr=False)
    persona: Persona = "real"
    account: str | None = field(default=None, repr=False)
    hts_id: str = ""


@dataclass(frozen=True)
class SimConfig:
    """How to run one simulator.

    ``persona``: the server's default persona — ``real`` answers real TR IDs, ``paper`` only
    paper TR IDs of the APIs KIS paper offers; keys can override it (``keys``, ``/_sim/keys``).
    ``state_path``: SQLite file for the engine's state (``":memory:"`` for tests).
    ``clock_mode``: ``stepped`` (tests), ``realtime``, ``accelerated`` (with ``clock_speed``) or
    ``wall``; ``clock_start`` overrides the start instant (default 09:00 KST of the latest
    business day). ``limits``: ``auto`` (by key persona), ``real``, ``paper``, ``off`` or a spec
    such as ``"30/s+2000/min"``. ``replay_path``: a CSV/Parquet of recorded bars or ticks that
    replaces the synthetic prices of the symbols it names (``hantoo.sim.engine.replay``).
    ``auto_register``: accept unknown keys of the real lengths.
    ``auto_accounts``: the first account an unbound key uses becomes its (funded) account.
    ``demo_key``: register ``hantoo.config.SIM_APP_KEY`` with ``SIM_ACCOUNT``. New accounts
    are funded with ``demo_krw`` won and ``demo_usd`` dollars.
    ``activity``: intensity of the synthetic participants that trade by themselves
    (``hantoo.sim.engine.participants``): 1 is a live market, 0 a quiet one whose prices follow
    the seeded path only (tests that need exact fills and prices).
    """

    persona: Persona = "real"
    state_path: str = ":memory:"
    seed: int = 0
    clock_mode: str = "realtime"
    clock_speed: int = 1
    clock_start: datetime | None = None
    universe_path: str | None = None
    replay_path: str | None = None
    limits: str | LimitProfile = "auto"
    rate_limit_tolerance_ms: int = 10
    auto_register: bool = True
    auto_accounts: bool = True
    demo_key: bool = True
    keys: tuple[KeySpec, ...] = ()
    faults: FaultConfig = field(default_factory=FaultConfig)
    token_ttl_s: int = 86_400
    token_reuse_s: int = 6 * 3600
    token_min_interval_s: int = 60
    max_body_bytes: int = 64 * 1024
    demo_krw: int = 100_000_000
    demo_usd: int = 100_000
    strict_tr_ids: bool = False
    """Refuse older TR IDs (``TTTC0802U`` ...) that KIS still answers (see ``wire_compat``)."""
    activity: float = 1.0

    def __post_init__(self) -> None:
        if self.persona not in ("real", "paper"):
            raise ValueError("persona must be 'real' or 'paper'")
        if not isinstance(self.limits, LimitProfile) and self.limits != "auto":
            parse_profile(self.limits)  # fail at construction, not on the first request
        self.faults.validated()
        from .engine.participants import arrivals_milli

        arrivals_milli(self.activity)  # a bad intensity fails here, with its range


ExchangeFactory = Callable[["SimConfig", SessionClock], Any]


def default_exchange(config: SimConfig, clock: SessionClock) -> Any:
    """The engine's exchange for ``config``, sharing the simulator clock.

    With a ``state_path`` other than ``:memory:`` the exchange is restored from that state file
    and journals every command (``hantoo.sim.store``); the server acknowledges a command only
    after the group commit covering it (:meth:`SimState.durable`), so a ``kill -9`` and a
    restart lose no acknowledged order, fill or balance.
    """
    from .engine import Exchange, ExchangeConfig

    replay = None
    if config.replay_path:
        from .engine.replay import load_replay
        from .engine.universe import Universe

        universe = (
            Universe.from_csv(config.universe_path) if config.universe_path else Universe.default()
        )
        us = [inst.code for inst in universe if inst.is_us]
        replay = load_replay(config.replay_path, us_symbols=us)
    from .marketdata.etf import etf_baskets  # ETFs trade at their basket's NAV (issue 16)

    engine_config = ExchangeConfig(
        seed=config.seed, universe_path=config.universe_path, clock=clock, replay=replay,
        activity=config.activity, baskets=etf_baskets,
    )
    if config.state_path and config.state_path != ":memory:":
        from .store import open_exchange

        ex = open_exchange(config.state_path, engine_config)
        if ex.journal is not None:
            ex.journal.autosync = False  # requests await the group commit instead
        return ex
    return Exchange(engine_config)


class SimState:
    """Live state of one simulator app."""

    def __init__(
        self,
        config: SimConfig,
        *,
        exchange: Any = None,
        exchange_factory: ExchangeFactory | None = default_exchange,
        clock: SessionClock | None = None,
    ) -> None:
        self.config = config
        self.clock = clock or SessionClock(
            config.clock_mode, start=config.clock_start, speed=config.clock_speed
        )
        self.calendar = TradingCalendar()
        if exchange is None and exchange_factory is not None:
            exchange = exchange_factory(config, self.clock)
        self.exchange: Any = exchange
        self.auth = AuthRegistry(
            now_us=self.clock.now_us,
            seed=config.seed,
            persona=config.persona,
            auto_register=config.auto_register,
            token_ttl_s=config.token_ttl_s,
            token_reuse_s=config.token_reuse_s,
            token_min_interval_s=config.token_min_interval_s,
        )
        self.limiter = Limiter(tolerance_s=config.rate_limit_tolerance_ms / 1000.0)
        self.faults = Faults(config.faults, seed=config.seed)
        if self.exchange is not None and hasattr(self.exchange, "add_listener"):
            from .notices import notice_listener

            self.exchange.add_listener(notice_listener(self))
            from .futures_notices import attach_futures_notices  # issue 15: HDFFF2C0

            attach_futures_notices(self)
        self.realtime_hub: Any = None
        """Set by ``hantoo.sim.ws`` when the WebSocket routes are mounted."""
        self.ws_config: Any = None
        """Optional ``hantoo.sim.ws.WsConfig`` for the WebSocket routes."""
        self.handlers: dict[str, Handler] = {}
        """Per-app handler overrides (tests): API key → handler; wins over the registry."""
        self.requests = 0
        self.internal_errors = 0
        """Answers with ``SIM00500`` (a handler or the server failed): should stay 0."""
        self.responses_by_status: dict[int, int] = {}
        self.calls_by_api: dict[str, int] = {}
        self._gt_uid = 0
        self.legacy_trs_seen: set[str] = set()
        """Older TR IDs already logged as such (``hantoo.sim.wire_compat``)."""
        self._fixed_profile: LimitProfile | None = (
            None if config.limits == "auto" else parse_profile(config.limits)
        )
        if config.demo_key:
            self.register_key(
                SIM_APP_KEY, SIM_APP_SECRET, persona=config.persona,
                account=parse_account(SIM_ACCOUNT), hts_id=SIM_HTS_ID,
            )
        for spec in config.keys:
            self.register_key(
                spec.app_key, spec.app_secret, persona=spec.persona,
                account=parse_account(spec.account) if spec.account else None,
                hts_id=spec.hts_id,
            )
        flush = getattr(self.exchange, "flush", None)
        if flush is not None:
            flush()  # accounts opened at start are durable before the first request

    # -- keys and accounts --------------------------------------------------------------------

    def register_key(
        self,
        app_key: str,
        app_secret: str,
        *,
        persona: Persona | None = None,
        account: tuple[str, str] | None = None,
        hts_id: str = "",
    ) -> AppKey:
        """Register an app key (and open its account in the engine, when it has one)."""
        rec = self.auth.register(
            app_key, app_secret, persona=persona, account=account, hts_id=hts_id
        )
        if account is not None:
            self._open_account(rec, account)
        return rec

    def _open_account(self, rec: AppKey, account: tuple[str, str]) -> None:
        """Open and fund an account in the engine, once (re-opening would deposit again)."""
        ex = self.exchange
        if ex is None or account in getattr(ex, "accounts", {}):
            return
        ex.open_account(
            account[0], account[1], krw=self.config.demo_krw, usd=self.config.demo_usd
        )

    def bind_account(self, rec: AppKey, account: tuple[str, str]) -> tuple[str, str]:
        """Check the account a call names against its key; bind the first one when allowed.

        A key with an account may use only that account (``OPSQ2000 INVALID_CHECK_ACNO``
        otherwise, as KIS answers for another person's account). An unbound key binds the first
        account it uses when ``auto_accounts`` is on, and the engine opens (funds) it.
        """
        if rec.account is None:
            if not self.config.auto_accounts:
                raise api_error(ACCOUNT_INVALID)
            rec.account = account
            self._open_account(rec, account)
            return account
        if rec.account != account:
            raise api_error(ACCOUNT_INVALID)
        return account

    def ws_identity(self, approval_key: str) -> Any:
        """Who an approval key belongs to, for the WebSocket server (``hantoo.sim.ws``)."""
        rec = self.auth.approval_owner(approval_key)
        if rec is None:
            return None
        from .ws import WsIdentity

        return WsIdentity(rec.key, rec.hts_id or None, rec.persona == "paper")

    async def durable(self) -> None:
        """Wait until every command so far is on disk (before a command's answer is sent)."""
        wait = getattr(self.exchange, "durable", None)
        if wait is not None:
            await wait()

    # -- limits -------------------------------------------------------------------------------

    def profile_for(self, rec: AppKey) -> LimitProfile:
        """The rate-limit profile of a key: the configured one, or by persona for ``auto``."""
        return self._fixed_profile or PROFILES[rec.persona]

    def set_limits(self, spec: str | LimitProfile) -> None:
        """Change the limits at run time (``auto`` restores per-persona profiles)."""
        self._fixed_profile = None if spec == "auto" else parse_profile(spec)

    # -- helpers for handlers -----------------------------------------------------------------

    def next_gt_uid(self) -> str:
        """A unique global transaction id for the ``gt_uid`` response header."""
        self._gt_uid += 1
        return f"HNTSIM{self.clock.now_us() // 1_000_000:012d}{self._gt_uid:014d}"

    def quote_snapshot(self, symbol: str) -> dict[str, str] | None:
        """Current-price fields (wire names) for ``symbol`` from the engine, if it knows it."""
        ex = self.exchange
        getter = getattr(ex, "quote", None)
        if getter is None:
            return None
        try:
            q = getter(symbol)
        except Exception:  # an unknown symbol in the engine: fall back to synthetic data
            return None
        if q is None:
            return None
        return _quote_fields(q)

    def stats(self) -> dict[str, Any]:
        """What ``GET /_sim/stats`` shows."""
        return {
            "requests": self.requests,
            "responses_by_status": {str(k): v for k, v in sorted(self.responses_by_status.items())},
            "calls_by_api": dict(sorted(self.calls_by_api.items())),
            "token_issuances": self.auth.issuance_stats(),
            "rate_limited": self.limiter.refused,
            "internal_errors": self.internal_errors,
            "faults": dict(self.faults.counters),
            "clock": self.clock.now().isoformat(),
            "persona": self.config.persona,
        }


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%H%M%S")
    if hasattr(value, "strftime"):
        return str(value.strftime("%Y%m%d"))
    return str(value)


def _quote_fields(q: Any) -> dict[str, str]:
    """An engine ``Quote`` view as ``inquire-price`` output fields."""
    mapping = {
        "stck_prpr": "price", "stck_oprc": "open", "stck_hgpr": "high", "stck_lwpr": "low",
        "stck_sdpr": "prev_close", "prdy_vrss": "change", "prdy_ctrt": "change_rate",
        "prdy_vrss_sign": "change_sign", "acml_vol": "volume", "acml_tr_pbmn": "trade_value",
        "stck_mxpr": "upper_limit", "stck_llam": "lower_limit", "aspr_unit": "tick_size",
        "w52_hgpr": "high_52w", "w52_hgpr_date": "high_52w_date", "w52_lwpr": "low_52w",
        "w52_lwpr_date": "low_52w_date", "lstn_stcn": "shares_outstanding",
        "hts_avls": "market_cap",
    }
    out: dict[str, str] = {}
    for wire, attr in mapping.items():
        if hasattr(q, attr):
            out[wire] = _s(getattr(q, attr))
    return out
