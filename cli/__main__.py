"""``python -m cli``: the `atrisk` command."""

from cli import main

main()
