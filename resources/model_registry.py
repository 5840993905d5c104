"""The student's MLflow model registry: versions, the `champion` / `previous` aliases, artifact retention.

Plain functions over an `MlflowClient` (tested against a temporary SQLite store):
* `register_version` adds a version of the registered model pointing at a run's artifact folder;
* `alias_version` / `champion_version` read an alias (None when unset);
* `promote` moves `champion` to a version and the old champion to `previous`;
* `version_dir` downloads a version's model folder (cached by version) for loading;
* `load_bullets_writer` loads the model that writes report bullets (champion, a folder, or none);
* `prune_artifacts` deletes the artifacts of all but the newest N versions (aliased versions kept)
  and tags the pruned versions, so the registry keeps their history and scores.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from resources.student.generation import RETRY_TEMPERATURE, Sampling

CHAMPION, PREVIOUS = "champion", "previous"
SCORE_TAG = "kodistill.score"
PRUNED_TAG = "kodistill.artifacts_removed"


@dataclass(frozen=True)
class VersionInfo:
    """A registered version: number, artifact source, run and its recorded score (None if not scored)."""

    version: str
    source: str
    run_id: str
    score: float | None


def _info(version: Any) -> VersionInfo:
    score = (version.tags or {}).get(SCORE_TAG)
    return VersionInfo(str(version.version), version.source, version.run_id or "", float(score) if score else None)


def ensure_registered_model(client: Any, name: str) -> None:
    from mlflow.exceptions import MlflowException

    try:
        client.get_registered_model(name)
    except MlflowException:
        client.create_registered_model(name, description="kodistill's distilled student (builtin or LoRA).")


def register_version(client: Any, name: str, source: str, run_id: str, tags: dict[str, str] | None = None) -> str:
    """A new version of `name` for the artifact folder `source` logged by `run_id`; returns its number."""
    ensure_registered_model(client, name)
    version = client.create_model_version(name, source=source, run_id=run_id, tags=tags or {})
    return str(version.version)


def alias_version(client: Any, name: str, alias: str) -> VersionInfo | None:
    from mlflow.exceptions import MlflowException

    try:
        return _info(client.get_model_version_by_alias(name, alias))
    except MlflowException:
        return None


def champion_version(client: Any, name: str) -> VersionInfo | None:
    return alias_version(client, name, CHAMPION)


def set_score(client: Any, name: str, version: str, score: float) -> None:
    client.set_model_version_tag(name, version, SCORE_TAG, f"{score:.6f}")


def promote(client: Any, name: str, version: str) -> VersionInfo | None:
    """`champion` → `version`; the former champion (if another version) becomes `previous`. Returns it."""
    former = champion_version(client, name)
    if former is not None and former.version != version:
        client.set_registered_model_alias(name, PREVIOUS, former.version)
    client.set_registered_model_alias(name, CHAMPION, version)
    return former


def _local_path(uri: str) -> Path | None:
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return Path(url2pathname(parsed.path))
    return None


def version_dir(client: Any, name: str, version: str, cache: Path) -> Path:
    """The model folder of a version on local disk (its own folder for file stores, else downloaded once)."""
    info = _info(client.get_model_version(name, version))
    local = _local_path(info.source)
    if local is not None and local.is_dir():
        return local
    target = cache / f"{name}-v{version}"
    if not target.is_dir():
        import mlflow.artifacts

        target.parent.mkdir(parents=True, exist_ok=True)
        mlflow.artifacts.download_artifacts(artifact_uri=info.source, dst_path=str(target), tracking_uri=None)
    return target


def prune_artifacts(client: Any, name: str, keep: int) -> list[str]:
    """Delete the artifact folders of every version but the newest `keep` and the aliased ones; returns
    the versions pruned now (already-pruned versions are skipped). Only local (file) artifacts are removed."""
    versions = sorted(client.search_model_versions(f"name='{name}'"), key=lambda v: int(v.version), reverse=True)
    aliased = {info.version for alias in (CHAMPION, PREVIOUS) if (info := alias_version(client, name, alias))}
    pruned = []
    for version in versions[max(keep, 0) :]:
        number = str(version.version)
        if number in aliased or (version.tags or {}).get(PRUNED_TAG):
            continue
        local = _local_path(version.source)
        if local is None:
            continue
        shutil.rmtree(local, ignore_errors=True)
        client.set_model_version_tag(name, number, PRUNED_TAG, "true")
        pruned.append(number)
    return pruned


@dataclass
class BulletsWriter:
    """The model asked to write report bullets: a loaded generator, or None with the reason (templated)."""

    label: str
    generator: Any | None
    problem: str | None = None

    def generate(
        self,
        max_new_tokens: int,
        copy_from_prompt: bool = False,
        copy_phrases: Callable[[Sequence[dict[str, str]]], Sequence[str]] | None = None,
        temperature: float = RETRY_TEMPERATURE,
    ) -> Callable[[Sequence[list[dict[str, str]]], int], list[str]] | None:
        """`generate(conversations, attempt) -> texts` for `write_bullets`, None when there is no model: greedy
        at attempt 0, sampled at `temperature` with seed `attempt` after it. With `copy_from_prompt`, numbers
        are copied from where the prompt states them, and so are the phrases `copy_phrases` lists for a
        conversation (`prompt_copy`)."""
        generator = self.generator
        if generator is None:
            return None
        phrases = copy_phrases if copy_from_prompt else None

        def generate(conversations: Sequence[list[dict[str, str]]], attempt: int = 0) -> list[str]:
            return generator.generate(
                conversations,
                max_new_tokens=max_new_tokens,
                copy_from_prompt=copy_from_prompt,
                copy_phrases=phrases,
                sampling=Sampling(attempt, temperature) if attempt else None,
            )

        return generate


def _champion_folder(tracking: Any, cache: Path) -> tuple[str, Path | None, str | None]:
    if not tracking.store_exists():
        return "template", None, f"no MLflow store at {tracking.uri()} (no student trained yet)"
    client = tracking.client()
    champion = champion_version(client, tracking.registered_model)
    if champion is None:
        return "template", None, f"no '{CHAMPION}' alias on {tracking.registered_model} yet"
    label = f"champion v{champion.version}"
    return label, version_dir(client, tracking.registered_model, champion.version, cache), None


def load_bullets_writer(model: str, tracking: Any, cache: Path) -> BulletsWriter:
    """'template' → no model; 'champion' → the registry's champion; anything else → a local model folder.
    A model that cannot be found or loaded gives a writer without generator and the reason (never raises)."""
    if model == "template":
        return BulletsWriter("template", None)
    label = "champion" if model == "champion" else f"model {model}"
    try:
        if model == "champion":
            label, folder, problem = _champion_folder(tracking, cache)
            if folder is None:
                return BulletsWriter("template", None, problem)
        else:
            folder = Path(model)
        from resources.student.generation import StudentGenerator

        return BulletsWriter(label, StudentGenerator.load(folder))
    except Exception as error:  # noqa: BLE001 - any load failure means templated bullets, with the reason
        return BulletsWriter(label, None, f"{label} could not load: {type(error).__name__}: {error}")
