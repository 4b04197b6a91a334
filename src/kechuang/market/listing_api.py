"""API of the market's listings, mounted at /api/market: the same selectors, filter set and services as the
pages. Contact details appear only in a listing's detail, and only when permissions.can_see_contacts allows."""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from kechuang.core.api import CappedCountPagination, filtered
from kechuang.core.errors import DomainError
from kechuang.organizations.models import Organization

from .listing_filters import ListingFilter
from .listings import (
    FIELDS,
    contact_request_create,
    contact_request_decide,
    contact_request_of,
    contact_requests_received,
    contact_requests_sent,
    contacts_visible,
    listing_actions,
    listing_create,
    listing_get_visible,
    listing_publish,
    listing_renew,
    listing_return,
    listing_submit,
    listing_update,
    listing_withdraw,
    listings_visible_to,
)

router = Router(tags=["market"])


class ListingOut(Schema):
    """A listing as lists show it: never its contact details."""

    id: int
    kind: str
    state: str
    title: str
    description: str
    tech_field: str
    keywords: str
    cooperation: str
    budget_min: Decimal | None
    budget_max: Decimal | None
    maturity: int | None
    ip_numbers: str
    price: Decimal | None
    negotiable: bool
    expires_on: date
    organization_id: int
    organization_name: str = Field(alias="organization.name")
    region_code: str = Field(alias="region_id")
    published_at: datetime | None
    content_changed_at: datetime
    version: int


class ContactsOut(Schema):
    name: str
    phone: str
    email: str


class ContactRequestOut(Schema):
    id: int
    listing_id: int
    requester_id: int
    organization_id: int | None
    message: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    version: int


class ListingDetailOut(ListingOut):
    return_reason: str
    view_count: int
    actions: list[str] = Field(description="what the caller may do now")
    contacts: ContactsOut | None = Field(None, description="only when the caller may see them")
    contact_request: ContactRequestOut | None = Field(None, description="the caller's own request, if any")

    @staticmethod
    def resolve_actions(obj, context):
        return [str(action) for action in listing_actions(obj, context["request"].user)]

    @staticmethod
    def resolve_contacts(obj, context):
        if not contacts_visible(obj, context["request"].user):
            return None
        return {"name": obj.contact_name, "phone": obj.contact_phone, "email": obj.contact_email}

    @staticmethod
    def resolve_contact_request(obj, context):
        return contact_request_of(obj, context["request"].user)


class ListingFilters(Schema):
    kind: str | None = None
    tech_field: str | None = None
    region: str | None = None
    cooperation: str | None = None
    maturity_min: int | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    state: str | None = None


class ListingIn(Schema):
    kind: str
    organization_id: int | None = Field(None, description="default: the caller's organization")
    title: str
    description: str
    tech_field: str
    keywords: str = ""
    cooperation: str
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    maturity: int | None = None
    ip_numbers: str = ""
    price: Decimal | None = None
    negotiable: bool = False
    expires_on: date
    contact_name: str
    contact_phone: str
    contact_email: str = ""


class ListingPatch(Schema):
    """The fields to change (the others are kept), and the version they were read at."""

    version: int
    title: str | None = None
    description: str | None = None
    tech_field: str | None = None
    keywords: str | None = None
    cooperation: str | None = None
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    maturity: int | None = None
    ip_numbers: str | None = None
    price: Decimal | None = None
    negotiable: bool | None = None
    expires_on: date | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None


class VersionIn(Schema):
    version: int | None = None


class ReasonIn(VersionIn):
    reason: str = ""


class RenewIn(VersionIn):
    expires_on: date


class ContactRequestIn(Schema):
    message: str = ""


class DecideIn(VersionIn):
    grant: bool


def _visible(request, pk: int):
    listing = listing_get_visible(user=request.user, pk=pk)
    if listing is None:
        raise Http404
    return listing


def _detail(request, listing):
    """`listing` re-read as the caller may see it, so a transition's result is shown as stored."""
    return _visible(request, listing.pk)


