from django.urls import path

from reading import views

app_name = "reading"
urlpatterns = [
    # Public: books only, never pupils
    path("popular/", views.popular, name="popular"),
    path("lists/<int:pk>/", views.list_public, name="list_public"),
    path("lists/<int:pk>/poster/", views.list_poster, name="list_poster"),
    # A head teacher (their own classes)
    path("my-class/", views.my_class_lists, name="my_class_lists"),
    # The librarian (library.catalogue)
    path("manage/", views.manage, name="manage"),
    path("manage/rankings/refresh/", views.rankings_refresh, name="rankings_refresh"),
    path("manage/lists/<int:pk>/", views.list_edit, name="list_edit"),
    path("manage/lists/<int:pk>/wishlist.xlsx", views.wishlist, name="list_wishlist"),
    path("manage/wishlist.xlsx", views.wishlist, name="wishlist"),
    path("manage/import/", views.list_import, name="list_import"),
    path("manage/import/template.xlsx", views.import_template, name="import_template"),
    path("manage/lists/<int:pk>/add/", views.item_add, name="item_add"),
    path("manage/items/<int:pk>/note/", views.item_note, name="item_note"),
    path("manage/items/<int:pk>/remove/", views.item_remove, name="item_remove"),
    # 读书活动 (library.manage_readers: names pupils)
    path("activities/", views.activities, name="activities"),
    path("activities/<int:pk>/", views.activity, name="activity"),
    path("activities/<int:pk>/participants/add/", views.participant_add, name="participant_add"),
    path("participants/<int:pk>/result/", views.participant_result, name="participant_result"),
    path("participants/<int:pk>/remove/", views.participant_remove, name="participant_remove"),
    path("participants/<int:pk>/file/", views.participant_file, name="participant_file"),
    # 表彰 (library.manage_readers; certificates and the announcement only once published)
    path("honours/", views.honours, name="honours"),
    path("honours/<int:pk>/", views.honour_round, name="honour_round"),
    path("honours/<int:pk>/propose/", views.honours_repropose, name="honours_repropose"),
    path("honours/<int:pk>/add/", views.honour_add, name="honour_add"),
    path("honours/<int:pk>/publish/", views.honours_publish, name="honours_publish"),
    path("honours/<int:pk>/certificates/", views.honour_certificates, name="honour_certificates"),
    path("honours/<int:pk>/announcement/", views.honour_announcement, name="honour_announcement"),
    path("honour-entries/<int:pk>/remove/", views.honour_remove, name="honour_remove"),
    # 读书笔记 (the librarian; a head teacher for their own classes)
    path("notes/", views.notes, name="notes"),
    path("notes/add/", views.note_add, name="note_add"),
    path("notes/<int:pk>/remove/", views.note_remove, name="note_remove"),
]
