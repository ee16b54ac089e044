"""Aliases end to end: CreateAlias, GetAlias, UpdateAlias, DeleteAlias and ListAliases (boto3 and
the AWS CLI), what an alias qualifier does to Invoke, GetFunctionConfiguration and GetFunction,
weighted routing between two versions, and what deleting versions, aliases and functions does to
each other.
"""
import json
import re

import pytest
from botocore.exceptions import ClientError

from conftest import (error_of, log_events, make_role, make_zip, unique, function_arn as arn,
                      wait_until)
from test_invoke import create

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
START_RE = re.compile(r"^START RequestId: (\S+) Version: (\S+)$")

# Which code ran, as which version, invoked through which ARN.
CODE = ("import os\n"
        "def handler(event, context):\n"
        "    print('RAN ' + os.environ['AWS_LAMBDA_FUNCTION_VERSION'])\n"
        "    return {{'code': '{tag}', 'version': os.environ['AWS_LAMBDA_FUNCTION_VERSION'],\n"
        "            'arn': context.invoked_function_arn, 'stream': context.log_stream_name}}\n")


def code(tag):
    return make_zip({"index.py": CODE.format(tag=tag)})


@pytest.fixture(scope="module")
def role(daemon):
    return make_role(daemon)


def with_versions(lam, role, count):
    """A function with versions 1..count (code "v1".."vN") and $LATEST's code "latest"."""
    name = create(lam, role, zip_bytes=code("v1"))
    for n in range(1, count + 1):
        assert lam.publish_version(FunctionName=name)["Version"] == str(n)
        lam.update_function_code(FunctionName=name,
                                 ZipFile=code(f"v{n + 1}" if n < count else "latest"))
    return name


@pytest.fixture
def fn(lam, role):
    """A function with versions 1 and 2."""
    return with_versions(lam, role, 2)


def invoke(lam, **kwargs):
    """(ExecutedVersion, body) of a synchronous invoke that must succeed."""
    r = lam.invoke(Payload=b"{}", **kwargs)
    assert r["StatusCode"] == 200 and "FunctionError" not in r, r
    return r["ExecutedVersion"], json.loads(r["Payload"].read())


def starts(logs, name):
    """(request id, version) of each START line in /aws/lambda/<name>."""
    events = log_events(logs, name)
    return [m.groups() for m in (START_RE.match(e["message"]) for e in events) if m]


# --- CreateAlias / GetAlias ------------------------------------------------------------------

def test_create_alias_answers_201_with_its_configuration_and_get_alias_returns_it(lam, fn):
    r = lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1",
                         Description="the live one")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    r.pop("ResponseMetadata")
    assert set(r) == {"AliasArn", "Name", "FunctionVersion", "Description", "RevisionId"}, r
    assert r["AliasArn"] == arn(fn, "live")
    assert (r["Name"], r["FunctionVersion"], r["Description"]) == ("live", "1", "the live one")
    assert UUID_RE.match(r["RevisionId"]), r["RevisionId"]
    got = lam.get_alias(FunctionName=fn, Name="live")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    got.pop("ResponseMetadata")
    assert got == r
    # By ARN too.
    assert lam.get_alias(FunctionName=arn(fn), Name="live")["AliasArn"] == arn(fn, "live")
    # Without a description: an empty one.
    r = lam.create_alias(FunctionName=fn, Name="bare", FunctionVersion="2")
    assert r["Description"] == "" and "RoutingConfig" not in r


def test_alias_may_name_latest_and_follows_its_code(lam, fn):
    lam.create_alias(FunctionName=fn, Name="head", FunctionVersion="$LATEST")
    version, body = invoke(lam, FunctionName=f"{fn}:head")
    assert version == "$LATEST" and body["code"] == "latest" and body["version"] == "$LATEST"
    assert body["arn"] == arn(fn, "head")
    lam.update_function_code(FunctionName=fn, ZipFile=code("newer"))
    version, body = invoke(lam, FunctionName=fn, Qualifier="head")
    assert (version, body["code"]) == ("$LATEST", "newer")


def test_existing_alias_is_a_conflict_and_the_first_one_stays(lam, fn):
    first = lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as e:
        lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="2")
    assert error_of(e) == ("ResourceConflictException", 409,
                           f"Alias already exists: {arn(fn, 'live')}")
    got = lam.get_alias(FunctionName=fn, Name="live")
    assert got["FunctionVersion"] == "1" and got["RevisionId"] == first["RevisionId"]


