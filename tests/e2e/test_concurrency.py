"""Concurrency control: Put/Get/DeleteFunctionConcurrency, the account's limit and its unreserved
minimum of 100, and the 429 TooManyRequestsException a synchronous invoke gets when a limit is
hit (with AWS's Reason and Retry-After)."""

import concurrent.futures
import contextlib
import json
import time

import botocore.exceptions
import pytest

from conftest import make_role
from test_invoke import SLEEPY_PY, create, exec_role, invoke, lam  # noqa: F401 (fixtures)


def throttle(lam, name, event=None):
    """The TooManyRequestsException error of an invoke that must be throttled."""
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.invoke(FunctionName=name, Payload=json.dumps(event or {}))
    return e.value.response


@contextlib.contextmanager
def busy(lam, name, count=1):
    """Keeps `count` invocations of `name` (SLEEPY_PY) running through the body of the with; each
    must then succeed."""
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        running = [pool.submit(invoke, lam, name, {"sleep": 2}) for _ in range(count)]
        time.sleep(1.0)
        yield
        assert all(r.result().function_error is None for r in running)


def assert_throttled(response, reason):
    assert response["Error"]["Code"] == "TooManyRequestsException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["Reason"] == reason
    assert response["Type"] == "User"
    assert response["message"] == "Rate Exceeded."
    assert response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "1"


def test_put_get_delete_function_concurrency(daemon, lam, exec_role):
    name = create(lam, exec_role, {"index.py": SLEEPY_PY})
    assert lam.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions") \
        is None
    assert "Concurrency" not in lam.get_function(FunctionName=name)
    before = lam.get_account_settings()["AccountLimit"]
    assert before["ConcurrentExecutions"] == 1000

    r = lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=7)
    assert r["ReservedConcurrentExecutions"] == 7
    assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 7
    assert lam.get_function(FunctionName=name)["Concurrency"] == {"ReservedConcurrentExecutions": 7}
    after = lam.get_account_settings()["AccountLimit"]
    assert after["UnreservedConcurrentExecutions"] == before["UnreservedConcurrentExecutions"] - 7

    # The CLI, too.
    _, out, _ = daemon.cli("lambda", "put-function-concurrency", "--function-name", name,
                           "--reserved-concurrent-executions", "3")
    assert out == {"ReservedConcurrentExecutions": 3}
    assert invoke(lam, name).function_error is None  # 3 allows this one

    lam.delete_function_concurrency(FunctionName=name)
    assert lam.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions") \
        is None
    assert lam.get_account_settings()["AccountLimit"] == before


def test_reservations_leave_100_unreserved(lam, exec_role):
    a = create(lam, exec_role, {"index.py": SLEEPY_PY})
    b = create(lam, exec_role, {"index.py": SLEEPY_PY})
    lam.put_function_concurrency(FunctionName=a, ReservedConcurrentExecutions=900)
    try:
        with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
            lam.put_function_concurrency(FunctionName=b, ReservedConcurrentExecutions=1)
        assert e.value.response["message"] == (
            "Specified ReservedConcurrentExecutions for function decreases account's "
            "UnreservedConcurrentExecution below its minimum value of [100].")
        # Changing a's own reservation counts a's old one out.
        lam.put_function_concurrency(FunctionName=a, ReservedConcurrentExecutions=899)
        lam.put_function_concurrency(FunctionName=b, ReservedConcurrentExecutions=1)
        assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 100
    finally:
        lam.delete_function_concurrency(FunctionName=a)
        lam.delete_function(FunctionName=b)  # its reservation goes with it
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 1000


@pytest.mark.parametrize("body, message", [
    ({}, "Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member "
         "must not be null"),
    ({"ReservedConcurrentExecutions": -1},
     "Value '-1' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must "
     "have value greater than or equal to 0"),
])
def test_put_function_concurrency_validation(daemon, lam, exec_role, body, message):
    name = create(lam, exec_role, {"index.py": SLEEPY_PY})
    status, headers, raw = daemon.request(
        "PUT", f"/2017-10-31/functions/{name}/concurrency", json.dumps(body).encode())
    assert status == 400
    assert headers["x-amzn-errortype"] == "ValidationException"
    assert json.loads(raw)["message"] == "1 validation error detected: " + message


