"""S3 through the AWS CLI, presigned URLs fetched with curl, and raw HTTP: the real daemon.

`aws s3` (mb, cp up and down incl. a 100 MiB multipart upload, ls, sync, rm, mv, rb) and
`aws s3api` (put-object, get-object, head-object, list-objects-v2); presigned GET and PUT URLs,
tampered and expired ones; virtual-host-style requests; unsigned requests.
"""
import datetime
import os
import re
import subprocess
import time
import urllib.parse

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest

from s3_helpers import MiB, file_md5_parts, md5_hex, sha256_file
from conftest import unique


def bucket_name(prefix="cli"):
    return unique(prefix).lower()


def curl(url, out_path, method="GET", upload=None):
    """Fetches `url` with curl; returns (HTTP status, the body written to out_path)."""
    cmd = ["curl", "-s", "-o", str(out_path), "-w", "%{http_code}", "-X", method]
    if upload is not None:
        cmd += ["--data-binary", "@" + str(upload), "-H", "Content-Type:"]
    p = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    body = out_path.read_bytes() if os.path.exists(out_path) else b""
    return int(p.stdout), body


def raw(daemon, method, path, body=b"", headers=None, host=None, sign=True):
    """One raw HTTP request, signed as S3 signs (S3SigV4Auth) unless sign=False, with the Host
    header `host` (virtual-host style) if given. Returns (status, lower-cased headers, body)."""
    import http.client
    host = host or f"127.0.0.1:{daemon.port}"
    request = botocore.awsrequest.AWSRequest(method=method, url=f"http://{host}{path}",
                                             data=body, headers=dict(headers or {}))
    if sign:
        creds = botocore.credentials.Credentials(daemon.access_key, daemon.secret_key)
        botocore.auth.S3SigV4Auth(creds, "s3", "us-east-1").add_auth(request)
    sent = dict(request.prepare().headers.items())
    sent["Host"] = host
    conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=sent)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def xml_field(body, name):
    m = re.search(rf"<{name}>([^<]*)</{name}>", body.decode())
    return m.group(1) if m else None


@pytest.fixture(scope="module")
def s3(daemon):
    return daemon.client("s3", read_timeout=300)


@pytest.fixture(scope="module")
def presigner(daemon):
    """boto3 1.26 presigns S3 URLs with SigV2 unless told otherwise; S3 takes SigV4 (SigV2 is
    refused for buckets created since June 2020)."""
    return daemon.client("s3", signature_version="s3v4")


@pytest.fixture
def bucket(s3):
    # Made with boto3: each CLI run costs over a second. `aws s3 mb` has its own test.
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    return name


def write_tree(root, files):
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def read_tree(root):
    out = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            full = os.path.join(dirpath, n)
            with open(full, "rb") as f:
                out[os.path.relpath(full, root)] = f.read()
    return out


def transfer_lines(stdout, verb):
    """The CLI's "<verb>: <from> to <to>" lines (progress lines left out), sorted."""
    lines = (stdout or "").replace("\r", "\n").splitlines()
    return sorted(line for line in lines if line.startswith(verb + ":"))


# --- aws s3 -------------------------------------------------------------------------------------

def test_mb_ls_and_rb(daemon, s3):
    bucket = bucket_name()
    _, out, _ = daemon.cli("s3", "mb", f"s3://{bucket}")
    assert out.strip() == f"make_bucket: {bucket}"
    assert s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200
    _, out, _ = daemon.cli("s3", "ls")
    names = [line.split()[-1] for line in out.splitlines()]
    assert bucket in names
    line = next(line for line in out.splitlines() if line.endswith(" " + bucket))
    # "<date> <time> <name>"
    datetime.datetime.strptime(" ".join(line.split()[:2]), "%Y-%m-%d %H:%M:%S")
    _, out, _ = daemon.cli("s3", "rb", f"s3://{bucket}")
    assert out.strip() == f"remove_bucket: {bucket}"
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_cp_small_file_up_and_down(daemon, s3, bucket, tmp_path):
    src = tmp_path / "hello.txt"
    src.write_bytes(b"hello from the aws cli\n")
    _, out, _ = daemon.cli("s3", "cp", str(src), f"s3://{bucket}/docs/hello.txt",
                           "--content-type", "text/plain", "--metadata", "who=cli")
    assert transfer_lines(out, "upload")[0].endswith(f"hello.txt to s3://{bucket}/docs/hello.txt")
    head = s3.head_object(Bucket=bucket, Key="docs/hello.txt")
    assert head["ETag"] == '"%s"' % md5_hex(src.read_bytes())
    assert head["ContentType"] == "text/plain"
    assert head["Metadata"] == {"who": "cli"}
    dst = tmp_path / "down.txt"
    _, out, _ = daemon.cli("s3", "cp", f"s3://{bucket}/docs/hello.txt", str(dst))
    assert transfer_lines(out, "download")[0].startswith(
        f"download: s3://{bucket}/docs/hello.txt to ")
    assert dst.read_bytes() == src.read_bytes()


