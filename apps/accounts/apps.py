from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from apps.accounts import schema, selectors  # noqa: F401 (schema registers itself)
        from apps.accounts.export import register_export_section

        register_export_section("account", selectors.account_export)

        from allauth.account.signals import password_changed, password_reset, password_set

        from apps.accounts.receivers import credentials_changed

        for signal in (password_changed, password_reset, password_set):
            signal.connect(credentials_changed, dispatch_uid=f"accounts-{id(signal)}")
