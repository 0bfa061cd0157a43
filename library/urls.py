from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from library import views
from library.forms import LoginForm

admin.site.site_header = "书香图书馆管理系统 · 后台"
admin.site.site_title = "书香图书馆"
admin.site.index_title = "后台管理"


class FaviconView(RedirectView):
    """/favicon.ico for pages without the <link rel=icon> (the admin, files): the static SVG icon."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


urlpatterns = [
    path("", include("catalog.urls")),
    path("circulation/", include("circulation.urls")),
    path("reports/", include("reports.urls")),
    path("stocktake/", include("stocktake.urls")),
    path("selfcheck/", include("selfcheck.urls")),
    path("serials/", include("serials.urls")),
    path("reading/", include("reading.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("my/", views.my_account, name="my_account"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
