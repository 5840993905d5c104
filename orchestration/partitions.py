"""Keep the `documents` dynamic partitions equal to the files in the raw docs folder (used by the demo;
the raw documents sensor does the same continuously in a running deployment).

Every key added is checked by `resources.paths.validate_partition_key` (keys become file names), and
any existing partition whose file is gone — including one added by hand with an unsafe key such as
"../../x" — is deleted.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.knowledge.documents import scan_documents
from assets.knowledge.partitions import document_partitions
from resources.paths import validate_partition_key


def sync_document_partitions(
    instance: dg.DagsterInstance, raw_docs_dir: Path, follow_external_symlinks: bool = False
) -> list[str]:
    """Add a partition per document file, delete partitions whose file is gone; return the keys.

    Raises `UnsafePathError` if the scanner ever produced an id unfit as a partition key.
    """
    scan = scan_documents(raw_docs_dir, follow_external_symlinks=follow_external_symlinks)
    wanted = sorted(validate_partition_key(key) for key in scan.found)
    name = document_partitions.name
    existing = set(instance.get_dynamic_partitions(name))
    missing = [key for key in wanted if key not in existing]
    if missing:
        instance.add_dynamic_partitions(name, missing)
    for stale in sorted(existing - set(wanted)):
        instance.delete_dynamic_partition(name, stale)
    return wanted
