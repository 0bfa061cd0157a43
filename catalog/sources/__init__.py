"""Where the data of a new book can come from (书目数据源).

Three sources answer an ISBN, in this order: the school's own catalogue (then the book is an added
copy), the pool of supplier and union-catalogue records (`catalog.sources.pool`), and the Z39.50
targets the school has configured (`catalog.sources.z3950`). Every source answers with the same
`Candidate`, whose `fields` are the bibliographic dict that `catalog.marc` reads from a MARC record
(title, other_title, volume, responsibility, authors, edition, pub_place, publisher, pub_year,
pages, series, summary, subjects, clc, language, isbn, price), so the cataloguing form fills the
same way from any of them.
"""

from .candidate import Candidate

__all__ = ["Candidate"]
