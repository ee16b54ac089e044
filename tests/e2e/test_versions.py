"""Versions: PublishVersion, ListVersionsByFunction, qualified reads, invokes and deletes."""
import io
import json
import urllib.request
import zipfile

import pytest
from botocore.exceptions import ClientError

from conftest import error_of, make_role, make_zip
from test_invoke import create

CODE = "import os\ndef handler(event, context):\n    return {{'code': '{tag}', " \
       "'version': os.environ['AWS_LAMBDA_FUNCTION_VERSION'], " \
       "'arn': context.invoked_function_arn, 'stream': context.log_stream_name}}\n"


def code(tag):
    return make_zip({"index.py": CODE.format(tag=tag)})


@pytest.fixture(scope="module")
def role(daemon):
    return make_role(daemon)


def test_publish_numbers_versions_and_an_unchanged_function_gets_the_last_one(lam, role):
    name = create(lam, role, zip_bytes=code("one"))
    v1 = lam.publish_version(FunctionName=name, Description="first")
    assert v1["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert v1["Version"] == "1" and v1["FunctionArn"].endswith(f":function:{name}:1")
    assert v1["Description"] == "first"
    assert lam.publish_version(FunctionName=name)["Version"] == "1", "nothing changed"
    lam.update_function_code(FunctionName=name, ZipFile=code("two"))
    v2 = lam.publish_version(FunctionName=name)
    assert v2["Version"] == "2" and v2["CodeSha256"] != v1["CodeSha256"]
    lam.update_function_configuration(FunctionName=name, MemorySize=256)
    lam.get_waiter("function_updated").wait(FunctionName=name)
    v3 = lam.publish_version(FunctionName=name)
    assert v3["Version"] == "3" and v3["MemorySize"] == 256
    # The versions keep what they were.
    assert lam.get_function_configuration(FunctionName=name, Qualifier="2")["MemorySize"] == 128


def test_publish_checks_code_sha_and_revision(lam, role):
    name = create(lam, role, zip_bytes=code("one"))
    latest = lam.get_function_configuration(FunctionName=name)
    with pytest.raises(ClientError) as e:
        lam.publish_version(FunctionName=name, CodeSha256="x" * 44)
    assert error_of(e)[0] == "InvalidParameterValueException"
    assert "is different from current CodeSHA256 in $LATEST" in error_of(e)[2]
    with pytest.raises(ClientError) as e:
        lam.publish_version(FunctionName=name, RevisionId="not-the-revision")
    assert error_of(e)[0] == "PreconditionFailedException"
    v = lam.publish_version(FunctionName=name, CodeSha256=latest["CodeSha256"],
                            RevisionId=latest["RevisionId"])
    assert v["Version"] == "1"


def test_list_versions_pages_latest_first_then_by_number(lam, role):
    name = create(lam, role, zip_bytes=code("a"))
    for tag in "bcd":
        lam.publish_version(FunctionName=name)
        lam.update_function_code(FunctionName=name, ZipFile=code(tag))
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2", "3"]
    seen, marker = [], None
    while True:
        kwargs = {"Marker": marker} if marker else {}
        page = lam.list_versions_by_function(FunctionName=name, MaxItems=1, **kwargs)
        seen += [v["Version"] for v in page["Versions"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert seen == ["$LATEST", "1", "2", "3"]
    listed = lam.list_functions(FunctionVersion="ALL")["Functions"]
    assert [f["Version"] for f in listed if f["FunctionName"] == name] == ["$LATEST", "1", "2", "3"]
    assert all(f["Version"] == "$LATEST" for f in lam.list_functions()["Functions"])


def test_invoke_runs_the_version_named_and_reports_it(lam, role):
    name = create(lam, role, zip_bytes=code("one"))
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=code("two"))
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=code("latest"))
    for how, kwargs, tag, version in [
            ("qualifier", {"FunctionName": name, "Qualifier": "1"}, "one", "1"),
            ("qualified name", {"FunctionName": f"{name}:2"}, "two", "2"),
            ("unqualified", {"FunctionName": name}, "latest", "$LATEST")]:
        r = lam.invoke(Payload=b"{}", LogType="Tail", **kwargs)
        body = json.loads(r["Payload"].read())
        assert r["ExecutedVersion"] == version, how
        assert body["code"] == tag and body["version"] == version, (how, body)
        assert f"[{version}]" in body["stream"], (how, body)
        if version != "$LATEST":
            assert body["arn"].endswith(f":{name}:{version}"), (how, body)
    # Each version warm in its own environment, $LATEST's code change notwithstanding.
    assert json.loads(lam.invoke(FunctionName=name, Qualifier="1")["Payload"].read())["code"] == "one"


def test_changing_latest_leaves_a_versions_warm_environment_alone(lam, role):
    name = create(lam, role, zip_bytes=code("one"))
    lam.publish_version(FunctionName=name)
    lam.invoke(FunctionName=name, Qualifier="1")
    lam.update_function_code(FunctionName=name, ZipFile=code("two"))
    lam.update_function_configuration(FunctionName=name, MemorySize=256)
    r = lam.invoke(FunctionName=name, Qualifier="1", LogType="Tail")
    import base64
    assert "Init Duration" not in base64.b64decode(r["LogResult"]).decode(), "still warm"
    r = lam.invoke(FunctionName=name, LogType="Tail")
    assert "Init Duration" in base64.b64decode(r["LogResult"]).decode(), "$LATEST is new"


def test_get_function_of_a_version_gives_its_configuration_and_code(daemon, lam, role):
    name = create(lam, role, zip_bytes=code("one"))
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=code("two"))
    got = lam.get_function(FunctionName=name, Qualifier="1")
    assert got["Configuration"]["Version"] == "1"
    with urllib.request.urlopen(got["Code"]["Location"], timeout=10) as r:
        files = zipfile.ZipFile(io.BytesIO(r.read()))
    assert "'one'" in files.read("index.py").decode()
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=name, Qualifier="9")
    assert error_of(e)[0] == "ResourceNotFoundException"
    assert f"function:{name}:9" in error_of(e)[2]


