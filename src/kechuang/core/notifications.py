from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from .models import Notification


def notify(*, recipients, subject: str, body: str = "", link: str = "", dedupe_key: str = "") -> int:
    """Put a message in each recipient's inbox and e-mail those who have an address.

    With a `dedupe_key` a recipient gets the message once however often the job runs (jobs may run
    twice). Returns how many new messages were created.
    """
    recipients = list(recipients)
    with transaction.atomic():
        already = set()
        if dedupe_key:
            already = set(
                Notification.objects.filter(recipient__in=recipients, dedupe_key=dedupe_key).values_list(
                    "recipient_id", flat=True
                )
            )
        fresh = [user for user in recipients if user.pk not in already]
        # ignore_conflicts: the same job running twice at once must not fail on the unique constraint.
        Notification.objects.bulk_create(
            [
                Notification(recipient=u, subject=subject, body=body, link=link, dedupe_key=dedupe_key)
                for u in fresh
            ],
            ignore_conflicts=True,
        )
    mails = [
        (subject, f"{body}\n\n{link}".strip(), settings.DEFAULT_FROM_EMAIL, [u.email])
        for u in fresh
        if u.email
    ]
    if mails:
        send_mass_mail(mails, fail_silently=True)
    return len(fresh)
