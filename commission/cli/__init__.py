"""Interface: the command line (click). Each command parses its options, calls one function of the
application layer (commission.app) and prints what it returns; no workflow or business rule lives here.

Problems the user can fix print as ``file:line: key: message`` on stderr with exit code 2.

The CLI's own messages (summaries, confirmations, counts) are in the language of the top-level
``--lang`` (or COMMISSION_LANG, default en). A document's language is its command's own ``--lang``
(statements, explain, simulate), which defaults to the plan's currency as before: the two are chosen apart.
"""

from __future__ import annotations

import click

from .. import __version__
from ..i18n import LANGUAGES
from .batches import batch, history, opening_ytd
from .common import LANG_KEY
from .runs import run, sample_data, validate
from .serve import serve
from .simulate import lint, simulate
from .statements import explain, statements
from .users import setup, users


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="commission")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, envvar="COMMISSION_LANG",
              help="Language of the CLI's own messages (summaries, confirmations, counts); also "
                   "$COMMISSION_LANG. Statements, explain and simulate reports keep their own --lang.")
@click.pass_context
def main(ctx, lang):
    """Collector commission engine: YAML plans in, exact and auditable payouts out."""
    ctx.meta[LANG_KEY] = lang


for _command in (run, validate, sample_data, setup, users, batch, history, opening_ytd, statements, explain, simulate,
                 lint, serve):
    main.add_command(_command)
