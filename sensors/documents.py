"""Raw documents sensor: one dynamic partition per document file; changed and removed files trigger runs.

`build_document_sensor` is a factory. It receives everything it needs from its caller (the
`DynamicPartitionsDefinition`, the job or asset selection to target, and the document scanner and
fingerprint functions from `assets.knowledge.documents`), so `sensors/` never imports `assets/`.

Each evaluation scans the raw docs folder, fingerprints every document (sha256 of its bytes) and
compares with the cursor (`DocumentCursor`: {doc_id: fingerprint} plus a revision per document):

* new files -> `AddDynamicPartitionsRequest` only: a partition that appears missing is materialized
  by the automation sensor (eager condition), all new ones of a tick in one backfill run; a first
  tick over a folder that is already materialized therefore re-runs nothing;
* changed files -> a `RunRequest(partition_key=doc_id)` with a new content-derived run_key; the
  automation then refreshes everything downstream;
* removed files -> `DeleteDynamicPartitionsRequest`, plus one run of `removal_job` (the chunks and
  indexes), so the removed document leaves search results and, through automation, the answers;
* files that cannot be identified or read (unsupported extension, id collision, permissions,
  looping or external symlinks: the scanner's `problems`) -> logged as warnings; the sensor does
  not fail, and an unreadable known file keeps its partition;
* an id that is not a safe partition key (`resources.paths.validate_partition_key`: it would be
  used as a file name) is logged and never added; a partition with such a key is deleted.

Run keys are `f"{doc_id}:{fingerprint[:16]}:r{revision}"`, the revision counting the document's
changes, so the same content is never run twice for one revision (not even after a cursor reset),
while a file reverted to earlier content (A -> B -> A) still runs again. The partition set is
reconciled with the folder: partitions whose file is gone are deleted even if the cursor never saw
them, and a file whose partition was deleted by hand gets it back (then materialized by automation).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from dagster import (
    AssetKey,
    DagsterInvariantViolationError,
    DefaultSensorStatus,
    DynamicPartitionsDefinition,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)

from resources.errors import InputDataError
from resources.paths import UnsafePathError, data_dir, validate_partition_key

RUN_KEY_FINGERPRINT_CHARS = 16
DOCUMENT_TAG = "kodistill/document"


class ScanResult(Protocol):
    """What a scanner returns (`assets.knowledge.documents.DocumentScan` fits)."""

    found: Mapping[str, Path]
    problems: Sequence[tuple[str, str]]


Scanner = Callable[[Path], ScanResult]
Fingerprinter = Callable[[Path], str]


@dataclass(frozen=True)
class DocumentChanges:
    """Document ids that appeared, whose fingerprint changed, and that disappeared (each sorted)."""

    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def to_run(self) -> tuple[str, ...]:
        """Ids that need a (re)materialization: new and changed, sorted."""
        return tuple(sorted(self.new + self.changed))


@dataclass
class DocumentCursor:
    """Sensor state: fingerprints of the documents present, and a revision count per document.

    A document's revision goes up each time its content changes (or it comes back after removal);
    removed documents keep their revision, so a file reverted to earlier content (A -> B -> A) still
    gets a run key never used before. Stored as JSON {"fingerprints": {...}, "revisions": {...}};
    a flat {doc_id: fingerprint} object is also read (revision 0 for each).
    """

    fingerprints: dict[str, str] = field(default_factory=dict)
    revisions: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> str:
        """Compact, key-sorted JSON."""
        payload = {
            "fingerprints": dict(sorted(self.fingerprints.items())),
            "revisions": dict(sorted(self.revisions.items())),
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | None) -> DocumentCursor:
        """Parse a stored cursor; empty for None or ""; ValueError if malformed."""
        if not raw:
            return cls()
        value = json.loads(raw)
        if isinstance(value, dict) and set(value) == {"fingerprints", "revisions"}:
            fingerprints, revisions = value["fingerprints"], value["revisions"]
        else:
            fingerprints, revisions = value, {}
        if not _is_map(fingerprints, str) or not _is_map(revisions, int):
            raise ValueError("document sensor cursor must hold {doc_id: fingerprint} and {doc_id: revision} maps")
        return cls(dict(fingerprints), {key: revisions.get(key, 0) for key in fingerprints} | dict(revisions))


def _is_map(value: Any, value_type: type) -> bool:
    return isinstance(value, dict) and all(
        isinstance(key, str) and isinstance(item, value_type) and not isinstance(item, bool)
        for key, item in value.items()
    )


@dataclass
class DocumentPlan:
    """What one sensor evaluation asks Dagster to do."""

    add_partitions: list[str] = field(default_factory=list)
    delete_partitions: list[str] = field(default_factory=list)
    run_keys: dict[str, str] = field(default_factory=dict)  # doc_id -> run_key
    reasons: dict[str, str] = field(default_factory=dict)  # doc_id -> "new" | "changed" | "restored"
    cursor: DocumentCursor = field(default_factory=DocumentCursor)


def diff_documents(previous: Mapping[str, str], current: Mapping[str, str]) -> DocumentChanges:
    """Compare two {doc_id: fingerprint} maps."""
    return DocumentChanges(
        new=tuple(sorted(set(current) - set(previous))),
        changed=tuple(sorted(key for key in set(current) & set(previous) if current[key] != previous[key])),
        removed=tuple(sorted(set(previous) - set(current))),
    )


def run_key_for(doc_id: str, fingerprint: str, revision: int = 0) -> str:
    """Content-derived run key: f"{doc_id}:{fingerprint[:16]}", plus f":r{revision}" after a change."""
    key = f"{doc_id}:{fingerprint[:RUN_KEY_FINGERPRINT_CHARS]}"
    return key if revision == 0 else f"{key}:r{revision}"


def _next_revisions(previous: DocumentCursor, changes: DocumentChanges, current: Iterable[str]) -> dict[str, int]:
    revisions = dict(previous.revisions)
    for doc_id in changes.changed:
        revisions[doc_id] = revisions.get(doc_id, 0) + 1
    for doc_id in changes.new:  # a document seen before (removed, now back) continues its count
        revisions[doc_id] = revisions[doc_id] + 1 if doc_id in revisions else 0
    for doc_id in current:
        revisions.setdefault(doc_id, 0)
    return revisions


def plan_document_updates(
    previous: DocumentCursor, current: Mapping[str, str], existing_partitions: Iterable[str]
) -> DocumentPlan:
    """Partitions to add/delete and runs to request, given the cursor, the folder and the instance."""
    existing = set(existing_partitions)
    changes = diff_documents(previous.fingerprints, current)
    missing = sorted(set(current) - existing)
    reasons = {doc_id: "restored" for doc_id in missing}
    reasons.update({doc_id: "new" for doc_id in changes.new})
    reasons.update({doc_id: "changed" for doc_id in changes.changed})
    revisions = _next_revisions(previous, changes, current)
    return DocumentPlan(
        add_partitions=missing,
        delete_partitions=sorted(existing - set(current)),
        run_keys={doc_id: run_key_for(doc_id, current[doc_id], revisions[doc_id]) for doc_id in changes.changed},
        reasons=dict(sorted(reasons.items())),
        cursor=DocumentCursor(dict(sorted(current.items())), dict(sorted(revisions.items()))),
    )


def default_raw_docs_dir() -> Path:
    """`<data_dir>/raw_docs`, read at evaluation time so `KODISTILL_DATA_DIR` is honoured."""
    return data_dir() / "raw_docs"


def build_document_sensor(
    partitions_def: DynamicPartitionsDefinition,
    asset_selection: Sequence[AssetKey] | None = None,
    job: Any = None,
    raw_docs_dir: str | os.PathLike[str] | None = None,
    minimum_interval_seconds: int = 30,
    name: str = "raw_documents_sensor",
    *,
    scan_documents: Scanner,
    fingerprint: Fingerprinter,
    removal_job: Any = None,
    default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
) -> SensorDefinition:
    """A sensor keeping `partitions_def` equal to the documents in the raw docs folder.

    Exactly one of `asset_selection` / `job` is the target of the run requests (both must select
    assets partitioned by `partitions_def`). `raw_docs_dir` fixes the folder; left None, it is
    `<data_dir()>/raw_docs` resolved at each evaluation. `scan_documents` and `fingerprint` are
    `assets.knowledge.documents.scan_documents` / `.fingerprint`, passed in by `orchestration`.
    `removal_job` (unpartitioned, e.g. the chunks and indexes) runs when documents are removed, so the
    removal reaches everything built from them; it needs `job` as the other target.
    """
    if partitions_def.name is None:
        raise ValueError("the documents DynamicPartitionsDefinition needs a name")
    if (asset_selection is None) == (job is None):
        raise ValueError("build_document_sensor needs exactly one of asset_selection or job")
    target: dict[str, Any] = {"job": job} if job is not None else {"asset_selection": asset_selection}
    if removal_job is not None:
        if job is None:
            raise ValueError("build_document_sensor: removal_job needs job (a sensor targets jobs or assets, not both)")
        target = {"jobs": [job, removal_job]}
    removal_job_name = removal_job.name if removal_job is not None else None
    # With two jobs targeted, every run request names its job; with one target it must name none.
    changed_job_name = job.name if removal_job is not None else None
    partitions_name = partitions_def.name

    @sensor(
        name=name,
        minimum_interval_seconds=minimum_interval_seconds,
        description=f"Keeps one `{partitions_name}` partition per raw document (new ones are then materialized by "
        "automation), re-reads changed files and rebuilds the knowledge chain when files are removed.",
        default_status=default_status,
        **target,
    )
    def _document_sensor(context: SensorEvaluationContext) -> SensorResult:
        folder = Path(raw_docs_dir) if raw_docs_dir else default_raw_docs_dir()
        return evaluate_documents(
            context, partitions_def, folder, scan_documents, fingerprint, removal_job_name, changed_job_name
        )

    return _document_sensor


def evaluate_documents(
    context: SensorEvaluationContext,
    partitions_def: DynamicPartitionsDefinition,
    folder: Path,
    scan_documents: Scanner,
    fingerprint: Fingerprinter,
    removal_job_name: str | None = None,
    job_name: str | None = None,
) -> SensorResult:
    """One sensor tick (see the module docstring)."""
    try:
        previous = DocumentCursor.from_json(context.cursor)
    except ValueError as error:
        context.log.warning(f"Ignoring unreadable cursor ({error}); every document is treated as new")
        previous = DocumentCursor()
    try:
        scan = scan_documents(folder)
    except (InputDataError, OSError) as error:
        return SensorResult(skip_reason=f"Raw documents folder not scanned: {error}", cursor=context.cursor)
    found, unsafe = _safe_documents(scan.found)
    current = _fingerprints(context, found, previous.fingerprints, fingerprint)
    _log_problems(context, [*scan.problems, *unsafe])
    existing = _existing_partitions(context, partitions_def, previous.fingerprints)
    plan = plan_document_updates(previous, current, existing)
    return _result(context, partitions_def, plan, scan, removal_job_name, job_name)


def _safe_documents(found: Mapping[str, Path]) -> tuple[dict[str, Path], list[tuple[str, str]]]:
    """Documents whose id is a safe partition key, and a (path, reason) problem for each other one."""
    safe: dict[str, Path] = {}
    unsafe: list[tuple[str, str]] = []
    for doc_id, path in found.items():
        try:
            safe[validate_partition_key(doc_id)] = path
        except UnsafePathError as error:
            unsafe.append((str(path), f"not used as a partition: {error}"))
    return safe, unsafe


def _fingerprints(
    context: SensorEvaluationContext, found: Mapping[str, Path], previous: Mapping[str, str], fingerprint: Fingerprinter
) -> dict[str, str]:
    """{doc_id: fingerprint}; an unreadable file keeps its previous fingerprint (no delete, no run)."""
    current: dict[str, str] = {}
    for doc_id, path in found.items():
        try:
            current[doc_id] = fingerprint(path)
        except OSError as error:
            context.log.warning(f"Cannot read raw document {path} ({error}); skipped this tick")
            if doc_id in previous:
                current[doc_id] = previous[doc_id]
    return current


def _log_problems(context: SensorEvaluationContext, problems: Sequence[tuple[str, str]]) -> None:
    for relative_path, reason in problems:
        context.log.warning(f"Raw document ignored: {relative_path}: {reason}")


def _existing_partitions(
    context: SensorEvaluationContext, partitions_def: DynamicPartitionsDefinition, previous: Mapping[str, str]
) -> list[str]:
    """Partition keys stored in the instance; the cursor's ids when no instance is available (tests)."""
    try:
        instance = context.instance
    except DagsterInvariantViolationError:
        return list(previous)
    return list(instance.get_dynamic_partitions(partitions_def.name))


