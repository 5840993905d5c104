"""Project-wide settings resources: where inputs and outputs live and the quality bounds checks enforce."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from resources.paths import artifacts_dir, data_dir


class ProjectPaths(ConfigurableResource):
    """Locations of the shipped inputs and generated artifacts; empty fields follow resources.paths at use time."""

    data_dir: str = Field(
        default="", description="Folder with products_all.csv and raw_docs/; empty: KODISTILL_DATA_DIR or data/."
    )
    artifacts_dir: str = Field(
        default="", description="Folder for generated artifacts; empty: KODISTILL_ARTIFACTS_DIR or artifacts/."
    )
    follow_external_symlinks: bool = Field(
        default=False, description="Read symlinks in raw_docs/ that point outside it (refused by default)."
    )
    max_document_chars: int = Field(
        default=20_000_000, gt=0, description="Documents longer than this are recorded as a problem, not read."
    )

    def data_path(self, *parts: str) -> Path:
        return Path(self.data_dir or data_dir()).joinpath(*parts)

    def artifact_path(self, *parts: str) -> Path:
        """A path under the artifacts folder; its parent folder is created."""
        path = Path(self.artifacts_dir or artifacts_dir()).joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


class QualityThresholds(ConfigurableResource):
    """Bounds the asset checks enforce; set them per deployment (e.g. stricter in production)."""

    max_quarantine_ratio: float = Field(default=0.02, description="Largest share of CSV rows that may be quarantined.")
    min_recall_at_5: float = Field(default=0.80, description="Floor for hybrid recall@5 in retrieval_eval.")
    min_self_retrieval_recall_at_1: float = Field(
        default=0.85, description="Floor for the share of synthetic questions whose source chunk ranks first."
    )
    min_self_retrieval_recall_at_3: float = Field(
        default=0.95, description="Floor for the share of synthetic questions whose source chunk is in the top 3."
    )
    min_source_citation_rate: float = Field(
        default=0.90, description="Floor for the share of teacher answers that cite the question's source chunk."
    )
    min_answer_span_containment: float = Field(
        default=0.85, description="Floor for the share of teacher answers that contain the question's answer span."
    )
