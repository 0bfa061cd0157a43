from django.urls import path

from stocktake import views

app_name = "stocktake"

urlpatterns = [
    path("", views.stocktake_list, name="list"),
    path("open/", views.stocktake_open, name="open"),
    path("<int:pk>/", views.stocktake_detail, name="detail"),
    path("<int:pk>/scan/", views.stocktake_scan, name="scan"),
    path("<int:pk>/upload/", views.stocktake_upload, name="upload"),
    path("<int:pk>/close/", views.stocktake_close, name="close"),
    path("<int:pk>/report/", views.stocktake_report, name="report"),
    path("<int:pk>/report.xlsx", views.stocktake_export, name="export"),
    path("<int:pk>/write-off/propose/", views.writeoff_propose, name="writeoff_propose"),
    path("<int:pk>/write-off/approve/", views.writeoff_approve, name="writeoff_approve"),
    path("<int:pk>/restore/", views.copy_restore, name="restore"),
]