def _result(
    context: SensorEvaluationContext,
    partitions_def: DynamicPartitionsDefinition,
    plan: DocumentPlan,
    scan: ScanResult,
    removal_job_name: str | None = None,
    job_name: str | None = None,
) -> SensorResult:
    partition_requests: list[Any] = []
    if plan.add_partitions:
        partition_requests.append(partitions_def.build_add_request(plan.add_partitions))
        context.log.info(f"Adding {len(plan.add_partitions)} document partition(s): {plan.add_partitions}")
    if plan.delete_partitions:
        partition_requests.append(partitions_def.build_delete_request(plan.delete_partitions))
        context.log.info(f"Removed document(s), deleting partition(s): {plan.delete_partitions}")
    runs = [
        _run_request(doc_id, run_key, plan.reasons[doc_id], scan, job_name) for doc_id, run_key in plan.run_keys.items()
    ]
    if plan.delete_partitions and removal_job_name:
        runs.append(_removal_request(plan.delete_partitions, removal_job_name))
    cursor = plan.cursor.to_json()
    if runs:
        return SensorResult(run_requests=runs, dynamic_partitions_requests=partition_requests, cursor=cursor)
    return SensorResult(skip_reason=_skip_message(plan), dynamic_partitions_requests=partition_requests, cursor=cursor)


