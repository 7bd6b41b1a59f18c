"""Pledges: signed deliveries from the platform that takes the money, and the hosted page."""
