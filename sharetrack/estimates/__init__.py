"""What one more share is worth: the statistics and the queries that feed them."""
