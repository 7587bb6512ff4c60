from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "boards"

    def ready(self) -> None:
        from boards import signals  # noqa: F401  (connects the receivers)
