"""Jobs: one per asset group, and `all_assets_job`, every asset in dependency order (the main job).

Per-document assets take the run's partition range (`dagster/asset_partition_range_start/end` tags)
and process all of it in one step; the unpartitioned assets between them run once.
"""

from __future__ import annotations

import dagster as dg

from assets.distillation.student_presets import STUDENT_CI
from assets.feedback.partitions import feedback_daily_partitions
from assets.knowledge.partitions import document_partitions

all_assets_job = dg.define_asset_job(
    name="all_assets_job",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets("feedback_events"),  # daily, not per document
    partitions_def=document_partitions,
    description="Every asset and check but the daily feedback_events: documents → chunks → indexes → "
    "retrieval_eval → questions → answers → sft_dataset (with feedback_examples) → student_model → "
    "student_evaluation → champion_model → report_bullets, the catalog chain and item matching. "
    "Launched by `kodistill demo` over every document.",
)

catalog_job = dg.define_asset_job(
    name="catalog_job",
    selection=dg.AssetSelection.groups("catalog"),
    description="products_all.csv → products → category_metrics → report_bullets, with their checks.",
)

documents_job = dg.define_asset_job(
    name="documents_job",
    selection=dg.AssetSelection.assets("documents"),
    partitions_def=document_partitions,
    description="Read raw documents (one partition per file); launched by the raw documents sensor on a change.",
)

knowledge_job = dg.define_asset_job(
    name="knowledge_job",
    selection=dg.AssetSelection.groups("knowledge") - dg.AssetSelection.assets("documents"),
    description="chunks → BM25 and dense indexes → retrieval_eval over every materialized document; "
    "launched by the raw documents sensor when a document is removed.",
)

distillation_job = dg.define_asset_job(
    name="distillation_job",
    selection=dg.AssetSelection.assets("synthetic_questions", "teacher_answers"),
    partitions_def=document_partitions,
    description="Synthetic questions and retrieval-grounded teacher answers for a range of documents (checkpointed).",
)

# --- feedback (issue 11) ---------------------------------------------------------------------------
# Run priority: the queue starts higher `dagster/priority` first, so a retraining run waiting in the
# queue goes before nightly backfills; `kodistill/run_kind` is what the queue's tag limits count.
RETRAINING_TAGS = {"dagster/priority": "10", "kodistill/run_kind": "retraining"}
BACKFILL_TAGS = {"dagster/priority": "-10", "kodistill/run_kind": "backfill"}

retraining_job = dg.define_asset_job(
    name="retraining_job",
    selection=dg.AssetSelection.assets("feedback_examples").downstream(),
    tags=RETRAINING_TAGS,
    description="feedback_examples and everything below it (sft_dataset → student_model → student_evaluation → "
    "champion_model → report_bullets); requested by feedback_retraining_sensor.",
)

feedback_events_job = dg.define_asset_job(
    name="feedback_events_job",
    selection=dg.AssetSelection.assets("feedback_events"),
    partitions_def=feedback_daily_partitions,
    tags=BACKFILL_TAGS,
    description="One day of feedback events; launched by the nightly_backfill schedule.",
)

ALL_JOBS = [all_assets_job, catalog_job, documents_job, knowledge_job, distillation_job]
ALL_JOBS += [retraining_job, feedback_events_job]

# Item matching (issue 12): the whole group; launched by selection_log_sensor after enough new selections.
matching_job = dg.define_asset_job(
    name="matching_job",
    selection=dg.AssetSelection.groups("matching"),
    description="items.csv → item_master; selection log → learned_aliases; → item_index → matching_eval, with checks.",
)

ALL_JOBS += [matching_job]

# The student chain (issue 10): the chain alone, on the demo defaults or the `ci` preset.
STUDENT_ASSETS = dg.AssetSelection.assets(
    "sft_dataset", "student_model", "student_evaluation", "champion_model", "report_bullets"
)
student_job = dg.define_asset_job(
    name="student_job",
    selection=STUDENT_ASSETS,
    description="sft_dataset → student_model → student_evaluation → champion_model → report_bullets (demo preset).",
)
student_ci_job = dg.define_asset_job(
    name="student_ci_job",
    selection=STUDENT_ASSETS,
    config=STUDENT_CI,
    description="The student chain on the `ci` preset: a miniature model for a few steps (tests, smoke runs).",
)

ALL_JOBS += [student_job, student_ci_job]
