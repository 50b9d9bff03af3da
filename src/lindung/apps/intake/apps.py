from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "lindung.apps.intake"
    label = "intake"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A misspelt type in LINDUNG_RETENTION_DAYS would silently keep reports for the
        # default period: refuse to start instead.
        from django.conf import settings

        from lindung.apps.intake.models import INCIDENT_TYPE_VALUES
        from lindung.config import ConfigError

        unknown = sorted(set(settings.LINDUNG.retention_days) - {"default", *INCIDENT_TYPE_VALUES})
        if unknown:
            raise ConfigError(
                f"LINDUNG_RETENTION_DAYS names unknown incident type(s) {', '.join(unknown)}; "
                f"known: {', '.join(INCIDENT_TYPE_VALUES)}"
            )
