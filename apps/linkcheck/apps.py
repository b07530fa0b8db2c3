from django.apps import AppConfig
from django.core import checks


class LinkcheckConfig(AppConfig):
    name = "apps.linkcheck"
    label = "linkcheck"
    verbose_name = "Link checking"

    def ready(self) -> None:
        from apps.linkcheck.checks import private_addresses_allowed

        checks.register(private_addresses_allowed, checks.Tags.security, deploy=True)
