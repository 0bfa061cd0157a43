from django.urls import path

from serials import views

app_name = "serials"
urlpatterns = [
    path("", views.home, name="home"),
    path("export/", views.export, name="export"),
    path("titles/new/", views.serial_edit, name="serial_new"),
    path("titles/<int:pk>/", views.serial_detail, name="serial_detail"),
    path("titles/<int:pk>/edit/", views.serial_edit, name="serial_edit"),
    path("titles/<int:pk>/subscribe/", views.subscription_new, name="subscription_new"),
    path("subscriptions/<int:pk>/", views.subscription_detail, name="subscription_detail"),
    path("subscriptions/<int:pk>/bind/", views.bind, name="bind"),
    path("issues/<int:pk>/checkin/", views.issue_checkin, name="issue_checkin"),
    path("checkin/", views.checkin, name="checkin"),
    path("claims/", views.claims, name="claims"),
    path("claims/mark/", views.claims_mark, name="claims_mark"),
]
