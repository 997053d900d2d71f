"""Publishing while the broker is down: one failed attempt, then refusals without trying."""

import uuid

import pytest
from kombu.exceptions import OperationalError

from qsg import breaker, broker
from qsg.breaker import Breaker
from qsg.cache import ResilientRedisCache
from qsg.tasks import worker_heartbeat


def test_a_failed_server_is_not_tried_until_its_rest_is_over():
    b = Breaker("test", rest=3600)
    assert b.allow()
    b.failed()
    assert not b.allow() and not b.allow()
    b.succeeded()
    assert b.allow()


def test_after_the_rest_one_caller_tries_and_the_others_wait_for_its_answer():
    b = Breaker("test", rest=0)
    b.failed()
    assert b.allow()  # the probe
    assert not b.allow()  # everyone else, while the probe is out
    b.failed()  # the server is still down
    assert b.allow()
    b.succeeded()  # it is back: everyone may try
    assert b.allow() and b.allow()


def test_an_unrelated_error_does_not_keep_the_breaker_open():
    b = Breaker("test", rest=0)
    b.failed()
    with pytest.raises(ValueError), b.attempt((OSError,)):
        raise ValueError("a bug, not an outage")
    assert b.allow()  # the probe slot was given back


def test_breakers_are_per_server():
    assert breaker.for_url("redis://10.0.0.1:6379/0") is breaker.for_url("redis://10.0.0.1/1")
    assert breaker.for_url("redis://10.0.0.1:6379/0") is not breaker.for_url("redis://10.0.0.2/0")


def test_a_publish_to_a_down_broker_fails_once_then_is_refused_without_trying(
    broker_at, closed_port
):
    broker_at(f"redis://127.0.0.1:{closed_port}/0")
    with pytest.raises(OperationalError):
        broker.publish(worker_heartbeat, {})
    # The next publishes do not reach for the broker: refused by the breaker itself.
    for _ in range(3):
        with pytest.raises(breaker.Open):
            broker.publish(worker_heartbeat, {})


def test_a_cache_failure_on_the_brokers_server_refuses_publishes_at_once(broker_at, closed_port):
    url = f"redis://127.0.0.1:{closed_port}/0"
    broker_at(url)
    cache = ResilientRedisCache(url, {"OPTIONS": {"socket_connect_timeout": 1}})
    assert cache.get("throttle") is None  # the request's rate limit found Redis down
    with pytest.raises(breaker.Open):
        broker.publish(worker_heartbeat, {})


def test_with_the_broker_up_every_publish_is_sent(broker_at):
    from django.conf import settings

    from qsg.celery import app

    broker_at(settings.CELERY_BROKER_URL)
    queue = f"qsgtest-publish-{uuid.uuid4().hex[:10]}"  # nobody consumes it
    for _ in range(3):
        broker.publish(worker_heartbeat, {}, queue=queue)
    assert not broker.breaker_for_broker().is_open
    with app.connection_for_write() as connection:
        redis = connection.default_channel.client
        try:
            assert redis.llen(queue) == 3
        finally:
            redis.delete(queue)
