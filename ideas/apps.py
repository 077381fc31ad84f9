from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "ideas"
    verbose_name = "Ideas"

    def ready(self) -> None:
        from accounts import privacy
        from ideas import privacy as ideas_privacy

        privacy.register("ideas", export=ideas_privacy.export, erase=ideas_privacy.erase)
