from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "apps.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from apps.accounts.deletion import register_deletion_hook
        from apps.search.services import index_of_user_forget

        # A deleted account's solutions cascade away: their rows go first.
        register_deletion_hook("search.solutions_forget", index_of_user_forget)
