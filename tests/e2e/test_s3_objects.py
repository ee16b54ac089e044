"""S3 buckets and objects end to end: the real daemon driven by boto3, asserting what AWS S3 does.

Buckets (create, head, list, delete, location), objects (put, get, head, delete, copy, tags),
ranges and conditional reads, DeleteObjects, Content-MD5, bodies on both sides of the streamed
upload threshold, and ListObjects / ListObjectsV2 with prefixes, delimiters, paging and URL
encoding.
"""
import base64
import datetime
import hashlib
import os

import boto3.s3.transfer
import pytest
from botocore.exceptions import ClientError

from conftest import error_of, unique

EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
MiB = 1024 * 1024


# --- helpers -----------------------------------------------------------------------------------

def md5_hex(data):
    return hashlib.md5(data).hexdigest()


def quoted_md5(data):
    return '"' + md5_hex(data) + '"'


def md5_b64(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def bucket_name(prefix="bkt"):
    return unique(prefix).lower()


def status_of(response):
    return response["ResponseMetadata"]["HTTPStatusCode"]


def header(response, name):
    return response["ResponseMetadata"]["HTTPHeaders"].get(name.lower())


def read(s3, bucket, key, **kwargs):
    return s3.get_object(Bucket=bucket, Key=key, **kwargs)["Body"].read()


def all_keys(s3, bucket, **kwargs):
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, **kwargs)
    return [o["Key"] for page in pages for o in page.get("Contents", [])]


def put_keys(s3, bucket, keys, body=b"x"):
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=body)


def s3_raw(daemon, method, path, body=b"", headers=None, host=None, payload_hash=None,
           region="us-east-1"):
    """One raw request signed as S3 signs (S3SigV4Auth: x-amz-content-sha256, no path
    normalisation). `host` overrides the Host header (virtual-host style); `payload_hash` is
    declared (and signed) as x-amz-content-sha256 instead of the body's. Returns (status,
    lower-cased headers, body)."""
    import http.client

    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    host = host or f"127.0.0.1:{daemon.port}"
    request = botocore.awsrequest.AWSRequest(method=method, url=f"http://{host}{path}",
                                             data=body, headers=dict(headers or {}))
    creds = botocore.credentials.Credentials(daemon.access_key, daemon.secret_key)
    signer = botocore.auth.S3SigV4Auth(creds, "s3", region)
    if payload_hash:
        signer.payload = lambda _request: payload_hash
    signer.add_auth(request)
    prepared = request.prepare()
    conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=dict(prepared.headers.items()))
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def s3(daemon):
    return daemon.client("s3", read_timeout=120)


@pytest.fixture
def bucket(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    return name


# --- buckets -----------------------------------------------------------------------------------

def test_create_head_and_list_bucket(s3):
    name = bucket_name()
    created = s3.create_bucket(Bucket=name)
    assert status_of(created) == 200
    assert created["Location"] == "/" + name
    head = s3.head_bucket(Bucket=name)
    assert status_of(head) == 200
    assert header(head, "x-amz-bucket-region") == "us-east-1"
    listed = s3.list_buckets()
    names = [b["Name"] for b in listed["Buckets"]]
    assert name in names
    assert names == sorted(names)
    entry = next(b for b in listed["Buckets"] if b["Name"] == name)
    assert isinstance(entry["CreationDate"], datetime.datetime)
    age = datetime.datetime.now(datetime.timezone.utc) - entry["CreationDate"]
    assert abs(age.total_seconds()) < 120
    assert listed["Owner"]["ID"]


def test_get_bucket_location_us_east_1_is_null(s3, bucket):
    # S3 answers an empty <LocationConstraint/> for us-east-1; boto3 turns it into None.
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] is None


def test_create_bucket_with_location_constraint(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    assert header(s3.head_bucket(Bucket=name), "x-amz-bucket-region") == "eu-west-1"
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_location_constraint_us_east_1_is_invalid(s3):
    name = bucket_name()
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=name,
                         CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    code, status, _ = error_of(e)
    assert (code, status) == ("InvalidLocationConstraint", 400)
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket=name)
    assert error_of(e)[1] == 404


@pytest.mark.parametrize("name", [
    "ab",                      # too short
    "a" * 64,                  # too long
    "UpperCase-bucket",        # upper case
    "under_score-bucket",      # underscore
    "-leading-hyphen",
    "trailing-hyphen-",
    ".leading-dot",
    "double..dot",
    "dot.-hyphen",
    "192.168.5.4",             # formatted as an IP address
    "xn--bucket-prefix",       # reserved prefix
    "bucket-name-s3alias",     # reserved suffix
])
def test_invalid_bucket_names(s3, name):
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=name)
    code, status, _ = error_of(e)
    assert (code, status) == ("InvalidBucketName", 400)
    assert e.value.response["Error"].get("BucketName") == name


def test_valid_edge_bucket_names(s3):
    suffix = os.urandom(3).hex()
    for name in ["a" + suffix[:2], "x" * 57 + suffix, "dots.in." + suffix, "1-digits-" + suffix,
                 "has--double-hyphen-" + suffix]:
        s3.create_bucket(Bucket=name)
        assert status_of(s3.head_bucket(Bucket=name)) == 200
        s3.delete_bucket(Bucket=name)


def test_create_bucket_twice_outside_us_east_1_is_already_owned(s3):
    name = bucket_name()
    config = {"LocationConstraint": "eu-west-1"}
    s3.create_bucket(Bucket=name, CreateBucketConfiguration=config)
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration=config)
    code, status, _ = error_of(e)
    assert (code, status) == ("BucketAlreadyOwnedByYou", 409)
    assert e.value.response["Error"].get("BucketName") == name


def test_create_bucket_twice_in_us_east_1_succeeds(s3):
    # AWS documents (BucketAlreadyOwnedByYou): "Amazon S3 returns this error in all AWS Regions
    # except in the North Virginia Region. For legacy compatibility, if you re-create an existing
    # bucket that you already own in the North Virginia Region, Amazon S3 returns 200 OK".
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="keep", Body=b"kept")
    again = s3.create_bucket(Bucket=name)
    assert status_of(again) == 200
    assert read(s3, name, "keep") == b"kept"


def test_head_missing_bucket_is_404(s3):
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket=bucket_name("missing"))
    code, status, _ = error_of(e)
    assert status == 404
    assert code in ("404", "NoSuchBucket")


def test_delete_bucket(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    deleted = s3.delete_bucket(Bucket=name)
    assert status_of(deleted) == 204
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket=name)
    assert error_of(e)[1] == 404
    # The name is free again.
    s3.create_bucket(Bucket=name)
    assert status_of(s3.head_bucket(Bucket=name)) == 200


def test_delete_missing_bucket(s3):
    name = bucket_name("missing")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=name)
    code, status, _ = error_of(e)
    assert (code, status) == ("NoSuchBucket", 404)
    assert e.value.response["Error"].get("BucketName") == name


def test_delete_non_empty_bucket(s3, bucket):
    s3.put_object(Bucket=bucket, Key="obj", Body=b"data")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=bucket)
    code, status, _ = error_of(e)
    assert (code, status) == ("BucketNotEmpty", 409)
    assert e.value.response["Error"].get("BucketName") == bucket
    assert read(s3, bucket, "obj") == b"data"
    s3.delete_object(Bucket=bucket, Key="obj")
    assert status_of(s3.delete_bucket(Bucket=bucket)) == 204