def test_alias_of_a_missing_version_or_function_is_not_found(lam, fn):
    with pytest.raises(ClientError) as e:
        lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="9")
    assert error_of(e) == ("ResourceNotFoundException", 404, f"Function not found: {arn(fn, '9')}")
    missing = unique("missing")
    with pytest.raises(ClientError) as e:
        lam.create_alias(FunctionName=missing, Name="live", FunctionVersion="1")
    assert error_of(e) == ("ResourceNotFoundException", 404, f"Function not found: {arn(missing)}")
    assert lam.list_aliases(FunctionName=fn)["Aliases"] == []


@pytest.mark.parametrize("bad", ["123", "0", "bad name", "a.b", "a" * 129, "", "$LATEST", "al/ias"])
def test_bad_alias_names_are_validation_errors(loose, fn, bad):
    with pytest.raises(ClientError) as e:
        loose.create_alias(FunctionName=fn, Name=bad, FunctionVersion="1")
    code_, status, message = error_of(e)
    assert (code_, status) == ("ValidationException", 400), (bad, message)
    assert "name" in message, message
    assert loose.list_aliases(FunctionName=fn)["Aliases"] == []


def test_good_alias_names_of_every_allowed_character_and_length(lam, fn):
    for name in ("a", "A-b_9", "1a", "a1", "-", "_", "x" * 128):
        r = lam.create_alias(FunctionName=fn, Name=name, FunctionVersion="1")
        assert r["Name"] == name and r["AliasArn"] == arn(fn, name)
        assert lam.get_alias(FunctionName=fn, Name=name)["Name"] == name


def test_bad_create_alias_requests_are_refused(loose, fn):
    for kwargs in ({"Name": "live"},  # no FunctionVersion
                   {"Name": "live", "FunctionVersion": "one"},
                   {"Name": "live", "FunctionVersion": "1", "Description": "d" * 257},
                   {"FunctionVersion": "1"}):  # no Name
        with pytest.raises(ClientError) as e:
            loose.create_alias(FunctionName=fn, **kwargs)
        assert error_of(e)[:2] == ("ValidationException", 400), (kwargs, error_of(e))
    # Aliases belong to the function, not to a version of it.
    with pytest.raises(ClientError) as e:
        loose.create_alias(FunctionName=f"{fn}:1", Name="live", FunctionVersion="1")
    assert error_of(e)[:2] == ("InvalidParameterValueException", 400)
    assert loose.list_aliases(FunctionName=fn)["Aliases"] == []


def test_missing_alias_is_not_found_on_get_update_and_invoke_and_delete_succeeds(lam, fn):
    alias_arn = arn(fn, "nope")
    with pytest.raises(ClientError) as e:
        lam.get_alias(FunctionName=fn, Name="nope")
    assert error_of(e) == ("ResourceNotFoundException", 404, f"Alias not found: {alias_arn}")
    with pytest.raises(ClientError) as e:
        lam.update_alias(FunctionName=fn, Name="nope", FunctionVersion="1")
    assert error_of(e) == ("ResourceNotFoundException", 404, f"Alias not found: {alias_arn}")
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=f"{fn}:nope", Payload=b"{}")
    assert error_of(e) == ("ResourceNotFoundException", 404, f"Function not found: {alias_arn}")
    with pytest.raises(ClientError) as e:
        lam.get_function_configuration(FunctionName=fn, Qualifier="nope")
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    # Deleting an alias that is not there is no error, as on AWS.
    r = lam.delete_alias(FunctionName=fn, Name="nope")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    # Nor did the failed update create it.
    with pytest.raises(ClientError) as e:
        lam.get_alias(FunctionName=fn, Name="nope")
    assert error_of(e)[0] == "ResourceNotFoundException"


# --- UpdateAlias / DeleteAlias ---------------------------------------------------------------

