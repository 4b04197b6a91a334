"""API plumbing shared by every module: authentication, error responses, list filters."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, ValidationError
from ninja.pagination import PageNumberPagination
from ninja.security import HttpBearer, SessionAuth

from .errors import DomainError


class TokenAuth(HttpBearer):
    """`Authorization: Bearer kc_…` with a personal API token."""

    def authenticate(self, request, token):
        from kechuang.accounts.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


def install_error_handlers(api) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return api.create_response(request, body, status=exc.status)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(request, {"detail": _("请先登录或提供有效的 API 令牌。")}, status=401)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"detail": _("未找到该记录。")}, status=404)

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        return api.create_response(
            request, {"detail": _("提交的数据格式不正确。"), "errors": exc.errors}, status=422
        )


API_AUTH = [TokenAuth(), SessionAuth()]


def filtered(filterset_class, filters, queryset, request):
    """The rows of `queryset` that a list endpoint's query parameters select, through the same FilterSet
    as the page; a bad value is refused with the reason instead of being ignored."""
    params = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    filterset = filterset_class(params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise DomainError(
            _("筛选条件不正确：%(errors)s")
            % {"errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())}
        )
    return filterset.qs


class CappedCountPagination(PageNumberPagination):
    """Page numbers, with a count that stops at COUNT_CAP: on half a million rows an exact COUNT takes longer
    than the page itself. `count_capped` says when there are more (the client then pages until a short page)."""

    COUNT_CAP = 10_000

    class Output(Schema):
        items: list[Any]
        count: int
        count_capped: bool

    def paginate_queryset(self, queryset, pagination, request, **params):
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        counted = queryset.order_by()[: self.COUNT_CAP + 1].count()  # COUNT over a LIMITed subquery
        return {
            self.items_attribute: queryset[offset : offset + page_size],
            "count": min(counted, self.COUNT_CAP),
            "count_capped": counted > self.COUNT_CAP,
        }
