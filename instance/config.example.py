# Copy to instance/config.py and adjust. Environment variables (SHARETRACK_*) override it.

# Required outside debug: a random string of at least 32 bytes. Generate one with
#   python3 -c 'import secrets; print(secrets.token_urlsafe(48))'
SECRET_KEY = "change-me"  # noqa: S105 - a placeholder to replace

# Signs pledge webhooks; at least 24 bytes, shared with the payment platform.
# WEBHOOK_SECRET = "change-me-too"

# Older keys still verify links and cookies signed before a rotation (newest first).
SECRET_KEYS: list[str] = []

# Production: PostgreSQL through psycopg 3 (or set DATABASE_URL).
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://sharetrack@127.0.0.1:5432/sharetrack"

# Required outside debug: the public origin links, QR codes and emails are built on (never the
# request's Host header). Keep it short, leaflets' QR codes carry it.
# BASE_URL = "https://share.example.org"

# Proxies in front of the app allowed to set X-Forwarded-For/-Proto/-Host.
# TRUSTED_PROXIES = 1

# Email (promoters' page addresses, and the way back to them at /p/recover). Without a server
# no email is sent and every email field is hidden. Or set SHARETRACK_MAIL_SERVER, _PORT, ...
# MAIL_SERVER = "smtp.example.org"
# MAIL_PORT = 587
# MAIL_USE_TLS = True
# MAIL_USERNAME = "sharetrack"
# MAIL_PASSWORD = "..."
# MAIL_DEFAULT_SENDER = "sharetrack@example.org"
