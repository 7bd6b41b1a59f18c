"""Campaigns: the cases that promoters share."""
