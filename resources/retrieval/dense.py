"""FAISS inner-product index over unit vectors (cosine), saved with a sha256 manifest checked before loading.

Kinds: "flat" (exact, the default) and "hnsw" (approximate graph search for large corpora).
`save` writes `dense.faiss` and `manifest.json` (kind, dimension, count and the sha256 of every
file); `load` recomputes the checksums first and refuses a missing or altered file with
`IndexIntegrityError` naming it, so a tampered file is never handed to FAISS's reader.
The manifest helpers are shared by the hybrid retriever, which checks its whole directory the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from resources.atomic import atomic_path, atomic_write_json
from resources.hashing import sha256_file

INDEX_FILE = "dense.faiss"
MANIFEST_FILE = "manifest.json"
DENSE_KINDS = ("flat", "hnsw")
FORMAT_VERSION = 1


class IndexIntegrityError(Exception):
    """A saved index is incomplete or altered: a file is missing or its sha256 differs from the manifest."""


def write_manifest(directory: Path, files: Iterable[str], **fields: Any) -> None:
    """Write manifest.json listing the sha256 of each relative path in `files` (plus `fields`)."""
    directory = Path(directory)
    checksums = {name: sha256_file(directory / name) for name in sorted(files)}
    atomic_write_json(directory / MANIFEST_FILE, {**fields, "files": checksums})


def verify_manifest(directory: Path) -> dict[str, Any]:
    """Check every file listed in manifest.json against its sha256; return the manifest.

    Raises IndexIntegrityError naming the manifest or the first missing/mismatching file.
    """
    directory = Path(directory)
    manifest_path = directory / MANIFEST_FILE
    if not manifest_path.is_file():
        raise IndexIntegrityError(f"{manifest_path}: manifest missing, the index cannot be verified")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = dict(manifest["files"])
    except (ValueError, KeyError, TypeError) as error:
        raise IndexIntegrityError(f"{manifest_path}: unreadable manifest ({error})") from error
    for name, expected in files.items():
        path = directory / name
        if not path.is_file():
            raise IndexIntegrityError(f"{path}: file listed in the manifest is missing")
        if sha256_file(path) != expected:
            raise IndexIntegrityError(f"{path}: sha256 differs from the manifest (file altered or corrupted)")
    return manifest


def _faiss() -> Any:
    import faiss

    return faiss


def _as_matrix(vectors: np.ndarray) -> np.ndarray:
    """Contiguous float32 2-D copy/view, as FAISS requires."""
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if matrix.ndim != 2:
        raise ValueError(f"expected a 2-D array of vectors, got shape {matrix.shape}")
    return matrix


class DenseIndex:
    """Inner-product FAISS index; positions are the row order of the vectors it was built from."""

    def __init__(self, index: Any, kind: str, ef_search: int = 128) -> None:
        self.index = index
        self.kind = kind
        self.ef_search = ef_search
        if kind == "hnsw":
            index.hnsw.efSearch = ef_search

    @classmethod
    def build(
        cls, vectors: np.ndarray, kind: str = "flat", hnsw_m: int = 32, ef_construction: int = 200, ef_search: int = 128
    ) -> DenseIndex:
        """Index `vectors` (rows; unit length for cosine) as "flat" (exact) or "hnsw" (approximate)."""
        if kind not in DENSE_KINDS:
            raise ValueError(f"unknown dense index kind {kind!r}; expected one of {DENSE_KINDS}")
        faiss = _faiss()
        matrix = _as_matrix(vectors)
        if kind == "flat":
            index = faiss.IndexFlatIP(matrix.shape[1])
        else:
            index = faiss.IndexHNSWFlat(matrix.shape[1], hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = ef_construction
        index.add(matrix)
        return cls(index, kind, ef_search)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return int(self.index.d)

    def search(self, query_vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k positions (int64) and inner products (float32) per query row, best first.

        A 1-D query gives 1-D results; k is capped at the index size; HNSW may return fewer
        than k hits, padded with position -1.
        """
        single = np.ndim(query_vectors) == 1
        matrix = _as_matrix(np.atleast_2d(query_vectors))
        k = min(k, len(self))
        if k <= 0:
            empty = np.empty((matrix.shape[0], 0))
            return (empty[0], empty[0]) if single else (empty.astype(np.int64), empty.astype(np.float32))
        scores, positions = self.index.search(matrix, k)
        return (positions[0], scores[0]) if single else (positions, scores)

    def save(self, directory: Path) -> None:
        """Write dense.faiss and manifest.json (with the file's sha256) into `directory`, atomically."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with atomic_path(directory / INDEX_FILE) as tmp:
            _faiss().write_index(self.index, str(tmp))
        write_manifest(
            directory,
            [INDEX_FILE],
            format_version=FORMAT_VERSION,
            kind=self.kind,
            dim=self.dim,
            count=len(self),
            ef_search=self.ef_search,
        )

    @classmethod
    def load(cls, directory: Path) -> DenseIndex:
        """Verify the manifest checksums, then read the index; IndexIntegrityError if anything is off."""
        directory = Path(directory)
        manifest = verify_manifest(directory)
        if INDEX_FILE not in manifest["files"]:
            raise IndexIntegrityError(f"{directory / MANIFEST_FILE}: does not list {INDEX_FILE}")
        index = _faiss().read_index(str(directory / INDEX_FILE))
        if index.ntotal != manifest.get("count") or index.d != manifest.get("dim"):
            raise IndexIntegrityError(f"{directory / INDEX_FILE}: size or dimension differs from the manifest")
        return cls(index, manifest.get("kind", "flat"), int(manifest.get("ef_search", 128)))
