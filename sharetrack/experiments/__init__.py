"""Experiments on the ask: which invitation to share raises the most money per page view."""