def test_update_alias_changes_what_it_names_and_the_revision(lam, fn):
    created = lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1",
                               Description="first")
    r = lam.update_alias(FunctionName=fn, Name="live", FunctionVersion="2")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert (r["FunctionVersion"], r["Description"]) == ("2", "first"), "description kept"
    assert r["AliasArn"] == arn(fn, "live") and r["Name"] == "live"
    assert UUID_RE.match(r["RevisionId"]) and r["RevisionId"] != created["RevisionId"]
    r2 = lam.update_alias(FunctionName=fn, Name="live", Description="second")
    assert (r2["FunctionVersion"], r2["Description"]) == ("2", "second"), "version kept"
    assert r2["RevisionId"] != r["RevisionId"]
    got = lam.get_alias(FunctionName=fn, Name="live")
    got.pop("ResponseMetadata")
    r2.pop("ResponseMetadata")
    assert got == r2


def test_update_alias_with_a_stale_revision_is_precondition_failed(lam, fn):
    created = lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    updated = lam.update_alias(FunctionName=fn, Name="live", Description="changed",
                               RevisionId=created["RevisionId"])
    assert updated["Description"] == "changed"
    with pytest.raises(ClientError) as e:
        lam.update_alias(FunctionName=fn, Name="live", FunctionVersion="2",
                         RevisionId=created["RevisionId"])
    assert error_of(e)[:2] == ("PreconditionFailedException", 412)
    got = lam.get_alias(FunctionName=fn, Name="live")
    assert got["FunctionVersion"] == "1" and got["RevisionId"] == updated["RevisionId"]
    with pytest.raises(ClientError) as e:
        lam.update_alias(FunctionName=fn, Name="live", RevisionId="not-a-revision")
    assert error_of(e)[:2] == ("PreconditionFailedException", 412)


def test_update_alias_to_a_missing_version_is_not_found_and_changes_nothing(lam, fn):
    created = lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as e:
        lam.update_alias(FunctionName=fn, Name="live", FunctionVersion="7")
    assert error_of(e) == ("ResourceNotFoundException", 404, f"Function not found: {arn(fn, '7')}")
    got = lam.get_alias(FunctionName=fn, Name="live")
    assert got["FunctionVersion"] == "1" and got["RevisionId"] == created["RevisionId"]


def test_delete_alias_answers_204_and_the_alias_is_gone(lam, fn):
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    lam.create_alias(FunctionName=fn, Name="other", FunctionVersion="1")
    r = lam.delete_alias(FunctionName=fn, Name="live")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as e:
        lam.get_alias(FunctionName=fn, Name="live")
    assert error_of(e)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=fn, Qualifier="live", Payload=b"{}")
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    assert [a["Name"] for a in lam.list_aliases(FunctionName=fn)["Aliases"]] == ["other"]
    # The name may be used again, for another version.
    assert lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="2")["FunctionVersion"] == "2"
    assert invoke(lam, FunctionName=fn, Qualifier="live")[0] == "2"


# --- ListAliases -----------------------------------------------------------------------------

