from celery import shared_task


@shared_task(name="lapor.intake.tasks.imap_poll")
def imap_poll() -> int:
    from .mail import imap_poll as poll

    return poll()
