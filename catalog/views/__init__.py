from catalog.views.collection import (  # noqa: F401
    batch_detail,
    batch_new,
    batches,
    classes,
    weeding,
    withdrawal_detail,
)
from catalog.views.covers import record_cover  # noqa: F401
from catalog.views.labels import labels_page  # noqa: F401
from catalog.views.opac import new_arrivals, new_arrivals_export, new_arrivals_print, opac, record  # noqa: F401
from catalog.views.pool import pool_file, pool_file_delete, pool_home, pool_record, pool_upload  # noqa: F401
from catalog.views.records import (  # noqa: F401
    clc_search,
    copies_add,
    copy_edit,
    copy_repair,
    manage,
    record_edit,
    record_new,
    record_staff,
)
from catalog.views.repairs import repair_send, repairs, repairs_finish  # noqa: F401
from catalog.views.scan import scan, scan_clear, scan_copies, scan_create  # noqa: F401
from catalog.views.transfer import (  # noqa: F401
    export_excel,
    export_marc,
    exports,
    import_excel,
    import_marc,
    import_template,
)
from catalog.views.z3950 import (  # noqa: F401
    z3950_target_delete,
    z3950_target_edit,
    z3950_target_test,
    z3950_targets,
)
