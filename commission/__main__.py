"""`python -m commission ...` is the `commission` command."""

from .cli import main

main()
