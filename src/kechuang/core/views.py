from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.shortcuts import redirect, render
from django.utils.functional import cached_property

from .filters import AuditLogFilter
from .forms import perform
from .selectors import audit_logs


class CappedPaginator(Paginator):
    """Counts at most `cap` rows (COUNT over a LIMITed subquery): on half a million rows an exact COUNT takes
    longer than the page itself. `capped` says there are more; the page links then say "N+"."""

    def __init__(self, *args, cap: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


def paginate(request, queryset, per_page: int = 20, *, count_cap: int | None = None):
    """A page of `queryset`; a first page that is not full needs no COUNT (a second scan on searches),
    and a full one is not fetched twice. With `count_cap`, the COUNT stops there (CappedPaginator)."""
    paginator = (
        CappedPaginator(queryset, per_page, cap=count_cap) if count_cap else Paginator(queryset, per_page)
    )
    number = request.GET.get("page")
    if number in (None, "", "1"):
        rows = list(queryset[:per_page])
        if len(rows) < per_page:
            paginator.count = len(rows)  # cached_property: set it, and the COUNT query never runs
        return Page(rows, 1, paginator)
    return paginator.get_page(number)


def act_and_redirect(request, form, action, *, success, to):
    """For small POST-only forms (approve/reject buttons): run `action` and go back to `to`.

    The outcome, or every error, is shown as a message on the page the user returns to.
    """
    if form.is_valid():
        result = perform(form, action)
        if result is not None:
            messages.success(request, success(result))
            return redirect(to)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(to)


def render_denied(request, reason: str, status: int = 403):
    return render(request, "components/denied.html", {"reason": reason}, status=status)


@login_required
def audit_log_list(request):
    from kechuang.accounts.permissions import can_browse_audit

    decision = can_browse_audit(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    filterset = AuditLogFilter(request.GET, queryset=audit_logs(user=request.user))
    page = paginate(request, filterset.qs, 50)
    template = "core/audit_rows.html" if request.htmx else "core/audit_list.html"
    return render(request, template, {"filter": filterset, "page": page})