def test_missing_bucket_errors_for_object_operations(s3):
    name = bucket_name("missing")
    for call in (lambda: s3.put_object(Bucket=name, Key="k", Body=b"x"),
                 lambda: s3.get_object(Bucket=name, Key="k"),
                 lambda: s3.list_objects_v2(Bucket=name),
                 lambda: s3.list_objects(Bucket=name),
                 lambda: s3.get_bucket_location(Bucket=name),
                 lambda: s3.delete_object(Bucket=name, Key="k")):
        with pytest.raises(ClientError) as e:
            call()
        code, status, _ = error_of(e)
        assert (code, status) == ("NoSuchBucket", 404)
        assert e.value.response["Error"].get("BucketName") == name


# --- put / get / head / delete -----------------------------------------------------------------

def test_put_get_head_round_trip_with_metadata(s3, bucket):
    body = b"hello, lamina s3\n"
    put = s3.put_object(
        Bucket=bucket, Key="docs/hello.txt", Body=body,
        Metadata={"author": "alice", "MixedCase": "Value With Spaces", "empty": ""},
        ContentType="text/plain; charset=utf-8", ContentEncoding="identity",
        ContentDisposition='attachment; filename="hello.txt"', CacheControl="max-age=60",
        ContentLanguage="en-GB")
    assert status_of(put) == 200
    assert put["ETag"] == quoted_md5(body)

    got = s3.get_object(Bucket=bucket, Key="docs/hello.txt")
    assert got["Body"].read() == body
    assert got["ETag"] == quoted_md5(body)
    assert got["ContentLength"] == len(body)
    assert got["ContentType"] == "text/plain; charset=utf-8"
    assert got["ContentEncoding"] == "identity"
    assert got["ContentDisposition"] == 'attachment; filename="hello.txt"'
    assert got["CacheControl"] == "max-age=60"
    assert got["ContentLanguage"] == "en-GB"
    # S3 lower-cases the names of user metadata.
    assert got["Metadata"] == {"author": "alice", "mixedcase": "Value With Spaces", "empty": ""}
    assert got["AcceptRanges"] == "bytes"
    assert isinstance(got["LastModified"], datetime.datetime)
    assert header(got, "x-amz-request-id")

    head = s3.head_object(Bucket=bucket, Key="docs/hello.txt")
    assert status_of(head) == 200
    assert head["ContentLength"] == len(body)
    assert head["ETag"] == quoted_md5(body)
    assert head["ContentType"] == "text/plain; charset=utf-8"
    assert head["Metadata"] == got["Metadata"]
    assert head["LastModified"] == got["LastModified"]
    assert head["CacheControl"] == "max-age=60"


def test_default_content_type(s3, bucket):
    s3.put_object(Bucket=bucket, Key="untyped", Body=b"abc")
    assert s3.head_object(Bucket=bucket, Key="untyped")["ContentType"] == "binary/octet-stream"


def test_gzip_content_encoding_is_stored_not_applied(s3, bucket):
    import gzip
    raw = gzip.compress(b"compressed payload " * 100)
    s3.put_object(Bucket=bucket, Key="c.gz", Body=raw, ContentEncoding="gzip",
                  ContentType="text/plain")
    got = s3.get_object(Bucket=bucket, Key="c.gz")
    assert got["ContentEncoding"] == "gzip"
    assert got["Body"].read() == raw


def test_expires_website_redirect_and_storage_class(s3, bucket):
    expires = datetime.datetime(2031, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    s3.put_object(Bucket=bucket, Key="attrs", Body=b"x", Expires=expires,
                  WebsiteRedirectLocation="/elsewhere", StorageClass="STANDARD_IA")
    head = s3.head_object(Bucket=bucket, Key="attrs")
    assert head["Expires"] == expires
    assert head["WebsiteRedirectLocation"] == "/elsewhere"
    assert head["StorageClass"] == "STANDARD_IA"
    # STANDARD is the default, which HEAD does not name.
    s3.put_object(Bucket=bucket, Key="std", Body=b"x", StorageClass="STANDARD")
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="std")


def test_listing_shows_storage_class(s3, bucket):
    s3.put_object(Bucket=bucket, Key="ia", Body=b"x", StorageClass="STANDARD_IA")
    s3.put_object(Bucket=bucket, Key="std", Body=b"x")
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [(o["Key"], o["StorageClass"]) for o in listed] == [("ia", "STANDARD_IA"),
                                                              ("std", "STANDARD")]
    listed = s3.list_objects(Bucket=bucket)["Contents"]
    assert [(o["Key"], o["StorageClass"]) for o in listed] == [("ia", "STANDARD_IA"),
                                                              ("std", "STANDARD")]


def test_invalid_storage_class(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="bogus", Body=b"x", StorageClass="NOT_A_CLASS")
    assert error_of(e)[:2] == ("InvalidStorageClass", 400)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="bogus")
    assert error_of(e)[1] == 404


def test_empty_object(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    assert put["ETag"] == '"%s"' % EMPTY_MD5
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["ContentLength"] == 0
    assert got["Body"].read() == b""
    assert s3.head_object(Bucket=bucket, Key="empty")["ContentLength"] == 0
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [(o["Key"], o["Size"], o["ETag"]) for o in listed] == [("empty", 0, '"%s"' % EMPTY_MD5)]


def test_binary_body_round_trip(s3, bucket):
    body = bytes(range(256)) * 64 + b"\r\n\x00\xff" + os.urandom(1000)
    put = s3.put_object(Bucket=bucket, Key="bin", Body=body)
    assert put["ETag"] == quoted_md5(body)
    assert read(s3, bucket, "bin") == body


def test_overwrite_replaces_body_and_metadata(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"first", Metadata={"a": "1"},
                  ContentType="text/plain")
    s3.put_object(Bucket=bucket, Key="k", Body=b"second!", Metadata={"b": "2"})
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == b"second!"
    assert got["Metadata"] == {"b": "2"}
    assert got["ContentType"] == "binary/octet-stream"
    assert got["ETag"] == quoted_md5(b"second!")


SPECIAL_KEYS = [
    "with space.txt",
    "  leading and trailing spaces  ",
    "unicode-ñ-日本語-🙂.txt",
    "a/b/c/deep.txt",
    "plus+sign+key",
    "percent%20literal",
    "percent%",
    "question?mark",
    "hash#tag",
    "amp&and=eq;semi",
    "tilde~star*paren()'quote'",
    "comma,colon:at@dollar$",
    "brackets[]{}<>|^`back\\slash",
    "double//slash",
    "trailing/",
    "/leading-slash",
    "dot./..segment",
    "tab\tin-key",
]


@pytest.mark.parametrize("key", SPECIAL_KEYS)
def test_special_keys_round_trip(s3, bucket, key):
    body = ("body of " + key).encode()
    put = s3.put_object(Bucket=bucket, Key=key, Body=body, Metadata={"k": "v"})
    assert put["ETag"] == quoted_md5(body)
    assert read(s3, bucket, key) == body
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == len(body)
    assert all_keys(s3, bucket) == [key]
    listed = s3.list_objects(Bucket=bucket)["Contents"]
    assert [o["Key"] for o in listed] == [key]
    s3.delete_object(Bucket=bucket, Key=key)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key=key)
    assert error_of(e)[:2] == ("NoSuchKey", 404)
    assert e.value.response["Error"].get("Key") == key


def test_special_keys_together_list_in_binary_order(s3, bucket):
    keys = [k for k in SPECIAL_KEYS]
    put_keys(s3, bucket, keys)
    expected = sorted(keys, key=lambda k: k.encode())
    assert all_keys(s3, bucket) == expected
    assert all_keys(s3, bucket, PaginationConfig={"PageSize": 3}) == expected


