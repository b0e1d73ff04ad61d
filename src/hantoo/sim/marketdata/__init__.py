"""Market-wide information computed from the simulator's own market.

Why a package of its own: indices, rankings and ETF NAVs are *derived* from the engine's live
quotes, never generated; one module computes each, and every API (REST handlers, realtime feeds,
derivatives later) reads the same calculation, so the numbers agree everywhere.

* :mod:`.indices` — KOSPI, KOSDAQ, KOSPI200, KOSDAQ150, KRX100 and a few sector indices as
  capitalisation-weighted averages of their constituents.
* :mod:`.rankings` — volume, value, change and market-cap rankings over the universe.
* :mod:`.etf` — ETF NAV and indicative NAV from the tracked index; the baskets the engine
  runs ETFs on, so their price tracks the NAV.
* :mod:`.flows` — investor, program and short-sale flows from the participants' trades,
  balanced.
* :mod:`.conditions` — users' saved screening conditions (condition search).
* :mod:`.corporate` — per-issue fundamentals (EPS, BPS, statements, dividends) coherent with
  the market.
* :mod:`.bonds` — the simulator's listed bonds: yields, price/yield and accrued interest.
* :mod:`.bond_desk` — bond orders, fills and holdings at those quotes.
"""
