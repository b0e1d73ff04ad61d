"""The local KIS exchange simulator.

``hantoo.sim.engine`` holds the pure, deterministic core (matching, accounts, market data, clock);
``hantoo.sim.store`` makes its state durable in SQLite. The HTTP/WebSocket layer that speaks the
KIS wire protocol sits on top of them. Nothing is imported here so that ``import hantoo.sim`` stays
cheap.
"""
