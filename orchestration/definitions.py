"""The one `Definitions` of the kodistill code location: assets, checks, jobs, sensors, resources, executor.

Outside things are resources with offline defaults, switched by configuration or environment:
`KODISTILL_TEACHER_PATH` (a local Hugging Face model answers instead of the extractive teacher),
`KODISTILL_QUESTION_MODEL_PATH` (a local model writes the questions) and `KODISTILL_EMBEDDER_PATH`
(a local sentence-transformers model replaces the LSA embedder). Freshness is declared on the
assets (automation conditions) and evaluated by the automation sensor, on by default.
"""

from __future__ import annotations

import os
from functools import partial

import dagster as dg

from assets.catalog import assets as catalog_assets
from assets.catalog import checks as catalog_checks
from assets.distillation import assets as distillation_assets
from assets.distillation import sft_asset, student_assets
from assets.feedback import assets as feedback_assets
from assets.knowledge import assets as knowledge_assets
from assets.knowledge import checks as knowledge_checks
from assets.knowledge.documents import fingerprint, scan_documents
from assets.knowledge.partitions import document_partitions
from assets.matching import assets as matching_assets
from assets.matching import checks as matching_checks
from assets.metadata import AUTOMATED
from orchestration.jobs import ALL_JOBS, catalog_job, documents_job, feedback_events_job, knowledge_job, matching_job
from orchestration.schedules import build_nightly_backfill
from resources.feedback_resource import FeedbackStoreResource
from resources.io_managers import AtomicParquetIOManager
from resources.llm_resources import QuestionGeneratorResource, TeacherResource
from resources.matching_resource import ItemIndexStore, SelectionLogResource
from resources.mlflow_resource import MlflowTracking
from resources.paths import data_dir, follow_external_symlinks
from resources.retriever_resource import EmbedderResource, RetrieverStore
from resources.settings import ProjectPaths, QualityThresholds
from resources.tokenizer_resource import KoreanTokenizerResource
from sensors.catalog import build_products_sensor
from sensors.documents import build_document_sensor
from sensors.feedback import build_feedback_retraining_sensor
from sensors.matching import build_selection_sensor

# In process: steps share one process, so Kiwi, the retriever and models load once per run, and a
# step starts in ~0.15 s (forkserver ~0.9 s, spawn ~2 s per step, measured on the 2-core machine).
DEFAULT_EXECUTOR = dg.in_process_executor
AUTOMATION_INTERVAL_SECONDS = 15
# Symlinks in raw_docs/ pointing outside it are refused unless KODISTILL_FOLLOW_EXTERNAL_SYMLINKS=1.
FOLLOW_EXTERNAL_SYMLINKS = follow_external_symlinks()


def _from_env(variable: str) -> dg.EnvVar | None:
    """`EnvVar(variable)` when it is set (the UI then shows where the value comes from), else None."""
    return dg.EnvVar(variable) if os.environ.get(variable) else None


def model_resources() -> dict[str, dg.ConfigurableResource]:
    """Teacher, question generator and embedder: offline by default, a local model when its variable is set."""
    teacher, questions, embedder = (
        _from_env(v) for v in ("KODISTILL_TEACHER_PATH", "KODISTILL_QUESTION_MODEL_PATH", "KODISTILL_EMBEDDER_PATH")
    )
    return {
        "teacher": TeacherResource(kind="hf", model_path=teacher) if teacher else TeacherResource(),
        "question_generator": (
            QuestionGeneratorResource(kind="hf", model_path=questions) if questions else QuestionGeneratorResource()
        ),
        "embedder": (
            EmbedderResource(kind="sentence_transformers", model_path=embedder) if embedder else EmbedderResource()
        ),
    }


def build_resources() -> dict[str, object]:
    """Every resource with its offline default; override fields per deployment here or in the launchpad."""
    return {
        "io_manager": AtomicParquetIOManager(),
        "paths": ProjectPaths(follow_external_symlinks=FOLLOW_EXTERNAL_SYMLINKS),
        "quality": QualityThresholds(),
        "tokenizer": KoreanTokenizerResource(),
        "retriever_store": RetrieverStore(),
        "index_store": ItemIndexStore(),  # item matching (issue 12)
        "selection_log": SelectionLogResource(),  # the feedback store's selection log
        "mlflow": MlflowTracking(),
        **model_resources(),
        "feedback_store": feedback_store_resource(),
    }


def feedback_store_resource() -> FeedbackStoreResource:
    """The feedback store at `KODISTILL_FEEDBACK_URL` when set, else the SQLite file in the artifacts folder."""
    url = _from_env("KODISTILL_FEEDBACK_URL")
    return FeedbackStoreResource(url=url) if url else FeedbackStoreResource()


def _automated(spec: dg.AssetSpec) -> dg.AssetSpec:
    return spec.replace_attributes(automation_condition=spec.automation_condition or AUTOMATED)


raw_documents_sensor = build_document_sensor(
    document_partitions,
    job=documents_job,
    removal_job=knowledge_job,
    scan_documents=partial(scan_documents, follow_external_symlinks=FOLLOW_EXTERNAL_SYMLINKS),
    fingerprint=fingerprint,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
products_csv_sensor = build_products_sensor(catalog_job, lambda: data_dir() / "products_all.csv")
selection_log_sensor = build_selection_sensor(matching_job)
automation_sensor = dg.AutomationConditionSensorDefinition(
    "kodistill_automation",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=AUTOMATION_INTERVAL_SECONDS,
    description="Evaluates every asset's automation condition: missing or stale assets below a change are "
    "materialized (several partitions at once as one backfill).",
)

feedback_retraining_sensor = build_feedback_retraining_sensor()  # targets retraining_job by name
nightly_backfill = build_nightly_backfill(feedback_events_job)

defs = dg.Definitions(
    assets=[
        *dg.map_asset_specs(_automated, dg.load_assets_from_modules([catalog_assets])),
        *dg.load_assets_from_modules([knowledge_assets, distillation_assets]),
        *dg.load_assets_from_modules([feedback_assets]),
        *dg.load_assets_from_modules([matching_assets]),
        *dg.load_assets_from_modules([sft_asset, student_assets]),
    ],
    asset_checks=dg.load_asset_checks_from_modules([catalog_checks, knowledge_checks, matching_checks]),
    jobs=ALL_JOBS,
    sensors=[
        raw_documents_sensor,
        products_csv_sensor,
        automation_sensor,
        feedback_retraining_sensor,
        selection_log_sensor,
    ],
    schedules=[nightly_backfill],
    resources=build_resources(),
    executor=DEFAULT_EXECUTOR,
)
