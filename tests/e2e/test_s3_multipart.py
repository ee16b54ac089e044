"""S3 multipart uploads end to end: the real daemon driven by boto3, asserting what AWS S3 does.

Create / UploadPart / Complete (with the multipart ETag computed here), ListParts and
ListMultipartUploads with paging, Abort, the Complete errors (InvalidPart, InvalidPartOrder,
EntityTooSmall), UploadPartCopy, replaced parts, completing a subset of the parts, and boto3's
transfer manager on a 100 MiB file.
"""
import datetime
import hashlib
import os
import time

import boto3.s3.transfer
import pytest
from botocore.exceptions import ClientError

from s3_helpers import MiB, file_md5_parts, md5_hex, multipart_etag, sha256_file
from conftest import error_of, unique

PART = 5 * MiB  # S3's smallest part but the last


def quoted_md5(data):
    return '"' + md5_hex(data) + '"'


def status_of(response):
    return response["ResponseMetadata"]["HTTPStatusCode"]


def header(response, name):
    return response["ResponseMetadata"]["HTTPHeaders"].get(name.lower())


@pytest.fixture(scope="module")
def s3(daemon):
    return daemon.client("s3", read_timeout=300)


@pytest.fixture
def bucket(s3):
    name = unique("mpu").lower()
    s3.create_bucket(Bucket=name)
    return name


class Upload:
    """One multipart upload being driven by a test."""

    def __init__(self, s3, bucket, key, **kwargs):
        self.s3, self.bucket, self.key = s3, bucket, key
        r = s3.create_multipart_upload(Bucket=bucket, Key=key, **kwargs)
        assert r["Bucket"] == bucket
        assert r["Key"] == key
        self.id = r["UploadId"]
        assert self.id

    def part(self, number, body):
        r = self.s3.upload_part(Bucket=self.bucket, Key=self.key, UploadId=self.id,
                                PartNumber=number, Body=body)
        assert r["ETag"] == quoted_md5(body)
        return r["ETag"]

    def complete(self, parts):
        """parts: [(number, etag)]"""
        return self.s3.complete_multipart_upload(
            Bucket=self.bucket, Key=self.key, UploadId=self.id,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in parts]})

    def list_parts(self, **kwargs):
        return self.s3.list_parts(Bucket=self.bucket, Key=self.key, UploadId=self.id, **kwargs)

    def abort(self):
        return self.s3.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.id)


def test_create_upload_complete(s3, bucket):
    parts = [os.urandom(PART), os.urandom(PART + 7), os.urandom(1234)]
    up = Upload(s3, bucket, "big/object.bin", ContentType="application/x-parts",
                Metadata={"origin": "multipart"}, CacheControl="max-age=5", Tagging="a=1&b=2")
    etags = [up.part(i + 1, p) for i, p in enumerate(parts)]

    listed = up.list_parts()
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed["Parts"]] == [
        (i + 1, quoted_md5(p), len(p)) for i, p in enumerate(parts)]
    assert listed["IsTruncated"] is False
    assert listed["UploadId"] == up.id
    assert listed["Bucket"] == bucket and listed["Key"] == "big/object.bin"
    assert isinstance(listed["Parts"][0]["LastModified"], datetime.datetime)

    done = up.complete([(i + 1, e) for i, e in enumerate(etags)])
    assert status_of(done) == 200
    assert done["ETag"] == multipart_etag(parts)
    assert done["Bucket"] == bucket
    assert done["Key"] == "big/object.bin"
    assert done["Location"].endswith(f"/{bucket}/big/object.bin")

    whole = b"".join(parts)
    head = s3.head_object(Bucket=bucket, Key="big/object.bin")
    assert head["ContentLength"] == len(whole)
    assert head["ETag"] == multipart_etag(parts)
    assert head["ContentType"] == "application/x-parts"
    assert head["CacheControl"] == "max-age=5"
    assert head["Metadata"] == {"origin": "multipart"}
    got = s3.get_object(Bucket=bucket, Key="big/object.bin")
    assert got["TagCount"] == 2
    assert got["Body"].read() == whole
    # Ranges across the part boundaries.
    for first, last in [(PART - 3, PART + 3), (2 * PART + 5, 2 * PART + 8), (0, len(whole) - 1),
                        (PART - 1, 2 * PART + 7 + 10)]:
        r = s3.get_object(Bucket=bucket, Key="big/object.bin", Range=f"bytes={first}-{last}")
        assert status_of(r) == 206
        assert r["ContentRange"] == f"bytes {first}-{last}/{len(whole)}"
        assert r["Body"].read() == whole[first:last + 1]
    listing = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [(o["Key"], o["Size"], o["ETag"]) for o in listing] == [
        ("big/object.bin", len(whole), multipart_etag(parts))]
    # The upload is over.
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        up.list_parts()
    assert error_of(e)[:2] == ("NoSuchUpload", 404)


