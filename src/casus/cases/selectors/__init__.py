"""Every read of signals and cases a user can trigger, one module per part of the lifecycle.

Each selector starts from ``access.rules.case_queryset_for`` (or the signal equivalent): a case
outside the actor's need-to-know is simply not found.
"""
