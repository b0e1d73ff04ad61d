"""Domestic futures and options in the simulator (KIS ``domestic-futureoption`` APIs).

Layout, one concern per module:

* :mod:`.codes` — KRX short codes (the format KIS's order API documents, and its source);
* :mod:`.instruments` — the listed series as data: products, multipliers, tick rules, price
  limits, expiry calendar and strike ladders, all derived from the simulator clock's date;
* :mod:`.pricing` — the one place for model values: futures fair value, Black–Scholes prices,
  greeks and implied volatility on a volatility surface (``math`` on floats inside; everything
  that leaves the module for the wire or for money is ``Decimal`` on the tick grid);
* :mod:`.margin` — the scanning-range margin approximation checked before an order is accepted;
* :mod:`.market` — books (the engine's price-time :class:`~hantoo.sim.engine.book.OrderBook`),
  synthetic liquidity quoted around the model value, matching, net positions and cash.

The underlying indices (KOSPI200 ``2001``, KOSDAQ150 ``3003``) are read from
:mod:`hantoo.sim.marketdata.indices` — never computed here.
"""