def test_list_aliases_filters_by_version_and_pages(lam, fn):
    made = {"a-one": "1", "b-two": "2", "c-one": "1", "d-latest": "$LATEST", "e-two": "2"}
    for name, version in made.items():
        lam.create_alias(FunctionName=fn, Name=name, FunctionVersion=version)
    listed = lam.list_aliases(FunctionName=fn)
    assert listed["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "NextMarker" not in listed
    assert {a["Name"]: a["FunctionVersion"] for a in listed["Aliases"]} == made
    assert len(listed["Aliases"]) == len(made)
    for a in listed["Aliases"]:
        assert a["AliasArn"] == arn(fn, a["Name"]) and UUID_RE.match(a["RevisionId"])
        got = lam.get_alias(FunctionName=fn, Name=a["Name"])
        got.pop("ResponseMetadata")
        assert got == a

    for version in ("1", "2", "$LATEST"):
        names = [a["Name"] for a in lam.list_aliases(FunctionName=fn,
                                                    FunctionVersion=version)["Aliases"]]
        assert sorted(names) == sorted(n for n, v in made.items() if v == version), version
    assert lam.list_aliases(FunctionName=fn, FunctionVersion="9")["Aliases"] == []

    # Pages of two: every alias once, then no marker.
    seen, marker, pages = [], None, 0
    while True:
        page = lam.list_aliases(FunctionName=fn, MaxItems=2,
                                **({"Marker": marker} if marker else {}))
        pages += 1
        assert len(page["Aliases"]) <= 2
        seen += [a["Name"] for a in page["Aliases"]]
        marker = page.get("NextMarker")
        if not marker:
            break
        assert pages < 10, "the pages never end"
    assert sorted(seen) == sorted(made) and len(seen) == len(made)
    assert pages == 3
    # A filtered listing pages too.
    page = lam.list_aliases(FunctionName=fn, FunctionVersion="1", MaxItems=1)
    assert len(page["Aliases"]) == 1 and page.get("NextMarker")
    rest = lam.list_aliases(FunctionName=fn, FunctionVersion="1", Marker=page["NextMarker"])
    assert sorted([page["Aliases"][0]["Name"]] + [a["Name"] for a in rest["Aliases"]]) == \
        ["a-one", "c-one"]
    # boto3's paginator follows the markers.
    paginated = [a["Name"] for p in lam.get_paginator("list_aliases").paginate(
        FunctionName=fn, PaginationConfig={"PageSize": 2}) for a in p["Aliases"]]
    assert sorted(paginated) == sorted(made)


def test_list_aliases_max_items_out_of_range_is_a_validation_error(loose, fn):
    for bad in (0, 10001):
        with pytest.raises(ClientError) as e:
            loose.list_aliases(FunctionName=fn, MaxItems=bad)
        assert error_of(e)[:2] == ("ValidationException", 400), bad


def test_list_aliases_of_a_missing_function_is_not_found(lam):
    missing = unique("missing")
    with pytest.raises(ClientError) as e:
        lam.list_aliases(FunctionName=missing)
    assert error_of(e) == ("ResourceNotFoundException", 404, f"Function not found: {arn(missing)}")


# --- invoking and reading through an alias ---------------------------------------------------

def test_invoke_through_an_alias_runs_its_version_and_reports_it(lam, fn):
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    for how, kwargs in [("qualified name", {"FunctionName": f"{fn}:live"}),
                        ("qualifier", {"FunctionName": fn, "Qualifier": "live"}),
                        ("qualified arn", {"FunctionName": arn(fn, "live")})]:
        r = lam.invoke(Payload=b"{}", **kwargs)
        assert r["StatusCode"] == 200, how
        assert r["ExecutedVersion"] == "1", how
        assert r["ResponseMetadata"]["HTTPHeaders"]["x-amz-executed-version"] == "1", how
        body = json.loads(r["Payload"].read())
        assert body["code"] == "v1" and body["version"] == "1", (how, body)
        assert body["arn"] == arn(fn, "live"), (how, body)
        assert "[1]" in body["stream"], (how, body)
    # Moving the alias moves its invocations.
    lam.update_alias(FunctionName=fn, Name="live", FunctionVersion="2")
    version, body = invoke(lam, FunctionName=f"{fn}:live")
    assert (version, body["code"], body["version"]) == ("2", "v2", "2")
    # The version and $LATEST are unaffected.
    assert invoke(lam, FunctionName=fn, Qualifier="1")[1]["code"] == "v1"
    assert invoke(lam, FunctionName=fn)[1]["code"] == "latest"


def test_get_function_configuration_and_get_function_through_an_alias(lam, fn):
    lam.update_function_configuration(FunctionName=fn, Description="latest description")
    lam.get_waiter("function_updated").wait(FunctionName=fn)
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="2")
    by_version = lam.get_function_configuration(FunctionName=fn, Qualifier="2")
    for kwargs in ({"FunctionName": fn, "Qualifier": "live"}, {"FunctionName": f"{fn}:live"}):
        c = lam.get_function_configuration(**kwargs)
        assert c["Version"] == "2", kwargs
        assert c["CodeSha256"] == by_version["CodeSha256"], kwargs
        assert c["Description"] == "", kwargs
        got = lam.get_function(**kwargs)
        assert got["Configuration"]["Version"] == "2", kwargs
        assert got["Configuration"]["CodeSha256"] == by_version["CodeSha256"], kwargs
    assert lam.get_function_configuration(FunctionName=fn)["Description"] == "latest description"


def test_event_invoke_through_an_alias_runs_its_version(daemon, lam, fn):
    logs = daemon.client("logs")
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    r = lam.invoke(FunctionName=fn, Qualifier="live", InvocationType="Event", Payload=b"{}")
    assert r["StatusCode"] == 202
    request_id = r["ResponseMetadata"]["RequestId"]
    found = wait_until(lambda: [s for s in starts(logs, fn) if s[0] == request_id], 30,
                       "the event's START line")
    assert found == [(request_id, "1")]


