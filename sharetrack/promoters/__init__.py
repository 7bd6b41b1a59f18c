"""A promoter's private page: their links and what they did, their data, its erasure."""
