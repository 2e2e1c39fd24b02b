"""The default coded lists of product.md's appendix that a cell starts with."""

from django.utils.translation import gettext_lazy as _

#: Life domains (code, label). A cell's own domains have their own name instead.
DEFAULT_LIFE_DOMAINS = (
    ("family", _("Family")),
    ("education_work", _("Education and work")),
    ("health", _("Physical and mental health")),
    ("social", _("Social network and leisure")),
    ("convictions", _("Convictions and identity")),
    ("online", _("Online life")),
    ("housing_income", _("Housing and income")),
    ("justice", _("Contacts with justice")),
)
DEFAULT_LIFE_DOMAIN_LABELS = dict(DEFAULT_LIFE_DOMAINS)
