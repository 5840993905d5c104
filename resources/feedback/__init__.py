"""The feedback store: answer feedback and item-selection logs in SQL tables (SQLite by default, PostgreSQL by URL)."""
