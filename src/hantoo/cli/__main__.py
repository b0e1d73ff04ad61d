"""``python -m hantoo.cli`` — the same as the ``hantoo`` command."""

from .main import main

main()
