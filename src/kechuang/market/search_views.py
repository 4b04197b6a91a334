"""The market's search page (market:search): the same parameters and results as GET /api/market/search."""

from django.shortcuts import render

from .search import search
from .search_forms import SearchForm


def market_search(request):
    """Search the published listings; open to everyone, as the market is. An htmx request gets the results."""
    form = SearchForm(request.GET)
    result = None
    if form.is_valid():
        arguments = form.search_arguments()
        result = search(**arguments)
        if not result.hits and result.total and result.page > result.num_pages:
            result = search(**{**arguments, "page": result.num_pages})  # a page past the end shows the last
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "result": result,
        "filters_query": query.urlencode(),
        "filtered": any(
            value for name, value in request.GET.items() if name not in ("q", "page", "per_page")
        ),
    }
    template = "market/search_results.html" if request.htmx else "market/search.html"
    return render(request, template, context)
