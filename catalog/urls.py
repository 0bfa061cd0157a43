from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    # Public
    path("", views.opac, name="opac"),
    path("record/<int:pk>/", views.record, name="record"),
    path("record/<int:pk>/cover/", views.record_cover, name="record_cover"),
    path("catalog/new-books/", views.new_arrivals, name="new_arrivals"),
    path("catalog/new-books/print/", views.new_arrivals_print, name="new_arrivals_print"),
    path("catalog/new-books/export/", views.new_arrivals_export, name="new_arrivals_export"),
    path("catalog/classes/", views.classes, name="classes"),
    # Cataloguing (library.catalogue)
    path("catalog/", views.manage, name="manage"),
    path("catalog/records/new/", views.record_new, name="record_new"),
    path("catalog/scan/", views.scan, name="scan"),
    path("catalog/scan/create/", views.scan_create, name="scan_create"),
    path("catalog/scan/copies/", views.scan_copies, name="scan_copies"),
    path("catalog/scan/clear/", views.scan_clear, name="scan_clear"),
    path("catalog/clc/search/", views.clc_search, name="clc_search"),
    path("catalog/records/<int:pk>/", views.record_staff, name="record_staff"),
    path("catalog/records/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("catalog/records/<int:pk>/copies/", views.copies_add, name="copies_add"),
    path("catalog/copies/<int:pk>/", views.copy_edit, name="copy_edit"),
    path("catalog/copies/<int:pk>/repair/", views.copy_repair, name="copy_repair"),
    path("catalog/repairs/", views.repairs, name="repairs"),
    path("catalog/repairs/send/", views.repair_send, name="repair_send"),
    path("catalog/repairs/finish/", views.repairs_finish, name="repairs_finish"),
    path("catalog/batches/", views.batches, name="batches"),
    path("catalog/batches/new/", views.batch_new, name="batch_new"),
    path("catalog/batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("catalog/weeding/", views.weeding, name="weeding"),
    path("catalog/withdrawals/<int:pk>/", views.withdrawal_detail, name="withdrawal_detail"),
    path("catalog/labels/", views.labels_page, name="labels"),
    path("catalog/import/excel/", views.import_excel, name="import_excel"),
    path("catalog/import/excel/template/", views.import_template, name="import_template"),
    path("catalog/import/marc/", views.import_marc, name="import_marc"),
    path("catalog/pool/", views.pool_home, name="pool"),
    path("catalog/pool/upload/", views.pool_upload, name="pool_upload"),
    path("catalog/pool/files/<int:pk>/", views.pool_file, name="pool_file"),
    path("catalog/pool/files/<int:pk>/delete/", views.pool_file_delete, name="pool_file_delete"),
    path("catalog/pool/records/<int:pk>/", views.pool_record, name="pool_record"),
    path("catalog/export/", views.exports, name="exports"),
    path("catalog/export/excel/", views.export_excel, name="export_excel"),
    path("catalog/export/marc/", views.export_marc, name="export_marc"),
    # Z39.50 服务器 (copy cataloguing's targets)
    path("catalog/z3950/", views.z3950_targets, name="z3950_targets"),
    path("catalog/z3950/new/", views.z3950_target_edit, name="z3950_target_new"),
    path("catalog/z3950/<int:pk>/", views.z3950_target_edit, name="z3950_target_edit"),
    path("catalog/z3950/<int:pk>/delete/", views.z3950_target_delete, name="z3950_target_delete"),
    path("catalog/z3950/<int:pk>/test/", views.z3950_target_test, name="z3950_target_test"),
]