def test_single_part_upload(s3, bucket):
    body = b"only part, smaller than 5 MiB"
    up = Upload(s3, bucket, "one")
    done = up.complete([(1, up.part(1, body))])
    assert done["ETag"] == multipart_etag([body])
    got = s3.get_object(Bucket=bucket, Key="one")
    assert got["Body"].read() == body
    assert got["ContentType"] == "binary/octet-stream"


def test_completed_object_replaces_existing(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"old", Metadata={"old": "1"})
    up = Upload(s3, bucket, "k")
    done = up.complete([(1, up.part(1, b"new"))])
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == b"new"
    assert got["Metadata"] == {}
    assert got["ETag"] == done["ETag"]


def test_quoted_or_bare_etags_complete(s3, bucket):
    first, last = os.urandom(PART), b"tail"
    up = Upload(s3, bucket, "bare")
    e1, e2 = up.part(1, first), up.part(2, last)
    done = up.complete([(1, e1.strip('"')), (2, e2)])
    assert done["ETag"] == multipart_etag([first, last])


def test_special_key(s3, bucket):
    key = "dir with space/ñ+%20 ünïcode/日本.bin"
    up = Upload(s3, bucket, key)
    body = os.urandom(1000)
    up.complete([(1, up.part(1, body))])
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]


def test_list_parts_paging(s3, bucket):
    up = Upload(s3, bucket, "paged")
    bodies = {n: f"part {n}".encode() for n in (1, 2, 3, 5, 8, 13, 21)}
    for n, body in bodies.items():
        up.part(n, body)
    r = up.list_parts(MaxParts=3)
    assert [p["PartNumber"] for p in r["Parts"]] == [1, 2, 3]
    assert r["IsTruncated"] is True
    assert r["MaxParts"] == 3
    assert r["NextPartNumberMarker"] == 3
    r = up.list_parts(MaxParts=3, PartNumberMarker=3)
    assert [p["PartNumber"] for p in r["Parts"]] == [5, 8, 13]
    assert r["PartNumberMarker"] == 3
    assert r["NextPartNumberMarker"] == 13
    assert r["IsTruncated"] is True
    r = up.list_parts(MaxParts=3, PartNumberMarker=13)
    assert [p["PartNumber"] for p in r["Parts"]] == [21]
    assert r["IsTruncated"] is False
    r = up.list_parts(PartNumberMarker=4)
    assert [p["PartNumber"] for p in r["Parts"]] == [5, 8, 13, 21]
    r = up.list_parts(PartNumberMarker=21)
    assert r.get("Parts", []) == []
    assert r["IsTruncated"] is False
    for size in (1, 2, 7, 100):
        pages = list(s3.get_paginator("list_parts").paginate(
            Bucket=bucket, Key="paged", UploadId=up.id, PaginationConfig={"PageSize": size}))
        numbers = [p["PartNumber"] for page in pages for p in page.get("Parts", [])]
        assert numbers == sorted(bodies), size
        sizes = {p["PartNumber"]: p["Size"] for page in pages for p in page.get("Parts", [])}
        assert sizes == {n: len(b) for n, b in bodies.items()}


def test_list_multipart_uploads(s3, bucket):
    made = []
    for key in ("u/b", "u/a", "v/c", "u/a"):
        made.append((key, Upload(s3, bucket, key).id))
        time.sleep(0.01)
    r = s3.list_multipart_uploads(Bucket=bucket)
    assert r["Bucket"] == bucket
    assert r["IsTruncated"] is False
    listed = [(u["Key"], u["UploadId"]) for u in r["Uploads"]]
    # By key (the order within one key: test_uploads_of_one_key_in_initiation_order).
    assert [k for k, _ in listed] == ["u/a", "u/a", "u/b", "v/c"]
    assert sorted(listed) == sorted(made)
    for u in r["Uploads"]:
        assert isinstance(u["Initiated"], datetime.datetime)
        assert u["StorageClass"] == "STANDARD"
        assert u["Initiator"]["ID"] and u["Owner"]["ID"]
    r = s3.list_multipart_uploads(Bucket=bucket, Prefix="u/")
    assert [(u["Key"], u["UploadId"]) for u in r["Uploads"]] == listed[:3]
    assert r["Prefix"] == "u/"
    r = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2)
    assert r["IsTruncated"] is True
    assert len(r["Uploads"]) == 2
    assert r["NextKeyMarker"] == r["Uploads"][-1]["Key"]
    assert r["NextUploadIdMarker"] == r["Uploads"][-1]["UploadId"]
    pages = list(s3.get_paginator("list_multipart_uploads").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": 1}))
    paged = [(u["Key"], u["UploadId"]) for p in pages for u in p.get("Uploads", [])]
    assert paged == listed
    # A key marker alone skips every upload of that key.
    r = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="u/a")
    assert [(u["Key"], u["UploadId"]) for u in r["Uploads"]] == [made[0], made[2]]


