from django.apps import AppConfig


class LinkcheckConfig(AppConfig):
    name = "apps.linkcheck"
    label = "linkcheck"
    verbose_name = "Link checking"