def test_cp_special_key(daemon, s3, bucket, tmp_path):
    src = tmp_path / "f.bin"
    src.write_bytes(os.urandom(3000))
    key = "dir with space/ünï+code%41.bin"
    daemon.cli("s3", "cp", str(src), f"s3://{bucket}/{key}")
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == src.read_bytes()
    dst = tmp_path / "g.bin"
    daemon.cli("s3", "cp", f"s3://{bucket}/{key}", str(dst))
    assert dst.read_bytes() == src.read_bytes()


def test_cp_stdin_and_stdout(daemon, bucket):
    daemon.cli("s3", "cp", "-", f"s3://{bucket}/stdin.txt", input="piped text\n")
    _, out, _ = daemon.cli("s3", "cp", f"s3://{bucket}/stdin.txt", "-")
    assert out == "piped text\n"


def test_cp_100_mib_multipart(daemon, s3, bucket, tmp_path):
    src = tmp_path / "big.bin"
    block = os.urandom(MiB)
    with open(src, "wb") as f:
        for i in range(100):
            f.write(i.to_bytes(4, "big") + block[4:])
    daemon.cli("s3", "cp", str(src), f"s3://{bucket}/big.bin")
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == 100 * MiB
    # The CLI's defaults: multipart from 8 MiB, in 8 MiB parts -> 13 parts.
    assert head["ETag"] == file_md5_parts(src, 8 * MiB)
    assert head["ETag"].endswith('-13"')
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
    dst = tmp_path / "big.out"
    daemon.cli("s3", "cp", f"s3://{bucket}/big.bin", str(dst))
    assert sha256_file(dst) == sha256_file(src)


def test_ls_prefixes_and_recursive(daemon, s3, bucket):
    for key, body in {"top.txt": b"1", "dir/a.txt": b"22", "dir/sub/b.txt": b"333",
                      "other/c.txt": b"4444"}.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    _, out, _ = daemon.cli("s3", "ls", f"s3://{bucket}/")
    lines = out.splitlines()
    assert sorted(line.split()[-1] for line in lines if "PRE" in line.split()) == [
        "dir/", "other/"]
    files = [line.split() for line in lines if "PRE" not in line.split()]
    assert [(f[2], f[3]) for f in files] == [("1", "top.txt")]
    _, out, _ = daemon.cli("s3", "ls", f"s3://{bucket}/dir/")
    lines = out.splitlines()
    assert [line.split()[-1] for line in lines if "PRE" in line.split()] == ["sub/"]
    assert [line.split()[-1] for line in lines if "PRE" not in line.split()] == ["a.txt"]
    _, out, _ = daemon.cli("s3", "ls", f"s3://{bucket}", "--recursive")
    rows = [line.split() for line in out.splitlines()]
    assert [(r[2], r[3]) for r in rows] == [("2", "dir/a.txt"), ("3", "dir/sub/b.txt"),
                                           ("4", "other/c.txt"), ("1", "top.txt")]
    code, _, err = daemon.cli("s3", "ls", f"s3://{bucket_name('missing')}", check=False)
    assert code != 0
    assert "NoSuchBucket" in err


