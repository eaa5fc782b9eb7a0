from django.apps import AppConfig


class JigConfig(AppConfig):
    name = "jig"
