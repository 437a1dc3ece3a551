"""How the portal is started: the Flask application for gunicorn."""
