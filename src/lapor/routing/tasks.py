from celery import shared_task


@shared_task(name="lapor.routing.tasks.retrain")
def retrain() -> dict:
    """Weekly: retrain the agency and topic models from the newest history."""
    from .suggest import routing_train  # heavy: scikit-learn only when training (a worker starts without it)

    return {label: routing_train(label=label) for label in ("agency", "topic")}
