"""Every write to signals and cases, one module per part of the lifecycle.

Each service: keyword-only, ``actor`` first, one transaction, permission checked here (again),
rules validated, one audit event (with old and new values) in the same transaction, side
effects after commit.
"""
