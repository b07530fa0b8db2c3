from django.apps import AppConfig


class SolutionsConfig(AppConfig):
    name = "apps.solutions"
    label = "solutions"
    verbose_name = "Project solutions"
