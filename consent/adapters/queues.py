"""RQ queue names and construction, shared by the web side (enqueues) and workers (dequeue)."""

from __future__ import annotations

from typing import Final

import redis
from rq import Queue
from rq.serializers import JSONSerializer

CONSENT_QUEUE: Final = "consent"
KOSKI_QUEUE: Final = "koski"
MAINTENANCE_QUEUE: Final = "maintenance"

# Workers listen in this order: binding a consent comes before sending to KOSKI.
QUEUES_BY_PRIORITY: Final = (CONSENT_QUEUE, KOSKI_QUEUE, MAINTENANCE_QUEUE)


def queue(name: str, connection: redis.Redis) -> Queue:
    """An RQ queue with the JSON serializer: job arguments are row ids, never pickles."""
    return Queue(name, connection=connection, serializer=JSONSerializer)
