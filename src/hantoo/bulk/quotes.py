"""Current prices of hundreds of symbols: 30 per call where KIS allows it.

``intstock_multprice`` (관심종목 멀티종목 시세조회, real environment only) prices up to 30
domestic symbols per call, so 600 symbols cost 20 calls instead of 600. Where it is not offered
(paper trading) or does not apply (overseas symbols) each symbol gets its own ``quote`` call;
all of them run concurrently under the client's limiter, through the same engine runner as
:func:`hantoo.bulk.engine.download`.

A batch that fails (say, one unknown code in it) is split in halves until the bad code is
alone, so one bad code costs its neighbours nothing and a few calls; it is reported in
:attr:`QuoteBatch.errors` with the single-quote API's error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ..domain.coerce import RowLike, dec, int_of, text
from ..domain.objects import Quote
from ..domain.symbols import Currency, Symbol, to_symbol
from ..errors import ApiError, HantooError
from ..workflows.driver import lower
from ..workflows.market import quote_flow
from ..workflows.steps import Call, Workflow
from .engine import DEFAULT_CONCURRENCY, Host, Runner

__all__ = ["MULTI_QUOTE_API", "MULTI_QUOTE_MAX", "QuoteBatch", "quotes"]

MULTI_QUOTE_API = "domestic_stock/intstock_multprice"
MULTI_QUOTE_MAX = 30


@dataclass(frozen=True, slots=True)
class QuoteBatch(Mapping[str, Quote]):
    """Quotes by symbol code (in the order asked); ``errors`` for the symbols without one."""

    quotes: Mapping[str, Quote]
    errors: Mapping[str, str]
    calls: int

    def __getitem__(self, symbol: str) -> Quote:
        return self.quotes[symbol]

    def __iter__(self) -> Iterator[str]:
        return iter(self.quotes)

    def __len__(self) -> int:
        return len(self.quotes)


def _signed(value: Decimal | None, sign: str | None) -> Decimal | None:
    if value is not None and value > 0 and (sign or "").strip() in ("4", "5"):
        return -value
    return value


def multi_quote_from(row: RowLike) -> Quote:
    """One ``intstock_multprice`` row → :class:`Quote` (KRW, exact)."""
    sign = text(row, "prdy_vrss_sign")
    return Quote(
        symbol=text(row, "inter_shrn_iscd") or "",
        currency=Currency.KRW,
        price=dec(row, "inter2_prpr") or Decimal(0),
        change=_signed(dec(row, "inter2_prdy_vrss"), sign),
        change_rate=_signed(dec(row, "prdy_ctrt"), sign),
        open=dec(row, "inter2_oprc"),
        high=dec(row, "inter2_hgpr"),
        low=dec(row, "inter2_lwpr"),
        prev_close=dec(row, "inter2_sdpr", "inter2_prdy_clpr"),
        upper_limit=dec(row, "inter2_mxpr"),
        lower_limit=dec(row, "inter2_llam"),
        volume=int_of(row, "acml_vol"),
        turnover=dec(row, "acml_tr_pbmn"),
        name=text(row, "inter_kor_isnm"),
        raw=row,
    )


def multi_quote_flow(symbols: list[Symbol]) -> Workflow[dict[str, Quote]]:
    """One call for up to 30 domestic symbols."""
    if not 1 <= len(symbols) <= MULTI_QUOTE_MAX:
        raise ValueError(f"intstock_multprice takes 1 to {MULTI_QUOTE_MAX} symbols")
    args: dict[str, str] = {}
    for i, s in enumerate(symbols, 1):
        args[f"fid_cond_mrkt_div_code_{i}"] = "J"
        args[f"fid_input_iscd_{i}"] = s.quote_code
    r = yield Call(MULTI_QUOTE_API, args)
    wanted = {s.quote_code: str(s) for s in symbols}
    out: dict[str, Quote] = {}
    for row in r.rows("output"):
        q = multi_quote_from(row)
        code = wanted.get(q.symbol)
        if code is not None:
            out[code] = q
    return out


async def quotes(
    host: Host,
    runner: Runner,
    symbols: Iterable[Symbol | str | int],
    *,
    exchange: str | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> QuoteBatch:
    """Quotes of every symbol (see the module docstring)."""
    syms: list[Symbol] = []
    for s in symbols:
        sym = to_symbol(s, exchange=exchange)
        if sym not in syms:
            syms.append(sym)
    multi = host.settings.environment != "paper"
    batched = [s for s in syms if multi and not s.is_overseas]
    single = [s for s in syms if not (multi and not s.is_overseas)]
    found: dict[str, Quote] = {}
    errors: dict[str, str] = {}
    calls = 0
    gate = asyncio.Semaphore(concurrency)

    async def one(sym: Symbol) -> None:
        nonlocal calls
        async with gate:
            calls += 1
            try:
                found[str(sym)] = await runner(lower(quote_flow(sym), host))
            except HantooError as exc:
                errors[str(sym)] = _reason(exc)

    async def batch(group: list[Symbol]) -> None:
        nonlocal calls
        if len(group) == 1:  # a group of one: the single-quote API names the problem
            await one(group[0])
            return
        async with gate:
            calls += 1
            try:
                got: dict[str, Quote] = await runner(lower(multi_quote_flow(group), host))
            except HantooError:
                got = {}
                failed = True
            else:
                failed = False
        if failed:  # isolate the bad code by halving: ~2*log2(30) calls, not 30
            half = len(group) // 2
            await asyncio.gather(batch(group[:half]), batch(group[half:]))
            return
        found.update(got)
        for s in group:
            if str(s) not in got:
                errors[str(s)] = "no quote in the answer"

    groups = [batched[i:i + MULTI_QUOTE_MAX] for i in range(0, len(batched), MULTI_QUOTE_MAX)]
    await asyncio.gather(*(batch(g) for g in groups), *(one(s) for s in single))
    ordered = {str(s): found[str(s)] for s in syms if str(s) in found}
    return QuoteBatch(ordered, {str(s): errors[str(s)] for s in syms if str(s) in errors}, calls)


def _reason(exc: HantooError) -> str:
    if isinstance(exc, ApiError) and exc.msg_cd not in exc.message:
        return f"{exc.msg_cd}: {exc.message}"
    return exc.message
