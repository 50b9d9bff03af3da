from django.apps import AppConfig


class ScanningConfig(AppConfig):
    name = "lindung.apps.scanning"
    label = "scanning"
    default_auto_field = "django.db.models.BigAutoField"
