"""Error reports that never carry request data or local variables."""

from django.views.debug import SafeExceptionReporterFilter


class NoContentExceptionReporterFilter(SafeExceptionReporterFilter):
    """Hide all POST data and every frame's local variables from error reports."""

    def get_post_parameters(self, request):  # type: ignore[no-untyped-def]
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):  # type: ignore[no-untyped-def]
        return [("(hidden)", self.cleansed_substitute)]

    def is_active(self, request):  # type: ignore[no-untyped-def]
        return True
