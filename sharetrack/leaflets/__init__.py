"""Leaflet batches: per-batch QR codes on printed leaflets, and their print sheets."""
