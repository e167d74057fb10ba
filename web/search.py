"""The search page: one box, filters and facets, a year chart, results grouped by document."""

from __future__ import annotations

from functools import partial
from math import ceil
from urllib.parse import urlencode

from flask import Blueprint, g, render_template, request, url_for
from markupsafe import Markup

from common.fields import DOCUMENT_TYPES, read_field_value
from index import Filters
from web.chart import year_chart
from web.params import number

search = Blueprint("search", __name__)
RESULTS_PER_PAGE = 20
# Form parameter -> the search filter it sets. Every search state lives in the query string.
FILTERS = {
    "typ": "doc_type",
    "herausgeber": "issuer",
    "jahr": "year",
    "person": "person",
    "ort": "place",
    "vorlagenart": "paper_type",
    "gremium": "committee",
}
SORT_LABELS = {"relevance": "Relevanz", "newest": "Neueste zuerst", "oldest": "Älteste zuerst"}
FACET_LABELS = {
    "doc_type": ("Dokumenttyp", "typ"),
    "issuer": ("Herausgeber", "herausgeber"),
    "year": ("Jahr", "jahr"),
    "persons": ("Personen", "person"),
    "places": ("Orte", "ort"),
    "paper_types": ("Vorlagenart", "vorlagenart"),
    "committees": ("Gremien", "gremium"),
}


def search_filters(args: dict[str, str]) -> Filters:
    """The filters set in the form, as typed arguments of the search (dates read as typed)."""
    values = {name: args.get(param, "").strip() for param, name in FILTERS.items()}
    start, end = args.get("von", "").strip(), args.get("bis", "").strip()
    return Filters(
        **values,
        date_from=read_field_value("date", start) if start else "",
        date_to=read_field_value("date", end) if end else "",
    )


# As Werkzeug's URL building encodes a query string (werkzeug.urls._urlencode).
_URL_SAFE = "!$'()*,/:;?@"


def _link(path: str, base: dict[str, str], **changes: str | None) -> str:
    """This search with some parameters changed (None removes one); back to the first page.

    The query string is encoded here, as ``url_for`` encodes it: routing a page's hundred
    facet and page links through ``url_for`` was a tenth of a search at 100,000 pages.
    """
    args = {k: v for k, v in base.items() if v}
    args.pop("seite", None)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return f"{path}?{urlencode(list(args.items()), safe=_URL_SAFE)}" if args else path


@search.get("/")
def search_page() -> str:
    """Show the search form and, with a query or filter, the results."""
    args = request.args.to_dict()
    text = args.get("q", "").strip()
    filters = search_filters(args)
    page = max(number(args.get("seite"), 1), 1)
    sort = args.get("sortierung", "relevance")
    sort = sort if sort in SORT_LABELS else "relevance"
    results = None
    if text or filters:
        results = g.home.search(
            text,
            limit=RESULTS_PER_PAGE,
            offset=(page - 1) * RESULTS_PER_PAGE,
            sort=sort,
            filters=filters,
        )
    if results is not None and text:
        # The query as searched, cut to its bounds: a 100 KB query repeated in every link of
        # the page made a 10 MB answer and grew the server by 400 MB a minute (#15).
        args["q"] = results.searched
    link = partial(_link, url_for("search.search_page"), args)
    snippets = {h.doc_id: Markup(h.snippet) for h in results.hits} if results else {}  # noqa: S704 - escaped by the index
    same_text = {
        other: g.home.document(other).original_name
        for hit in (results.hits if results else ())
        for other in getattr(hit, "same_text", ())
    }
    chart = year_chart(results.facets.get("year", []), lambda y: link(jahr=y)) if results else ""
    return render_template(
        "search.html",
        query=args.get("q", ""),
        args=args,
        results=results,
        snippets=snippets,
        same_text=same_text,
        chart=chart,
        page=page,
        pages=ceil(results.total / RESULTS_PER_PAGE) if results else 0,
        sort=sort,
        sort_labels=SORT_LABELS,
        facet_labels=FACET_LABELS,
        link=link,
        type_labels=DOCUMENT_TYPES,
        filters=FILTERS,
    )


@search.get("/hilfe")
def help_page() -> str:
    """The query syntax, explained with examples."""
    return render_template("help.html")
