"""Notifications: e-mail, in-app inbox and webhooks from every event of the platform, in Bulgarian first."""
