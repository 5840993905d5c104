"""Keep the `documents` dynamic partitions equal to the files in the raw docs folder (used by the demo;
the raw documents sensor does the same continuously in a running deployment)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.knowledge.documents import scan_documents
from assets.knowledge.partitions import document_partitions


def sync_document_partitions(instance: dg.DagsterInstance, raw_docs_dir: Path) -> list[str]:
    """Add a partition per document file, delete partitions whose file is gone; return the keys."""
    scan = scan_documents(raw_docs_dir)
    wanted = sorted(scan.found)
    name = document_partitions.name
    existing = set(instance.get_dynamic_partitions(name))
    missing = [key for key in wanted if key not in existing]
    if missing:
        instance.add_dynamic_partitions(name, missing)
    for stale in sorted(existing - set(wanted)):
        instance.delete_dynamic_partition(name, stale)
    return wanted