def test_key_too_long(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_of(e)[:2] == ("KeyTooLongError", 400)
    key = "k" * 1024
    s3.put_object(Bucket=bucket, Key=key, Body=b"max")
    assert read(s3, bucket, key) == b"max"


def test_metadata_too_large(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="big-meta", Body=b"x", Metadata={"m": "v" * 2100})
    assert error_of(e)[:2] == ("MetadataTooLarge", 400)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="big-meta")
    assert error_of(e)[1] == 404


def test_get_missing_key(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="no/such key")
    code, status, message = error_of(e)
    assert (code, status) == ("NoSuchKey", 404)
    assert message == "The specified key does not exist."
    assert e.value.response["Error"]["Key"] == "no/such key"
    assert e.value.response["ResponseMetadata"].get("RequestId")


def test_head_missing_key_is_bare_404(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="nothing-here")
    code, status, _ = error_of(e)
    assert status == 404
    # A HEAD response carries no body, so boto3 can only report the status.
    assert code == "404"


def test_delete_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="gone", Body=b"x")
    deleted = s3.delete_object(Bucket=bucket, Key="gone")
    assert status_of(deleted) == 204
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="gone")
    assert error_of(e)[1] == 404
    # Deleting a key that is not there succeeds too.
    assert status_of(s3.delete_object(Bucket=bucket, Key="gone")) == 204
    assert status_of(s3.delete_object(Bucket=bucket, Key="never-was")) == 204


# --- Content-MD5 -------------------------------------------------------------------------------

def test_content_md5_matching_is_accepted(s3, bucket):
    body = b"checked body"
    put = s3.put_object(Bucket=bucket, Key="md5-ok", Body=body, ContentMD5=md5_b64(body))
    assert put["ETag"] == quoted_md5(body)


@pytest.mark.parametrize("size", [100, 64 * 1024 + 1, 2 * MiB + 17])
def test_content_md5_mismatch_is_bad_digest(s3, bucket, size):
    s3.put_object(Bucket=bucket, Key="digest", Body=b"previous")
    body = os.urandom(size)
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="digest", Body=body, ContentMD5=md5_b64(b"other"))
    assert error_of(e)[:2] == ("BadDigest", 400)
    # The failed upload leaves the previous object alone.
    assert read(s3, bucket, "digest") == b"previous"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="fresh-digest", Body=body, ContentMD5=md5_b64(b"x"))
    assert error_of(e)[:2] == ("BadDigest", 400)
    assert all_keys(s3, bucket) == ["digest"]


def test_malformed_content_md5_is_invalid_digest(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="bad-md5", Body=b"abc", ContentMD5="not-an-md5")
    assert error_of(e)[:2] == ("InvalidDigest", 400)


# --- large bodies (the streamed upload path) ---------------------------------------------------

@pytest.mark.parametrize("size", [64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 1 * MiB + 3,
                                  6 * MiB + 12345])
def test_large_object_round_trip(s3, bucket, size):
    body = os.urandom(size)
    key = f"large/{size}.bin"
    put = s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/x-test",
                        Metadata={"size": str(size)})
    assert put["ETag"] == quoted_md5(body)
    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] == size
    assert head["ETag"] == quoted_md5(body)
    assert head["ContentType"] == "application/x-test"
    assert head["Metadata"] == {"size": str(size)}
    got = read(s3, bucket, key)
    assert len(got) == size
    assert got == body
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=key)["Contents"]
    assert [(o["Key"], o["Size"], o["ETag"]) for o in listed] == [(key, size, quoted_md5(body))]


def test_ranged_reads_across_a_large_object(s3, bucket):
    size = 3 * MiB + 777
    body = os.urandom(size)
    s3.put_object(Bucket=bucket, Key="ranged", Body=body)
    for first, last in [(0, 0), (65535, 65537), (MiB - 10, MiB + 10), (size - 100, size - 1),
                        (123456, 2 * MiB + 654321), (0, size - 1)]:
        got = s3.get_object(Bucket=bucket, Key="ranged", Range=f"bytes={first}-{last}")
        assert status_of(got) == 206
        assert got["ContentRange"] == f"bytes {first}-{last}/{size}"
        assert got["ContentLength"] == last - first + 1
        assert got["Body"].read() == body[first:last + 1]
    got = s3.get_object(Bucket=bucket, Key="ranged", Range="bytes=-70000")
    assert got["Body"].read() == body[-70000:]
    assert got["ContentRange"] == f"bytes {size - 70000}-{size - 1}/{size}"
    got = s3.get_object(Bucket=bucket, Key="ranged", Range=f"bytes={size - 5000}-")
    assert got["Body"].read() == body[-5000:]
    # Byte-exact download through the transfer manager's ranged GETs too.
    import io
    out = io.BytesIO()
    s3.download_fileobj(bucket, "ranged", out, Config=boto3.s3.transfer.TransferConfig(
        multipart_threshold=MiB, multipart_chunksize=MiB, max_concurrency=4))
    assert out.getvalue() == body


def test_upload_fileobj_streamed_body(s3, bucket, tmp_path):
    # A body boto3 reads from a file, large enough for the streamed path but not multipart.
    body = os.urandom(5 * MiB)
    path = tmp_path / "body.bin"
    path.write_bytes(body)
    with open(path, "rb") as f:
        put = s3.put_object(Bucket=bucket, Key="from-file", Body=f)
    assert put["ETag"] == quoted_md5(body)
    assert read(s3, bucket, "from-file") == body


# --- ranges ------------------------------------------------------------------------------------

@pytest.fixture
def ten_bytes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="ten", Body=b"0123456789")
    return bucket


@pytest.mark.parametrize("spec,expected,content_range", [
    ("bytes=0-4", b"01234", "bytes 0-4/10"),
    ("bytes=-3", b"789", "bytes 7-9/10"),
    ("bytes=5-", b"56789", "bytes 5-9/10"),
    ("bytes=9-9", b"9", "bytes 9-9/10"),
    ("bytes=3-100", b"3456789", "bytes 3-9/10"),
    ("bytes=-100", b"0123456789", "bytes 0-9/10"),
])
def test_range_reads(s3, ten_bytes, spec, expected, content_range):
    got = s3.get_object(Bucket=ten_bytes, Key="ten", Range=spec)
    assert status_of(got) == 206
    assert got["ContentRange"] == content_range
    assert got["ContentLength"] == len(expected)
    assert got["Body"].read() == expected
    assert got["ETag"] == quoted_md5(b"0123456789")


@pytest.mark.parametrize("spec", ["bytes=10-", "bytes=10-20", "bytes=100-200"])
def test_unsatisfiable_range(s3, ten_bytes, spec):
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=ten_bytes, Key="ten", Range=spec)
    code, status, _ = error_of(e)
    assert (code, status) == ("InvalidRange", 416)


def test_head_with_range(s3, ten_bytes):
    head = s3.head_object(Bucket=ten_bytes, Key="ten", Range="bytes=2-5")
    assert status_of(head) == 206
    assert head["ContentLength"] == 4
    # boto3 1.26's HeadObject has no ContentRange member: the header itself.
    assert header(head, "content-range") == "bytes 2-5/10"


def test_range_ignored_when_malformed(s3, ten_bytes):
    # A Range S3 cannot parse (end before start) is ignored: the whole object, 200.
    got = s3.get_object(Bucket=ten_bytes, Key="ten", Range="bytes=5-2")
    assert status_of(got) == 200
    assert got["Body"].read() == b"0123456789"
    assert "ContentRange" not in got