def test_a_published_version_cannot_be_changed(lam, role):
    name = create(lam, role, zip_bytes=code("one"))
    lam.publish_version(FunctionName=name)
    with pytest.raises(ClientError) as e:
        lam.update_function_configuration(FunctionName=f"{name}:1", MemorySize=512)
    assert error_of(e)[0] == "InvalidParameterValueException"
    assert lam.get_function_configuration(FunctionName=name, Qualifier="1")["MemorySize"] == 128


def test_delete_a_version_keeps_the_others_and_numbers_are_not_reused(lam, role):
    name = create(lam, role, zip_bytes=code("one"))
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=code("two"))
    lam.publish_version(FunctionName=name)
    lam.delete_function(FunctionName=name, Qualifier="2")
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=name, Qualifier="2")
    assert error_of(e)[0] == "ResourceNotFoundException"
    assert json.loads(lam.invoke(FunctionName=name, Qualifier="1")["Payload"].read())["code"] == "one"
    lam.update_function_code(FunctionName=name, ZipFile=code("three"))
    assert lam.publish_version(FunctionName=name)["Version"] == "3"
    with pytest.raises(ClientError) as e:
        lam.delete_function(FunctionName=name, Qualifier="$LATEST")
    assert error_of(e)[0] == "InvalidParameterValueException"
    lam.delete_function(FunctionName=name)
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=name, Qualifier="1")
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_versions_survive_a_restart(daemon_factory):
    d = daemon_factory()
    lam = d.client("lambda", read_timeout=60)
    name = create(lam, make_role(d), zip_bytes=code("one"))
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=code("two"))
    d.kill9()
    d.start()
    lam = d.client("lambda", read_timeout=60)
    assert json.loads(lam.invoke(FunctionName=name, Qualifier="1")["Payload"].read())["code"] == "one"
    assert lam.publish_version(FunctionName=name)["Version"] == "2"


def test_cli_publishes_and_lists(daemon, lam, role):
    name = create(lam, role, zip_bytes=code("one"))
    _, out, _ = daemon.cli("lambda", "publish-version", "--function-name", name)
    assert out["Version"] == "1"
    _, out, _ = daemon.cli("lambda", "list-versions-by-function", "--function-name", name)
    assert [v["Version"] for v in out["Versions"]] == ["$LATEST", "1"]
