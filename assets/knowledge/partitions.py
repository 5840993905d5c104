"""Partitions of the knowledge group: one dynamic partition per raw document (key = document id)."""

import dagster as dg

document_partitions = dg.DynamicPartitionsDefinition(name="documents")