# --- conditional requests ----------------------------------------------------------------------

@pytest.fixture
def conditional(s3, bucket):
    s3.put_object(Bucket=bucket, Key="cond", Body=b"conditional body")
    head = s3.head_object(Bucket=bucket, Key="cond")
    return bucket, head["ETag"], head["LastModified"]


def test_if_match(s3, conditional):
    bucket, etag, _ = conditional
    assert read(s3, bucket, "cond", IfMatch=etag) == b"conditional body"
    assert read(s3, bucket, "cond", IfMatch=etag.strip('"')) == b"conditional body"
    assert read(s3, bucket, "cond", IfMatch="*") == b"conditional body"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="cond", IfMatch='"0123456789abcdef0123456789abcdef"')
    code, status, _ = error_of(e)
    assert (code, status) == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="cond", IfMatch='"0123456789abcdef0123456789abcdef"')
    assert error_of(e)[1] == 412


def test_if_none_match(s3, conditional):
    bucket, etag, _ = conditional
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="cond", IfNoneMatch=etag)
    code, status, _ = error_of(e)
    assert status == 304
    assert code == "304"
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"].get("etag") == etag
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="cond", IfNoneMatch=etag)
    assert error_of(e)[1] == 304
    got = s3.get_object(Bucket=bucket, Key="cond", IfNoneMatch='"ffffffffffffffffffffffffffffffff"')
    assert got["Body"].read() == b"conditional body"


def test_if_modified_since(s3, conditional):
    bucket, _, modified = conditional
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="cond", IfModifiedSince=modified)
    assert error_of(e)[1] == 304
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="cond", IfModifiedSince=modified)
    assert error_of(e)[1] == 304
    earlier = modified - datetime.timedelta(days=1)
    assert read(s3, bucket, "cond", IfModifiedSince=earlier) == b"conditional body"


def test_if_unmodified_since(s3, conditional):
    bucket, _, modified = conditional
    earlier = modified - datetime.timedelta(days=1)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="cond", IfUnmodifiedSince=earlier)
    assert error_of(e)[:2] == ("PreconditionFailed", 412)
    assert read(s3, bucket, "cond", IfUnmodifiedSince=modified) == b"conditional body"


def test_if_match_true_overrides_if_unmodified_since_false(s3, conditional):
    # S3: If-Match true and If-Unmodified-Since false -> 200 with the data.
    bucket, etag, modified = conditional
    earlier = modified - datetime.timedelta(days=1)
    got = s3.get_object(Bucket=bucket, Key="cond", IfMatch=etag, IfUnmodifiedSince=earlier)
    assert status_of(got) == 200
    assert got["Body"].read() == b"conditional body"


def test_if_none_match_false_and_if_modified_since_true_is_304(s3, conditional):
    # S3: If-None-Match false (the ETag matches) and If-Modified-Since true -> 304.
    bucket, etag, modified = conditional
    earlier = modified - datetime.timedelta(days=1)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="cond", IfNoneMatch=etag, IfModifiedSince=earlier)
    assert error_of(e)[1] == 304


# --- response overrides ------------------------------------------------------------------------

def test_response_header_overrides(s3, bucket):
    s3.put_object(Bucket=bucket, Key="override", Body=b"{}", ContentType="application/json",
                  CacheControl="max-age=1")
    got = s3.get_object(Bucket=bucket, Key="override",
                        ResponseContentType="text/x-overridden",
                        ResponseContentDisposition='attachment; filename="x.json"',
                        ResponseCacheControl="no-store",
                        ResponseContentLanguage="fr",
                        ResponseContentEncoding="identity")
    assert got["ContentType"] == "text/x-overridden"
    assert got["ContentDisposition"] == 'attachment; filename="x.json"'
    assert got["CacheControl"] == "no-store"
    assert got["ContentLanguage"] == "fr"
    assert got["ContentEncoding"] == "identity"
    assert got["Body"].read() == b"{}"
    # The stored headers are unchanged.
    head = s3.head_object(Bucket=bucket, Key="override")
    assert head["ContentType"] == "application/json"
    assert head["CacheControl"] == "max-age=1"


# --- DeleteObjects -----------------------------------------------------------------------------

def test_delete_objects_verbose(s3, bucket):
    keys = ["d/one", "d/two", "d/three with space", "d/ünï", "d/a&b<c>'\"q"]
    put_keys(s3, bucket, keys + ["keep"])
    r = s3.delete_objects(Bucket=bucket, Delete={
        "Objects": [{"Key": k} for k in keys + ["d/never-existed"]]})
    assert status_of(r) == 200
    # S3 reports a key that was not there as deleted too.
    assert sorted(d["Key"] for d in r["Deleted"]) == sorted(keys + ["d/never-existed"])
    assert r.get("Errors", []) == []
    assert all_keys(s3, bucket) == ["keep"]


def test_delete_objects_quiet(s3, bucket):
    keys = [f"q/{i}" for i in range(5)]
    put_keys(s3, bucket, keys)
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys],
                                                  "Quiet": True})
    assert status_of(r) == 200
    assert r.get("Deleted", []) == []
    assert r.get("Errors", []) == []
    assert all_keys(s3, bucket) == []


def test_delete_objects_many(s3, bucket):
    keys = [f"many/{i:04d}" for i in range(120)]
    put_keys(s3, bucket, keys, body=b"")
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[:100]]})
    assert len(r["Deleted"]) == 100
    assert all_keys(s3, bucket) == keys[100:]


def test_delete_objects_more_than_1000_keys(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k0", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"k{i}"} for i in range(1001)]})
    assert error_of(e)[:2] == ("MalformedXML", 400)
    assert all_keys(s3, bucket) == ["k0"]


def test_delete_objects_missing_bucket(s3):
    name = bucket_name("missing")
    with pytest.raises(ClientError) as e:
        s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": "k"}]})
    assert error_of(e)[:2] == ("NoSuchBucket", 404)


# --- CopyObject --------------------------------------------------------------------------------

def test_copy_object_copies_metadata_by_default(s3, bucket):
    body = b"copy me" * 100
    s3.put_object(Bucket=bucket, Key="src", Body=body, ContentType="text/plain",
                  Metadata={"origin": "src"}, CacheControl="no-cache", Tagging="t1=v1&t2=v2")
    dest_bucket = bucket_name()
    s3.create_bucket(Bucket=dest_bucket)
    r = s3.copy_object(Bucket=dest_bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert status_of(r) == 200
    assert r["CopyObjectResult"]["ETag"] == quoted_md5(body)
    assert isinstance(r["CopyObjectResult"]["LastModified"], datetime.datetime)
    got = s3.get_object(Bucket=dest_bucket, Key="dst")
    assert got["Body"].read() == body
    assert got["ContentType"] == "text/plain"
    assert got["CacheControl"] == "no-cache"
    assert got["Metadata"] == {"origin": "src"}
    assert got["ETag"] == quoted_md5(body)
    assert got["TagCount"] == 2
    tags = s3.get_object_tagging(Bucket=dest_bucket, Key="dst")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("t1", "v1"), ("t2", "v2")]
    # The source is untouched.
    assert read(s3, bucket, "src") == body


def test_copy_object_replace_metadata(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"payload", ContentType="text/plain",
                  Metadata={"old": "1"})
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", Metadata={"new": "2"},
                   ContentType="application/json")
    head = s3.head_object(Bucket=bucket, Key="dst")
    assert head["Metadata"] == {"new": "2"}
    assert head["ContentType"] == "application/json"
    assert head["ETag"] == quoted_md5(b"payload")
    assert s3.head_object(Bucket=bucket, Key="src")["Metadata"] == {"old": "1"}


