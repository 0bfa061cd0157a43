"""The one table of who may use each URL of the site, by role (read by tests/urlwalk.py).

A new URL pattern fails the production walk and the hostile-input corpus until it is named here.
"""

from library import roles

ROLES = ("anonymous", "assistant", "teacher", "head_teacher", "librarian", "admin", "kiosk")
GROUPS = {
    "assistant": roles.ASSISTANT,
    "teacher": roles.TEACHER,
    "head_teacher": roles.TEACHER,
    "librarian": roles.LIBRARIAN,
    "admin": roles.ADMINISTRATOR,
    "kiosk": roles.KIOSK,
}

# A signed-in kiosk is sent back to its page from everywhere outside /selfcheck/ (selfcheck.middleware)
# but signing out, the language switch and the health check: it is in no set below unless named.
KIOSK = frozenset({"kiosk"})
PUBLIC = frozenset(ROLES) - KIOSK
SIGNED_IN = PUBLIC - {"anonymous"}
HEAD_TEACHER = frozenset({"head_teacher"})  # of the walk's class, pupil and reader
STAFF = frozenset({"admin"})  # the back office (is_staff)


def perm(codename: str) -> frozenset[str]:
    """The roles whose group holds library.<codename>."""
    return frozenset(role for role, group in GROUPS.items() if codename in roles.ROLE_PERMISSIONS[group])


# Desk pages about one named reader: the roles that see every reader's name (circulation.privacy).
NAMES_AT_DESK = perm("use_desk") & perm("manage_readers")