def test_ls_pages_through_many_keys(daemon, s3, bucket):
    keys = [f"many/{i:04d}" for i in range(250)]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    _, out, _ = daemon.cli("s3", "ls", f"s3://{bucket}/many/", "--page-size", "100")
    listed = [line.split()[-1] for line in out.splitlines()]
    # Three pages, every key once, in order.
    assert listed == [k.split("/")[1] for k in keys]


def test_sync_up_down_and_incremental(daemon, s3, bucket, tmp_path):
    local = tmp_path / "local"
    files = {"a.txt": b"alpha", "b/b.txt": b"bravo" * 100, "b/c/deep.bin": os.urandom(70000),
             "space name.txt": b"spaces", "ünï.txt": "unicode".encode()}
    write_tree(local, files)
    _, out, _ = daemon.cli("s3", "sync", str(local), f"s3://{bucket}/tree")
    assert len(transfer_lines(out, "upload")) == len(files)
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]) == sorted(
        "tree/" + k for k in files)

    # Nothing changed: nothing transfers.
    _, out, _ = daemon.cli("s3", "sync", str(local), f"s3://{bucket}/tree")
    assert transfer_lines(out, "upload") == []

    back = tmp_path / "back"
    _, out, _ = daemon.cli("s3", "sync", f"s3://{bucket}/tree", str(back))
    assert len(transfer_lines(out, "download")) == len(files)
    assert read_tree(back) == files
    _, out, _ = daemon.cli("s3", "sync", f"s3://{bucket}/tree", str(back))
    assert transfer_lines(out, "download") == []

    # One file changes: only it goes up, and only it comes back down.
    (local / "b" / "b.txt").write_bytes(b"changed contents")
    _, out, _ = daemon.cli("s3", "sync", str(local), f"s3://{bucket}/tree")
    uploads = transfer_lines(out, "upload")
    assert len(uploads) == 1
    assert uploads[0].endswith(f"b.txt to s3://{bucket}/tree/b/b.txt")
    _, out, _ = daemon.cli("s3", "sync", f"s3://{bucket}/tree", str(back))
    downloads = transfer_lines(out, "download")
    assert len(downloads) == 1
    assert downloads[0].startswith(f"download: s3://{bucket}/tree/b/b.txt to ")
    files["b/b.txt"] = b"changed contents"
    assert read_tree(back) == files

    # --delete removes what is gone locally.
    (local / "a.txt").unlink()
    _, out, _ = daemon.cli("s3", "sync", str(local), f"s3://{bucket}/tree", "--delete")
    assert transfer_lines(out, "delete") == [f"delete: s3://{bucket}/tree/a.txt"]
    assert transfer_lines(out, "upload") == []
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == sorted("tree/" + k for k in files if k != "a.txt")


def test_cp_recursive_s3_to_s3_and_mv(daemon, s3, bucket, tmp_path):
    for key in ("src/1", "src/2/x", "src/3"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode(), Metadata={"k": key})
    _, out, _ = daemon.cli("s3", "cp", f"s3://{bucket}/src", f"s3://{bucket}/dst", "--recursive")
    assert len(transfer_lines(out, "copy")) == 3
    for key in ("1", "2/x", "3"):
        got = s3.get_object(Bucket=bucket, Key="dst/" + key)
        assert got["Body"].read() == ("src/" + key).encode()
        assert got["Metadata"] == {"k": "src/" + key}
    daemon.cli("s3", "mv", f"s3://{bucket}/dst/1", f"s3://{bucket}/moved/1")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="dst/")["Contents"]]
    assert keys == ["dst/2/x", "dst/3"]
    assert s3.get_object(Bucket=bucket, Key="moved/1")["Body"].read() == b"src/1"
    local = tmp_path / "to-move.txt"
    local.write_bytes(b"moving")
    daemon.cli("s3", "mv", str(local), f"s3://{bucket}/moved/local")
    assert not local.exists()
    assert s3.get_object(Bucket=bucket, Key="moved/local")["Body"].read() == b"moving"


