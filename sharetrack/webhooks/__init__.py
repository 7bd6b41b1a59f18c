"""Outbound webhooks (Standard Webhooks): endpoints, the outbox, signed delivery."""
