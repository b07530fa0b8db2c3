from django.apps import AppConfig


class ShowcaseConfig(AppConfig):
    name = "apps.showcase"
    label = "showcase"
    verbose_name = "Solution showcase"

    def ready(self) -> None:
        from apps.accounts.deletion import register_deletion_hook
        from apps.accounts.export import register_export_section
        from apps.showcase.selectors import export_section
        from apps.showcase.services import showcase_of_user_remove

        register_export_section("showcase", export_section)
        register_deletion_hook("showcase.likes_recount", showcase_of_user_remove)
