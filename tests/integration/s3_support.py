"""Helpers for the S3 integration tests (test_s3_*.py), on top of harness.py.

* S3TestCase: one emulator per class, a path-style boto3 client (`self.s3`, endpoint
  http://127.0.0.1:PORT, boto3's default for a custom endpoint) and a virtual-hosted one
  (`self.s3v`, endpoint http://localhost:PORT, so requests carry `Host: <bucket>.localhost:PORT`),
  buckets that empty and delete themselves after the test, and assertions for S3's errors.
* raw() / curl(): requests sent by hand, for what no SDK sends (bad XML, aws-chunked bodies,
  explicit Host headers) and for reading the wire exactly (status, headers, body).
* Checksums as S3 writes them: base64 of the big-endian digest (crc32, crc32c, sha1, sha256, md5).

`<bucket>.localhost` does not resolve on every machine (glibc's resolver does not special-case
*.localhost), so the virtual-hosted client connects to 127.0.0.1 and keeps the Host header the
SDK chose (see loopback_virtual_hosts).
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import os
import struct
import subprocess
import tempfile
import uuid
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.config import Config

from .harness import REGION, EmulatorTestCase, error_code, http_status

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
# An Authorization header whose credential scope names s3: enough to route an unsigned hand-made
# request to S3 (lambda-local does not verify signatures).
FAKE_AUTH = ("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, "
             "SignedHeaders=host, Signature=0")
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


# ---- names -------------------------------------------------------------------------------------
def unique_bucket(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# ---- checksums ---------------------------------------------------------------------------------
def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def crc32_b64(data: bytes) -> str:
    return _b64(struct.pack(">I", zlib.crc32(data) & 0xFFFFFFFF))


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c_b64(data: bytes) -> str:
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC32C[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return _b64(struct.pack(">I", crc ^ 0xFFFFFFFF))


def sha1_b64(data: bytes) -> str:
    return _b64(hashlib.sha1(data).digest())


def sha256_b64(data: bytes) -> str:
    return _b64(hashlib.sha256(data).digest())


def md5_b64(data: bytes) -> str:
    return _b64(hashlib.md5(data).digest())


def etag_of(data: bytes) -> str:
    """A single-part object's ETag: the quoted hex MD5 of its bytes."""
    return '"' + hashlib.md5(data).hexdigest() + '"'


# ---- clients -----------------------------------------------------------------------------------
def loopback_virtual_hosts(client, port: int):
    """Makes `client` (endpoint http://localhost:PORT) connect to 127.0.0.1 while sending the
    Host header it built, e.g. `Host: my-bucket.localhost:PORT`: the request is what the SDK
    sends to a virtual-hosted endpoint, whatever this machine's resolver says about *.localhost."""
    def redirect(request, **_):
        parts = urlsplit(request.url)
        request.headers["Host"] = parts.netloc
        request.url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{port}"))
    client.meta.events.register_first("before-send.s3", redirect)
    return client


def s3_client(endpoint_url: str, region: str = REGION, **config):
    c = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                              region_name=region).client(
        "s3", endpoint_url=endpoint_url,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=120,
                      connect_timeout=10, **config))
    return c


# ---- raw HTTP ----------------------------------------------------------------------------------
@dataclass
class Reply:
    status: int
    headers: dict  # lower-case names
    body: bytes

    def error(self) -> dict:
        return parse_error(self.body)


