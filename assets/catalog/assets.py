"""Catalog assets: products (+ quarantine) → category_metrics → report_bullets (thin Dagster wrappers).

Dagster's standard `dagster/row_count` and `dagster/column_schema` come from the IO manager; numbers
meant for people are rounded to 4 significant digits (`readable`); `compute_seconds` is each asset
function's own work.
`report_bullets` validates its payloads with the same function as the blocking check before it
writes the API file, so `artifacts/catalog/report_bullets.json` only ever holds valid payloads.
"""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import pandas as pd

from assets.catalog.bullets import payload_problems, report_document
from assets.catalog.metrics import compute_category_metrics, metrics_records
from assets.catalog.plots import markdown_image, price_distribution_png
from assets.catalog.reading import read_products
from assets.catalog.student_bullets import BulletsRun, write_bullets
from assets.config import CategoryMetricsConfig, ProductsConfig, ReportBulletsConfig
from assets.distillation.sft_tasks import bullets_conversation, bullets_copy_phrases
from assets.metadata import AUTOMATED, COMPUTE_SECONDS, Stopwatch, readable
from resources.atomic import atomic_path, atomic_write_json
from resources.mlflow_resource import MlflowTracking
from resources.model_registry import BulletsWriter, load_bullets_writer
from resources.settings import ProjectPaths

GROUP = "catalog"
GENERATOR_LABELS = {"template": "template", "student": "student model"}
# A new champion re-writes the bullets, but a missing champion (none trained yet) never holds them back.
BULLETS_AUTOMATION = AUTOMATED.replace(
    "any_deps_missing", dg.AutomationCondition.any_deps_missing().ignore(dg.AssetSelection.assets("champion_model"))
)
PREVIEW_COLUMNS = [
    "category",
    "product_count",
    "brand_count",
    "total_reviews",
    "zero_review_share",
    "weighted_rating",
    "low_rating_share",
    "price_p25",
    "price_p50",
    "price_p75",
    "median_price_change_6m",
    "top3_brand_share",
    "hhi",
]


@dg.multi_asset(
    group_name=GROUP,
    outs={
        "products": dg.AssetOut(
            kinds={"pandas", "parquet"}, description="Validated, typed products from products_all.csv."
        ),
        "products_quarantine": dg.AssetOut(
            kinds={"pandas", "parquet"},
            description="Rows of products_all.csv that failed validation, with line and reason.",
        ),
    },
)
def products(context: dg.AssetExecutionContext, config: ProductsConfig, paths: ProjectPaths) -> Iterator[dg.Output]:
    """Read products_all.csv with encoding detection, validate and type every row; failures go to quarantine."""
    watch = Stopwatch()
    source = config.csv_path or str(paths.data_path("products_all.csv"))
    result = read_products(source)
    context.log.info(
        f"read {result.total_rows} rows from {source} ({result.encoding}); quarantined {len(result.quarantine)}"
    )
    yield dg.Output(
        result.products,
        output_name="products",
        metadata={
            "source": dg.MetadataValue.path(source),
            "encoding": result.encoding,
            COMPUTE_SECONDS: watch.seconds,
            "rows_read": result.total_rows,
            "categories": int(result.products["category"].nunique()),
            "normalized_missing_values": dg.MetadataValue.json(result.normalized),
            "preview": dg.MetadataValue.md(
                result.products.head(5).drop(columns=["specifications"]).to_markdown(index=False)
            ),
        },
    )
    yield dg.Output(
        result.quarantine,
        output_name="products_quarantine",
        metadata={
            "quarantine_ratio": readable(result.quarantine_ratio),
            "reasons": dg.MetadataValue.json(
                result.quarantine["reason"].value_counts().head(20).to_dict() if len(result.quarantine) else {}
            ),
            "sample": dg.MetadataValue.md(_quarantine_sample(result.quarantine)),
        },
    )


def _quarantine_sample(quarantine: pd.DataFrame) -> str:
    if quarantine.empty:
        return "No rows quarantined."
    return quarantine[["line", "product_id", "category", "reason"]].head(10).to_markdown(index=False)


@dg.asset(group_name=GROUP, kinds={"pandas", "parquet"})
def category_metrics(
    context: dg.AssetExecutionContext, config: CategoryMetricsConfig, products: pd.DataFrame, paths: ProjectPaths
) -> dg.Output[pd.DataFrame]:
    """Per-category market metrics: size, saturation, satisfaction, price quantiles and trend, brand
    concentration, channels, keywords and a promising segment."""
    watch = Stopwatch()
    plot_path = paths.artifact_path("catalog", "price_distribution.png")
    metrics = compute_category_metrics(products, config.settings())
    png = price_distribution_png(products)
    with atomic_path(plot_path) as tmp:
        tmp.write_bytes(png)
    preview = (
        metrics[PREVIEW_COLUMNS].map(lambda v: readable(v) if isinstance(v, float) else v).to_markdown(index=False)
    )
    return dg.Output(
        metrics,
        metadata={
            COMPUTE_SECONDS: watch.seconds,
            "products": int(metrics["product_count"].sum()),
            "metrics_table": dg.MetadataValue.md(preview),
            "price_distribution": dg.MetadataValue.md(markdown_image(png, "카테고리별 가격 분포")),
            "price_distribution_png": dg.MetadataValue.path(str(plot_path)),
        },
    )


