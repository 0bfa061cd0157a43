"""The reading app's views, by who uses them."""

from reading.views.lists import (  # noqa: F401
    import_template,
    item_add,
    item_note,
    item_remove,
    list_edit,
    list_import,
    manage,
    my_class_lists,
    rankings_refresh,
    wishlist,
)
from reading.views.people import (  # noqa: F401
    activities,
    activity,
    honour_add,
    honour_announcement,
    honour_certificates,
    honour_remove,
    honour_round,
    honours,
    honours_publish,
    honours_repropose,
    note_add,
    note_remove,
    notes,
    participant_add,
    participant_file,
    participant_remove,
    participant_result,
    reader_notes_section,
)
from reading.views.public import (  # noqa: F401
    front_shelves,
    list_poster,
    list_public,
    popular,
    record_sections,
)
