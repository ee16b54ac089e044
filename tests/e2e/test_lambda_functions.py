"""The Lambda control plane end to end: the CLI tour, then every function operation via boto3."""
import base64
import hashlib
import json
import os
import urllib.request

import botocore.exceptions
import pytest

from conftest import (ACCOUNT, HANDLER_ZIP_FILES, REGION, error_of, make_role, make_zip,
                      unique)

ARN_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
LAYER_1 = f"arn:aws:lambda:{REGION}:123456789012:layer:shared-libs:3"
LAYER_2 = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:my_layer-2:17"


def sha256_b64(data):
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def download(location):
    with urllib.request.urlopen(location, timeout=10) as r:
        assert r.status == 200
        return r.read()


def create(lam, role, name=None, zip_bytes=None, **kwargs):
    params = dict(FunctionName=name or unique(), Runtime="python3.12", Role=role,
                  Handler="handler.handler",
                  Code={"ZipFile": zip_bytes or make_zip(HANDLER_ZIP_FILES)})
    params.update(kwargs)
    return lam.create_function(**params)


@pytest.fixture(scope="module")
def lam(daemon):
    return daemon.client("lambda")


# --- the tour, with the AWS CLI ---------------------------------------------------------------


def test_cli_tour(daemon, tmp_path):
    """The README's tour, command by command."""
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]})
    _, role, _ = daemon.cli("iam", "create-role", "--role-name", "lambda-exec",
                            "--assume-role-policy-document", trust)
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/lambda-exec"
    assert role["Role"]["Arn"] == role_arn

    first = make_zip({"app.py": "def handler(event, context):\n"
                                "    return {'hello': event.get('name', 'world')}\n"})
    second = make_zip({"app.py": "def handler(event, context):\n    return 'v2'\n"})
    (tmp_path / "function.zip").write_bytes(first)
    (tmp_path / "v2.zip").write_bytes(second)

    _, created, _ = daemon.cli(
        "lambda", "create-function", "--function-name", "hello", "--runtime", "python3.12",
        "--handler", "app.handler", "--role", role_arn,
        "--zip-file", f"fileb://{tmp_path / 'function.zip'}")
    assert created["FunctionName"] == "hello"
    assert created["FunctionArn"] == ARN_PREFIX + "hello"
    assert created["CodeSha256"] == sha256_b64(first)
    assert created["CodeSize"] == len(first)
    assert created["State"] == "Active"
    assert created["Handler"] == "app.handler"

    _, listed, _ = daemon.cli("lambda", "list-functions")
    assert "hello" in [f["FunctionName"] for f in listed["Functions"]]

    _, got, _ = daemon.cli("lambda", "get-function", "--function-name", "hello")
    assert got["Configuration"]["RevisionId"] == created["RevisionId"]
    assert download(got["Code"]["Location"]) == first

    _, configured, _ = daemon.cli(
        "lambda", "update-function-configuration", "--function-name", "hello",
        "--memory-size", "256", "--environment", "Variables={GREETING=hi}")
    assert configured["MemorySize"] == 256
    assert configured["Environment"] == {"Variables": {"GREETING": "hi"}}
    assert configured["RevisionId"] != created["RevisionId"]

    _, updated, _ = daemon.cli("lambda", "update-function-code", "--function-name", "hello",
                               "--zip-file", f"fileb://{tmp_path / 'v2.zip'}")
    assert updated["CodeSha256"] == sha256_b64(second)
    assert updated["MemorySize"] == 256
    assert updated["RevisionId"] != configured["RevisionId"]

    rc, out, _ = daemon.cli("lambda", "tag-resource", "--resource", ARN_PREFIX + "hello",
                            "--tags", "team=core")
    assert rc == 0
    _, tags, _ = daemon.cli("lambda", "list-tags", "--resource", ARN_PREFIX + "hello")
    assert tags == {"Tags": {"team": "core"}}

    # AWS CLI v2 prints nothing for DeleteFunction's empty 204 (v1 printed {"StatusCode": 204}).
    rc, out, _ = daemon.cli("lambda", "delete-function", "--function-name", "hello")
    assert rc == 0 and out is None
    rc, _, err = daemon.cli("lambda", "get-function", "--function-name", "hello", check=False)
    assert rc != 0
    assert "ResourceNotFoundException" in err
    assert f"Function not found: {ARN_PREFIX}hello" in err

    _, identity, _ = daemon.cli("sts", "get-caller-identity")
    assert identity["Account"] == ACCOUNT


# --- CreateFunction / GetFunction / GetFunctionConfiguration ---------------------------------


