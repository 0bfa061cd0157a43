from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.summary, name="summary"),
    path("summary.xlsx", views.summary_export, name="summary_export"),
    path("classes/", views.class_list, name="class_list"),
    path("classes/<int:pk>/", views.class_report, name="class_report"),
    path("classes/<int:pk>/export.xlsx", views.class_report_export, name="class_report_export"),
    path("readers/<int:pk>/", views.reader_record, name="reader_record"),
    path("my-record/", views.my_record, name="my_record"),
    path("collection/", views.collection, name="collection"),
    path("collection.xlsx", views.collection_export, name="collection_export"),
]
