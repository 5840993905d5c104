"""Saving and loading the item index: items, learned aliases, calibration and the cached item embeddings.

A saved index is one folder written into a fresh sibling and swapped in (readers never see half an
index), with `manifest.json` listing the sha256 of every file (the retriever's manifest helpers), the
embedder kind, and `input_sha256`: the checksum of what the embeddings depend on (items, learned
phrase aliases, embedder). `load_matcher` verifies every checksum first and raises
`IndexIntegrityError` naming an altered or missing file. `save_matcher(..., reuse_from=folder)` takes
the embeddings from an existing index with the same `input_sha256` instead of encoding again (the
embedding cache). The rule index is rebuilt from the items on load (a second for 100,000 items).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from resources.atomic import atomic_path, atomic_write_json
from resources.matching.aliases import LearnedAliases
from resources.matching.items import Item
from resources.matching.matcher import DecisionRule, ItemMatcher
from resources.matching.rule import Calibration, RuleIndex
from resources.matching.semantic import NgramEmbedder, SemanticIndex, SentenceTransformerEmbedder
from resources.retrieval.dense import MANIFEST_FILE, IndexIntegrityError, verify_manifest, write_manifest

FORMAT_VERSION = 1
ITEMS_FILE = "items.json"
LEARNED_FILE = "learned_aliases.json"
SETTINGS_FILE = "settings.json"
ROWS_SPARSE = "item_rows.npz"
ROWS_DENSE = "item_rows.npy"
ROW_ITEMS = "row_items.npy"


def input_checksum(items: list[Item], learned: LearnedAliases, embedder_spec: str) -> str:
    """sha256 of what the item embeddings depend on."""
    payload = json.dumps(
        {
            "items": [asdict(i) for i in items],
            "phrases": sorted(learned.phrase_items.items()),
            "embedder": embedder_spec,
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def embedder_spec(embedder: NgramEmbedder | SentenceTransformerEmbedder) -> str:
    return f"st:{embedder.model_path}" if isinstance(embedder, SentenceTransformerEmbedder) else "ngram"


def _save_array(path: Path, array: np.ndarray) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.save(handle, array)


def _write_parts(folder: Path, matcher: ItemMatcher, checksum: str) -> None:
    atomic_write_json(folder / ITEMS_FILE, [asdict(i) for i in matcher.items])
    atomic_write_json(folder / LEARNED_FILE, matcher.learned.to_json())
    settings = {"calibration": asdict(matcher.calibration), "decision": asdict(matcher.decision)}
    atomic_write_json(folder / SETTINGS_FILE, settings)
    files = [ITEMS_FILE, LEARNED_FILE, SETTINGS_FILE, ROW_ITEMS] + matcher.semantic.embedder.save(folder)
    rows = matcher.semantic.rows
    if sparse.issparse(rows):
        with atomic_path(folder / ROWS_SPARSE) as tmp, open(tmp, "wb") as handle:
            sparse.save_npz(handle, rows.tocsr())
        files.append(ROWS_SPARSE)
    else:
        _save_array(folder / ROWS_DENSE, np.asarray(rows, dtype=np.float32))
        files.append(ROWS_DENSE)
    _save_array(folder / ROW_ITEMS, matcher.semantic.row_items)
    write_manifest(
        folder,
        files,
        format_version=FORMAT_VERSION,
        embedder=embedder_spec(matcher.semantic.embedder),
        input_sha256=checksum,
        items=len(matcher.items),
        rows=int(rows.shape[0]),
    )


def _replace_directory(source: Path, target: Path) -> None:
    backup = None
    if target.exists():
        backup = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, backup)
    os.replace(source, target)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


def save_matcher(matcher: ItemMatcher, folder: Path) -> dict[str, Any]:
    """Save into a fresh sibling folder and swap it in; returns the manifest."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    checksum = input_checksum(matcher.items, matcher.learned, embedder_spec(matcher.semantic.embedder))
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        _write_parts(staging, matcher, checksum)
        _replace_directory(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return read_manifest(folder)


def read_manifest(folder: Path) -> dict[str, Any]:
    """The saved manifest (without verifying the files)."""
    return json.loads((Path(folder) / MANIFEST_FILE).read_text(encoding="utf-8"))


def cached_semantic(folder: Path, checksum: str) -> SemanticIndex | None:
    """The saved semantic index when its inputs match `checksum` and its files verify, else None."""
    folder = Path(folder)
    if not (folder / MANIFEST_FILE).is_file():
        return None
    try:
        manifest = verify_manifest(folder)
    except IndexIntegrityError:
        return None
    if manifest.get("input_sha256") != checksum or manifest.get("format_version") != FORMAT_VERSION:
        return None
    return _load_semantic(folder, manifest)


def _load_semantic(folder: Path, manifest: dict[str, Any]) -> SemanticIndex:
    spec = str(manifest.get("embedder", "ngram"))
    row_items = np.load(folder / ROW_ITEMS, allow_pickle=False)
    if spec.startswith("st:"):
        embedder: NgramEmbedder | SentenceTransformerEmbedder = SentenceTransformerEmbedder(spec[3:])
        rows: Any = np.load(folder / ROWS_DENSE, allow_pickle=False)
    else:
        embedder = NgramEmbedder.load(folder)
        rows = sparse.load_npz(folder / ROWS_SPARSE).tocsr()
    return SemanticIndex(embedder, rows, row_items)


def load_matcher(folder: Path) -> ItemMatcher:
    """Verify the manifest checksums, then load items, aliases, settings and embeddings; rebuild the rule index."""
    folder = Path(folder)
    manifest = verify_manifest(folder)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexIntegrityError(f"{folder / MANIFEST_FILE}: unsupported format {manifest.get('format_version')}")
    items = [Item(**row) for row in json.loads((folder / ITEMS_FILE).read_text(encoding="utf-8"))]
    learned = LearnedAliases.from_json(json.loads((folder / LEARNED_FILE).read_text(encoding="utf-8")))
    settings = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
    calibration = Calibration(**{**settings["calibration"], "coef": tuple(settings["calibration"]["coef"])})
    rule = RuleIndex.build(
        [i.name for i in items],
        [i.name_en for i in items],
        ItemMatcher.alias_tokens(items, learned),
        learned.token_map,
    )
    semantic = _load_semantic(folder, manifest)
    return ItemMatcher(items, rule, semantic, learned, calibration, DecisionRule(**settings["decision"]))


def build_matcher(
    items: list[Item],
    learned: LearnedAliases | None = None,
    embedder: NgramEmbedder | SentenceTransformerEmbedder | None = None,
    decision: DecisionRule | None = None,
    reuse_from: Path | None = None,
) -> tuple[ItemMatcher, bool]:
    """A matcher for `items`, with the embeddings of `reuse_from` when its inputs are the same; (matcher, reused)."""
    learned = learned or LearnedAliases()
    embedder = embedder or NgramEmbedder()
    cached = (
        cached_semantic(reuse_from, input_checksum(items, learned, embedder_spec(embedder))) if reuse_from else None
    )
    if cached is None:
        return ItemMatcher.build(items, learned, embedder, decision), False
    rule = RuleIndex.build(
        [i.name for i in items], [i.name_en for i in items], ItemMatcher.alias_tokens(items, learned), learned.token_map
    )
    return ItemMatcher(items, rule, cached, learned, Calibration(), decision or DecisionRule()), True
