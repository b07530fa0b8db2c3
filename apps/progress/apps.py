from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "apps.progress"
    label = "progress"
    verbose_name = "Progress and plans"

    def ready(self) -> None:
        from apps.accounts.deletion import register_deletion_hook
        from apps.accounts.export import register_export_section
        from apps.progress.selectors import export_section
        from apps.progress.services import progress_of_user_forget

        register_export_section("progress", export_section)
        register_deletion_hook("progress.effort_touch", progress_of_user_forget)