def test_copy_object_replace_tags(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Tagging="a=1")
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                   TaggingDirective="REPLACE", Tagging="b=2&c=3")
    tags = s3.get_object_tagging(Bucket=bucket, Key="dst")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("b", "2"), ("c", "3")]


def test_copy_object_to_itself(s3, bucket):
    s3.put_object(Bucket=bucket, Key="self", Body=b"same", Metadata={"v": "1"})
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"})
    code, status, message = error_of(e)
    assert (code, status) == ("InvalidRequest", 400)
    assert "copy an object to itself" in message
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"},
                       MetadataDirective="COPY")
    assert error_of(e)[:2] == ("InvalidRequest", 400)
    # With REPLACE it is how metadata is changed in place.
    s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"},
                   MetadataDirective="REPLACE", Metadata={"v": "2"})
    got = s3.get_object(Bucket=bucket, Key="self")
    assert got["Metadata"] == {"v": "2"}
    assert got["Body"].read() == b"same"


def test_copy_object_source_conditions(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"conditional copy")
    etag = quoted_md5(b"conditional copy")
    src = {"Bucket": bucket, "Key": "src"}
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=src,
                       CopySourceIfMatch='"0123456789abcdef0123456789abcdef"')
    assert error_of(e)[:2] == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=src, CopySourceIfNoneMatch=etag)
    assert error_of(e)[:2] == ("PreconditionFailed", 412)
    modified = s3.head_object(Bucket=bucket, Key="src")["LastModified"]
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=src,
                       CopySourceIfUnmodifiedSince=modified - datetime.timedelta(days=1))
    assert error_of(e)[:2] == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="dst")
    assert error_of(e)[1] == 404
    s3.copy_object(Bucket=bucket, Key="dst", CopySource=src, CopySourceIfMatch=etag)
    assert read(s3, bucket, "dst") == b"conditional copy"


def test_copy_object_missing_source(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "nope"})
    assert error_of(e)[:2] == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="dst",
                       CopySource={"Bucket": bucket_name("missing"), "Key": "nope"})
    assert error_of(e)[:2] == ("NoSuchBucket", 404)


def test_copy_object_special_keys(s3, bucket):
    src = "src dir/ñ+%/file name.txt"
    dst = "dst dir/日本+%20/copy.txt"
    s3.put_object(Bucket=bucket, Key=src, Body=b"special")
    s3.copy_object(Bucket=bucket, Key=dst, CopySource={"Bucket": bucket, "Key": src})
    assert read(s3, bucket, dst) == b"special"
    # The string form of CopySource ("bucket/key", which boto3 URL-encodes) works too.
    s3.copy_object(Bucket=bucket, Key="third", CopySource=f"{bucket}/{src}")
    assert read(s3, bucket, "third") == b"special"


def test_copy_large_object_then_overwrite_source(s3, bucket):
    body = os.urandom(2 * MiB + 5)
    s3.put_object(Bucket=bucket, Key="big-src", Body=body)
    s3.copy_object(Bucket=bucket, Key="big-dst", CopySource={"Bucket": bucket, "Key": "big-src"})
    s3.put_object(Bucket=bucket, Key="big-src", Body=b"replaced")
    s3.delete_object(Bucket=bucket, Key="big-src")
    got = read(s3, bucket, "big-dst")
    assert got == body
    assert s3.head_object(Bucket=bucket, Key="big-dst")["ETag"] == quoted_md5(body)


def test_copy_multipart_object(s3, bucket):
    part1 = os.urandom(5 * MiB)
    part2 = os.urandom(1000)
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp-src", ContentType="text/csv",
                                    Metadata={"from": "multipart"})
    e1 = s3.upload_part(Bucket=bucket, Key="mp-src", UploadId=up["UploadId"], PartNumber=1,
                        Body=part1)["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="mp-src", UploadId=up["UploadId"], PartNumber=2,
                        Body=part2)["ETag"]
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp-src", UploadId=up["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    assert done["ETag"].endswith('-2"')
    r = s3.copy_object(Bucket=bucket, Key="mp-dst",
                       CopySource={"Bucket": bucket, "Key": "mp-src"})
    whole = part1 + part2
    # A CopyObject makes a new, single-part object: its ETag is the MD5 of its bytes, whatever
    # the source's was.
    assert r["CopyObjectResult"]["ETag"] == quoted_md5(whole)
    got = s3.get_object(Bucket=bucket, Key="mp-dst")
    assert got["Body"].read() == whole
    assert got["ETag"] == quoted_md5(whole)
    assert got["ContentType"] == "text/csv"
    assert got["Metadata"] == {"from": "multipart"}
    # The source keeps its multipart ETag.
    assert s3.head_object(Bucket=bucket, Key="mp-src")["ETag"] == done["ETag"]


# --- tagging -----------------------------------------------------------------------------------

def test_object_tagging_put_get_delete(s3, bucket):
    s3.put_object(Bucket=bucket, Key="tagged", Body=b"x")
    assert s3.get_object_tagging(Bucket=bucket, Key="tagged")["TagSet"] == []
    r = s3.put_object_tagging(Bucket=bucket, Key="tagged", Tagging={"TagSet": [
        {"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "a b+c/d=e"},
        {"Key": "empty", "Value": ""}]})
    assert status_of(r) == 200
    tags = s3.get_object_tagging(Bucket=bucket, Key="tagged")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [
        ("empty", ""), ("env", "prod"), ("team", "a b+c/d=e")]
    assert s3.get_object(Bucket=bucket, Key="tagged")["TagCount"] == 3
    r = s3.delete_object_tagging(Bucket=bucket, Key="tagged")
    assert status_of(r) == 204
    assert s3.get_object_tagging(Bucket=bucket, Key="tagged")["TagSet"] == []
    assert "TagCount" not in s3.get_object(Bucket=bucket, Key="tagged")


def test_tagging_header_on_put_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="hdr", Body=b"x",
                  Tagging="project=lamina&owner=ops%20team&plus=a%2Bb")
    tags = s3.get_object_tagging(Bucket=bucket, Key="hdr")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [
        ("owner", "ops team"), ("plus", "a+b"), ("project", "lamina")]
    assert s3.get_object(Bucket=bucket, Key="hdr")["TagCount"] == 3


def test_overwrite_drops_tags(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"1", Tagging="a=1")
    s3.put_object(Bucket=bucket, Key="k", Body=b"2")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []


