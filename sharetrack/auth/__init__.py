"""Staff authentication: API keys (and, later, sign-in)."""
