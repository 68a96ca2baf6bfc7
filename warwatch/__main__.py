"""``python -m warwatch`` runs the command line."""

from warwatch.cli import main

main()
