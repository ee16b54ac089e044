"""Provisioned concurrency: environments of a published version initialised ahead and kept warm."""
import json
import os
import signal
import time

import pytest
from botocore.exceptions import ClientError

from conftest import error_of, make_role, make_zip
from test_invoke import create, function_inits, wait_for  # noqa: F401

CODE = r'''
import os, time
INIT_AT = time.time()


def handler(event, context):
    return {"type": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"], "init_at": INIT_AT,
            "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"]}
'''


def published(lam, role, **kwargs):
    name = create(lam, role, zip_bytes=make_zip({"index.py": CODE}), Timeout=30, **kwargs)
    return name, lam.publish_version(FunctionName=name)["Version"]


def provisioned_one(daemon_factory):
    """A daemon, its Lambda client, and a published function with one provisioned environment
    asked for (not waited for)."""
    d = daemon_factory()
    lam = d.client("lambda", read_timeout=60)
    name, version = published(lam, make_role(d))
    lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier=version,
                                           ProvisionedConcurrentExecutions=1)
    return d, lam, name, version


def ready(lam, name, version, timeout=20):
    def check():
        got = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
        return got["Status"] == "READY"
    return wait_for(check, timeout)


def test_provisioned_environments_are_initialised_ahead_and_serve_without_a_cold_start(
        daemon_factory):
    d = daemon_factory(extra_args=["--keep-alive", "1"])
    lam = d.client("lambda", read_timeout=60)
    name, version = published(lam, make_role(d))
    put = lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier=version,
                                                 ProvisionedConcurrentExecutions=2)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["RequestedProvisionedConcurrentExecutions"] == 2
    assert put["Status"] == "IN_PROGRESS"
    assert ready(lam, name, version)
    got = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    assert got["AllocatedProvisionedConcurrentExecutions"] == 2
    assert got["AvailableProvisionedConcurrentExecutions"] == 2
    assert len(function_inits(d, name)) == 2, "both initialised before any invocation"

    before = time.time()
    r = lam.invoke(FunctionName=name, Qualifier=version, LogType="Tail")
    body = json.loads(r["Payload"].read())
    assert body["type"] == "provisioned-concurrency" and body["version"] == version
    assert body["init_at"] < before, "the init ran ahead of the invocation"
    import base64
    report = base64.b64decode(r["LogResult"]).decode().strip().split("\n")[-1]
    assert report.startswith("REPORT") and "Init Duration" not in report, report

    # Kept past the keep-alive (1 s), unlike an on-demand environment of $LATEST.
    lam.invoke(FunctionName=name)
    time.sleep(3)
    assert len(function_inits(d, name)) == 2
    got = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    assert got["Status"] == "READY"


def test_a_provisioned_environment_that_dies_is_replaced(daemon_factory):
    d, lam, name, version = provisioned_one(daemon_factory)
    assert ready(lam, name, version)
    [first] = function_inits(d, name)
    os.kill(first, signal.SIGKILL)
    assert wait_for(lambda: function_inits(d, name) not in ([], [first]), 20)
    assert ready(lam, name, version)


def test_configs_are_listed_deleted_and_survive_a_restart(daemon_factory):
    d, lam, name, version = provisioned_one(daemon_factory)
    listed = lam.list_provisioned_concurrency_configs(FunctionName=name)
    [config] = listed["ProvisionedConcurrencyConfigs"]
    assert config["FunctionArn"].endswith(f":{name}:{version}")
    assert config["RequestedProvisionedConcurrentExecutions"] == 1
    d.restart()
    lam = d.client("lambda", read_timeout=60)
    assert ready(lam, name, version), "provisioned again after a restart"
    lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    assert wait_for(lambda: function_inits(d, name) == [], 20)
    with pytest.raises(ClientError) as e:
        lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    assert error_of(e)[:2] == ("ProvisionedConcurrencyConfigNotFoundException", 404)
    assert lam.list_provisioned_concurrency_configs(
        FunctionName=name)["ProvisionedConcurrencyConfigs"] == []


def test_deleting_the_function_stops_its_provisioned_environments(daemon_factory):
    d, lam, name, version = provisioned_one(daemon_factory)
    assert ready(lam, name, version)
    lam.delete_function(FunctionName=name)
    assert wait_for(lambda: function_inits(d, name) == [], 20)
    time.sleep(1.5)  # the reaper's pass would start them again if anything were left wanted
    assert function_inits(d, name) == []


def test_bad_configs_are_refused(daemon_factory):
    d = daemon_factory()
    lam = d.client("lambda", read_timeout=60)
    name, version = published(lam, make_role(d))
    with pytest.raises(ClientError) as e:
        lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="$LATEST",
                                               ProvisionedConcurrentExecutions=1)
    assert error_of(e)[:2] == ("InvalidParameterValueException", 400)
    assert "unpublished function versions" in error_of(e)[2]
    with pytest.raises(ClientError) as e:
        lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="7",
                                               ProvisionedConcurrentExecutions=1)
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    status, headers, body = d.request(
        "PUT", f"/2019-09-30/functions/{name}/provisioned-concurrency?Qualifier={version}",
        json.dumps({"ProvisionedConcurrentExecutions": 0}))
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationException"), body
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
    with pytest.raises(ClientError) as e:
        lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier=version,
                                               ProvisionedConcurrentExecutions=3)
    assert error_of(e)[:2] == ("InvalidParameterValueException", 400)
    assert "reservedConcurrentExecution" in error_of(e)[2]
    with pytest.raises(ClientError) as e:
        lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    assert error_of(e)[:2] == ("ProvisionedConcurrencyConfigNotFoundException", 404)
    assert function_inits(d, name) == []


def test_provisioned_concurrency_on_an_alias_follows_the_alias_to_its_new_version(daemon_factory):
    d = daemon_factory()
    lam = d.client("lambda", read_timeout=60)
    name, v1 = published(lam, make_role(d))
    lam.update_function_configuration(FunctionName=name, Description="second")
    lam.get_waiter("function_updated").wait(FunctionName=name)
    v2 = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=v1)
    lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="live",
                                           ProvisionedConcurrentExecutions=1)
    assert ready(lam, name, "live")

    def through_alias():
        r = lam.invoke(FunctionName=name, Qualifier="live")
        return r["ExecutedVersion"], json.loads(r["Payload"].read())

    executed, body = through_alias()
    assert executed == v1 and body["type"] == "provisioned-concurrency"
    lam.update_alias(FunctionName=name, Name="live", FunctionVersion=v2)
    assert ready(lam, name, "live")
    executed, body = through_alias()
    assert executed == v2 and body["type"] == "provisioned-concurrency"
    listed = lam.list_provisioned_concurrency_configs(FunctionName=name)
    assert [c["FunctionArn"].rsplit(":", 1)[1] for c in listed["ProvisionedConcurrencyConfigs"]] \
        == ["live"]
    # Not on an alias of $LATEST, which is not published.
    lam.create_alias(FunctionName=name, Name="edge", FunctionVersion="$LATEST")
    with pytest.raises(ClientError) as e:
        lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="edge",
                                               ProvisionedConcurrentExecutions=1)
    assert error_of(e)[0] == "InvalidParameterValueException"
    lam.delete_alias(FunctionName=name, Name="live")
    assert lam.list_provisioned_concurrency_configs(
        FunctionName=name)["ProvisionedConcurrencyConfigs"] == []
