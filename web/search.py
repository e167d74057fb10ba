"""The search page: one box, filters and facets, a year chart, results grouped by document."""

from __future__ import annotations

from math import ceil

from flask import Blueprint, g, render_template, request, url_for
from markupsafe import Markup

from common.fields import DOCUMENT_TYPES, read_field_value
from web.chart import year_chart

search = Blueprint("search", __name__)
RESULTS_PER_PAGE = 20
# Form parameter -> query field. Every search state lives in the query string.
FILTERS = {
    "typ": "typ",
    "herausgeber": "herausgeber",
    "jahr": "jahr",
    "person": "person",
    "ort": "ort",
}
SORT_LABELS = {"relevance": "Relevanz", "newest": "Neueste zuerst", "oldest": "Älteste zuerst"}
FACET_LABELS = {
    "doc_type": ("Dokumenttyp", "typ"),
    "issuer": ("Herausgeber", "herausgeber"),
    "year": ("Jahr", "jahr"),
    "persons": ("Personen", "person"),
    "places": ("Orte", "ort"),
}


def _quoted(value: str) -> str:
    return '"' + value.replace('"', " ") + '"'


def effective_query(args: dict[str, str]) -> str:
    """The query text plus one clause per filter set in the form."""
    parts = [args.get("q", "").strip()]
    parts += [f"{field}:{_quoted(args[name])}" for name, field in FILTERS.items() if args.get(name)]
    start, end = args.get("von", "").strip(), args.get("bis", "").strip()
    if start or end:
        low = read_field_value("date", start) if start else "0000-01-01"
        high = read_field_value("date", end) if end else "9999-12-31"
        parts.append(f"datum:[{low} TO {high}]")
    return " ".join(p for p in parts if p)


def _link(**changes: str | None) -> str:
    """This search with some parameters changed (None removes one); back to the first page."""
    args = {k: v for k, v in request.args.items() if v}
    args.pop("seite", None)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for("search.search_page", **args)


@search.get("/")
def search_page() -> str:
    """Show the search form and, with a query or filter, the results."""
    args = request.args.to_dict()
    text = effective_query(args)
    page = max(int(args.get("seite", "1") or 1) if args.get("seite", "1").isdigit() else 1, 1)
    sort = args.get("sortierung", "relevance")
    sort = sort if sort in SORT_LABELS else "relevance"
    results = None
    if text:
        results = g.home.search(
            text, limit=RESULTS_PER_PAGE, offset=(page - 1) * RESULTS_PER_PAGE, sort=sort
        )
    snippets = {h.doc_id: Markup(h.snippet) for h in results.hits} if results else {}  # noqa: S704 - escaped by the index
    same_text = {
        other: g.home.document(other).original_name
        for hit in (results.hits if results else ())
        for other in getattr(hit, "same_text", ())
    }
    chart = year_chart(results.facets.get("year", []), lambda y: _link(jahr=y)) if results else ""
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
        link=_link,
        type_labels=DOCUMENT_TYPES,
        filters=FILTERS,
    )


@search.get("/hilfe")
def help_page() -> str:
    """The query syntax, explained with examples."""
    return render_template("help.html")
