"""The matcher's HTTP API (FastAPI): match order lines, record users' selections, report health.

* `POST /api/ml-match` `{query, client_code?, top_k?, min_score?}` → ranked `{item_no, name, score,
  stage}`, the parsed quantity, the deciding stage and why.
* `POST /api/auto-learn` `{raw_input, selected_item_no, client_code?, rejected_item_nos?,
  rule_based_score?}` records one selection in the selection log (one transaction). Unknown fields,
  wrong types and item numbers the index does not hold get 422 naming the field; nothing is stored.
* `GET /healthz` → status, item count and the index version being served.

`IndexHolder` serves the loaded matcher and watches the saved index's manifest: when a new
`item_index` is materialized it loads the new one in a background thread while requests keep being
answered by the old one, then swaps the reference (no request is dropped or sees half an index).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from resources.errors import InputDataError
from resources.feedback.records import SelectionLog
from resources.hashing import sha256_file
from resources.matching.learning import SelectionSource
from resources.matching.matcher import ItemMatcher
from resources.matching.store import load_matcher
from resources.retrieval.dense import MANIFEST_FILE

MAX_QUERY_CHARS = 500


class IndexHolder:
    """The matcher being served; reloaded in the background when the saved index changes."""

    def __init__(
        self, folder: Path, check_interval: float = 1.0, loader: Callable[[Path], ItemMatcher] = load_matcher
    ) -> None:
        self.folder = Path(folder)
        self.check_interval = check_interval
        self.loader = loader
        self._lock = threading.Lock()
        self._reloading = False
        self._checked_at = 0.0
        self._signature = self._manifest_signature()
        self.matcher = loader(self.folder)
        self.version = sha256_file(self.folder / MANIFEST_FILE)
        self.reloads = 0

    def _manifest_signature(self) -> tuple[int, int, int] | None:
        try:
            stat = os.stat(self.folder / MANIFEST_FILE)
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def current(self) -> ItemMatcher:
        """The matcher to answer with now; starts a background reload when the manifest changed."""
        now = time.monotonic()
        if now - self._checked_at >= self.check_interval:
            self._checked_at = now
            signature = self._manifest_signature()
            if signature is not None and signature != self._signature:
                self._start_reload(signature)
        return self.matcher

    def _start_reload(self, signature: tuple[int, int, int]) -> None:
        with self._lock:
            if self._reloading:
                return
            self._reloading = True
        threading.Thread(target=self._reload, args=(signature,), daemon=True).start()

    def _reload(self, signature: tuple[int, int, int]) -> None:
        try:
            self.reload_now()
            self._signature = signature
        finally:
            with self._lock:
                self._reloading = False

    def reload_now(self) -> None:
        """Load the saved index and swap it in (the old matcher keeps answering until then)."""
        matcher = self.loader(self.folder)
        version = sha256_file(self.folder / MANIFEST_FILE)
        self.matcher, self.version = matcher, version
        self._signature = self._manifest_signature()
        self.reloads += 1


class MatchRequest(BaseModel):
    """Body of POST /api/ml-match."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    client_code: str | None = Field(default=None, max_length=64)
    top_k: int = Field(default=5, ge=1, le=50)
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)


class AutoLearnRequest(BaseModel):
    """Body of POST /api/auto-learn (the original's ml_training_data row)."""

    model_config = ConfigDict(extra="forbid")
    raw_input: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    selected_item_no: str = Field(min_length=1, max_length=64)
    client_code: str | None = Field(default=None, max_length=64)
    rejected_item_nos: list[str] = Field(default_factory=list, max_length=100)
    rule_based_score: float | None = Field(default=None, ge=0.0, le=1.0)


def _field_error(field: str, message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=[{"loc": ["body", field], "msg": message, "type": "value_error"}])


def _validated_selection(body: AutoLearnRequest, matcher: ItemMatcher) -> SelectionLog:
    if body.selected_item_no not in matcher.position:
        raise _field_error("selected_item_no", f"unknown item_no {body.selected_item_no!r}")
    unknown = [n for n in body.rejected_item_nos if n not in matcher.position]
    if unknown:
        raise _field_error("rejected_item_nos", f"unknown item_no(s) {unknown}")
    if body.selected_item_no in body.rejected_item_nos:
        raise _field_error("rejected_item_nos", "the selected item is also listed as rejected")
    if not body.raw_input.strip():
        raise _field_error("raw_input", "is blank")
    return SelectionLog(
        raw_input=body.raw_input,
        selected_item_no=body.selected_item_no,
        client_code=body.client_code,
        rejected_item_nos=tuple(body.rejected_item_nos),
        rule_based_score=body.rule_based_score,
    )


def create_app(holder: IndexHolder, selections: SelectionSource | None = None) -> FastAPI:
    """The API around a loaded index; without a selection source /api/auto-learn answers 503."""
    app = FastAPI(title="kodistill item matcher", version="1")

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        matcher = holder.current()
        return {
            "status": "ok",
            "items": len(matcher.items),
            "index_version": holder.version[:16],
            "reloads": holder.reloads,
            "learning": selections is not None,
        }

    @app.post("/api/ml-match")
    def ml_match(body: MatchRequest) -> dict[str, Any]:
        if not body.query.strip():
            raise _field_error("query", "is blank")
        result = holder.current().match(body.query, body.client_code, body.top_k, body.min_score)
        return {"success": True, **result.as_dict(), "index_version": holder.version[:16]}

    @app.post("/api/auto-learn")
    def auto_learn(body: AutoLearnRequest) -> dict[str, Any]:
        record = _validated_selection(body, holder.current())
        if selections is None:
            raise HTTPException(status_code=503, detail="selection log unavailable: no feedback store configured")
        try:
            (selection_id,) = selections.add_selections([record])
        except InputDataError as error:  # the store's own validation: nothing was stored
            detail = [{"loc": ["body"], "msg": str(error), "type": "value_error"}]
            raise HTTPException(status_code=422, detail=detail) from None
        return {"success": True, "id": selection_id}

    return app