def test_rm_recursive(daemon, s3, bucket):
    for key in ("gone/1", "gone/2/x", "gone/3", "kept/1", "gonewild"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    _, out, _ = daemon.cli("s3", "rm", f"s3://{bucket}/gone/", "--recursive")
    assert transfer_lines(out, "delete") == sorted(
        f"delete: s3://{bucket}/{k}" for k in ("gone/1", "gone/2/x", "gone/3"))
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["gonewild", "kept/1"]
    _, out, _ = daemon.cli("s3", "rm", f"s3://{bucket}/gonewild")
    assert transfer_lines(out, "delete") == [f"delete: s3://{bucket}/gonewild"]


def test_rb_force(daemon, s3, bucket):
    for i in range(5):
        s3.put_object(Bucket=bucket, Key=f"k/{i}", Body=b"x")
    code, _, err = daemon.cli("s3", "rb", f"s3://{bucket}", check=False)
    assert code != 0
    assert "BucketNotEmpty" in err
    _, out, _ = daemon.cli("s3", "rb", f"s3://{bucket}", "--force")
    assert f"remove_bucket: {bucket}" in out
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


# --- aws s3api ----------------------------------------------------------------------------------

def test_s3api_object_round_trip(daemon, bucket, tmp_path):
    src = tmp_path / "body.json"
    src.write_bytes(b'{"hello": "s3api"}')
    _, out, _ = daemon.cli("s3api", "put-object", "--bucket", bucket, "--key", "api/obj.json",
                           "--body", str(src), "--content-type", "application/json",
                           "--metadata", "a=1,b=two")
    assert out["ETag"] == '"%s"' % md5_hex(src.read_bytes())

    _, out, _ = daemon.cli("s3api", "head-object", "--bucket", bucket, "--key", "api/obj.json")
    assert out["ContentLength"] == len(src.read_bytes())
    assert out["ContentType"] == "application/json"
    assert out["Metadata"] == {"a": "1", "b": "two"}
    assert out["ETag"] == '"%s"' % md5_hex(src.read_bytes())

    dst = tmp_path / "out.json"
    _, out, _ = daemon.cli("s3api", "get-object", "--bucket", bucket, "--key", "api/obj.json",
                           str(dst))
    assert out["ContentLength"] == len(src.read_bytes())
    assert out["ContentType"] == "application/json"
    assert dst.read_bytes() == src.read_bytes()

    _, out, _ = daemon.cli("s3api", "get-object", "--bucket", bucket, "--key", "api/obj.json",
                           "--range", "bytes=2-6", str(dst))
    assert out["ContentRange"] == f"bytes 2-6/{len(src.read_bytes())}"
    assert dst.read_bytes() == src.read_bytes()[2:7]


def test_s3api_errors(daemon, bucket, tmp_path):
    code, _, err = daemon.cli("s3api", "get-object", "--bucket", bucket, "--key", "missing",
                              str(tmp_path / "x"), check=False)
    assert code == 254
    assert "NoSuchKey" in err
    code, _, err = daemon.cli("s3api", "head-object", "--bucket", bucket, "--key", "missing",
                              check=False)
    assert code == 254
    assert "404" in err


def test_s3api_list_objects_v2(daemon, s3, bucket):
    keys = [f"p/{i:02d}" for i in range(12)] + ["q/a", "q/b", "r"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"abc")
    _, out, _ = daemon.cli("s3api", "list-objects-v2", "--bucket", bucket)
    assert [o["Key"] for o in out["Contents"]] == keys
    assert out["Contents"][0]["Size"] == 3
    # The CLI pages through everything with a small page size.
    _, out, _ = daemon.cli("s3api", "list-objects-v2", "--bucket", bucket, "--page-size", "4")
    assert [o["Key"] for o in out["Contents"]] == keys
    _, out, _ = daemon.cli("s3api", "list-objects-v2", "--bucket", bucket, "--delimiter", "/")
    assert [c["Prefix"] for c in out["CommonPrefixes"]] == ["p/", "q/"]
    assert [o["Key"] for o in out["Contents"]] == ["r"]
    _, out, _ = daemon.cli("s3api", "list-objects-v2", "--bucket", bucket, "--max-items", "5")
    assert [o["Key"] for o in out["Contents"]] == keys[:5]
    assert out["NextToken"]
    _, out, _ = daemon.cli("s3api", "list-objects-v2", "--bucket", bucket, "--max-items", "5",
                           "--starting-token", out["NextToken"])
    assert [o["Key"] for o in out["Contents"]] == keys[5:10]


# --- presigned URLs -----------------------------------------------------------------------------

def test_presigned_get_with_cli(daemon, s3, bucket, tmp_path):
    body = os.urandom(200000)
    s3.put_object(Bucket=bucket, Key="shared/file.bin", Body=body)
    _, out, _ = daemon.cli("s3", "presign", f"s3://{bucket}/shared/file.bin",
                           "--expires-in", "60")
    url = out.strip()
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["60"]
    status, got = curl(url, tmp_path / "fetched")
    assert status == 200
    assert got == body


def test_presigned_special_key(daemon, s3, presigner, bucket, tmp_path):
    key = "sp ace/ünï+code%.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"special presign")
    _, out, _ = daemon.cli("s3", "presign", f"s3://{bucket}/{key}")
    status, got = curl(out.strip(), tmp_path / "fetched")
    assert status == 200
    assert got == b"special presign"
    url = presigner.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key},
                                           ExpiresIn=60)
    assert "X-Amz-Signature=" in url
    status, got = curl(url, tmp_path / "fetched2")
    assert (status, got) == (200, b"special presign")


