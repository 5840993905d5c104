"""Jobs: one per asset group (documents per partition) plus the demo's staging of all of them."""

from __future__ import annotations

import dagster as dg

from assets.knowledge.partitions import document_partitions

catalog_job = dg.define_asset_job(
    name="catalog_job",
    selection=dg.AssetSelection.groups("catalog"),
    description="products_all.csv → products → category_metrics → report_bullets, with their checks.",
)

documents_job = dg.define_asset_job(
    name="documents_job",
    selection=dg.AssetSelection.assets("documents"),
    partitions_def=document_partitions,
    description="Read one raw document (one partition per file); launched by the raw documents sensor.",
)

knowledge_job = dg.define_asset_job(
    name="knowledge_job",
    selection=dg.AssetSelection.groups("knowledge") - dg.AssetSelection.assets("documents"),
    description="chunks → BM25 and dense indexes → retrieval_eval over every materialized document.",
)

distillation_job = dg.define_asset_job(
    name="distillation_job",
    selection=dg.AssetSelection.assets("synthetic_questions", "teacher_answers"),
    partitions_def=document_partitions,
    description="One document's synthetic questions and retrieval-grounded teacher answers (checkpointed).",
)

ALL_JOBS = [catalog_job, documents_job, knowledge_job, distillation_job]
