"""Run the command line as ``python -m findbuch``."""

from findbuch.cli import main

main()