def test_list_multipart_uploads_with_delimiter(s3, bucket):
    made = {key: Upload(s3, bucket, key).id for key in ("a/1", "a/2", "b", "c/d/e")}
    r = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [(u["Key"], u["UploadId"]) for u in r.get("Uploads", [])] == [("b", made["b"])]
    assert [c["Prefix"] for c in r.get("CommonPrefixes", [])] == ["a/", "c/"]
    assert r["Delimiter"] == "/"
    r = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/", Prefix="c/")
    assert r.get("Uploads", []) == []
    assert [c["Prefix"] for c in r.get("CommonPrefixes", [])] == ["c/d/"]


def test_uploads_of_one_key_in_initiation_order(s3, bucket):
    made = []
    for _ in range(6):
        made.append(Upload(s3, bucket, "same-key").id)
        time.sleep(0.01)
    r = s3.list_multipart_uploads(Bucket=bucket)
    assert [u["UploadId"] for u in r["Uploads"]] == made
    initiated = [u["Initiated"] for u in r["Uploads"]]
    assert initiated == sorted(initiated)


def test_abort(s3, bucket):
    up = Upload(s3, bucket, "aborted")
    up.part(1, b"some bytes")
    r = up.abort()
    assert status_of(r) == 204
    with pytest.raises(ClientError) as e:
        up.list_parts()
    code, status, _ = error_of(e)
    assert (code, status) == ("NoSuchUpload", 404)
    assert e.value.response["Error"].get("UploadId") == up.id
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="aborted", UploadId=up.id, PartNumber=2, Body=b"x")
    assert error_of(e)[:2] == ("NoSuchUpload", 404)
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="aborted", UploadId=up.id, PartNumber=2,
                       Body=os.urandom(MiB))
    assert error_of(e)[:2] == ("NoSuchUpload", 404)
    with pytest.raises(ClientError) as e:
        up.complete([(1, quoted_md5(b"some bytes"))])
    assert error_of(e)[:2] == ("NoSuchUpload", 404)
    with pytest.raises(ClientError) as e:
        up.abort()
    assert error_of(e)[:2] == ("NoSuchUpload", 404)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="aborted")
    assert error_of(e)[1] == 404


def test_unknown_upload_id(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="k", UploadId="no-such-upload", PartNumber=1, Body=b"x")
    assert error_of(e)[:2] == ("NoSuchUpload", 404)
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket=bucket, Key="k", UploadId="no-such-upload")
    assert error_of(e)[:2] == ("NoSuchUpload", 404)
    # An upload id is bound to its key.
    up = Upload(s3, bucket, "right-key")
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="wrong-key", UploadId=up.id, PartNumber=1, Body=b"x")
    assert error_of(e)[:2] == ("NoSuchUpload", 404)


@pytest.mark.parametrize("number", [0, 10001, 99999])
def test_invalid_part_number(s3, bucket, number):
    up = Upload(s3, bucket, "numbers")
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="numbers", UploadId=up.id, PartNumber=number,
                       Body=b"x")
    assert error_of(e)[:2] == ("InvalidArgument", 400)
    assert up.list_parts().get("Parts", []) == []
    up.part(10000, b"last allowed")
    assert [p["PartNumber"] for p in up.list_parts()["Parts"]] == [10000]


