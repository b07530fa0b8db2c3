from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "apps.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from apps.accounts.deletion import register_deletion_hook
        from apps.accounts.export import register_export_section
        from apps.linkcheck.signals import link_access_changed
        from apps.moderation.receivers import link_access_review
        from apps.moderation.selectors import export_section
        from apps.moderation.services.audit import moderation_log_pseudonymise

        register_deletion_hook("moderation.pseudonymise_log", moderation_log_pseudonymise)
        register_export_section("moderation", export_section)
        link_access_changed.connect(link_access_review, dispatch_uid="moderation.link_access")