# The one table of access: URL name -> roles allowed, or (roles for GET, roles for POST).
# "Allowed" means the role is not refused (403, or sent to a login page); the page may still say
# 405 or 404. Names ending in ":*" cover a whole namespace (the admin site guards all its pages).
ACCESS: dict[str, frozenset[str] | tuple[frozenset[str], frozenset[str]]] = {
    # the public catalogue
    "catalog:opac": PUBLIC,
    "catalog:record": PUBLIC,
    "catalog:new_arrivals": PUBLIC,
    "catalog:new_arrivals_print": PUBLIC,
    "catalog:new_arrivals_export": PUBLIC,
    "catalog:classes": PUBLIC,
    # cataloguing
    "catalog:manage": perm("catalogue"),
    "catalog:record_new": perm("catalogue"),
    "catalog:scan": perm("catalogue"),
    "catalog:scan_create": perm("catalogue"),
    "catalog:scan_copies": perm("catalogue"),
    "catalog:scan_clear": perm("catalogue"),
    "catalog:clc_search": perm("catalogue"),
    "catalog:record_staff": perm("catalogue"),
    "catalog:record_edit": perm("catalogue"),
    "catalog:copies_add": perm("catalogue"),
    "catalog:copy_edit": perm("catalogue"),
    "catalog:copy_repair": perm("catalogue"),
    "catalog:repairs": perm("catalogue"),
    "catalog:repair_send": perm("catalogue"),
    "catalog:repairs_finish": perm("catalogue"),
    "catalog:batches": perm("catalogue"),
    "catalog:batch_new": perm("catalogue"),
    "catalog:batch_detail": perm("catalogue"),
    "catalog:weeding": perm("catalogue"),
    "catalog:withdrawal_detail": perm("catalogue"),
    "catalog:labels": perm("catalogue"),
    "catalog:import_excel": perm("catalogue"),
    "catalog:import_template": perm("catalogue"),
    "catalog:import_marc": perm("catalogue"),
    "catalog:exports": perm("catalogue"),
    "catalog:export_excel": perm("catalogue"),
    "catalog:export_marc": perm("catalogue"),
    "catalog:pool": perm("catalogue"),
    "catalog:pool_upload": perm("catalogue"),
    "catalog:pool_file": perm("catalogue"),
    "catalog:pool_file_delete": perm("catalogue"),
    "catalog:pool_record": perm("catalogue"),
    "catalog:z3950_targets": perm("catalogue"),
    "catalog:z3950_target_new": perm("catalogue"),
    "catalog:z3950_target_edit": perm("catalogue"),
    "catalog:z3950_target_delete": perm("catalogue"),
    "catalog:z3950_target_test": perm("catalogue"),
    # the desk
    "circulation:desk": perm("use_desk"),
    "circulation:desk_scan": perm("use_desk"),
    # a reader's panel, picking them from a search list, renewing their loan: a student assistant only
    # after scanning that reader's card or 学号 at their desk, which the walk's assistant has not done
    "circulation:desk_reader": NAMES_AT_DESK,
    "circulation:desk_reader_select": (perm("use_desk"), NAMES_AT_DESK),  # a GET reaches the 405
    "circulation:desk_renew": (perm("use_desk"), NAMES_AT_DESK),
    "circulation:desk_compensation": perm("manage_circulation"),
    "circulation:holds": perm("use_desk"),
    "circulation:holds_expire": perm("use_desk"),
    "circulation:hold_slip": perm("use_desk"),
    # a pupil's hold: librarians (or that pupil's own account, which is not in the cast); a GET gets 405
    "circulation:hold_cancel": (SIGNED_IN, perm("manage_circulation")),
    # GET: anyone who may reserve reaches the 405; POST names a pupil (see POST_DATA): the desk only
    "circulation:reserve": (perm("place_holds"), perm("place_holds") & perm("use_desk")),
    "circulation:my_holds": SIGNED_IN,
    "circulation:my_class_overdue": HEAD_TEACHER,
    "circulation:overdue": perm("use_desk"),
    # 催还单 name pupils: librarians and the class's head teacher, not a student assistant
    "circulation:overdue_class_print": perm("manage_readers") | HEAD_TEACHER,
    "circulation:session_start": perm("use_desk"),
    "circulation:session": perm("use_desk"),
    "circulation:session_scan": perm("use_desk"),
    "circulation:session_pick": perm("use_desk"),
    "circulation:session_summary": perm("use_desk"),
    "circulation:collective": perm("use_desk"),
    # readers and cards
    "circulation:readers": perm("manage_readers"),
    "circulation:reader_new": perm("manage_readers"),
    "circulation:reader_detail": perm("manage_readers"),
    "circulation:reader_edit": perm("manage_readers"),
    "circulation:card_issue": perm("manage_readers"),
    "circulation:card_print_reader": perm("manage_readers"),
    "circulation:card_lost": perm("manage_readers"),
    "circulation:card_reissue": perm("manage_readers"),
    "circulation:card_cancel": perm("manage_readers"),
    "circulation:coverage": perm("manage_readers"),
    "circulation:class_new": perm("manage_readers"),
    "circulation:class_edit": perm("manage_readers"),
    "circulation:card_print_class": perm("manage_readers"),
    "circulation:class_cards_issue": perm("manage_readers"),
    "circulation:roster_import": perm("manage_readers"),
    "circulation:roster_template": perm("manage_readers"),
    "circulation:roster_confirm": perm("manage_readers"),
    "circulation:rollover": perm("manage_readers"),
    # circulation management
    "circulation:compensations": perm("manage_circulation"),
    "circulation:compensation_new": perm("manage_circulation"),
    "circulation:compensation_detail": perm("manage_circulation"),
    "circulation:compensation_settle": perm("manage_circulation"),
    "circulation:compensation_receipt": perm("manage_circulation"),
    "circulation:policies": perm("manage_circulation"),
    "circulation:policy_new": perm("manage_circulation"),
    "circulation:policy_edit": perm("manage_circulation"),
    "circulation:calendar": perm("manage_circulation"),
    "circulation:term_new": perm("manage_circulation"),
    "circulation:term_edit": perm("manage_circulation"),
    "circulation:day_add": perm("manage_circulation"),
    "circulation:day_delete": perm("manage_circulation"),
    "circulation:settings": perm("manage_circulation"),
    "circulation:log": perm("manage_circulation"),
    # reports
    "reports:summary": perm("view_reports"),
    "reports:summary_export": perm("view_reports"),
    "reports:class_list": perm("view_reports") | HEAD_TEACHER,
    "reports:class_report": perm("view_reports") | HEAD_TEACHER,
    "reports:class_report_export": perm("view_reports") | HEAD_TEACHER,
    "reports:reader_record": perm("view_reports") | HEAD_TEACHER,
    "reports:my_record": SIGNED_IN,
    "reports:collection": perm("view_reports"),
    "reports:collection_export": perm("view_reports"),
    # 盘点: student librarians scan and upload collector files; librarians open, close, report, write off
    "stocktake:list": perm("use_desk"),
    "stocktake:open": perm("catalogue"),
    "stocktake:detail": perm("use_desk"),
    "stocktake:scan": perm("use_desk"),
    "stocktake:upload": perm("use_desk"),
    "stocktake:close": perm("catalogue"),
    "stocktake:report": perm("catalogue"),
    "stocktake:export": perm("catalogue"),
    "stocktake:writeoff_propose": perm("catalogue"),
    "stocktake:writeoff_approve": perm("catalogue"),
    "stocktake:restore": perm("catalogue"),
    # 自助借还: the kiosk's own page; its buttons answer a GET with 405 before asking who it is
    "selfcheck:kiosk": perm("use_selfcheck"),
    "selfcheck:card": (PUBLIC | KIOSK, perm("use_selfcheck")),
    "selfcheck:scan": (PUBLIC | KIOSK, perm("use_selfcheck")),
    "selfcheck:finish": (PUBLIC | KIOSK, perm("use_selfcheck")),
    "selfcheck:end": (PUBLIC | KIOSK, perm("use_selfcheck")),
    # the kiosk accounts (SIP2 logins)
    "selfcheck:kiosks": perm("manage_circulation"),
    "selfcheck:kiosk_new": perm("manage_circulation"),
    "selfcheck:kiosk_edit": perm("manage_circulation"),
    # 报刊
    "serials:home": perm("catalogue"),
    "serials:export": perm("catalogue"),
    "serials:serial_new": perm("catalogue"),
    "serials:serial_detail": perm("catalogue"),
    "serials:serial_edit": perm("catalogue"),
    "serials:subscription_new": perm("catalogue"),
    "serials:subscription_detail": perm("catalogue"),
    "serials:bind": perm("catalogue"),
    "serials:issue_checkin": perm("catalogue"),
    "serials:checkin": perm("catalogue"),
    "serials:claims": perm("catalogue"),
    "serials:claims_mark": perm("catalogue"),
    # 阅读推广 (reading): rankings, lists and posters name books only, never pupils: public
    "reading:popular": PUBLIC,
    "reading:list_public": PUBLIC,
    "reading:list_poster": PUBLIC,
    # a head teacher's own classes' borrowing of their grade's lists (counts, no names)
    "reading:my_class_lists": HEAD_TEACHER,
    # the librarian's lists, the rankings on demand, the import and the wish-list (books only)
    "reading:manage": perm("catalogue"),
    "reading:rankings_refresh": perm("catalogue"),
    "reading:list_edit": perm("catalogue"),
    "reading:list_wishlist": perm("catalogue"),
    "reading:wishlist": perm("catalogue"),
    "reading:list_import": perm("catalogue"),
    "reading:import_template": perm("catalogue"),
    "reading:item_add": perm("catalogue"),
    "reading:item_note": perm("catalogue"),
    "reading:item_remove": perm("catalogue"),
    # 读书活动 name pupils and hold their entries: the roles that see every reader's name
    "reading:activities": perm("manage_readers"),
    "reading:activity": perm("manage_readers"),
    "reading:participant_add": perm("manage_readers"),
    "reading:participant_result": perm("manage_readers"),
    "reading:participant_remove": perm("manage_readers"),
    "reading:participant_file": perm("manage_readers"),
    # 表彰 name pupils: staff with manage_readers only (certificates and the list once published)
    "reading:honours": perm("manage_readers"),
    "reading:honour_round": perm("manage_readers"),
    "reading:honours_repropose": perm("manage_readers"),
    "reading:honour_add": perm("manage_readers"),
    "reading:honours_publish": perm("manage_readers"),
    "reading:honour_certificates": perm("manage_readers"),
    "reading:honour_announcement": perm("manage_readers"),
    "reading:honour_remove": perm("manage_readers"),
    # 读书笔记: the librarian for every pupil, a head teacher for the pupils of their classes
    "reading:notes": perm("manage_readers") | HEAD_TEACHER,
    "reading:note_add": perm("manage_readers") | HEAD_TEACHER,
    "reading:note_remove": perm("manage_readers") | HEAD_TEACHER,
    # the site
    "login": PUBLIC,
    "logout": PUBLIC | KIOSK,
    "home": SIGNED_IN,
    "dashboard": perm("view_reports"),
    "my_account": SIGNED_IN,
    "catalog:record_cover": PUBLIC,  # a book's cover image (uploaded or generated), like the record page
    "healthz": PUBLIC | KIOSK,
    "favicon": PUBLIC | KIOSK,  # the kiosk's browser fetches it too (it must not reach the kiosk page)
    "set_language": PUBLIC | KIOSK,
    "admin:login": PUBLIC,
    "admin:logout": PUBLIC,
    "admin:*": STAFF,
}