def test_complete_errors_leave_the_upload_completable(s3, bucket):
    p1, p2, p3 = os.urandom(PART), os.urandom(PART), b"tail"
    up = Upload(s3, bucket, "errors")
    e1, e2, e3 = up.part(1, p1), up.part(2, p2), up.part(3, p3)

    # InvalidPart: an ETag that does not match the part.
    with pytest.raises(ClientError) as e:
        up.complete([(1, e1), (2, quoted_md5(b"not part two")), (3, e3)])
    assert error_of(e)[:2] == ("InvalidPart", 400)
    # InvalidPart: a part that was never uploaded.
    with pytest.raises(ClientError) as e:
        up.complete([(1, e1), (4, e3)])
    assert error_of(e)[:2] == ("InvalidPart", 400)
    # InvalidPartOrder: not ascending.
    with pytest.raises(ClientError) as e:
        up.complete([(2, e2), (1, e1), (3, e3)])
    assert error_of(e)[:2] == ("InvalidPartOrder", 400)
    # A part named twice is not ascending either.
    with pytest.raises(ClientError) as e:
        up.complete([(1, e1), (1, e1)])
    assert error_of(e)[:2] == ("InvalidPartOrder", 400)
    # Nothing was created by the failures.
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="errors")
    assert error_of(e)[1] == 404
    assert len(up.list_parts()["Parts"]) == 3

    done = up.complete([(1, e1), (2, e2), (3, e3)])
    assert done["ETag"] == multipart_etag([p1, p2, p3])
    assert s3.get_object(Bucket=bucket, Key="errors")["Body"].read() == p1 + p2 + p3


def test_entity_too_small(s3, bucket):
    small, last = os.urandom(PART - 1), b"last"
    up = Upload(s3, bucket, "small")
    e1, e2 = up.part(1, small), up.part(2, last)
    with pytest.raises(ClientError) as e:
        up.complete([(1, e1), (2, e2)])
    code, status, _ = error_of(e)
    assert (code, status) == ("EntityTooSmall", 400)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="small")
    assert error_of(e)[1] == 404
    # The small part alone, as the last part, is fine.
    done = up.complete([(1, e1)])
    assert done["ETag"] == multipart_etag([small])
    assert s3.get_object(Bucket=bucket, Key="small")["Body"].read() == small


def test_reuploading_a_part_replaces_it(s3, bucket):
    first, second, tail = os.urandom(PART), os.urandom(PART + 1), b"tail bytes"
    up = Upload(s3, bucket, "replaced")
    old = up.part(1, first)
    new = up.part(1, second)
    e2 = up.part(2, tail)
    parts = up.list_parts()["Parts"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in parts] == [
        (1, new, len(second)), (2, e2, len(tail))]
    with pytest.raises(ClientError) as e:
        up.complete([(1, old), (2, e2)])
    assert error_of(e)[:2] == ("InvalidPart", 400)
    done = up.complete([(1, new), (2, e2)])
    assert done["ETag"] == multipart_etag([second, tail])
    assert s3.get_object(Bucket=bucket, Key="replaced")["Body"].read() == second + tail


def test_upload_part_bad_digest(s3, bucket):
    import base64
    up = Upload(s3, bucket, "digest")
    for body in (b"small part", os.urandom(MiB + 1)):
        with pytest.raises(ClientError) as e:
            s3.upload_part(Bucket=bucket, Key="digest", UploadId=up.id, PartNumber=1, Body=body,
                           ContentMD5=base64.b64encode(hashlib.md5(b"other").digest()).decode())
        assert error_of(e)[:2] == ("BadDigest", 400)
    assert up.list_parts().get("Parts", []) == []


def test_complete_with_a_subset_of_parts(s3, bucket):
    p1, p2, p3, p5 = os.urandom(PART), os.urandom(PART), os.urandom(PART), b"five"
    up = Upload(s3, bucket, "subset")
    e1, e3 = up.part(1, p1), up.part(3, p3)
    up.part(2, p2)
    e5 = up.part(5, p5)
    done = up.complete([(1, e1), (3, e3), (5, e5)])
    assert done["ETag"] == multipart_etag([p1, p3, p5])
    whole = p1 + p3 + p5
    head = s3.head_object(Bucket=bucket, Key="subset")
    assert head["ContentLength"] == len(whole)
    assert s3.get_object(Bucket=bucket, Key="subset")["Body"].read() == whole
    r = s3.get_object(Bucket=bucket, Key="subset", Range=f"bytes={2 * PART - 2}-{2 * PART + 3}")
    assert r["Body"].read() == whole[2 * PART - 2:2 * PART + 4]