def test_create_function_stores_every_field(lam, role):
    name = unique()
    code = make_zip(HANDLER_ZIP_FILES)
    created = create(
        lam, role, name, code,
        Runtime="python3.13", Handler="app.main", Description="all the fields",
        Timeout=42, MemorySize=1536,
        Environment={"Variables": {"STAGE": "test", "LOG_LEVEL": "debug"}},
        Architectures=["arm64"], EphemeralStorage={"Size": 2048},
        Layers=[LAYER_1, LAYER_2], TracingConfig={"Mode": "Active"},
        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG",
                       "SystemLogLevel": "WARN", "LogGroup": "/custom/logs"},
        Tags={"team": "core", "cost-center": "42"})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    expected = {
        "FunctionName": name,
        "FunctionArn": ARN_PREFIX + name,
        "Runtime": "python3.13",
        "Role": role,
        "Handler": "app.main",
        "Description": "all the fields",
        "Timeout": 42,
        "MemorySize": 1536,
        "Environment": {"Variables": {"STAGE": "test", "LOG_LEVEL": "debug"}},
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 2048},
        "TracingConfig": {"Mode": "Active"},
        "LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG",
                          "SystemLogLevel": "WARN", "LogGroup": "/custom/logs"},
        "CodeSha256": sha256_b64(code),
        "CodeSize": len(code),
        "Version": "$LATEST",
        "PackageType": "Zip",
        "State": "Active",
        "LastUpdateStatus": "Successful",
    }
    for key, value in expected.items():
        assert created[key] == value, key
    assert [layer["Arn"] for layer in created["Layers"]] == [LAYER_1, LAYER_2]
    assert len(created["RevisionId"]) == 36
    assert created["LastModified"].endswith("+0000")

    config = lam.get_function_configuration(FunctionName=name)
    for key, value in expected.items():
        assert config[key] == value, key
    assert config["Layers"] == created["Layers"]
    assert config["RevisionId"] == created["RevisionId"]
    assert config["LastModified"] == created["LastModified"]

    got = lam.get_function(FunctionName=name)
    assert got["Tags"] == {"team": "core", "cost-center": "42"}
    assert got["Configuration"]["RevisionId"] == created["RevisionId"]


