from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "apps.community"
    label = "community"
    verbose_name = "Community resources"

    def ready(self) -> None:
        from apps.accounts.deletion import register_deletion_hook
        from apps.accounts.export import register_export_section
        from apps.community.selectors import export_section
        from apps.community.services import votes_of_user_remove

        register_export_section("community", export_section)
        register_deletion_hook("community.votes_recount", votes_of_user_remove)
