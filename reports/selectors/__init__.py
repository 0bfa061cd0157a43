"""Report figures, aggregated in SQL. Definitions: shared/docs/statistics.md (names in reports.formulas).

Every function takes a Period (reports.periods) or a date; none loads loans into Python one by one:
the rows that come back are already grouped (per class, per grade, per title ...).

A package by topic; every name is re-exported here so `from reports import selectors` keeps working.
"""

from reports.selectors.base import (  # noqa: F401
    CLC_BASE,
    COLLECTIVE_LOAN,
    STAFF_KINDS,
    STAFF_LOAN,
    STAGE_ORDER,
    STUDENT_LOAN,
    _borrowed_in,
    _record_labels,
    _visit_key,
    clc_label,
    enrolled_readers,
    enrolled_students,
    holdings_standard,
    in_collection,
    loans_in,
    ratio,
    school_stage,
    share,
    student_loans_in,
    target_level,
    valid_card_on,
)
from reports.selectors.cache import summary_for  # noqa: F401
from reports.selectors.circulation import (  # noqa: F401
    _titles_and_classes,
    circulation_figures,
    loans_by_clc,
    top_titles,
)
from reports.selectors.classes import (  # noqa: F401
    ClassRow,
    GradeRow,
    _GroupRates,
    class_and_grade_loans,
    class_and_grade_rows,
    class_gap,
    class_report,
)
from reports.selectors.collection import (  # noqa: F401
    collection_analysis,
    collection_figures,
    holdings,
    students_by_stage,
)
from reports.selectors.period_pass import PeriodPass  # noqa: F401
from reports.selectors.readers import (  # noqa: F401
    _reader_labels,
    _star,
    class_enrolment,
    reader_figures,
    reading_record,
    top_readers,
    top_readers_by_grade,
)
from reports.selectors.summary import (  # noqa: F401
    COMPARED,
    Summary,
    _flat,
    comparison,
    comparison_figures,
    core_figures,
    semester_summary,
)
from reports.selectors.summary_text import (  # noqa: F401
    _num,
    _pct,
    work_summary_text,
)
