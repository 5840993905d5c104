"""IO manager that stores DataFrame assets as Parquet files, written atomically.

Layout: `<base_dir>/<asset key path>.parquet`, or `<base_dir>/<asset key path>/<partition>.parquet`
for partitioned assets. A downstream asset that depends on many partitions receives them
concatenated in partition-key order. Files are written beside the target and renamed into place,
so a crash never leaves half a Parquet file where a reader could find it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from dagster import ConfigurableIOManager, InputContext, MetadataValue, OutputContext
from pydantic import Field

from resources.atomic import atomic_path
from resources.paths import artifacts_dir


class AtomicParquetIOManager(ConfigurableIOManager):
    """Parquet (pyarrow) storage for DataFrame assets with atomic writes."""

    base_dir: str = Field(
        default="", description="Root folder of asset files; empty: <artifacts dir>/assets, resolved at use time."
    )

    def _asset_path(self, asset_path: list[str], partition_key: str | None) -> Path:
        base = Path(self.base_dir or artifacts_dir() / "assets").joinpath(*asset_path)
        return base / f"{partition_key}.parquet" if partition_key is not None else base.with_suffix(".parquet")

    def handle_output(self, context: OutputContext, obj: pd.DataFrame) -> None:
        if not isinstance(obj, pd.DataFrame):
            raise TypeError(
                f"{context.asset_key.to_user_string()}: AtomicParquetIOManager stores DataFrames, "
                f"got {type(obj).__name__}"
            )
        partition = context.partition_key if context.has_asset_partitions else None
        target = self._asset_path(list(context.asset_key.path), partition)
        with atomic_path(target) as tmp:
            obj.to_parquet(tmp, engine="pyarrow", index=False)
        context.add_output_metadata({"path": MetadataValue.path(str(target)), "rows": len(obj)})

    def load_input(self, context: InputContext) -> pd.DataFrame:
        asset_path = list(context.asset_key.path)
        if not context.has_asset_partitions:
            return self._read(self._asset_path(asset_path, None), context)
        frames = [
            self._read(self._asset_path(asset_path, key), context) for key in sorted(context.asset_partition_keys)
        ]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @staticmethod
    def _read(path: Path, context: InputContext) -> pd.DataFrame:
        if not path.is_file():
            raise FileNotFoundError(
                f"{context.asset_key.to_user_string()}: no stored output at {path}; "
                "materialize that asset (or partition) first"
            )
        return pd.read_parquet(path, engine="pyarrow")
