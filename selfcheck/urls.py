from django.urls import path

from selfcheck import views

app_name = "selfcheck"
urlpatterns = [
    path("", views.kiosk, name="kiosk"),
    path("card/", views.card, name="card"),
    path("scan/", views.scan, name="scan"),
    path("finish/", views.finish, name="finish"),
    path("end/", views.end, name="end"),
    path("kiosks/", views.kiosks, name="kiosks"),
    path("kiosks/new/", views.kiosk_edit, name="kiosk_new"),
    path("kiosks/<int:pk>/", views.kiosk_edit, name="kiosk_edit"),
]