def test_presigned_get_with_overrides(s3, presigner, bucket, tmp_path):
    s3.put_object(Bucket=bucket, Key="o.txt", Body=b"override me", ContentType="text/plain")
    url = presigner.generate_presigned_url(
        "get_object", ExpiresIn=60,
        Params={"Bucket": bucket, "Key": "o.txt", "ResponseContentType": "application/x-dl",
                "ResponseContentDisposition": "attachment; filename=o.txt"})
    p = subprocess.run(["curl", "-s", "-D", "-", "-o", str(tmp_path / "o"), url],
                       capture_output=True, text=True, timeout=60)
    headers = {k.strip().lower(): v.strip() for k, v in
               (line.split(":", 1) for line in p.stdout.splitlines() if ":" in line)}
    assert p.stdout.startswith("HTTP/1.1 200")
    assert headers["content-type"] == "application/x-dl"
    assert headers["content-disposition"] == "attachment; filename=o.txt"
    assert (tmp_path / "o").read_bytes() == b"override me"


def test_presigned_put(s3, presigner, bucket, tmp_path):
    src = tmp_path / "upload.bin"
    src.write_bytes(os.urandom(150000))
    url = presigner.generate_presigned_url("put_object", ExpiresIn=60,
                                           Params={"Bucket": bucket, "Key": "up.bin"})
    status, _ = curl(url, tmp_path / "resp", method="PUT", upload=src)
    assert status == 200
    got = s3.get_object(Bucket=bucket, Key="up.bin")
    assert got["Body"].read() == src.read_bytes()
    assert got["ETag"] == '"%s"' % md5_hex(src.read_bytes())


def tamper_signature(url):
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    out = []
    for k, v in query:
        if k == "X-Amz-Signature":
            v = v[:-1] + ("0" if v[-1] != "0" else "1")
        out.append((k, v))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(out)))


def test_tampered_presigned_url(daemon, s3, bucket, tmp_path):
    s3.put_object(Bucket=bucket, Key="secret.txt", Body=b"secret")
    _, out, _ = daemon.cli("s3", "presign", f"s3://{bucket}/secret.txt", "--expires-in", "60")
    url = tamper_signature(out.strip())
    assert url != out.strip()
    status, body = curl(url, tmp_path / "err.xml")
    assert status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in body
    # Another key under the same signature.
    forged = out.strip().replace("/secret.txt?", "/other.txt?")
    status, body = curl(forged, tmp_path / "err2.xml")
    assert status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in body


def test_expired_presigned_url(s3, presigner, bucket, tmp_path):
    s3.put_object(Bucket=bucket, Key="brief.txt", Body=b"short-lived")
    url = presigner.generate_presigned_url("get_object", ExpiresIn=1,
                                           Params={"Bucket": bucket, "Key": "brief.txt"})
    time.sleep(2.1)
    status, body = curl(url, tmp_path / "err.xml")
    assert status == 403
    assert b"<Code>AccessDenied</Code>" in body
    assert b"<Message>Request has expired</Message>" in body


