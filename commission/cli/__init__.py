"""Interface: the command line (click). Each command parses its options, calls one function of the
application layer (commission.app) and prints what it returns; no workflow or business rule lives here.

Problems the user can fix print as ``file:line: key: message`` on stderr with exit code 2.
"""

from __future__ import annotations

import click

from .. import __version__
from .batches import batch, history, opening_ytd
from .runs import run, sample_data, validate
from .serve import serve
from .simulate import lint, simulate
from .statements import explain, statements
from .users import setup, users


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="commission")
def main():
    """Collector commission engine: YAML plans in, exact and auditable payouts out."""


for _command in (run, validate, sample_data, setup, users, batch, history, opening_ytd, statements, explain, simulate,
                 lint, serve):
    main.add_command(_command)
