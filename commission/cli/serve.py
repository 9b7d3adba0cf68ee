"""`commission serve`: the web app for HR, managers and collectors, under uvicorn."""

from __future__ import annotations

from pathlib import Path

import click

from .common import db_option, reports_user_errors, store_url, t


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes; they share sessions and jobs through the store.")
@click.option("--reports", "reports_dir", default="web-reports", show_default=True, type=click.Path(path_type=Path),
              help="Folder where batches created from the web write their reports, and uploads are kept.")
@click.option("--inputs", "inputs_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder of inputs (plans, ledgers, roster...) HR may pick from instead of uploading.")
@click.option("--behind-proxy", is_flag=True, help="Trust X-Forwarded-For / X-Forwarded-Proto from the TLS proxy "
              "in front (set only when the server is reachable through that proxy alone).")
@reports_user_errors
def serve(db, host, port, workers, reports_dir, inputs_dir, behind_proxy):
    """Serve the web app: HR's batches, managers' teams, collectors' own statements and questions."""
    import os

    import uvicorn

    url = store_url(db)
    os.environ.update({"COMMISSION_WEB_DB": url, "COMMISSION_WEB_REPORTS": str(Path(reports_dir).resolve()),
                       "COMMISSION_WEB_PROXY": "1" if behind_proxy else "",
                       "COMMISSION_WEB_INPUTS": str(Path(inputs_dir).resolve()) if inputs_dir else ""})
    from ..web.server import app_from_environment

    app_from_environment()  # opens and upgrades the store once, before any worker starts
    click.echo(t("cli.serving", url=f"http://{host}:{port}/"))
    uvicorn.run("commission.web.server:app_from_environment", factory=True, host=host, port=port, workers=workers,
                proxy_headers=False, server_header=False, log_level="warning")
