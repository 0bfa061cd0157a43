from django.contrib import admin

from serials.models import BoundVolume, Issue, Serial, Subscription


@admin.register(Serial)
class SerialAdmin(admin.ModelAdmin):
    list_display = ["title", "issn", "cn_number", "postal_code", "frequency", "is_active"]
    search_fields = ["title", "issn", "cn_number", "postal_code"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["serial", "year", "source", "copies", "unit_price"]
    list_filter = ["year", "source"]


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["subscription", "number", "expected_on", "received_on", "claimed_on"]
    list_filter = ["subscription__year"]


@admin.register(BoundVolume)
class BoundVolumeAdmin(admin.ModelAdmin):
    list_display = ["label", "subscription", "copy"]
