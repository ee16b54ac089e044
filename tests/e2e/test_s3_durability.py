"""S3's promise under kill -9: every write acknowledged before the kill reads back whole after
the restart, an interrupted overwrite leaves the old object, an interrupted upload leaves
nothing, and a notification queued with an acknowledged write still runs.
"""
import hashlib
import os
import socket
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import unique, wait_until


def _bucket(s3):
    name = unique("dur").lower().replace("_", "-")[:63]
    s3.create_bucket(Bucket=name)
    return name


def _body(key, version, size):
    seed = hashlib.sha256(f"{key}/{version}".encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


def test_acknowledged_puts_survive_kill9_and_nothing_is_torn(daemon_factory):
    daemon = daemon_factory()
    s3 = daemon.client("s3", max_pool_connections=16)
    bucket = _bucket(s3)
    sizes = [100, 5_000, 70_000, 300_000, 2_000_000]  # inline, file-backed, streamed
    acked = {}
    tried = {}
    lock = threading.Lock()
    stop = threading.Event()

    def writer(worker):
        n = 0
        client = daemon.client("s3")
        while not stop.is_set():
            key = f"w{worker}/k{n % 7}"
            size = sizes[n % len(sizes)]
            body = _body(key, n, size)
            with lock:
                tried.setdefault(key, set()).add(hashlib.md5(body).hexdigest())
            try:
                client.put_object(Bucket=bucket, Key=key, Body=body)
            except Exception:
                return
            with lock:
                acked[key] = hashlib.md5(body).hexdigest()
            n += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    time.sleep(2.5)
    daemon.kill9()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acked) >= 10, "too few writes were acknowledged before the kill"
    daemon.start()
    s3 = daemon.client("s3")
    for key, digest in acked.items():
        # The last acknowledged write of a key, or a later one that was under way at the kill.
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert hashlib.md5(body).hexdigest() in tried[key], key
    # Whatever is listed reads back whole, with its ETag.
    for o in s3.list_objects_v2(Bucket=bucket)["Contents"]:
        body = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
        assert hashlib.md5(body).hexdigest() == o["ETag"].strip('"')
        assert len(body) == o["Size"]
    # No temp file of an interrupted upload outlives the restart.
    assert os.listdir(os.path.join(daemon.data_dir, "s3", "tmp")) == []


def _send_partial_put(daemon, bucket, key, total, sent):
    """Starts a signed PUT of `total` bytes and sends only `sent` of them; returns the socket."""
    path = f"/{bucket}/{key}"
    headers = daemon.s3_streaming_headers("PUT", path, total)
    head = f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{daemon.port}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items() if k.lower() != "host")
    sock = socket.create_connection(("127.0.0.1", daemon.port))
    sock.sendall(head.encode() + b"\r\n" + b"x" * sent)
    return sock


def test_an_overwrite_cut_by_kill9_leaves_the_old_object(daemon_factory):
    daemon = daemon_factory()
    s3 = daemon.client("s3")
    bucket = _bucket(s3)
    old = os.urandom(3_000_000)
    s3.put_object(Bucket=bucket, Key="obj", Body=old)
    sock = _send_partial_put(daemon, bucket, "obj", 20_000_000, 8_000_000)
    sock2 = _send_partial_put(daemon, bucket, "new", 20_000_000, 8_000_000)
    # Both uploads are under way: their bodies are being written to temp files.
    tmp = os.path.join(daemon.data_dir, "s3", "tmp")
    wait_until(lambda: len(os.listdir(tmp)) == 2, 10, "two uploads in progress")
    daemon.kill9()
    sock.close()
    sock2.close()
    daemon.start()
    s3 = daemon.client("s3")
    assert s3.get_object(Bucket=bucket, Key="obj")["Body"].read() == old
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="new")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert os.listdir(os.path.join(daemon.data_dir, "s3", "tmp")) == []


def test_an_upload_cut_short_by_its_client_stores_nothing(daemon):
    s3 = daemon.client("s3")
    bucket = _bucket(s3)
    s3.put_object(Bucket=bucket, Key="obj", Body=b"old")
    sock = _send_partial_put(daemon, bucket, "obj", 5_000_000, 1_000_000)
    tmp = os.path.join(daemon.data_dir, "s3", "tmp")
    wait_until(lambda: len(os.listdir(tmp)) == 1, 10, "the upload in progress")
    sock.close()  # the client goes away mid-body
    time.sleep(0.3)
    assert s3.get_object(Bucket=bucket, Key="obj")["Body"].read() == b"old"
    # The daemon still serves, and removes the temp file (once the read times out or fails).
    s3.put_object(Bucket=bucket, Key="after", Body=b"fine")
    wait_until(lambda: os.listdir(tmp) == [], 40, "the interrupted upload's temp file removed")


def test_completed_multipart_uploads_survive_kill9(daemon_factory):
    daemon = daemon_factory()
    s3 = daemon.client("s3")
    bucket = _bucket(s3)
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    parts = [os.urandom(5 * 1024 * 1024), os.urandom(1234)]
    etags = [s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=i + 1,
                            Body=p)["ETag"] for i, p in enumerate(parts)]
    pending = s3.create_multipart_upload(Bucket=bucket, Key="pending")
    s3.upload_part(Bucket=bucket, Key="pending", UploadId=pending["UploadId"], PartNumber=1,
                   Body=b"part one")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": i + 1, "ETag": e}
                                                            for i, e in enumerate(etags)]})
    daemon.kill9()
    daemon.start()
    s3 = daemon.client("s3")
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == b"".join(parts)
    # The unfinished upload is still there to complete.
    listed = s3.list_parts(Bucket=bucket, Key="pending", UploadId=pending["UploadId"])
    assert [p["Size"] for p in listed["Parts"]] == [8]