# --- weighted routing ------------------------------------------------------------------------

def test_routing_config_is_stored_returned_and_removed(lam, fn):
    r = lam.create_alias(FunctionName=fn, Name="canary", FunctionVersion="1",
                         RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}})
    assert r["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.25}}
    got = lam.get_alias(FunctionName=fn, Name="canary")
    assert got["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.25}}
    [listed] = lam.list_aliases(FunctionName=fn)["Aliases"]
    assert listed["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.25}}
    # An update that leaves RoutingConfig out keeps it.
    r = lam.update_alias(FunctionName=fn, Name="canary", Description="kept")
    assert r["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.25}}
    r = lam.update_alias(FunctionName=fn, Name="canary",
                         RoutingConfig={"AdditionalVersionWeights": {"2": 0.75}})
    assert r["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.75}}
    # An empty one removes it.
    r = lam.update_alias(FunctionName=fn, Name="canary", RoutingConfig={})
    assert "RoutingConfig" not in r
    assert "RoutingConfig" not in lam.get_alias(FunctionName=fn, Name="canary")
    r = lam.update_alias(FunctionName=fn, Name="canary",
                         RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    r = lam.update_alias(FunctionName=fn, Name="canary",
                         RoutingConfig={"AdditionalVersionWeights": {}})
    assert "RoutingConfig" not in r


def test_bad_routing_configs_are_refused_and_change_nothing(loose, lam, role):
    fn = with_versions(lam, role, 3)
    created = lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")

    def refused(routing, main="1"):
        with pytest.raises(ClientError) as e:
            loose.create_alias(FunctionName=fn, Name="other", FunctionVersion=main,
                               RoutingConfig=routing)
        create_error = error_of(e)
        with pytest.raises(ClientError) as e:
            loose.update_alias(FunctionName=fn, Name="live", FunctionVersion=main,
                               RoutingConfig=routing)
        update_error = error_of(e)
        assert create_error[:2] == update_error[:2], (create_error, update_error)
        return create_error

    for weight in (1.5, -0.1):
        code_, status, message = refused({"AdditionalVersionWeights": {"2": weight}})
        assert (code_, status) == ("ValidationException", 400), message
        assert "additionalVersionWeights" in message, message
    code_, status, message = refused({"AdditionalVersionWeights": {"2": 0.1, "3": 0.1}})
    assert status == 400 and code_ in ("ValidationException", "InvalidParameterValueException")
    code_, status, message = refused({"AdditionalVersionWeights": {"1": 0.5}})
    assert (code_, status) == ("InvalidParameterValueException", 400), message
    code_, status, message = refused({"AdditionalVersionWeights": {"$LATEST": 0.5}})
    assert (code_, status) == ("InvalidParameterValueException", 400), message
    code_, status, message = refused({"AdditionalVersionWeights": {"2": 0.5}}, main="$LATEST")
    assert (code_, status) == ("InvalidParameterValueException", 400), message
    code_, status, message = refused({"AdditionalVersionWeights": {"9": 0.5}})
    assert (code_, status, message) == ("ResourceNotFoundException", 404,
                                        f"Function not found: {arn(fn, '9')}")

    # A routing config is checked against the version the alias ends up naming.
    lam.update_alias(FunctionName=fn, Name="live",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    with pytest.raises(ClientError) as e:
        lam.update_alias(FunctionName=fn, Name="live", FunctionVersion="2")
    assert error_of(e)[:2] == ("InvalidParameterValueException", 400)
    with pytest.raises(ClientError) as e:
        lam.update_alias(FunctionName=fn, Name="live", FunctionVersion="$LATEST")
    assert error_of(e)[:2] == ("InvalidParameterValueException", 400)
    created = lam.update_alias(FunctionName=fn, Name="live", RoutingConfig={})

    assert [a["Name"] for a in lam.list_aliases(FunctionName=fn)["Aliases"]] == ["live"]
    got = lam.get_alias(FunctionName=fn, Name="live")
    assert got["FunctionVersion"] == "1" and "RoutingConfig" not in got
    assert got["RevisionId"] == created["RevisionId"]
    # Weights near the edges of the range are fine. (1.0 itself is left alone: the model allows
    # it, but whether AWS accepts it is unclear.)
    for weight in (0.0, 0.999):
        r = lam.update_alias(FunctionName=fn, Name="live",
                             RoutingConfig={"AdditionalVersionWeights": {"3": weight}})
        assert r["RoutingConfig"] == {"AdditionalVersionWeights": {"3": weight}}


def test_weighted_alias_sends_a_share_of_invocations_to_the_additional_version(lam, fn):
    lam.create_alias(FunctionName=fn, Name="canary", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    counts = {"1": 0, "2": 0}
    for _ in range(200):
        version, body = invoke(lam, FunctionName=fn, Qualifier="canary")
        assert body["version"] == version and body["code"] == f"v{version}", (version, body)
        assert body["arn"] == arn(fn, "canary")
        counts[version] += 1
    assert sum(counts.values()) == 200
    assert 40 <= counts["1"] <= 160 and 40 <= counts["2"] <= 160, counts


def test_weight_zero_routes_nothing_and_a_small_weight_routes_a_little(lam, fn):
    lam.create_alias(FunctionName=fn, Name="canary", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.0}})
    assert {invoke(lam, FunctionName=f"{fn}:canary")[0] for _ in range(30)} == {"1"}
    # A small weight still sends some (1 in 10 over 300 is at least one, bar 1 in 10^13).
    lam.update_alias(FunctionName=fn, Name="canary",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}})
    seen = [invoke(lam, FunctionName=f"{fn}:canary")[0] for _ in range(300)]
    assert 1 <= seen.count("2") <= 90, seen.count("2")


# --- deletes ---------------------------------------------------------------------------------

def test_a_version_an_alias_names_or_routes_to_cannot_be_deleted(lam, role):
    fn = with_versions(lam, role, 3)
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    lam.create_alias(FunctionName=fn, Name="canary", FunctionVersion="2",
                     RoutingConfig={"AdditionalVersionWeights": {"3": 0.1}})
    for version in ("1", "2", "3"):
        with pytest.raises(ClientError) as e:
            lam.delete_function(FunctionName=fn, Qualifier=version)
        code_, status, message = error_of(e)
        assert (code_, status) == ("ResourceConflictException", 409), (version, message)
        assert lam.get_function_configuration(FunctionName=fn, Qualifier=version)["Version"] == \
            version
    # Once no alias names it, it may go.
    lam.update_alias(FunctionName=fn, Name="canary", RoutingConfig={})
    lam.delete_function(FunctionName=fn, Qualifier="3")
    with pytest.raises(ClientError) as e:
        lam.get_function_configuration(FunctionName=fn, Qualifier="3")
    assert error_of(e)[0] == "ResourceNotFoundException"
    lam.delete_alias(FunctionName=fn, Name="live")
    lam.delete_function(FunctionName=fn, Qualifier="1")
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName=fn)["Versions"]] == \
        ["$LATEST", "2"]


def test_delete_function_with_an_alias_qualifier_is_refused_and_deletes_nothing(lam, fn):
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    for kwargs in ({"FunctionName": fn, "Qualifier": "live"}, {"FunctionName": f"{fn}:live"}):
        with pytest.raises(ClientError) as e:
            lam.delete_function(**kwargs)
        assert error_of(e)[:2] == ("InvalidParameterValueException", 400), kwargs
    assert lam.get_alias(FunctionName=fn, Name="live")["FunctionVersion"] == "1"
    assert invoke(lam, FunctionName=f"{fn}:live")[0] == "1"
    assert invoke(lam, FunctionName=fn)[1]["code"] == "latest"


def test_deleting_the_function_deletes_its_aliases(lam, role, fn):
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    lam.delete_function(FunctionName=fn)
    with pytest.raises(ClientError) as e:
        lam.get_alias(FunctionName=fn, Name="live")
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    # A new function of the same name starts without them.
    create(lam, role, zip_bytes=code("again"), name=fn)
    assert lam.list_aliases(FunctionName=fn)["Aliases"] == []
    with pytest.raises(ClientError) as e:
        lam.get_alias(FunctionName=fn, Name="live")
    assert error_of(e) == ("ResourceNotFoundException", 404,
                           f"Alias not found: {arn(fn, 'live')}")
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=f"{fn}:live", Payload=b"{}")
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)


