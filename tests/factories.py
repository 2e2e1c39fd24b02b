"""factory_boy factories for the access models."""

import datetime
import functools

import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from casus.access.models import (
    Cell,
    Membership,
    Municipality,
    Organisation,
    OrganisationKind,
    Role,
    Sector,
    StatementSignature,
    StatementText,
    User,
)
from casus.privacy.keys import cell_key_create

#: The password of every factory-made user (the e2e tests log in with it).
PASSWORD = "correct horse battery"


@functools.cache
def _password_hash(raw: str) -> str:
    """Hash once per test run: Argon2 is slow on purpose, and every world has ten users."""
    return make_password(raw)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.be")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    language = "en"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):  # noqa: N805
        # ``UserFactory(password="...")`` still sets another password.
        obj.password = _password_hash(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("nis_code",)

    name = factory.Sequence(lambda n: f"Gemeente {n}")
    nis_code = factory.Sequence(lambda n: f"{90000 + n}")


class CellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cell
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"LIVC-R {n}")

    @factory.post_generation
    def municipalities(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.municipalities.set(extracted or [MunicipalityFactory()])

    @factory.post_generation
    def keys(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            cell_key_create(obj.pk)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    cell = factory.SubFactory(CellFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.OTHER
    sector = Sector.OTHER


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    cell = factory.SubFactory(CellFactory)
    organisation = factory.SubFactory(OrganisationFactory, cell=factory.SelfAttribute("..cell"))
    role = Role.MEMBER
    term_start = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    clearance_level = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role == Role.INFORMATION_OFFICER),
        yes_declaration="secret",
        no_declaration="",
    )
    clearance_expiry = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role == Role.INFORMATION_OFFICER),
        yes_declaration=factory.LazyFunction(
            lambda: timezone.localdate() + datetime.timedelta(days=365)
        ),
        no_declaration=None,
    )


class StatementTextFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatementText

    cell = factory.SubFactory(CellFactory)
    version = 1
    status = "active"
    text = "I keep everything secret."
    validity_months = 12


def enrol_totp(user: User) -> str:
    """Give ``user`` a TOTP authenticator; return the (plain) secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def sign_statement(user: User, cell: Cell) -> StatementSignature:
    text = StatementText.objects.get(cell=cell, status="active")
    return StatementSignature.objects.create(
        text=text,
        user=user,
        signed_name=user.full_name,
        expires_at=timezone.now() + datetime.timedelta(days=365),
    )
