"""Dagster resources for retrieval: the embedder that feeds the dense index, and the retriever store.

`EmbedderResource` chooses the embedder by configuration: the offline LSA embedder fitted on the
chunks (default, no download) or any sentence-transformers model from a local directory.
`RetrieverStore` saves the hybrid retriever (BM25 + dense + embedder + chunk texts) as one
checksummed directory and loads it once per process: a loaded retriever is reused by every step and
partition of a run until the saved manifest changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from dagster import ConfigurableResource
from pydantic import Field

from resources.hashing import sha256_file
from resources.korean import KoreanTokenizer
from resources.paths import artifacts_dir
from resources.retrieval.dense import MANIFEST_FILE
from resources.retrieval.hybrid import HybridRetriever

_LOADED: dict[tuple[str, str, int], HybridRetriever] = {}


class EmbedderResource(ConfigurableResource):
    """Which embedder feeds the FAISS index, and which index kind to build."""

    kind: Literal["lsa", "sentence_transformers"] = Field(
        default="lsa", description="'lsa' (offline, fitted on the chunks) or 'sentence_transformers' (local model)."
    )
    lsa_dim: int = Field(default=0, ge=0, description="LSA dimensions; 0 uses the embedder's default.")
    model_path: str = Field(
        default="", description="Local sentence-transformers model directory (kind 'sentence_transformers')."
    )
    index_kind: Literal["flat", "hnsw"] = Field(default="flat", description="'flat' (exact) or 'hnsw' (large corpora).")

    def spec(self) -> str:
        """The embedder spec understood by `resources.retrieval.embedders.embedder_from_spec`."""
        if self.kind == "sentence_transformers":
            if not self.model_path:
                raise ValueError("EmbedderResource: kind 'sentence_transformers' needs model_path (a local directory)")
            return f"st:{self.model_path}"
        return f"lsa:{self.lsa_dim}" if self.lsa_dim else "lsa"


class RetrieverStore(ConfigurableResource):
    """Where the hybrid retriever is saved, and a per-process cache of the loaded retriever."""

    directory: str = Field(default="", description="Retriever folder; empty: <artifacts dir>/knowledge/retriever.")

    def path(self) -> Path:
        """The retriever folder (resolved at use time so KODISTILL_ARTIFACTS_DIR applies)."""
        return Path(self.directory) if self.directory else artifacts_dir() / "knowledge" / "retriever"

    def save(self, retriever: HybridRetriever) -> Path:
        """Save atomically (a fresh folder swapped in); returns the folder."""
        folder = self.path()
        retriever.save(folder)
        return folder

    def fingerprint(self) -> str:
        """sha256 of the saved manifest (it lists the checksum of every part): changes with any rebuild."""
        manifest = self.path() / MANIFEST_FILE
        if not manifest.is_file():
            raise FileNotFoundError(f"no saved retriever in {self.path()} ({MANIFEST_FILE} missing); build the indexes")
        return sha256_file(manifest)

    def load(self, tokenizer: KoreanTokenizer | None = None) -> HybridRetriever:
        """The saved retriever, verified and loaded once per process for each saved version."""
        key = (str(self.path().resolve()), self.fingerprint(), id(tokenizer))
        if key not in _LOADED:
            for stale in [k for k in _LOADED if k[0] == key[0]]:
                del _LOADED[stale]
            _LOADED[key] = HybridRetriever.load(self.path(), tokenizer=tokenizer)
        return _LOADED[key]
