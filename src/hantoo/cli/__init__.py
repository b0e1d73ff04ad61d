"""The ``hantoo`` command line (typer + rich)."""