def parse_error(body: bytes) -> dict:
    """{child tag: text} of an S3 `<Error>` document ({} when the body is not one)."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return {}
    if root.tag.split("}")[-1] != "Error":
        return {}
    return {child.tag.split("}")[-1]: (child.text or "") for child in root}


def xml_root(body: bytes):
    return ET.fromstring(body)


def find_all_text(root, tag: str) -> list[str]:
    """Text of every descendant element named `tag` (namespace ignored)."""
    return [el.text or "" for el in root.iter() if el.tag.split("}")[-1] == tag]


def raw_request(port: int, method: str, path: str, body: bytes | None = b"", headers: dict | None = None,
                host: str | None = None, auth: bool = True, timeout: float = 60) -> Reply:
    """One HTTP/1.1 request over http.client to 127.0.0.1:port. `path` must already be
    percent-encoded. With auth=True it carries FAKE_AUTH, X-Amz-Date and an UNSIGNED-PAYLOAD
    content hash unless `headers` sets them."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        hdrs = {"Host": host or f"127.0.0.1:{port}"}
        if auth:
            hdrs.update({"Authorization": FAKE_AUTH, "X-Amz-Date": "20240101T000000Z",
                         "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
        for k, v in (headers or {}).items():
            for existing in [e for e in hdrs if e.lower() == k.lower()]:
                del hdrs[existing]
            if v is not None:
                hdrs[k] = v
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in hdrs.items():
            conn.putheader(k, v)
        if body is not None and not any(k.lower() in ("content-length", "transfer-encoding") for k in hdrs):
            if body or method in ("PUT", "POST"):
                conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        if body:
            conn.send(body)
        resp = conn.getresponse()
        data = resp.read()
        return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()


def curl(*args, timeout: float = 120, data_in: bytes | None = None) -> Reply:
    """Runs curl (argument list, never a shell) and returns the reply it got."""
    with tempfile.TemporaryDirectory(prefix="s3-curl-") as tmp:
        head, out = os.path.join(tmp, "head"), os.path.join(tmp, "body")
        proc = subprocess.run(["curl", "-sS", "-D", head, "-o", out, "-w", "%{http_code}", *args],
                              input=data_in, capture_output=True, timeout=timeout)
        if proc.returncode != 0:
            raise AssertionError(f"curl {args} failed ({proc.returncode}): {proc.stderr.decode()}")
        headers = {}
        with open(head, "rb") as f:
            blocks = f.read().decode("latin-1").split("\r\n\r\n")
        # The last header block (after any `100 Continue`).
        last = [b for b in blocks if b.strip()][-1]
        for line in last.split("\r\n")[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        body = b""
        if os.path.exists(out):
            with open(out, "rb") as f:
                body = f.read()
        return Reply(int(proc.stdout.decode().strip() or 0), headers, body)


# ---- test case ---------------------------------------------------------------------------------
class S3TestCase(EmulatorTestCase):
    """An emulator with no functions, a path-style client `s3` and a virtual-hosted `s3v`."""

    TEMPLATE = "Resources: {}\n"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = cls.emu.client("s3", read_timeout=120)
        cls.s3v = cls.virtual_client()

    @classmethod
    def virtual_client(cls, **config):
        c = s3_client(f"http://localhost:{cls.emu.port}", s3={"addressing_style": "virtual"}, **config)
        cls.emu._clients.append(c)
        return loopback_virtual_hosts(c, cls.emu.port)

    @property
    def port(self) -> int:
        return self.emu.port

    def bucket(self, prefix: str = "t", client=None, **kwargs) -> str:
        """Creates a uniquely named bucket, emptied and deleted after the test; returns its name."""
        name = unique_bucket(prefix)
        (client or self.s3).create_bucket(Bucket=name, **kwargs)
        self.addCleanup(self.delete_bucket_quietly, name)
        return name

    def delete_bucket_quietly(self, name: str):
        try:
            keys = []
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=name):
                keys.extend(o["Key"] for o in page.get("Contents", []))
            for start in range(0, len(keys), 1000):
                self.s3.delete_objects(Bucket=name, Delete={
                    "Objects": [{"Key": k} for k in keys[start:start + 1000]], "Quiet": True})
            self.s3.delete_bucket(Bucket=name)
        except Exception:
            pass

    def put(self, bucket: str, key: str, body: bytes | str = b"data", **kwargs) -> dict:
        if isinstance(body, str):
            body = body.encode()
        return self.s3.put_object(Bucket=bucket, Key=key, Body=body, **kwargs)

    def get_bytes(self, bucket: str, key: str, client=None, **kwargs) -> bytes:
        return (client or self.s3).get_object(Bucket=bucket, Key=key, **kwargs)["Body"].read()

    def raw(self, method: str, path: str, body: bytes | None = b"", headers: dict | None = None,
            host: str | None = None, auth: bool = True) -> Reply:
        return raw_request(self.port, method, path, body, headers, host, auth)

    def keys(self, bucket: str, **kwargs) -> list[str]:
        out = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, **kwargs):
            out.extend(o["Key"] for o in page.get("Contents", []))
        return out

    def assert_s3_error(self, call, code: str, status: int, *args, message: str | None = None, **kwargs):
        """Asserts call(...) fails with S3 error `code` and HTTP `status`; where botocore models
        the code as an exception class (s3.exceptions.NoSuchKey, ...) that class is raised.
        Returns the exception."""
        client = call.__self__
        exc_class = getattr(client.exceptions, code, None) or client.exceptions.ClientError
        with self.assertRaises(exc_class) as cm:
            call(*args, **kwargs)
        e = cm.exception
        self.assertEqual(error_code(e), code, e.response)
        self.assertEqual(http_status(e), status, e.response)
        if message is not None:
            self.assertIn(message, e.response["Error"].get("Message", ""), e.response)
        return e

    def assert_raw_error(self, reply: Reply, code: str, status: int, message: str | None = None) -> dict:
        self.assertEqual(reply.status, status, reply)
        err = reply.error()
        self.assertEqual(err.get("Code"), code, reply)
        if message is not None:
            self.assertIn(message, err.get("Message", ""), reply)
        self.assert_request_ids(reply.headers)
        return err

    def assert_request_ids(self, headers: dict):
        headers = {k.lower(): v for k, v in headers.items()}
        self.assertTrue(headers.get("x-amz-request-id"), headers)
        self.assertTrue(headers.get("x-amz-id-2"), headers)


__all__ = [
    "S3_NS", "FAKE_AUTH", "EMPTY_SHA256", "unique_bucket", "crc32_b64", "crc32c_b64", "sha1_b64",
    "sha256_b64", "md5_b64", "etag_of", "loopback_virtual_hosts", "s3_client", "Reply", "parse_error",
    "xml_root", "find_all_text", "raw_request", "curl", "S3TestCase",
]
