from django.apps import AppConfig


class BanksConfig(AppConfig):
    name = "lindung.apps.banks"
    label = "banks"
    default_auto_field = "django.db.models.BigAutoField"
