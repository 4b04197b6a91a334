from django.db.models import Count
from django.shortcuts import render

from kechuang.organizations.enums import VerificationStatus
from kechuang.organizations.models import Organization
from kechuang.regions.models import Region


def home(request):
    """The public portal: what the platform offers, and the way in for each kind of user."""
    by_kind = dict(
        Organization.objects.filter(status=VerificationStatus.VERIFIED)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    counties = Region.objects.filter(level="county", parent_id="330600").order_by("code")
    return render(request, "portal/home.html", {"by_kind": by_kind, "counties": counties})
