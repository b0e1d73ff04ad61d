"""What the simulator accepts where KIS's documents are stricter, older or silent than KIS itself.

Existing KIS clients were written against the broker's documents at some point in time and
must keep working against the simulator unchanged (issue 13). Two kinds of leniency live here,
each a wire fact of the real server, and each listed on ``docs/sim-conformance.md``:

* **Older TR IDs** (:data:`LEGACY_TR_IDS`): KIS renamed several order and fill-inquiry TRs
  (``TTTC0802U`` → ``TTTC0012U`` ...) and still answers the old names; the broker's own older
  Postman collection and many clients send them. They are accepted as aliases of their
  successors (logged once per simulator and TR ID) unless the simulator runs with
  ``SimConfig(strict_tr_ids=True)`` (``hantoo sim serve --strict-tr-ids``), which refuses them as
  unknown TR IDs so a client can be checked against the current documents.
* **Order parameters the documents mark [필수] that KIS fills in itself**
  (:data:`ORDER_PARAM_DEFAULTS`): ``EXCG_ID_DVSN_CD`` (KRX when absent) and
  ``ORD_SVR_DVSN_CD`` (``"0"``). :func:`enforced_required` decides, from the catalogue's
  *basis* for "required", which parameters an order API refuses when absent: those KIS
  documents as [필수] or whose sample refuses them empty, minus these defaults; parameters that
  are only positional arguments of a sample function are not enforced (KIS takes them blank).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from hantoo.catalog import Api, Param

__all__ = [
    "LEGACY_TR_IDS",
    "ORDER_PARAM_DEFAULTS",
    "enforced_required",
    "legacy_successor",
    "note_legacy",
]

_log = logging.getLogger("hantoo.sim.compat")

#: Older TR ID → its successor (same API, same semantics). Sources: the broker's older Postman
#: collection (``TTTC0802U``/``VTTC0802U`` cash buy, ``TTTC0803U`` modify/cancel, ``TTTC0852U``
#: credit buy, ``TTTC8001R`` daily fills, ``TTTC8036R`` cancellable orders, ``CTSC9115R`` older
#: daily fills) and KIS's renaming notice of the order TRs (sells ``...0801U``/``...0851U``).
LEGACY_TR_IDS: Final[dict[str, str]] = {
    "TTTC0802U": "TTTC0012U",  # 주식주문(현금) 매수
    "TTTC0801U": "TTTC0011U",  # 주식주문(현금) 매도
    "VTTC0802U": "VTTC0012U",
    "VTTC0801U": "VTTC0011U",
    "TTTC0803U": "TTTC0013U",  # 주식주문(정정취소)
    "VTTC0803U": "VTTC0013U",
    "TTTC0852U": "TTTC0052U",  # 주식주문(신용) 매수
    "TTTC0851U": "TTTC0051U",  # 주식주문(신용) 매도
    "TTTC8001R": "TTTC0081R",  # 주식일별주문체결조회 (3개월 이내)
    "VTTC8001R": "VTTC0081R",
    "CTSC9115R": "CTSC9215R",  # 주식일별주문체결조회 (3개월 이전)
    "VTSC9115R": "VTSC9215R",
    "TTTC8036R": "TTTC0084R",  # 주식정정취소가능주문조회
}

#: Order parameters KIS fills in when a client leaves them out (the documents say [필수]).
ORDER_PARAM_DEFAULTS: Final[dict[str, str]] = {
    "EXCG_ID_DVSN_CD": "KRX",
    "ORD_SVR_DVSN_CD": "0",
}

#: Bases of "required" that the real server enforces on orders.
_ENFORCED_BASES: Final = frozenset({"doc", "raises", ""})


def legacy_successor(tr_id: str) -> str | None:
    """The current TR ID an older one stands for, or ``None``."""
    return LEGACY_TR_IDS.get(tr_id)


def note_legacy(seen: set[str], old: str, new: str) -> None:
    """Log, once per simulator (``seen``) and TR ID, that a client sent an older TR ID."""
    if old in seen:
        return
    seen.add(old)
    _log.info(
        "TR ID %s is an older name of %s; accepted as it (KIS still answers it). "
        "Run with --strict-tr-ids to refuse older TR IDs.", old, new,
    )


def enforced_required(api: Api, param: Param) -> bool:
    """Whether the simulator refuses a call of ``api`` that leaves ``param`` out.

    Queries: whatever the catalogue marks required. Orders: only what KIS refuses — a
    documented or sample-enforced requirement, never a parameter KIS defaults.
    """
    if not param.required or param.cursor or param.wire == "*":
        return False
    if api.kind != "order":
        return True
    return param.basis in _ENFORCED_BASES and param.wire not in ORDER_PARAM_DEFAULTS
