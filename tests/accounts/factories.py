"""Accounts factories; other apps' tests may use UserFactory too."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from apps.accounts.models import User

PASSWORD = "correct horse battery staple 42"


class UserFactory(DjangoModelFactory):
    """A user with a password and, unless `verified=False`, a verified primary email."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"learner{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@mail.example")
    display_name = factory.LazyAttribute(lambda user: f"{user.username.title()} Example")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        password = kwargs.pop("password", PASSWORD)
        return model_class.objects.create_user(*args, password=password, **kwargs)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        if not create or not user.email:
            return
        EmailAddress.objects.create(
            user=user, email=user.email, primary=True, verified=extracted is not False
        )
