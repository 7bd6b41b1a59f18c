"""Staff reports: SQL aggregation (queries.py) and, later, the report pages."""
