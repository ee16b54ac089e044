"""What the S3 suites share: digests as S3 computes them, and file digests."""
import hashlib

MiB = 1024 * 1024


def md5_hex(data):
    return hashlib.md5(data).hexdigest()


def multipart_etag(parts):
    """S3's ETag of an object completed from `parts` (bytes each): the MD5 of the concatenated
    binary MD5s of the parts, a dash, and the number of parts, in quotes."""
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


def file_md5_parts(path, chunk):
    """The multipart ETag of a file uploaded in parts of `chunk` bytes."""
    md5s = []
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            md5s.append(hashlib.md5(block).digest())
    return f'"{hashlib.md5(b"".join(md5s)).hexdigest()}-{len(md5s)}"'


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            h.update(block)
    return h.hexdigest()
