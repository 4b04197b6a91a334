"""Daily jobs of the market's listings (run through kechuang.core.jobs).

`market.daily` runs once a day (Celery beat in production, cron in the embedded default): it takes published
listings whose 有效期至 has passed off the market (已过期), then reminds the owners of listings that expire within
REMIND_DAYS. Both are safe to run twice: expiry moves only published listings, and each reminder has a dedupe
key per listing and date, so a listing renewed to a later date is reminded again before that date.
"""

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kechuang.core.errors import DomainError
from kechuang.core.jobs import enqueue, job
from kechuang.core.notifications import notify

from .enums import ListingState
from .listings import LISTING_WORKFLOW, ListingAction, owner_users
from .models import Listing

REMIND_DAYS = 7


def _day(today) -> date:
    if today is None:
        return timezone.localdate()
    return today if isinstance(today, date) else date.fromisoformat(today)


@job("market.listings_expire")
def listings_expire(today=None) -> int:
    """Move published listings with expires_on before `today` to 已过期 (one transition each, by the system);
    the owners are told they can renew. Returns how many expired."""
    day = _day(today)
    due = list(
        Listing.objects.filter(state=ListingState.PUBLISHED, expires_on__lt=day)
        .order_by("expires_on", "pk")
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in due:
        try:
            with transaction.atomic():
                listing = LISTING_WORKFLOW.apply(
                    instance=Listing(pk=pk),
                    action=ListingAction.EXPIRE,
                    by=None,
                    reason=_("有效期已过"),
                    check=lambda locked: _still_due(locked, day),
                )
                notify(
                    recipients=owner_users(listing.organization_id),
                    subject=_("信息已过期：%(title)s") % {"title": listing.title},
                    body=_("该信息的有效期至%(day)s，已从技术市场下架。如需继续展示，请续期。")
                    % {"day": listing.expires_on.isoformat()},
                    link=reverse("market:listing_detail", args=[listing.pk]),
                    dedupe_key=f"listing-expired-{listing.pk}-{listing.expires_on.isoformat()}",
                )
                enqueue("market.listing_changed", listing_id=listing.pk)
        except DomainError:
            continue  # renewed or withdrawn since the list was read
        expired += 1
    return expired


def _still_due(locked: Listing, day: date) -> None:
    if locked.expires_on >= day:
        raise DomainError(_("该信息已续期。"))


@job("market.listing_expiry_reminders")
def listing_expiry_reminders(today=None) -> int:
    """Remind the owner's users of published listings that expire within REMIND_DAYS days (once per listing and
    date). Returns how many messages were created."""
    day = _day(today)
    expiring = (
        Listing.objects.filter(
            state=ListingState.PUBLISHED,
            expires_on__gte=day,
            expires_on__lte=day + timedelta(days=REMIND_DAYS),
        )
        .only("pk", "title", "expires_on", "organization_id", "kind")
        .order_by("expires_on", "pk")
    )
    sent = 0
    for listing in expiring.iterator(chunk_size=500):
        days_left = (listing.expires_on - day).days
        sent += notify(
            recipients=owner_users(listing.organization_id),
            subject=_("信息即将到期：%(title)s") % {"title": listing.title},
            body=ngettext(
                "该信息将于%(day)s到期（还有%(n)d天），到期后将从技术市场下架。如需继续展示，请续期。",
                "该信息将于%(day)s到期（还有%(n)d天），到期后将从技术市场下架。如需继续展示，请续期。",
                days_left,
            )
            % {"day": listing.expires_on.isoformat(), "n": days_left},
            link=reverse("market:listing_detail", args=[listing.pk]),
            dedupe_key=f"listing-expiry-{listing.pk}-{listing.expires_on.isoformat()}",
        )
    return sent


@job("market.daily")
def daily(today=None) -> dict:
    """The market's daily run: expire first, so a listing past its date is not also reminded."""
    day = _day(today).isoformat()
    return {
        "listings_expired": listings_expire(today=day),
        "listing_expiry_reminders": listing_expiry_reminders(today=day),
    }
