"""Catalog group: products_all.csv -> products -> category_metrics -> report_bullets."""