def test_create_function_defaults(lam, role):
    name = unique()
    created = create(lam, role, name)
    assert created["Timeout"] == 3
    assert created["MemorySize"] == 128
    assert created["Description"] == ""
    assert created["Architectures"] == ["x86_64"]
    assert created["EphemeralStorage"] == {"Size": 512}
    assert created["TracingConfig"] == {"Mode": "PassThrough"}
    assert created["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    assert "Environment" not in created
    assert "Layers" not in created
    assert "Tags" not in lam.get_function(FunctionName=name)


def test_get_function_code_location_returns_exact_zip(lam, role):
    name = unique()
    code = make_zip({"handler.py": "def handler(e, c):\n    return 1\n",
                     "lib/data.bin": os.urandom(20000)})
    create(lam, role, name, code, Tags={"k": "v"})
    got = lam.get_function(FunctionName=name)
    assert got["Code"]["RepositoryType"] == "S3"
    assert download(got["Code"]["Location"]) == code
    assert got["Tags"] == {"k": "v"}
    assert got["Configuration"]["CodeSha256"] == sha256_b64(code)


def test_code_location_is_signed(lam, role):
    name = unique()
    create(lam, role, name)
    location = lam.get_function(FunctionName=name)["Code"]["Location"]
    tampered = location.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    with pytest.raises(urllib.error.HTTPError) as e:
        download(tampered)
    assert e.value.code == 403
    unsigned = location.split("?")[0]
    with pytest.raises(urllib.error.HTTPError) as e:
        download(unsigned)
    assert e.value.code == 403


# --- ListFunctions -----------------------------------------------------------------------------


def test_list_functions_pagination(daemon_factory):
    d = daemon_factory()
    lam = d.client("lambda")
    role = make_role(d)
    names = sorted(unique(f"page{i}") for i in range(7))
    for n in names:
        create(lam, role, n)

    seen, pages, marker = [], [], None
    while True:
        kwargs = {"MaxItems": 3}
        if marker:
            kwargs["Marker"] = marker
        page = lam.list_functions(**kwargs)
        pages.append(len(page["Functions"]))
        seen += [f["FunctionName"] for f in page["Functions"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert pages == [3, 3, 1]
    assert sorted(seen) == names and len(set(seen)) == 7

    everything = lam.list_functions()
    assert sorted(f["FunctionName"] for f in everything["Functions"]) == names
    assert "NextMarker" not in everything
    exactly = lam.list_functions(MaxItems=7)
    assert len(exactly["Functions"]) == 7 and "NextMarker" not in exactly

    paginator = lam.get_paginator("list_functions")
    page_sizes = [len(p["Functions"])
                  for p in paginator.paginate(PaginationConfig={"PageSize": 2})]
    assert page_sizes == [2, 2, 2, 1]
    limited = paginator.paginate(PaginationConfig={"MaxItems": 5, "PageSize": 2}).build_full_result()
    assert len(limited["Functions"]) == 5
    assert "NextToken" in limited
    rest = paginator.paginate(PaginationConfig={"StartingToken": limited["NextToken"],
                                                "PageSize": 2}).build_full_result()
    assert sorted([f["FunctionName"] for f in limited["Functions"] + rest["Functions"]]) == names

    _, cli_listed, _ = d.cli("lambda", "list-functions", "--max-items", "4")
    assert len(cli_listed["Functions"]) == 4
    assert "NextToken" in cli_listed


# --- UpdateFunctionCode / UpdateFunctionConfiguration ------------------------------------------


def test_update_function_code(lam, role):
    name = unique()
    first = make_zip(HANDLER_ZIP_FILES)
    created = create(lam, role, name, first)
    second = make_zip({"handler.py": "def handler(event, context):\n    return 'second'\n",
                       "extra.txt": "x" * 5000})
    updated = lam.update_function_code(FunctionName=name, ZipFile=second)
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert updated["CodeSha256"] == sha256_b64(second) != created["CodeSha256"]
    assert updated["CodeSize"] == len(second)
    assert updated["RevisionId"] != created["RevisionId"]
    assert updated["Handler"] == created["Handler"]
    got = lam.get_function(FunctionName=name)
    assert got["Configuration"]["CodeSha256"] == sha256_b64(second)
    assert got["Configuration"]["RevisionId"] == updated["RevisionId"]
    assert download(got["Code"]["Location"]) == second


def test_update_function_code_dry_run_changes_nothing(lam, role):
    name = unique()
    first = make_zip(HANDLER_ZIP_FILES)
    created = create(lam, role, name, first)
    second = make_zip({"handler.py": "# dry run\n"})
    dry = lam.update_function_code(FunctionName=name, ZipFile=second, DryRun=True)
    assert dry["ResponseMetadata"]["HTTPStatusCode"] == 200
    got = lam.get_function(FunctionName=name)
    assert got["Configuration"]["CodeSha256"] == sha256_b64(first)
    assert got["Configuration"]["CodeSize"] == len(first)
    assert got["Configuration"]["RevisionId"] == created["RevisionId"]
    assert got["Configuration"]["LastModified"] == created["LastModified"]
    assert download(got["Code"]["Location"]) == first


def test_update_function_code_architectures(lam, role):
    name = unique()
    create(lam, role, name)
    updated = lam.update_function_code(FunctionName=name, ZipFile=make_zip(HANDLER_ZIP_FILES),
                                       Architectures=["arm64"])
    assert updated["Architectures"] == ["arm64"]
    assert lam.get_function_configuration(FunctionName=name)["Architectures"] == ["arm64"]


def test_update_function_configuration(lam, role):
    name = unique()
    created = create(lam, role, name, Environment={"Variables": {"AA": "1"}}, Layers=[LAYER_1])
    updated = lam.update_function_configuration(
        FunctionName=name, MemorySize=512, Timeout=60, Description="changed",
        Handler="other.entry", Runtime="nodejs22.x", Environment={"Variables": {"BB": "2"}},
        EphemeralStorage={"Size": 4096}, TracingConfig={"Mode": "Active"}, Layers=[])
    assert updated["RevisionId"] != created["RevisionId"]
    assert updated["MemorySize"] == 512
    assert updated["Timeout"] == 60
    assert updated["Description"] == "changed"
    assert updated["Handler"] == "other.entry"
    assert updated["Runtime"] == "nodejs22.x"
    assert updated["Environment"] == {"Variables": {"BB": "2"}}
    assert updated["EphemeralStorage"] == {"Size": 4096}
    assert updated["TracingConfig"] == {"Mode": "Active"}
    assert "Layers" not in updated
    assert updated["CodeSha256"] == created["CodeSha256"]
    config = lam.get_function_configuration(FunctionName=name)
    assert config["RevisionId"] == updated["RevisionId"]
    assert config["MemorySize"] == 512 and config["Handler"] == "other.entry"

    # Fields not named are left alone.
    again = lam.update_function_configuration(FunctionName=name, Timeout=5)
    assert again["MemorySize"] == 512 and again["Timeout"] == 5
    assert again["Environment"] == {"Variables": {"BB": "2"}}
    assert again["RevisionId"] != updated["RevisionId"]


def test_stale_revision_id_is_refused(lam, role):
    name = unique()
    created = create(lam, role, name)
    current = lam.update_function_configuration(FunctionName=name, Timeout=10,
                                                RevisionId=created["RevisionId"])
    stale = created["RevisionId"]
    message = ("The Revision Id provided does not match the latest Revision Id. Call the "
               "GetFunction/GetAlias API to retrieve the latest Revision Id")

    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.update_function_configuration(FunctionName=name, Timeout=20, RevisionId=stale)
    assert error_of(e) == ("PreconditionFailedException", 412, message)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.update_function_code(FunctionName=name, ZipFile=make_zip({"a.py": "#"}),
                                 RevisionId=stale)
    assert error_of(e) == ("PreconditionFailedException", 412, message)

    config = lam.get_function_configuration(FunctionName=name)
    assert config["Timeout"] == 10
    assert config["CodeSha256"] == created["CodeSha256"]
    assert config["RevisionId"] == current["RevisionId"]
    code = lam.update_function_code(FunctionName=name, ZipFile=make_zip({"a.py": "#"}),
                                    RevisionId=current["RevisionId"])
    assert code["RevisionId"] != current["RevisionId"]


# --- DeleteFunction ----------------------------------------------------------------------------


def test_delete_function(lam, role):
    name = unique()
    create(lam, role, name)
    deleted = lam.delete_function(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    for call in (lambda: lam.get_function(FunctionName=name),
                 lambda: lam.get_function_configuration(FunctionName=name),
                 lambda: lam.delete_function(FunctionName=name)):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_of(e) == ("ResourceNotFoundException", 404,
                               f"Function not found: {ARN_PREFIX}{name}")
    assert name not in [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    # The name is free again.
    assert create(lam, role, name)["FunctionName"] == name


# --- addressing --------------------------------------------------------------------------------


def test_function_addressed_by_name_partial_and_full_arn(lam, role):
    name = unique()
    created = create(lam, role, name)
    for ref in (name, f"{ACCOUNT}:function:{name}", ARN_PREFIX + name,
                ARN_PREFIX + name + ":$LATEST", f"{name}:$LATEST"):
        config = lam.get_function_configuration(FunctionName=ref)
        assert config["FunctionArn"] == ARN_PREFIX + name, ref
        assert config["RevisionId"] == created["RevisionId"], ref
        assert lam.get_function(FunctionName=ref)["Configuration"]["FunctionName"] == name
    updated = lam.update_function_configuration(FunctionName=ARN_PREFIX + name, Timeout=11)
    assert updated["Timeout"] == 11
    updated = lam.update_function_configuration(FunctionName=f"{ACCOUNT}:function:{name}",
                                                Timeout=12)
    assert updated["Timeout"] == 12
    assert lam.delete_function(FunctionName=ARN_PREFIX + name)["ResponseMetadata"][
        "HTTPStatusCode"] == 204
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.get_function(FunctionName=name)
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_qualifier_latest_and_unknown(lam, role):
    name = unique()
    created = create(lam, role, name)
    assert lam.get_function(FunctionName=name, Qualifier="$LATEST")["Configuration"][
        "RevisionId"] == created["RevisionId"]
    assert lam.get_function_configuration(FunctionName=name, Qualifier="$LATEST")[
        "Version"] == "$LATEST"
    for call in (lambda: lam.get_function(FunctionName=name, Qualifier="7"),
                 lambda: lam.get_function_configuration(FunctionName=name, Qualifier="live"),
                 lambda: lam.get_function(FunctionName=f"{name}:live")):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        code, status, message = error_of(e)
        assert (code, status) == ("ResourceNotFoundException", 404)
        assert message.startswith(f"Function not found: {ARN_PREFIX}{name}:")


# --- tags --------------------------------------------------------------------------------------


def test_tag_untag_list_tags(lam, role):
    name = unique()
    arn = create(lam, role, name, Tags={"a": "1"})["FunctionArn"]
    assert lam.list_tags(Resource=arn)["Tags"] == {"a": "1"}
    r = lam.tag_resource(Resource=arn, Tags={"b": "2", "a": "one"})
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.list_tags(Resource=arn)["Tags"] == {"a": "one", "b": "2"}
    r = lam.untag_resource(Resource=arn, TagKeys=["a", "missing"])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    assert lam.get_function(FunctionName=name)["Tags"] == {"b": "2"}
    lam.untag_resource(Resource=arn, TagKeys=["b"])
    assert lam.list_tags(Resource=arn)["Tags"] == {}
    # Tagging leaves the configuration's revision alone.
    before = lam.get_function_configuration(FunctionName=name)["RevisionId"]
    lam.tag_resource(Resource=arn, Tags={"c": "3"})
    assert lam.get_function_configuration(FunctionName=name)["RevisionId"] == before

    missing = ARN_PREFIX + unique("nope")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.list_tags(Resource=missing)
    assert error_of(e) == ("ResourceNotFoundException", 404, f"Function not found: {missing}")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.tag_resource(Resource=missing, Tags={"x": "y"})
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)


# --- concurrency and shared code ---------------------------------------------------------------


def test_concurrent_tagging_loses_nothing(lam, role):
    from concurrent.futures import ThreadPoolExecutor
    arn = create(lam, role)["FunctionArn"]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: lam.tag_resource(Resource=arn, Tags={f"k{i}": str(i)}),
                      range(16)))
    assert lam.list_tags(Resource=arn)["Tags"] == {f"k{i}": str(i) for i in range(16)}


def test_concurrent_creates_of_one_name(daemon_factory):
    from concurrent.futures import ThreadPoolExecutor
    d = daemon_factory()
    lam = d.client("lambda")
    role = make_role(d)
    codes = [make_zip({"handler.py": f"# {i}\n"}) for i in range(6)]

    def attempt(code):
        try:
            return create(lam, role, "contested", code)["CodeSha256"]
        except botocore.exceptions.ClientError as e:
            return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(attempt, codes))
    winners = [r for r in results if isinstance(r, str)]
    assert len(winners) == 1
    assert sorted(r for r in results if not isinstance(r, str)) == [
        ("ResourceConflictException", 409)] * 5
    got = lam.get_function(FunctionName="contested")
    assert got["Configuration"]["CodeSha256"] == winners[0]
    assert sha256_b64(download(got["Code"]["Location"])) == winners[0]
    usage = lam.get_account_settings()["AccountUsage"]
    assert usage == {"FunctionCount": 1, "TotalCodeSize": got["Configuration"]["CodeSize"]}


def test_functions_sharing_a_package(lam, role):
    shared = make_zip({"handler.py": "# shared " + os.urandom(4).hex()})
    a, b = unique("share"), unique("share")
    create(lam, role, a, shared)
    create(lam, role, b, shared)
    lam.delete_function(FunctionName=a)
    assert download(lam.get_function(FunctionName=b)["Code"]["Location"]) == shared
    other = make_zip({"handler.py": "# other"})
    create(lam, role, a, shared)
    lam.update_function_code(FunctionName=a, ZipFile=other)
    assert download(lam.get_function(FunctionName=b)["Code"]["Location"]) == shared
    assert download(lam.get_function(FunctionName=a)["Code"]["Location"]) == other
    lam.update_function_code(FunctionName=b, ZipFile=other)
    lam.delete_function(FunctionName=a)
    assert download(lam.get_function(FunctionName=b)["Code"]["Location"]) == other


# --- GetAccountSettings ------------------------------------------------------------------------


def test_account_settings_reflect_functions(daemon_factory):
    d = daemon_factory()
    lam = d.client("lambda")
    role = make_role(d)
    empty = lam.get_account_settings()
    assert empty["AccountUsage"] == {"TotalCodeSize": 0, "FunctionCount": 0}
    assert empty["AccountLimit"]["CodeSizeUnzipped"] == 262144000
    assert empty["AccountLimit"]["CodeSizeZipped"] == 52428800
    assert empty["AccountLimit"]["TotalCodeSize"] == 80530636800
    assert empty["AccountLimit"]["ConcurrentExecutions"] == 1000

    small = make_zip(HANDLER_ZIP_FILES)
    big = make_zip({"handler.py": "#", "blob.bin": os.urandom(30000)})
    create(lam, role, "one", small)
    create(lam, role, "two", big)
    usage = lam.get_account_settings()["AccountUsage"]
    assert usage == {"TotalCodeSize": len(small) + len(big), "FunctionCount": 2}

    lam.update_function_code(FunctionName="one", ZipFile=big)
    usage = lam.get_account_settings()["AccountUsage"]
    assert usage == {"TotalCodeSize": 2 * len(big), "FunctionCount": 2}

    lam.delete_function(FunctionName="two")
    usage = lam.get_account_settings()["AccountUsage"]
    assert usage == {"TotalCodeSize": len(big), "FunctionCount": 1}
