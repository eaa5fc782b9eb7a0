"""Settings for the portal, read from the environment (see .env.example).

``base`` is the default for development and the demo; ``test`` is used by pytest;
``production`` is for a real deployment and passes ``manage.py check --deploy``.
"""