def payloads_to_frame(payloads: list[dict[str, Any]]) -> pd.DataFrame:
    """Bullet payloads as a table (basis JSON-encoded) for Parquet storage."""
    return pd.DataFrame(
        {
            "category": [p["category"] for p in payloads],
            "summaryBullets": [list(p["summaryBullets"]) for p in payloads],
            "generatedBy": [p["generatedBy"] for p in payloads],
            "basis": [json.dumps(p["basis"], ensure_ascii=False) for p in payloads],
        }
    )


def payloads_from_frame(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Inverse of `payloads_to_frame` (Parquet gives arrays back; they become lists again)."""
    return [
        {
            "category": row.category,
            "summaryBullets": [str(b) for b in row.summaryBullets],
            "generatedBy": row.generatedBy,
            "basis": json.loads(row.basis),
        }
        for row in frame.itertuples(index=False)
    ]


@dg.asset(
    group_name=GROUP,
    kinds={"json", "pandas"},
    deps=["champion_model"],
    automation_condition=BULLETS_AUTOMATION,
)
def report_bullets(
    context: dg.AssetExecutionContext,
    config: ReportBulletsConfig,
    category_metrics: pd.DataFrame,
    paths: ProjectPaths,
    mlflow: MlflowTracking,
) -> dg.Output[pd.DataFrame]:
    """API-ready summary bullets per category (fixed order, every number from the metrics), written by the
    MLflow champion student when there is one (per category template fallback when its output is invalid,
    recorded in generatedBy), else by the template; also written as one JSON file — only after every
    payload passed the same validation as the blocking check."""
    watch = Stopwatch()
    records = metrics_records(category_metrics)
    writer = load_bullets_writer(config.model, mlflow, paths.artifact_path("student", "registry", "x").parent)
    if writer.problem:
        context.log.warning(f"report_bullets: templated — {writer.problem}")
    generate = writer.generate(config.max_new_tokens, config.copy_from_prompt, bullets_copy_phrases)
    run = write_bullets(records, generate, bullets_conversation, writer.label, config.attempts)
    payloads = run.payloads
    problems = payload_problems(payloads, records)
    if problems:
        raise dg.Failure(
            description=(
                f"report_bullets: {len(problems)} invalid payload(s), API file not written; first: {problems[0]}"
            ),
            metadata={"problems": dg.MetadataValue.json(problems[:20])},
        )
    api_path = paths.artifact_path("catalog", "report_bullets.json")
    atomic_write_json(api_path, report_document(payloads, datetime.now(UTC).isoformat(timespec="seconds")))
    metadata = {
        **_bullets_metadata(payloads, api_path),
        **_writer_metadata(run, writer),
        COMPUTE_SECONDS: watch.seconds,
    }
    return dg.Output(payloads_to_frame(payloads), metadata=metadata)


def _bullets_metadata(payloads: list[dict[str, Any]], api_path: Any) -> dict[str, Any]:
    generated_by = pd.Series([p["generatedBy"] for p in payloads], dtype=object).value_counts().to_dict()
    sample = "\n\n".join(
        f"**{p['category']}**\n" + "\n".join(f"- {b}" for b in p["summaryBullets"]) for p in payloads[:3]
    )
    template_share = generated_by.get("template", 0) / len(payloads) if payloads else 0.0
    return {
        "api_json": dg.MetadataValue.path(str(api_path)),
        "generator": ", ".join(GENERATOR_LABELS.get(name, name) for name in sorted(generated_by)),
        "generated_by": dg.MetadataValue.json(generated_by),
        "generated_by_template_share": readable(template_share),
        "sample_bullets": dg.MetadataValue.md(sample),
    }


def _writer_metadata(run: BulletsRun, writer: BulletsWriter) -> dict[str, Any]:
    """Who was asked to write, which categories it wrote, and why the others fell back."""
    return {
        "bullets_model": writer.label,
        "student_categories": dg.MetadataValue.json(run.student_categories),
        "student_share": readable(run.student_share),
        "fallback_reasons": dg.MetadataValue.json(run.fallbacks),
        "retried_categories": dg.MetadataValue.json(run.retried),
        "model_problem": writer.problem or run.model_error or "",
    }
