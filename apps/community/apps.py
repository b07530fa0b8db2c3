from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "apps.community"
    label = "community"
    verbose_name = "Community resources"

    def ready(self) -> None:
        from apps.accounts.export import register_export_section
        from apps.community.selectors import export_section

        register_export_section("community", export_section)
