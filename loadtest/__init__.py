"""Load and fault tests against a real gunicorn: run each as `python -m loadtest.<name>`."""