def test_too_many_tags(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x")
    eleven = [{"Key": f"k{i}", "Value": "v"} for i in range(11)]
    with pytest.raises(ClientError) as e:
        s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": eleven})
    # S3 says BadRequest here (moto's suite, checked against AWS), InvalidTag for a bad tag.
    assert error_of(e)[:2] == ("BadRequest", 400)
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="t2", Body=b"x",
                      Tagging="&".join(f"k{i}=v" for i in range(11)))
    assert error_of(e)[:2] == ("BadRequest", 400)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="t2")
    assert error_of(e)[1] == 404
    ten = eleven[:10]
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": ten})
    assert len(s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"]) == 10


def test_invalid_tags(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x")
    for tagset in ([{"Key": "k" * 129, "Value": "v"}],
                   [{"Key": "k", "Value": "v" * 257}],
                   [{"Key": "dup", "Value": "1"}, {"Key": "dup", "Value": "2"}]):
        with pytest.raises(ClientError) as e:
            s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": tagset})
        assert error_of(e)[:2] == ("InvalidTag", 400)


def test_tagging_missing_object(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_object_tagging(Bucket=bucket, Key="none")
    assert error_of(e)[:2] == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as e:
        s3.put_object_tagging(Bucket=bucket, Key="none",
                              Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    assert error_of(e)[:2] == ("NoSuchKey", 404)


# --- listing -----------------------------------------------------------------------------------

TREE = ["photos/2023/a.jpg", "photos/2023/b.jpg", "photos/2024/c.jpg", "photos/readme",
        "root.txt", "videos/x.mp4", "zeta"]


@pytest.fixture
def tree(s3, bucket):
    put_keys(s3, bucket, TREE, body=b"tree")
    return bucket


def test_list_objects_v2_everything(s3, tree):
    r = s3.list_objects_v2(Bucket=tree)
    assert [o["Key"] for o in r["Contents"]] == TREE
    assert r["KeyCount"] == len(TREE)
    assert r["IsTruncated"] is False
    assert r["Name"] == tree
    assert r["MaxKeys"] == 1000
    assert "NextContinuationToken" not in r
    o = r["Contents"][0]
    assert o["Size"] == 4
    assert o["ETag"] == quoted_md5(b"tree")
    assert o["StorageClass"] == "STANDARD"
    assert isinstance(o["LastModified"], datetime.datetime)
    assert "Owner" not in o
    owned = s3.list_objects_v2(Bucket=tree, FetchOwner=True)["Contents"][0]
    assert owned["Owner"]["ID"]


def test_list_objects_v2_delimiter(s3, tree):
    r = s3.list_objects_v2(Bucket=tree, Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["root.txt", "zeta"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["photos/", "videos/"]
    assert r["KeyCount"] == 4
    assert r["Delimiter"] == "/"


def test_list_objects_v2_prefix_and_delimiter(s3, tree):
    r = s3.list_objects_v2(Bucket=tree, Prefix="photos/", Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["photos/readme"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["photos/2023/", "photos/2024/"]
    assert r["KeyCount"] == 3
    assert r["Prefix"] == "photos/"
    r = s3.list_objects_v2(Bucket=tree, Prefix="photos/2023/")
    assert [o["Key"] for o in r["Contents"]] == ["photos/2023/a.jpg", "photos/2023/b.jpg"]
    assert "CommonPrefixes" not in r
    r = s3.list_objects_v2(Bucket=tree, Prefix="photos/20")
    assert [o["Key"] for o in r["Contents"]] == TREE[:3]
    r = s3.list_objects_v2(Bucket=tree, Prefix="nothing/")
    assert "Contents" not in r
    assert r["KeyCount"] == 0
    # A delimiter other than "/".
    r = s3.list_objects_v2(Bucket=tree, Delimiter="o")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["pho", "ro", "video"]
    assert [o["Key"] for o in r["Contents"]] == ["zeta"]


def test_list_objects_v1_prefix_and_delimiter(s3, tree):
    r = s3.list_objects(Bucket=tree)
    assert [o["Key"] for o in r["Contents"]] == TREE
    assert r["IsTruncated"] is False
    assert r["Contents"][0]["Owner"]["ID"]
    r = s3.list_objects(Bucket=tree, Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["root.txt", "zeta"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["photos/", "videos/"]
    r = s3.list_objects(Bucket=tree, Prefix="photos/", Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["photos/readme"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["photos/2023/", "photos/2024/"]


def test_empty_bucket_listing(s3, bucket):
    r = s3.list_objects_v2(Bucket=bucket)
    assert status_of(r) == 200
    assert "Contents" not in r
    assert "CommonPrefixes" not in r
    assert r["KeyCount"] == 0
    assert r["IsTruncated"] is False
    r = s3.list_objects(Bucket=bucket)
    assert "Contents" not in r
    assert r["IsTruncated"] is False


KEYS_23 = [f"page/{i:03d}" for i in range(23)]


def test_list_objects_v2_paging_by_hand(s3, bucket):
    put_keys(s3, bucket, KEYS_23, body=b"")
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"ContinuationToken": token} if token else {}
        r = s3.list_objects_v2(Bucket=bucket, MaxKeys=5, **kwargs)
        pages += 1
        assert r["MaxKeys"] == 5
        if token:
            assert r["ContinuationToken"] == token
        keys = [o["Key"] for o in r.get("Contents", [])]
        assert r["KeyCount"] == len(keys)
        seen += keys
        if not r["IsTruncated"]:
            assert "NextContinuationToken" not in r
            break
        assert len(keys) == 5
        token = r["NextContinuationToken"]
    assert seen == KEYS_23
    assert pages == 5


def test_list_objects_v2_paginator(s3, bucket):
    put_keys(s3, bucket, KEYS_23, body=b"")
    for size in (1, 4, 22, 23, 1000):
        pages = list(s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, PaginationConfig={"PageSize": size}))
        keys = [o["Key"] for p in pages for o in p.get("Contents", [])]
        assert keys == KEYS_23, size
        assert len(pages) == -(-23 // size)


def test_list_objects_v1_paging(s3, bucket):
    put_keys(s3, bucket, KEYS_23, body=b"")
    seen, marker = [], ""
    while True:
        r = s3.list_objects(Bucket=bucket, MaxKeys=6, Marker=marker)
        assert r["Marker"] == marker
        keys = [o["Key"] for o in r.get("Contents", [])]
        seen += keys
        # Without a delimiter S3 sends no NextMarker: the last key is the next marker.
        assert "NextMarker" not in r
        if not r["IsTruncated"]:
            break
        marker = keys[-1]
    assert seen == KEYS_23
    pages = list(s3.get_paginator("list_objects").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": 4}))
    assert [o["Key"] for p in pages for o in p.get("Contents", [])] == KEYS_23
    assert len(pages) == 6
    # A marker between keys.
    r = s3.list_objects(Bucket=bucket, Marker="page/0105")
    assert [o["Key"] for o in r["Contents"]] == KEYS_23[11:]


DELIMITED = ["a/1", "a/2", "a/3", "b/1", "c", "d/x/1", "d/y", "e"]


def test_paging_with_delimiter_v2(s3, bucket):
    put_keys(s3, bucket, DELIMITED, body=b"")
    for size in (1, 2, 3):
        pages = list(s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": size}))
        keys = [o["Key"] for p in pages for o in p.get("Contents", [])]
        prefixes = [c["Prefix"] for p in pages for c in p.get("CommonPrefixes", [])]
        assert keys == ["c", "e"], size
        assert prefixes == ["a/", "b/", "d/"], size
        for p in pages:
            assert p["KeyCount"] == len(p.get("Contents", [])) + len(p.get("CommonPrefixes", []))
            assert p["KeyCount"] <= size
        assert len(pages) == -(-5 // size)


def test_paging_with_delimiter_v1_next_marker(s3, bucket):
    put_keys(s3, bucket, DELIMITED, body=b"")
    r = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=1)
    assert [c["Prefix"] for c in r["CommonPrefixes"]] == ["a/"]
    assert r["IsTruncated"] is True
    assert r["NextMarker"] == "a/"
    r = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=2, Marker="a/")
    assert [c["Prefix"] for c in r["CommonPrefixes"]] == ["b/"]
    assert [o["Key"] for o in r["Contents"]] == ["c"]
    assert r["NextMarker"] == "c"
    pages = list(s3.get_paginator("list_objects").paginate(
        Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 1}))
    assert [o["Key"] for p in pages for o in p.get("Contents", [])] == ["c", "e"]
    assert [c["Prefix"] for p in pages for c in p.get("CommonPrefixes", [])] == ["a/", "b/", "d/"]


def test_start_after(s3, bucket):
    keys = [f"k{i:02d}" for i in range(10)]
    put_keys(s3, bucket, keys, body=b"")
    r = s3.list_objects_v2(Bucket=bucket, StartAfter="k04")
    assert [o["Key"] for o in r["Contents"]] == keys[5:]
    assert r["StartAfter"] == "k04"
    r = s3.list_objects_v2(Bucket=bucket, StartAfter="k045")
    assert [o["Key"] for o in r["Contents"]] == keys[5:]
    r = s3.list_objects_v2(Bucket=bucket, StartAfter="k09")
    assert "Contents" not in r
    assert r["KeyCount"] == 0
    r = s3.list_objects_v2(Bucket=bucket, StartAfter="a")
    assert [o["Key"] for o in r["Contents"]] == keys
    # StartAfter with paging: the continuation token takes over.
    pages = list(s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, StartAfter="k02", PaginationConfig={"PageSize": 3}))
    assert [o["Key"] for p in pages for o in p.get("Contents", [])] == keys[3:]


def test_url_encoding_type_round_trips_special_keys(s3, bucket):
    keys = ["sp ace/a b", "sp ace/c+d", "plus+/x", "pct%2F/y", "uni/ñ日本", "amp&/z",
            "ctl\x07char", "lt<gt>", "quote\"apos'"]
    put_keys(s3, bucket, keys, body=b"")
    expected = sorted(keys, key=lambda k: k.encode())
    # boto3 asks for EncodingType=url itself and decodes the answer.
    r = s3.list_objects_v2(Bucket=bucket)
    assert r["EncodingType"] == "url"
    assert [o["Key"] for o in r["Contents"]] == expected
    r = s3.list_objects(Bucket=bucket)
    assert [o["Key"] for o in r["Contents"]] == expected
    r = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [c["Prefix"] for c in r["CommonPrefixes"]] == ["amp&/", "pct%2F/", "plus+/",
                                                          "sp ace/", "uni/"]
    r = s3.list_objects_v2(Bucket=bucket, Prefix="sp ace/", Delimiter="/")
    assert r["Prefix"] == "sp ace/"
    assert [o["Key"] for o in r["Contents"]] == ["sp ace/a b", "sp ace/c+d"]
    r = s3.list_objects_v2(Bucket=bucket, StartAfter="plus+/x")
    assert r["StartAfter"] == "plus+/x"
    assert [o["Key"] for o in r["Contents"]] == [k for k in expected if k.encode() > b"plus+/x"]
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": 2})
    assert [o["Key"] for p in pages for o in p.get("Contents", [])] == expected
    pages = s3.get_paginator("list_objects").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": 2})
    assert [o["Key"] for p in pages for o in p.get("Contents", [])] == expected


def test_url_encoding_encodes_on_the_wire(daemon, bucket, s3):
    s3.put_object(Bucket=bucket, Key="a b+c/ñ", Body=b"")
    status, _, body = s3_raw(daemon, "GET", f"/{bucket}?list-type=2&encoding-type=url")
    assert status == 200
    text = body.decode()
    assert "<EncodingType>url</EncodingType>" in text
    # Space, '+' and non-ASCII bytes are percent-encoded, the '/' kept.
    import re
    key = re.search(r"<Key>([^<]*)</Key>", text).group(1)
    import urllib.parse
    assert urllib.parse.unquote_plus(key) == "a b+c/ñ"
    assert " " not in key and "+c" not in key and "ñ" not in key


def test_list_binary_order(s3, bucket):
    keys = ["a", "B", "é", "z", "~", "0", "A-", "a/b", "a-b"]
    put_keys(s3, bucket, keys, body=b"")
    assert all_keys(s3, bucket) == sorted(keys, key=lambda k: k.encode())


def test_max_keys_one(s3, bucket):
    put_keys(s3, bucket, ["x", "y"], body=b"")
    r = s3.list_objects_v2(Bucket=bucket, MaxKeys=1)
    assert [o["Key"] for o in r["Contents"]] == ["x"]
    assert r["IsTruncated"] is True
    assert r["KeyCount"] == 1
    r = s3.list_objects_v2(Bucket=bucket, MaxKeys=1, ContinuationToken=r["NextContinuationToken"])
    assert [o["Key"] for o in r["Contents"]] == ["y"]
    assert r["IsTruncated"] is False


def test_invalid_continuation_token(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.list_objects_v2(Bucket=bucket, ContinuationToken="!!!not-a-token!!!")
    assert error_of(e)[:2] == ("InvalidArgument", 400)


# --- signatures and payload hashes -------------------------------------------------------------

@pytest.mark.parametrize("size", [10, 2 * MiB])
def test_wrong_secret_is_signature_mismatch(daemon, bucket, size):
    bad = daemon.client("s3", secret_key="x" * 40)
    with pytest.raises(ClientError) as e:
        bad.put_object(Bucket=bucket, Key="forged", Body=os.urandom(size))
    assert error_of(e)[:2] == ("SignatureDoesNotMatch", 403)
    s3 = daemon.client("s3")
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="forged")
    assert error_of(e)[1] == 404


def test_wrong_signing_region(daemon, bucket):
    s3 = daemon.client("s3")
    s3.put_object(Bucket=bucket, Key="k", Body=b"regional")
    # S3 answers a request signed for another region with AuthorizationHeaderMalformed naming the
    # region to use...
    status, _, text = s3_raw(daemon, "GET", f"/{bucket}/k", region="eu-west-1")
    assert status == 400
    assert b"<Code>AuthorizationHeaderMalformed</Code>" in text
    assert b"<Region>us-east-1</Region>" in text
    # ...which boto3 follows: a client configured for the wrong region still works.
    eu = daemon.client("s3", region="eu-west-1")
    assert eu.get_object(Bucket=bucket, Key="k")["Body"].read() == b"regional"


def test_unknown_access_key(daemon, bucket):
    bad = daemon.client("s3", access_key="AKIAUNKNOWNUNKNOWN00", secret_key="x" * 40)
    with pytest.raises(ClientError) as e:
        bad.list_objects_v2(Bucket=bucket)
    assert error_of(e)[:2] == ("InvalidAccessKeyId", 403)


@pytest.mark.parametrize("size", [10, 2 * MiB])
def test_payload_hash_mismatch(daemon, bucket, size):
    body = os.urandom(size)
    wrong = hashlib.sha256(b"something else").hexdigest()
    status, _, text = s3_raw(daemon, "PUT", f"/{bucket}/hashed", body, payload_hash=wrong)
    assert status == 400, text
    assert b"<Code>XAmzContentSHA256Mismatch</Code>" in text
    status, _, _ = s3_raw(daemon, "HEAD", f"/{bucket}/hashed")
    assert status == 404


# --- durability --------------------------------------------------------------------------------

def test_objects_survive_a_restart(daemon_factory):
    d = daemon_factory()
    s3 = d.client("s3")
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    small, large = b"small body", os.urandom(3 * MiB)
    s3.put_object(Bucket=name, Key="small", Body=small, Metadata={"m": "1"}, Tagging="t=1")
    s3.put_object(Bucket=name, Key="large", Body=large)
    up = s3.create_multipart_upload(Bucket=name, Key="pending")
    d.restart()
    s3 = d.client("s3")
    got = s3.get_object(Bucket=name, Key="small")
    assert got["Body"].read() == small
    assert got["Metadata"] == {"m": "1"}
    assert got["TagCount"] == 1
    assert read(s3, name, "large") == large
    assert all_keys(s3, name) == ["large", "small"]
    uploads = s3.list_multipart_uploads(Bucket=name)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("pending", up["UploadId"])]


# --- what Lamina does not implement is refused, never mistaken for another operation ---------

def _code(call):
    with pytest.raises(ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_unsupported_subresources_are_refused_and_change_nothing(s3, bucket):
    s3.put_object(Bucket=bucket, Key="v", Body=b"data")
    assert _code(lambda: s3.put_object_retention(
        Bucket=bucket, Key="v",
        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": datetime.datetime(2030, 1, 1)})) == \
        ("NotImplemented", 501)
    assert _code(lambda: s3.put_object_legal_hold(
        Bucket=bucket, Key="v", LegalHold={"Status": "ON"})) == ("NotImplemented", 501)
    assert _code(lambda: s3.get_bucket_encryption(Bucket=bucket)) == ("NotImplemented", 501)
    assert _code(lambda: s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": [
            {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": ""},
             "Expiration": {"Days": 1}}]})) == ("NotImplemented", 501)
    empty = bucket + "-e"
    s3.create_bucket(Bucket=empty)
    for delete in (s3.delete_bucket_lifecycle, s3.delete_bucket_encryption,
                   s3.delete_public_access_block, s3.delete_bucket_website):
        assert _code(lambda: delete(Bucket=empty)) == ("NotImplemented", 501)
    s3.head_bucket(Bucket=empty)  # still there
    assert s3.get_object(Bucket=bucket, Key="v")["Body"].read() == b"data"


def test_object_acls_are_the_owners_and_others_are_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="v", Body=b"data")
    s3.put_object_acl(Bucket=bucket, Key="v", ACL="private")
    assert s3.get_object(Bucket=bucket, Key="v")["Body"].read() == b"data"
    grants = s3.get_object_acl(Bucket=bucket, Key="v")["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    assert _code(lambda: s3.put_object_acl(Bucket=bucket, Key="v", ACL="public-read")) == \
        ("NotImplemented", 501)
    assert _code(lambda: s3.put_object(Bucket=bucket, Key="w", Body=b"x", ACL="public-read")) == \
        ("NotImplemented", 501)
    assert _code(lambda: s3.get_object_acl(Bucket=bucket, Key="missing"))[0] == "NoSuchKey"
    s3.put_object(Bucket=bucket, Key="w", Body=b"x", ACL="bucket-owner-full-control")


def test_features_asked_for_in_headers_are_refused(s3, bucket):
    assert _code(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x",
                                       ServerSideEncryption="aws:kms")) == ("NotImplemented", 501)
    assert _code(lambda: s3.create_bucket(Bucket=bucket + "-lock",
                                          ObjectLockEnabledForBucket=True)) == \
        ("NotImplemented", 501)
    assert _code(lambda: s3.head_object(Bucket=bucket, Key="k"))[1] == 404


def test_objects_have_one_version_null(s3, bucket):
    s3.put_object(Bucket=bucket, Key="a", Body=b"1")
    s3.put_object(Bucket=bucket, Key="d/b", Body=b"22")
    listed = s3.list_object_versions(Bucket=bucket)
    assert [(v["Key"], v["VersionId"], v["IsLatest"], v["Size"]) for v in listed["Versions"]] == \
        [("a", "null", True, 1), ("d/b", "null", True, 2)]
    rolled = s3.list_object_versions(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["d/"]
    assert s3.head_object(Bucket=bucket, Key="a", VersionId="null")["ContentLength"] == 1
    assert _code(lambda: s3.delete_object(Bucket=bucket, Key="a", VersionId="bogus")) == \
        ("InvalidArgument", 400)
    assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"1"
    # What tools that empty a bucket through its versions do.
    for v in s3.list_object_versions(Bucket=bucket)["Versions"]:
        s3.delete_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_system_tags_are_refused(s3, bucket):
    assert _code(lambda: s3.put_object(Bucket=bucket, Key="t", Body=b"x",
                                       Tagging="aws:foo=bar")) == ("InvalidTag", 400)
    assert _code(lambda: s3.put_bucket_tagging(
        Bucket=bucket, Tagging={"TagSet": [{"Key": "aws:k", "Value": "v"}]})) == ("InvalidTag", 400)
    # An empty tag set leaves the bucket without tags.
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": []})
    assert _code(lambda: s3.get_bucket_tagging(Bucket=bucket)) == ("NoSuchTagSet", 404)


def test_part_number_one_of_a_plain_object_is_all_of_it(s3, bucket):
    s3.put_object(Bucket=bucket, Key="v", Body=b"0123456789")
    r = s3.get_object(Bucket=bucket, Key="v", PartNumber=1)
    assert status_of(r) == 206 and r["ContentRange"] == "bytes 0-9/10"
    assert _code(lambda: s3.get_object(Bucket=bucket, Key="v", PartNumber=2))[0] == \
        "InvalidPartNumber"


def test_a_malformed_range_is_ignored(s3, bucket):
    s3.put_object(Bucket=bucket, Key="v", Body=b"0123456789")
    r = s3.get_object(Bucket=bucket, Key="v", Range="bytes=0--1")
    assert status_of(r) == 200 and r["Body"].read() == b"0123456789"


def test_a_key_of_spaces_is_deleted_by_delete_objects(s3, bucket):
    s3.put_object(Bucket=bucket, Key=" ", Body=b"x")
    deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": " "}]})["Deleted"]
    assert deleted == [{"Key": " "}]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_a_copy_takes_the_requests_storage_class_and_names_a_missing_source(s3, bucket):
    s3.put_object(Bucket=bucket, Key="ia", Body=b"x", StorageClass="STANDARD_IA")
    s3.copy_object(Bucket=bucket, Key="plain", CopySource={"Bucket": bucket, "Key": "ia"})
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="plain")
    s3.copy_object(Bucket=bucket, Key="rr", CopySource={"Bucket": bucket, "Key": "ia"},
                   StorageClass="REDUCED_REDUNDANCY")
    assert s3.head_object(Bucket=bucket, Key="rr")["StorageClass"] == "REDUCED_REDUNDANCY"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="newkey", CopySource={"Bucket": bucket, "Key": "gone"})
    assert e.value.response["Error"]["Code"] == "NoSuchKey"
    assert e.value.response["Error"]["Key"] == "gone"


def test_list_buckets_pages_by_prefix_and_count(daemon):
    # Debian's boto3 predates ListBuckets' parameters (it drops them): raw requests.
    import re
    import urllib.parse
    s3 = daemon.client("s3")
    stem = unique("lb").lower()[:40]
    names = [f"{stem}-{i}" for i in range(5)]
    for n in names:
        s3.create_bucket(Bucket=n)

    def page(**params):
        status, _, body = daemon.request("GET", "/?" + urllib.parse.urlencode(params),
                                         service="s3")
        assert status == 200, body
        text = body.decode()
        token = re.search(r"<ContinuationToken>([^<]*)</ContinuationToken>", text)
        return re.findall(r"<Name>([^<]*)</Name>", text), token and token.group(1)

    got, token = [], None
    while True:
        params = {"prefix": stem, "max-buckets": "2"}
        if token:
            params["continuation-token"] = token
        listed, token = page(**params)
        assert len(listed) <= 2
        got += listed
        if not token:
            break
    assert got == names
    assert page(prefix=stem + "-3")[0] == [stem + "-3"]
    status, _, body = daemon.request("GET", "/?max-buckets=0", service="s3")
    assert status == 400 and b"<Code>InvalidArgument</Code>" in body
