from django.urls import path

from .views import diagnosis, evaluation, plan

app_name = "strategy"

urlpatterns = [
    path("", plan.home, name="home"),
    path("priorities/new/", plan.priority_new, name="priority_new"),
    path("priorities/<int:pk>/edit/", plan.priority_edit, name="priority_edit"),
    path("objectives/new/", plan.objective_new, name="objective_new"),
    path("objectives/<int:pk>/", plan.objective_detail, name="objective"),
    path("objectives/<int:pk>/edit/", plan.objective_edit, name="objective_edit"),
    path("objectives/<int:pk>/notes/", plan.note_add, name="note_add"),
    path("diagnosis/documents/new/", diagnosis.document_new, name="document_new"),
    path("diagnosis/documents/<int:pk>/edit/", diagnosis.document_edit, name="document_edit"),
    path("diagnosis/documents/<int:pk>/file/", diagnosis.document_file, name="document_file"),
    path("diagnosis/findings/new/", diagnosis.finding_new, name="finding_new"),
    path("diagnosis/findings/<int:pk>/edit/", diagnosis.finding_edit, name="finding_edit"),
    path("self-evaluation/", evaluation.evaluations, name="evaluations"),
    path("self-evaluation/open/", evaluation.evaluation_open, name="evaluation_open"),
    path("self-evaluation/compare/", evaluation.evaluation_compare, name="evaluation_compare"),
    path("self-evaluation/<int:pk>/", evaluation.evaluation_answer, name="evaluation_answer"),
    path("self-evaluation/<int:pk>/close/", evaluation.evaluation_close, name="evaluation_close"),
    path(
        "self-evaluation/<int:pk>/results/",
        evaluation.evaluation_results,
        name="evaluation_results",
    ),
]
