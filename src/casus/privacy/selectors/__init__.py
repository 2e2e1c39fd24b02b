"""Reads of the privacy engine: break-glass accesses, data-subject requests."""

from .break_glass import break_glass_get_for_review as break_glass_get_for_review
from .break_glass import break_glass_list_for as break_glass_list_for
from .break_glass import break_glass_reasons_visible as break_glass_reasons_visible
from .break_glass import break_glass_unreviewed_for as break_glass_unreviewed_for
from .subject_requests import DUE_SOON_DAYS as DUE_SOON_DAYS
from .subject_requests import DecisionRow as DecisionRow
from .subject_requests import ItemView as ItemView
from .subject_requests import OrganisationPart as OrganisationPart
from .subject_requests import RequestRow as RequestRow
from .subject_requests import Response as Response
from .subject_requests import subject_request_decisions_for as subject_request_decisions_for
from .subject_requests import subject_request_erasures as subject_request_erasures
from .subject_requests import subject_request_get_for as subject_request_get_for
from .subject_requests import subject_request_list_for as subject_request_list_for
from .subject_requests import subject_request_parts_for as subject_request_parts_for
from .subject_requests import subject_request_response_for as subject_request_response_for
from .subject_requests import subject_review_get_for as subject_review_get_for
from .subject_requests import subject_review_items_for as subject_review_items_for
from .subject_requests import subject_review_list_for as subject_review_list_for
