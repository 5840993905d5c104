"""IO manager that stores DataFrame assets as Parquet files, written atomically, inside its folder.

Layout: `<base_dir>/<asset key path>.parquet`, or `<base_dir>/<asset key path>/<partition>.parquet`
for partitioned assets. A step that materializes several partitions at once (single-run backfills)
returns `{partition_key: DataFrame}` and each partition is written to its own file. A downstream
asset that depends on many partitions receives them concatenated in partition-key order; an input
marked `allow_missing_partitions` skips partitions never materialized (logged, and listed in the
step's metadata by the asset) instead of failing. Files are written beside the target and renamed
into place, so a crash never leaves half a Parquet file where a reader could find it. Each output
records Dagster's standard `dagster/row_count` and `dagster/column_schema` metadata. Every path is
proven to stay inside `base_dir`, whatever the partition key.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from dagster import ConfigurableIOManager, InputContext, MetadataValue, OutputContext, TableColumn, TableSchema
from pydantic import Field

from resources.atomic import atomic_path
from resources.paths import artifacts_dir, safe_child, validate_partition_key

ALLOW_MISSING = "allow_missing_partitions"


class AtomicParquetIOManager(ConfigurableIOManager):
    """Parquet (pyarrow) storage for DataFrame assets with atomic writes."""

    base_dir: str = Field(
        default="", description="Root folder of asset files; empty: <artifacts dir>/assets, resolved at use time."
    )

    def _root(self) -> Path:
        return Path(self.base_dir) if self.base_dir else artifacts_dir() / "assets"

    def _asset_path(self, asset_path: list[str], partition_key: str | None) -> Path:
        if partition_key is None:
            *folders, name = asset_path
            return safe_child(self._root(), *folders, f"{name}.parquet")
        return safe_child(self._root(), *asset_path, f"{validate_partition_key(partition_key)}.parquet")

    def handle_output(self, context: OutputContext, obj: pd.DataFrame | Mapping[str, pd.DataFrame]) -> None:
        frames = self._frames_by_partition(context, obj)
        paths = []
        for partition, frame in frames.items():
            target = self._asset_path(list(context.asset_key.path), partition)
            with atomic_path(target) as tmp:
                frame.to_parquet(tmp, engine="pyarrow", index=False)
            paths.append(target)
        rows = sum(len(frame) for frame in frames.values())
        location = paths[0] if len(paths) == 1 else paths[0].parent
        context.add_output_metadata(
            {
                "path": MetadataValue.path(str(location)),
                "dagster/row_count": rows,
                "dagster/column_schema": column_schema(next(iter(frames.values()))),
            }
        )

    @staticmethod
    def _frames_by_partition(
        context: OutputContext, obj: pd.DataFrame | Mapping[str, pd.DataFrame]
    ) -> dict[str | None, pd.DataFrame]:
        name = context.asset_key.to_user_string()
        if not context.has_asset_partitions:
            return {None: _dataframe(name, obj)}
        keys = list(context.asset_partition_keys)
        if isinstance(obj, pd.DataFrame) and len(keys) == 1:
            return {keys[0]: obj}
        if not isinstance(obj, Mapping) or set(obj) != set(keys):
            got = sorted(obj) if isinstance(obj, Mapping) else type(obj).__name__
            raise TypeError(
                f"{name}: a step over partitions {keys} must return {{partition_key: DataFrame}}, got {got}"
            )
        return {key: _dataframe(f"{name}[{key}]", obj[key]) for key in keys}

    def load_input(self, context: InputContext) -> pd.DataFrame:
        asset_path = list(context.asset_key.path)
        if not context.has_asset_partitions:
            return self._read(self._asset_path(asset_path, None), context)
        allow_missing = bool((context.definition_metadata or {}).get(ALLOW_MISSING, False))
        frames, missing = [], []
        for key in sorted(context.asset_partition_keys):
            path = self._asset_path(asset_path, key)
            if allow_missing and not path.is_file():
                missing.append(key)
                continue
            frames.append(self._read(path, context))
        if missing:
            context.log.warning(
                f"{context.asset_key.to_user_string()}: {len(missing)} partition(s) not materialized yet, "
                f"left out until they are: {', '.join(missing[:20])}"
            )
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @staticmethod
    def _read(path: Path, context: InputContext) -> pd.DataFrame:
        if not path.is_file():
            raise FileNotFoundError(
                f"{context.asset_key.to_user_string()}: no stored output at {path}; "
                "materialize that asset (or partition) first"
            )
        return pd.read_parquet(path, engine="pyarrow")


def column_schema(frame: pd.DataFrame) -> TableSchema:
    """The frame's columns and dtypes as Dagster's standard column schema (shown in the asset's UI page)."""
    return TableSchema(columns=[TableColumn(str(name), str(dtype)) for name, dtype in frame.dtypes.items()])


def _dataframe(name: str, obj: object) -> pd.DataFrame:
    if not isinstance(obj, pd.DataFrame):
        raise TypeError(f"{name}: AtomicParquetIOManager stores DataFrames, got {type(obj).__name__}")
    return obj
