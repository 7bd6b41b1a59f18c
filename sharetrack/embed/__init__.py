"""The embeddable "Be a promoter" box: /embed/<slug> in an iframe on the case's own page."""
