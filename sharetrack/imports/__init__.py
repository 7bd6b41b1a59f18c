"""Moving history in: `flask --app sharetrack import FILE` (JSON Lines)."""
