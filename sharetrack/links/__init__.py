"""Signed share links: tokens, share-intent URLs and the redirect."""
