"""`kodistill serve-matcher [--host 127.0.0.1] [--port 8000]`: the item matcher's HTTP API (uvicorn).

Serves `resources.matching.server.create_app` over the saved item index (built from data/items.csv
first when none is saved), reloading it whenever `item_index` is materialized again. Selections
posted to /api/auto-learn go to the feedback store's selection log.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from orchestration.cli import positive_int

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the serve-matcher subcommand."""
    parser = subparsers.add_parser("serve-matcher", help="Serve the item matcher's HTTP API (127.0.0.1 by default).")
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST}: this machine only)"
    )
    parser.add_argument("--port", type=positive_int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--index-dir", type=Path, default=None, help="saved item index (default artifacts/matching)")
    parser.add_argument(
        "--feedback-url",
        default="",
        help="feedback store URL (default: KODISTILL_FEEDBACK_URL or its SQLite file)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the index and serve until interrupted."""
    import uvicorn

    from orchestration.commands.match import load_index
    from resources.matching.server import IndexHolder, create_app
    from resources.matching_resource import ItemIndexStore, open_selection_source

    folder = args.index_dir or ItemIndexStore().path()
    load_index(folder)  # builds one when missing, and verifies it
    app = create_app(IndexHolder(folder), open_selection_source(args.feedback_url))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