def test_upload_part_copy(s3, bucket):
    source = os.urandom(2 * PART + 4321)
    s3.put_object(Bucket=bucket, Key="copy-source", Body=source)
    small = b"small source object"
    s3.put_object(Bucket=bucket, Key="small-source", Body=small)
    up = Upload(s3, bucket, "assembled")
    src = {"Bucket": bucket, "Key": "copy-source"}
    r1 = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=up.id, PartNumber=1,
                             CopySource=src, CopySourceRange=f"bytes=0-{PART - 1}")
    assert r1["CopyPartResult"]["ETag"] == quoted_md5(source[:PART])
    assert isinstance(r1["CopyPartResult"]["LastModified"], datetime.datetime)
    r2 = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=up.id, PartNumber=2,
                             CopySource=src,
                             CopySourceRange=f"bytes={PART + 100}-{2 * PART + 4320}")
    chunk2 = source[PART + 100:]
    assert r2["CopyPartResult"]["ETag"] == quoted_md5(chunk2)
    # A whole (small) object as the last part.
    r3 = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=up.id, PartNumber=3,
                             CopySource={"Bucket": bucket, "Key": "small-source"})
    assert r3["CopyPartResult"]["ETag"] == quoted_md5(small)
    parts = up.list_parts()["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in parts] == [
        (1, PART), (2, len(chunk2)), (3, len(small))]
    done = up.complete([(1, r1["CopyPartResult"]["ETag"]), (2, r2["CopyPartResult"]["ETag"]),
                        (3, r3["CopyPartResult"]["ETag"])])
    assert done["ETag"] == multipart_etag([source[:PART], chunk2, small])
    got = s3.get_object(Bucket=bucket, Key="assembled")["Body"].read()
    assert got == source[:PART] + chunk2 + small


def test_upload_part_copy_errors(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"0123456789")
    up = Upload(s3, bucket, "dst")
    with pytest.raises(ClientError) as e:
        s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=up.id, PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "missing"})
    assert error_of(e)[:2] == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as e:
        s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=up.id, PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "src"},
                            CopySourceIfMatch='"0123456789abcdef0123456789abcdef"')
    assert error_of(e)[:2] == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as e:
        s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId="no-such-upload", PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "src"})
    assert error_of(e)[:2] == ("NoSuchUpload", 404)
    assert up.list_parts().get("Parts", []) == []
    r = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=up.id, PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "src"},
                            CopySourceRange="bytes=2-5")
    assert r["CopyPartResult"]["ETag"] == quoted_md5(b"2345")


def test_head_and_get_by_part_number(s3, bucket):
    p1, p2 = os.urandom(PART), os.urandom(2000)
    up = Upload(s3, bucket, "numbered")
    up.complete([(1, up.part(1, p1)), (2, up.part(2, p2))])
    head = s3.head_object(Bucket=bucket, Key="numbered", PartNumber=2)
    assert status_of(head) == 206
    assert head["ContentLength"] == len(p2)
    assert head["PartsCount"] == 2
    got = s3.get_object(Bucket=bucket, Key="numbered", PartNumber=1)
    assert status_of(got) == 206
    assert got["PartsCount"] == 2
    assert got["ContentRange"] == f"bytes 0-{PART - 1}/{PART + 2000}"
    assert got["Body"].read() == p1


def test_multipart_missing_bucket(s3):
    name = unique("missing").lower()
    with pytest.raises(ClientError) as e:
        s3.create_multipart_upload(Bucket=name, Key="k")
    assert error_of(e)[:2] == ("NoSuchBucket", 404)
    with pytest.raises(ClientError) as e:
        s3.list_multipart_uploads(Bucket=name)
    assert error_of(e)[:2] == ("NoSuchBucket", 404)


def test_transfer_manager_100_mib(s3, bucket, tmp_path):
    """boto3's upload_file / download_file, multipart: a 100 MiB file in 8 MiB parts."""
    source = tmp_path / "hundred.bin"
    block = os.urandom(MiB)
    with open(source, "wb") as f:
        for i in range(100):
            # Distinct blocks, so a misplaced part cannot go unnoticed.
            f.write(i.to_bytes(4, "big") + block[4:])
    chunk = 8 * MiB
    config = boto3.s3.transfer.TransferConfig(multipart_threshold=chunk,
                                              multipart_chunksize=chunk, max_concurrency=8)
    s3.upload_file(str(source), bucket, "transfers/hundred.bin", Config=config,
                   ExtraArgs={"ContentType": "application/octet-stream",
                              "Metadata": {"kind": "transfer"}})
    head = s3.head_object(Bucket=bucket, Key="transfers/hundred.bin")
    assert head["ContentLength"] == 100 * MiB
    assert head["ETag"] == file_md5_parts(source, chunk)
    assert head["ETag"].endswith('-13"')
    assert head["Metadata"] == {"kind": "transfer"}
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)

    target = tmp_path / "hundred.out"
    s3.download_file(bucket, "transfers/hundred.bin", str(target), Config=config)
    assert os.path.getsize(target) == 100 * MiB
    assert sha256_file(target) == sha256_file(source)
