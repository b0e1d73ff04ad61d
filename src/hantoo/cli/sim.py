"""``hantoo sim serve``: the exchange simulator as a server any KIS client can use."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import platformdirs
import typer

from .output import command, console

app = typer.Typer(help="The local KIS exchange simulator.", no_args_is_help=True)


def default_state_path() -> Path:
    return Path(platformdirs.user_data_dir("hantoo")) / "sim-state.sqlite3"


@app.command("serve")
@command
def serve(
    host: Annotated[str, typer.Option(help="interface to bind (loopback by default)")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port; 0 picks a free one")] = 8000,
    persona: Annotated[str, typer.Option(help="real | paper: which TR IDs and limits")] = "real",
    state: Annotated[str | None, typer.Option(help="SQLite state file, or :memory:")] = None,
    seed: Annotated[int, typer.Option(help="seed of the synthetic market")] = 0,
    speed: Annotated[int, typer.Option(help="clock speed: 1 = real time")] = 1,
    clock: Annotated[str, typer.Option(help="sim (a trading day from 09:00) | wall (KST)")]
    = "sim",
    universe: Annotated[Path | None, typer.Option(help="CSV of listed issues to load")] = None,
    limits: Annotated[str, typer.Option(help="auto | real | paper | off | e.g. 18/s")] = "auto",
    replay: Annotated[Path | None, typer.Option(
        help="CSV/Parquet of recorded bars or ticks (symbol,date|datetime,...) to replay")] = None,
    strict_tr_ids: Annotated[bool, typer.Option(
        "--strict-tr-ids",
        help="refuse older TR IDs (TTTC0802U...) that KIS still accepts as aliases")] = False,
    activity: Annotated[float, typer.Option(
        help="synthetic traders' intensity: 1 a live market, 0 quiet, 2 twice as busy")] = 1.0,
) -> None:
    """Serve the KIS REST API and WebSocket (/tryitout and /) on one port."""
    from .._core.embedded import require_server_extra
    from ..config import SIM_ACCOUNT, SIM_APP_KEY, SIM_APP_SECRET, SIM_HTS_ID
    from ..sim.app import SimConfig
    from ..sim.server import serve as run

    require_server_extra()
    if persona not in ("real", "paper"):
        raise ValueError("--persona must be real or paper")
    if clock not in ("sim", "wall"):
        raise ValueError("--clock must be sim or wall")
    state_path = state or str(default_state_path())
    if state_path != ":memory:":
        Path(state_path).expanduser().parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for option, path in (("--universe", universe), ("--replay", replay)):
        if path is not None and not path.exists():
            raise ValueError(f"{option} {path}: no such file")
    mode = "wall" if clock == "wall" else ("accelerated" if speed > 1 else "realtime")
    config = SimConfig(
        persona="paper" if persona == "paper" else "real",
        state_path=state_path,
        seed=seed,
        clock_mode=mode,
        clock_speed=max(1, speed),
        universe_path=str(universe) if universe else None,
        replay_path=str(replay) if replay else None,
        limits=limits,
        strict_tr_ids=strict_tr_ids,
        activity=activity,
    )

    def ready(base_url: str, ws_url: str) -> None:
        console.print(f"[bold]hantoo simulator[/] ({persona} persona) listening")
        console.print(f"  REST       {base_url}")
        console.print(f"  WebSocket  {ws_url}/tryitout  (and {ws_url}/)")
        console.print(f"  state      {state_path}")
        console.print("  demo credentials (any 36/180-character key also works):")
        console.print(f"    HANTOO_APP_KEY={SIM_APP_KEY}")
        console.print(f"    HANTOO_APP_SECRET={SIM_APP_SECRET}", soft_wrap=True)
        console.print(f"    HANTOO_ACCOUNT={SIM_ACCOUNT}  HANTOO_HTS_ID={SIM_HTS_ID}")
        console.print(f"  SDK: hantoo.Client('sim', base_url='{base_url}')", highlight=False)
        console.print("  Ctrl-C stops the server.")

    from .local_errors import serving

    with serving(host, port, state_path):
        run(config, host, port, on_ready=ready, log_level="warning")
