"""Counting visits honestly without tracking people."""