def test_deleting_an_alias_deletes_its_event_invoke_config(lam, fn):
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    lam.put_function_event_invoke_config(FunctionName=fn, Qualifier="live",
                                         MaximumRetryAttempts=1)
    lam.put_function_event_invoke_config(FunctionName=fn, MaximumRetryAttempts=2)
    got = lam.get_function_event_invoke_config(FunctionName=fn, Qualifier="live")
    assert got["FunctionArn"] == arn(fn, "live") and got["MaximumRetryAttempts"] == 1
    lam.delete_alias(FunctionName=fn, Name="live")
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as e:
        lam.get_function_event_invoke_config(FunctionName=fn, Qualifier="live")
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    # The function's own config stays.
    assert lam.get_function_event_invoke_config(FunctionName=fn)["MaximumRetryAttempts"] == 2
    assert [c["FunctionArn"] for c in lam.list_function_event_invoke_configs(
        FunctionName=fn)["FunctionEventInvokeConfigs"]] == [arn(fn, "$LATEST")]


# --- durability and the CLI ------------------------------------------------------------------

def test_aliases_survive_a_restart(daemon_factory):
    d = daemon_factory()
    lam = d.client("lambda", read_timeout=60)
    fn = with_versions(lam, make_role(d), 2)
    made = lam.create_alias(FunctionName=fn, Name="canary", FunctionVersion="1",
                            Description="weighted",
                            RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="2")
    made.pop("ResponseMetadata")
    d.kill9()
    d.start()
    lam = d.client("lambda", read_timeout=60)
    got = lam.get_alias(FunctionName=fn, Name="canary")
    got.pop("ResponseMetadata")
    assert got == made
    assert sorted(a["Name"] for a in lam.list_aliases(FunctionName=fn)["Aliases"]) == \
        ["canary", "live"]
    assert invoke(lam, FunctionName=f"{fn}:live")[1]["code"] == "v2"
    assert {invoke(lam, FunctionName=f"{fn}:canary")[0] for _ in range(40)} == {"1", "2"}