def test_reserved_concurrency_zero_blocks_every_invoke(lam, exec_role):
    name = create(lam, exec_role, {"index.py": SLEEPY_PY})
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    assert_throttled(throttle(lam, name), "ReservedFunctionConcurrentInvocationLimitExceeded")
    # DryRun only validates: it is not throttled.
    assert lam.invoke(FunctionName=name, InvocationType="DryRun")["StatusCode"] == 204
    lam.delete_function_concurrency(FunctionName=name)
    assert invoke(lam, name).function_error is None


def test_reserved_concurrency_one_throttles_the_second_concurrent_invoke(lam, exec_role):
    name = create(lam, exec_role, {"index.py": SLEEPY_PY}, Timeout=10)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    invoke(lam, name)  # warm, so the next one is busy for its whole sleep
    with busy(lam, name):
        assert_throttled(throttle(lam, name), "ReservedFunctionConcurrentInvocationLimitExceeded")
    # The slot came back with the answer.
    assert invoke(lam, name).function_error is None


def test_account_limit_throttles_unreserved_functions(daemon_factory):
    d = daemon_factory(extra_args=["--concurrency-limit", "1"])
    lam = d.client("lambda", read_timeout=60)
    role = make_role(d)
    name = create(lam, role, {"index.py": SLEEPY_PY}, Timeout=10)
    other = create(lam, role, {"index.py": SLEEPY_PY})
    settings = lam.get_account_settings()["AccountLimit"]
    assert settings["ConcurrentExecutions"] == 1
    assert settings["UnreservedConcurrentExecutions"] == 1
    # No reservation fits: it would leave fewer than 100 unreserved.
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    invoke(lam, name)
    with busy(lam, name):
        # Any function: they share the account's one.
        assert_throttled(throttle(lam, other), "ConcurrentInvocationLimitExceeded")
    assert invoke(lam, other).function_error is None


def test_reservation_survives_a_restart(daemon_factory):
    d = daemon_factory()
    lam = d.client("lambda")
    name = create(lam, make_role(d), {"index.py": SLEEPY_PY})
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    d.restart()
    lam = d.client("lambda")
    assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 0
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 1000
    assert_throttled(throttle(lam, name), "ReservedFunctionConcurrentInvocationLimitExceeded")


def test_scaling_rate_throttles_new_environments_past_it(daemon_factory):
    # At most 2 new environments per 10 s: a third concurrent invoke needs a third, and is
    # throttled; warm environments keep serving.
    d = daemon_factory(extra_args=["--scaling-rate", "2"])
    lam = d.client("lambda", read_timeout=60, max_pool_connections=8)
    name = create(lam, make_role(d), {"index.py": SLEEPY_PY}, Timeout=10)
    with busy(lam, name, count=2):
        assert_throttled(throttle(lam, name), "FunctionInvocationRateLimitExceeded")
    assert not invoke(lam, name).cold


def test_memory_budget_reaps_idle_environments_then_throttles(daemon_factory):
    # Room for 300 MB of environments: a 256 MB and a 128 MB one do not fit together.
    d = daemon_factory(extra_args=["--memory-budget", "300"])
    lam = d.client("lambda", read_timeout=60)
    role = make_role(d)
    big = create(lam, role, {"index.py": SLEEPY_PY}, MemorySize=256, Timeout=10)
    small = create(lam, role, {"index.py": SLEEPY_PY}, MemorySize=128)
    assert invoke(lam, big).cold
    # The idle 256 MB environment is reaped to make room for the 128 MB one, and back.
    assert invoke(lam, small).cold
    assert invoke(lam, big).cold
    with busy(lam, big):
        # Nothing idle to reap: the busy 256 MB one leaves no room.
        response = throttle(lam, small)
        assert response["Error"]["Code"] == "TooManyRequestsException"
        assert response["Reason"] == "ConcurrentInvocationLimitExceeded"
        assert "memory budget" in response["message"]
    assert invoke(lam, small).function_error is None
