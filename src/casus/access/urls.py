from django.urls import path

from . import views

app_name = "setup"

urlpatterns = [
    path("setup/", views.home, name="home"),
    path("setup/organisations/", views.organisations, name="organisations"),
    path("setup/organisations/<int:pk>/", views.organisation_edit, name="organisation_edit"),
    path("setup/tables/", views.tables, name="tables"),
    path("setup/tables/<int:pk>/", views.table_edit, name="table_edit"),
    path("setup/members/", views.members, name="members"),
    path("setup/members/new/", views.member_add, name="member_add"),
    path("setup/members/<int:pk>/change/", views.member_change, name="member_change"),
    path("setup/members/<int:pk>/end/", views.member_end, name="member_end"),
    path("setup/requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("setup/charters/", views.charters, name="charters"),
    path("setup/charters/new/", views.charter_new, name="charter_new"),
    path("setup/charters/<int:pk>/", views.charter_detail, name="charter"),
    path("setup/statements/", views.statements, name="statements"),
    path("setup/statements/new/", views.statement_new, name="statement_new"),
    path("setup/statements/<int:pk>/", views.statement_edit, name="statement_edit"),
    path("setup/import/", views.import_file, name="import"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/requests/<int:pk>/", views.decide_request, name="decide_request"),
    path("approvals/charters/<int:pk>/", views.decide_charter, name="decide_charter"),
    path("approvals/statements/<int:pk>/", views.decide_statement, name="decide_statement"),
]
