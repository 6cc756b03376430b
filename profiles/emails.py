"""Emails, rendered from subject / text / HTML templates under templates/emails/.

Emails say that something happened and link to the site; they never carry what a
responder wrote or chose.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

# Options for every Celery task that sends email: acknowledged only once done, so a lost
# worker's task runs again, and retried with growing delays while the mail server fails.
MAIL_TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    # SMTP errors, refused connections and timeouts are all OSErrors.
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 12,
}


def send_templated_email(*, to: str, template: str, context: dict[str, Any]) -> None:
    """Send emails/<template>-subject.txt, -body.txt and -body.html to one address."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}-subject.txt", context).split())
    text = render_to_string(f"emails/{template}-body.txt", context)
    html = render_to_string(f"emails/{template}-body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()
