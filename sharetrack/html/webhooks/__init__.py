"""Staff pages for outbound webhooks."""
