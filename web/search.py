"""The search page: one box, results grouped by document with highlighted snippets."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from markupsafe import Markup

search = Blueprint("search", __name__)
RESULTS_PER_PAGE = 50


@search.get("/")
def search_page() -> str:
    """Show the search form and, with ``?q=``, the results."""
    query = request.args.get("q", "").strip()
    results = g.home.search(query, limit=RESULTS_PER_PAGE) if query else None
    snippets = {h.doc_id: Markup(h.snippet) for h in results.hits} if results else {}  # noqa: S704 - escaped by the index
    return render_template("search.html", query=query, results=results, snippets=snippets)
