"""Writes of the privacy engine: break-glass access and its review, data-subject requests.

Each service: keyword-only, ``actor`` first, one transaction, permission checked here
(again), one audit event in the same transaction, side effects after commit.
"""

from .break_glass import BREAK_GLASS_HOURS as BREAK_GLASS_HOURS
from .break_glass import BREAK_GLASS_NOTIFICATION as BREAK_GLASS_NOTIFICATION
from .break_glass import REASON_MAX_LENGTH as REASON_MAX_LENGTH
from .break_glass import REASON_MIN_LENGTH as REASON_MIN_LENGTH
from .break_glass import break_glass_open as break_glass_open
from .break_glass import break_glass_review as break_glass_review
from .subject_requests import CONTACT_MAX as CONTACT_MAX
from .subject_requests import EXTENSION_MAX_MONTHS as EXTENSION_MAX_MONTHS
from .subject_requests import LEGAL_GROUND_MAX as LEGAL_GROUND_MAX
from .subject_requests import REQUEST_TEXT_MAX as REQUEST_TEXT_MAX
from .subject_requests import rectification_due as rectification_due
from .subject_requests import subject_request_close as subject_request_close
from .subject_requests import subject_request_compile as subject_request_compile
from .subject_requests import subject_request_decide as subject_request_decide
from .subject_requests import subject_request_extend as subject_request_extend
from .subject_requests import subject_request_rectified as subject_request_rectified
from .subject_requests import subject_request_register as subject_request_register
from .subject_requests import subject_review_submit as subject_review_submit
