from django.apps import AppConfig


class SolutionsConfig(AppConfig):
    name = "apps.solutions"
    label = "solutions"
    verbose_name = "Project solutions"

    def ready(self) -> None:
        from apps.accounts.export import register_export_section
        from apps.solutions.selectors import export_section

        # Deleting an account needs no hook: a learner's solutions, their evidence and
        # requirement links cascade with the user row (tests/solutions prove it).
        register_export_section("solutions", export_section)