def test_presigned_url_expiring_after_a_week(presigner, bucket, tmp_path):
    url = presigner.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"},
                                           ExpiresIn=604801)
    status, body = curl(url, tmp_path / "err.xml")
    assert status == 400
    assert b"<Code>AuthorizationQueryParametersError</Code>" in body


def test_presigned_url_for_missing_key(presigner, bucket, tmp_path):
    url = presigner.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "nope"},
                                           ExpiresIn=60)
    status, body = curl(url, tmp_path / "err.xml")
    assert status == 404
    assert b"<Code>NoSuchKey</Code>" in body
    assert b"<Key>nope</Key>" in body


# --- virtual-host style and unsigned requests ---------------------------------------------------

def test_virtual_host_style(daemon, s3, bucket):
    s3.put_object(Bucket=bucket, Key="vhost/key.txt", Body=b"virtually hosted",
                  ContentType="text/plain")
    host = f"{bucket}.localhost:{daemon.port}"
    status, headers, body = raw(daemon, "GET", "/vhost/key.txt", host=host)
    assert status == 200, body
    assert body == b"virtually hosted"
    assert headers["content-type"] == "text/plain"
    assert headers["etag"] == '"%s"' % md5_hex(b"virtually hosted")

    status, _, body = raw(daemon, "PUT", "/vhost/put.txt", body=b"put by vhost", host=host)
    assert status == 200, body
    assert s3.get_object(Bucket=bucket, Key="vhost/put.txt")["Body"].read() == b"put by vhost"

    # botocore signs the query as given: it must be encoded already.
    status, _, body = raw(daemon, "GET", "/?list-type=2&prefix=vhost%2F", host=host)
    assert status == 200, body
    assert xml_field(body, "Name") == bucket
    assert re.findall(r"<Key>([^<]*)</Key>", body.decode()) == ["vhost/key.txt", "vhost/put.txt"]

    status, _, body = raw(daemon, "GET", "/vhost/missing", host=host)
    assert status == 404
    assert xml_field(body, "Code") == "NoSuchKey"

    # bucket.s3.localhost too.
    status, _, body = raw(daemon, "GET", "/vhost/key.txt", host=f"{bucket}.s3.localhost:{daemon.port}")
    assert (status, body) == (200, b"virtually hosted")


def test_virtual_host_style_missing_bucket(daemon):
    missing = bucket_name("missing")
    status, _, body = raw(daemon, "GET", "/k", host=f"{missing}.localhost:{daemon.port}")
    assert status == 404
    assert xml_field(body, "Code") == "NoSuchBucket"
    assert xml_field(body, "BucketName") == missing


def test_unsigned_requests_are_denied(daemon, s3, bucket):
    s3.put_object(Bucket=bucket, Key="private.txt", Body=b"private")
    for method, path in [("GET", f"/{bucket}"), ("GET", f"/{bucket}/private.txt"),
                         ("PUT", f"/{bucket}/new.txt"), ("DELETE", f"/{bucket}/private.txt"),
                         ("GET", "/")]:
        status, headers, body = raw(daemon, method, path, body=b"x" if method == "PUT" else b"",
                                    sign=False)
        assert status == 403, (method, path)
        assert headers["content-type"] == "application/xml"
        assert xml_field(body, "Code") == "AccessDenied"
        assert xml_field(body, "Message") == "Access Denied"
        assert xml_field(body, "RequestId")
    status, _, _ = raw(daemon, "HEAD", f"/{bucket}/private.txt", sign=False)
    assert status == 403
    assert s3.get_object(Bucket=bucket, Key="private.txt")["Body"].read() == b"private"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="new")


def test_unsigned_requests_with_auth_off(daemon_factory):
    d = daemon_factory(auth="off")
    name = bucket_name()
    status, _, body = raw(d, "PUT", f"/{name}", sign=False)
    assert status == 200, body
    status, _, body = raw(d, "PUT", f"/{name}/k", body=b"open", sign=False)
    assert status == 200, body
    status, _, body = raw(d, "GET", f"/{name}/k", sign=False)
    assert (status, body) == (200, b"open")
