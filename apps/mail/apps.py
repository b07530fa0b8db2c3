from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "apps.mail"
    label = "learner_mail"
    verbose_name = "Learner emails: the Monday email and the drift nudge"
