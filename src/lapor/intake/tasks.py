from celery import shared_task

from .mail import imap_poll as poll


@shared_task(name="lapor.intake.tasks.imap_poll")
def imap_poll() -> int:
    return poll()
