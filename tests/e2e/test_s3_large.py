"""Large objects go through Lamina in constant memory: a 600 MB PutObject is streamed to disk as
it arrives and a GetObject of it streamed back from disk, the daemon's resident memory staying
within a few buffers of where it started (the issue's 5 GB PUT and 1 GB GET, scaled to CI).
"""
import hashlib
import http.client
import threading
import time

from conftest import unique

SIZE = 600 * 1024 * 1024
CHUNK = bytes(range(256)) * 4096  # 1 MiB


def _rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class PeakRss:
    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, _rss_kb(pid), threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, _rss_kb(self.pid))
            time.sleep(0.02)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def test_a_600_mb_object_streams_in_and_out_in_constant_memory(daemon):
    s3 = daemon.client("s3")
    bucket = unique("large").lower().replace("_", "-")[:63]
    s3.create_bucket(Bucket=bucket)
    path = f"/{bucket}/big"
    headers = daemon.s3_streaming_headers("PUT", path, SIZE)
    pid = daemon.proc.pid
    before = _rss_kb(pid)
    md5 = hashlib.md5()
    with PeakRss(pid) as put_peak:
        conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=120)
        conn.putrequest("PUT", path, skip_host=True, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        for _ in range(SIZE // len(CHUNK)):
            conn.send(CHUNK)
            md5.update(CHUNK)
        r = conn.getresponse()
        body = r.read()
        conn.close()
    assert r.status == 200, body
    assert r.getheader("ETag") == f'"{md5.hexdigest()}"'

    got = hashlib.md5()
    total = 0
    with PeakRss(pid) as get_peak:
        conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=120)
        conn.request("GET", path, headers=daemon.signed_headers("GET", path, b"", service="s3"))
        r = conn.getresponse()
        assert r.status == 200
        while True:
            piece = r.read(4 * 1024 * 1024)
            if not piece:
                break
            got.update(piece)
            total += len(piece)
        conn.close()
    assert total == SIZE and got.hexdigest() == md5.hexdigest()
    # A few MiB of buffers, nowhere near the object's size.
    assert put_peak.peak - before < 64 * 1024, (before, put_peak.peak)
    assert get_peak.peak - before < 64 * 1024, (before, get_peak.peak)
    s3.delete_object(Bucket=bucket, Key="big")
