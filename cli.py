"""Run the commission CLI from a checkout: `python cli.py run ...` is the installed `commission run ...`."""

from commission.cli import main

if __name__ == "__main__":
    main()