@router.get("/listings", response=list[ListingOut], summary="供需信息列表")
@paginate(CappedCountPagination, page_size=20)
def listing_list(request, filters: Query[ListingFilters]):
    """Published listings, the caller's organization's listings in every state, and for the bureau and officers
    every listing of their region; filtered like the market's page. No contact details."""
    return filtered(ListingFilter, filters, listings_visible_to(user=request.user), request)


@router.get("/listings/{pk}", response=ListingDetailOut, summary="供需信息详情")
def listing_detail(request, pk: int):
    return _detail(request, _visible(request, pk))


@router.post("/listings", response={201: ListingDetailOut}, summary="新建供需信息（草稿）")
def listing_create_api(request, payload: ListingIn):
    organization_id = payload.organization_id or request.user.active_organization_id
    organization = Organization.objects.filter(pk=organization_id).first() if organization_id else None
    if payload.organization_id and organization is None:
        raise Http404
    data = payload.dict(exclude={"kind", "organization_id"})
    listing = listing_create(organization=organization, kind=payload.kind, data=data, by=request.user)
    return Status(201, _detail(request, listing))


@router.patch("/listings/{pk}", response=ListingDetailOut, summary="修改供需信息")
def listing_update_api(request, pk: int, payload: ListingPatch):
    """Only the fields sent are changed. Changing what the public sees of a published listing sends it back to
    待审核. A stale `version` is refused with 409."""
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if k in FIELDS}
    listing = listing_update(
        listing=_visible(request, pk), data=data, expected_version=payload.version, by=request.user
    )
    return _detail(request, listing)


@router.post("/listings/{pk}/submit", response=ListingDetailOut, summary="提交审核")
def listing_submit_api(request, pk: int, payload: VersionIn):
    done = listing_submit(listing=_visible(request, pk), by=request.user, expected_version=payload.version)
    return _detail(request, done)


@router.post("/listings/{pk}/publish", response=ListingDetailOut, summary="审核发布")
def listing_publish_api(request, pk: int, payload: VersionIn):
    done = listing_publish(listing=_visible(request, pk), by=request.user, expected_version=payload.version)
    return _detail(request, done)


@router.post("/listings/{pk}/return", response=ListingDetailOut, summary="退回修改")
def listing_return_api(request, pk: int, payload: ReasonIn):
    done = listing_return(
        listing=_visible(request, pk),
        reason=payload.reason,
        by=request.user,
        expected_version=payload.version,
    )
    return _detail(request, done)


@router.post("/listings/{pk}/withdraw", response=ListingDetailOut, summary="撤回")
def listing_withdraw_api(request, pk: int, payload: ReasonIn):
    done = listing_withdraw(
        listing=_visible(request, pk),
        reason=payload.reason,
        by=request.user,
        expected_version=payload.version,
    )
    return _detail(request, done)


@router.post("/listings/{pk}/renew", response=ListingDetailOut, summary="续期")
def listing_renew_api(request, pk: int, payload: RenewIn):
    done = listing_renew(
        listing=_visible(request, pk),
        expires_on=payload.expires_on,
        by=request.user,
        expected_version=payload.version,
    )
    return _detail(request, done)


@router.post("/listings/{pk}/contact-requests", response={201: ContactRequestOut}, summary="申请查看联系方式")
def contact_request_create_api(request, pk: int, payload: ContactRequestIn):
    done = contact_request_create(listing=_visible(request, pk), message=payload.message, by=request.user)
    return Status(201, done)


@router.get("/contact-requests", response=list[ContactRequestOut], summary="联系方式申请")
@paginate(PageNumberPagination, page_size=50)
def contact_request_list(request, box: str = "received"):
    """`box=received`: requests to the caller's organization; `box=sent`: the caller's own."""
    if box == "received":
        return contact_requests_received(user=request.user)
    if box == "sent":
        return contact_requests_sent(user=request.user)
    raise DomainError(_("box 只能是 received 或 sent。"), field="box")


@router.post("/contact-requests/{pk}/decide", response=ContactRequestOut, summary="同意或拒绝联系方式申请")
def contact_request_decide_api(request, pk: int, payload: DecideIn):
    found = contact_requests_received(user=request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return contact_request_decide(
        request=found, grant=payload.grant, by=request.user, expected_version=payload.version
    )
