"""The JSON API under /api/v1. Route modules attach to `bp` when create_app imports them."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