def _run_request(doc_id: str, run_key: str, reason: str, scan: ScanResult, job_name: str | None) -> RunRequest:
    path = Path(scan.found[doc_id])
    return RunRequest(
        run_key=run_key,
        partition_key=doc_id,
        job_name=job_name,
        tags={DOCUMENT_TAG: path.name, f"{DOCUMENT_TAG}_change": reason},
    )


def _removal_request(removed: Sequence[str], job_name: str) -> RunRequest:
    """One run of the removal job for documents removed in this tick (keyed by which ones)."""
    digest = hashlib.sha256("\n".join(sorted(removed)).encode("utf-8")).hexdigest()[:RUN_KEY_FINGERPRINT_CHARS]
    return RunRequest(
        run_key=f"removed:{digest}",
        job_name=job_name,
        tags={f"{DOCUMENT_TAG}_removed": ",".join(sorted(removed))[:200]},
    )


def _skip_message(plan: DocumentPlan) -> str:
    message = f"No changed documents to re-read ({len(plan.cursor.fingerprints)} tracked)"
    if plan.add_partitions:
        message += f"; added {len(plan.add_partitions)} partition(s), materialized by automation"
    if plan.delete_partitions:
        message += f"; deleted partition(s) of removed document(s): {', '.join(plan.delete_partitions)}"
    return message