def test_cli_creates_lists_updates_and_deletes_aliases(daemon, lam, fn):
    _, out, _ = daemon.cli("lambda", "create-alias", "--function-name", fn, "--name", "live",
                           "--function-version", "1", "--description", "from the cli")
    assert out["AliasArn"] == arn(fn, "live") and out["FunctionVersion"] == "1"
    assert out["Description"] == "from the cli"
    _, out, _ = daemon.cli("lambda", "update-alias", "--function-name", fn, "--name", "live",
                           "--routing-config", "AdditionalVersionWeights={2=0.3}")
    assert out["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.3}}
    _, out, _ = daemon.cli("lambda", "get-alias", "--function-name", fn, "--name", "live")
    assert out["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.3}}
    _, out, _ = daemon.cli("lambda", "list-aliases", "--function-name", fn)
    assert [a["Name"] for a in out["Aliases"]] == ["live"]
    code_, _, err = daemon.cli("lambda", "create-alias", "--function-name", fn, "--name", "live",
                               "--function-version", "2", check=False)
    assert code_ != 0 and "ResourceConflictException" in err, err
    daemon.cli("lambda", "delete-alias", "--function-name", fn, "--name", "live")
    _, out, _ = daemon.cli("lambda", "list-aliases", "--function-name", fn)
    assert out["Aliases"] == []


# --- what AWS answers for an alias qualifier -------------------------------------------------

def test_configuration_read_through_an_alias_names_the_alias_arn(lam, fn):
    """AWS answers GetFunctionConfiguration/GetFunction of `name:alias` with the version's
    configuration under the alias's ARN (FunctionArn ends in :alias, Version is the number)."""
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="2")
    c = lam.get_function_configuration(FunctionName=fn, Qualifier="live")
    assert (c["Version"], c["FunctionArn"]) == ("2", arn(fn, "live"))
    c = lam.get_function(FunctionName=f"{fn}:live")["Configuration"]
    assert (c["Version"], c["FunctionArn"]) == ("2", arn(fn, "live"))
    # A version's own ARN is the version's.
    assert lam.get_function_configuration(FunctionName=fn, Qualifier="2")["FunctionArn"] == \
        arn(fn, "2")
