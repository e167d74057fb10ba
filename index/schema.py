"""The index schema: one Whoosh entry per page."""

from __future__ import annotations

from whoosh import fields

from index.analyzers import (
    ANALYZER_VERSION,
    compound_parts_analyzer,
    german_analyzer,
    name_analyzer,
)

SCHEMA_VERSION = 9  # 9: council paper types, committees, main files
# Written beside the index; a different stamp means the index must be rebuilt from the archive.
FACET_SEPARATOR = "\x1f"
# Between the values of a list facet (a committee's name may hold a comma).
VALUE_SEPARATOR = "\x1e"
INDEX_STAMP = {"schema": SCHEMA_VERSION, "analyzer": ANALYZER_VERSION}


def build_schema() -> fields.Schema:
    """One Whoosh document per page. Page text is not stored: the archive holds it."""
    analyzer = german_analyzer()
    return fields.Schema(
        page_id=fields.ID(unique=True),
        # A column too: grouping thousands of matching pages by document reads it per page.
        doc_id=fields.ID(stored=True, sortable=True),
        page=fields.NUMERIC(stored=True),
        sha256=fields.STORED(),
        original_name=fields.STORED(),
        title=fields.TEXT(analyzer=analyzer, stored=True, multitoken_query="phrase"),
        body=fields.TEXT(analyzer=analyzer, phrase=True, multitoken_query="phrase"),
        # Parts of compound words and name keys: body text analysed differently, ranked lower.
        # No positions: phrases are matched in the body; positions here tripled the index size
        # these fields take (bench/RESULTS.md, scale).
        parts=fields.TEXT(analyzer=compound_parts_analyzer(), phrase=False, multitoken_query="and"),
        names=fields.TEXT(analyzer=name_analyzer(), phrase=False, multitoken_query="and"),
        date=fields.ID(stored=True),
        year=fields.ID(stored=True),
        doc_type=fields.ID(stored=True),
        issuer=fields.TEXT(analyzer=analyzer, stored=True),
        references=fields.KEYWORD(stored=True, commas=True, lowercase=True),
        persons=fields.TEXT(analyzer=name_analyzer(), stored=True),
        places=fields.TEXT(analyzer=name_analyzer(), stored=True),
        paper_types=fields.TEXT(analyzer=analyzer),
        committees=fields.TEXT(analyzer=analyzer),
        # References of the papers this is the main file of: a reference search ranks it first.
        main_file_of=fields.KEYWORD(commas=True, lowercase=True),
        # The facets of the page's document as one column value (index.search.FACETS, joined
        # by FACET_SEPARATOR): counting them over thousands of matching documents from stored
        # fields was a third of a search at 10,000 pages.
        facet_values=fields.COLUMN(),
    )


def page_id(doc_id: str, page: int) -> str:
    """Unique key of a page entry."""
    return f"{doc_id}:{page}"
