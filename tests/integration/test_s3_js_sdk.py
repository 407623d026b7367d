"""The AWS SDK for JavaScript v3 against lambda-local's S3: `@aws-sdk/client-s3` path-style
(forcePathStyle) and `@aws-sdk/lib-storage`'s managed `Upload`, unmodified, with the SDK's default
checksum behaviour (CRC32 on every upload, aws-chunked bodies with a trailing checksum for streams,
ChecksumMode ENABLED and validation on GetObject).

The script (js/s3_roundtrip.mjs) runs every step, records the headers each request carried and, when
a step throws, the error and the emulator's answer; it prints one JSON line that this test checks.
What it stored is then read back with boto3.

The packages are installed into tests/.cache/s3sdk (LAMBDA_LOCAL_S3SDK_DIR) at pinned versions;
the test skips only when npm/node are missing."""
import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
import unittest

from .harness import REPO_ROOT, fake_credentials_env
from .s3_support import FAKE_AUTH, S3TestCase, crc32_b64, etag_of, unique_bucket

TESTS_DIR = os.path.join(REPO_ROOT, "tests")
# `npm view` latest at the time of writing; both declare engines.node >= 20.
S3_SDK_PACKAGES = {"@aws-sdk/client-s3": "3.1178.0", "@aws-sdk/lib-storage": "3.1178.0"}
S3_SDK_DIR = os.environ.get("LAMBDA_LOCAL_S3SDK_DIR", os.path.join(TESTS_DIR, ".cache", "s3sdk"))
JS_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js", "s3_roundtrip.mjs")

MIB = 1 << 20
TEXT = "héllo ✓ from the js sdk\n" * 100  # as the script writes it
STREAMED = bytes((i * 31 + 7) & 0xFF for i in range(300 * 1024 + 7))


def installed_version(package: str):
    pkg = os.path.join(S3_SDK_DIR, "node_modules", *package.split("/"), "package.json")
    try:
        with open(pkg) as f:
            return json.load(f).get("version")
    except (OSError, ValueError):
        return None


def install_s3_sdk():
    """Installs @aws-sdk/client-s3 and @aws-sdk/lib-storage into tests/.cache/s3sdk (idempotent).
    Skips only when npm/node are missing."""
    if all(installed_version(p) == v for p, v in S3_SDK_PACKAGES.items()):
        return
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise unittest.SkipTest("npm/node are not on PATH: cannot install @aws-sdk/client-s3")
    os.makedirs(S3_SDK_DIR, exist_ok=True)
    package_json = os.path.join(S3_SDK_DIR, "package.json")
    if not os.path.exists(package_json):
        with open(package_json, "w") as f:
            json.dump({"name": "lambda-local-test-s3sdk", "private": True,
                       "description": "Test-only install of @aws-sdk/client-s3 and @aws-sdk/lib-storage for "
                                      "lambda-local's integration tests"}, f, indent=2)
    r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--save-exact",
                        *(f"{p}@{v}" for p, v in S3_SDK_PACKAGES.items())],
                       cwd=S3_SDK_DIR, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise AssertionError(f"npm install of the S3 SDK failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")


def multipart_etag(data: bytes, part_size: int) -> str:
    digests = b"".join(hashlib.md5(data[i:i + part_size]).digest() for i in range(0, len(data), part_size))
    return f'"{hashlib.md5(digests).hexdigest()}-{(len(data) + part_size - 1) // part_size}"'


def big_body() -> bytes:
    """The script's 12 MiB lib-storage body: sha256(str(offset)) at every 32-byte offset."""
    return b"".join(hashlib.sha256(str(off).encode()).digest() for off in range(0, 12 * MIB, 32))


class JsSdkS3Test(S3TestCase):
    @classmethod
    def setUpClass(cls):
        install_s3_sdk()  # before the emulator starts, so a skip leaves nothing running
        super().setUpClass()

    def run_script(self, bucket: str) -> dict:
        run_dir = tempfile.mkdtemp(prefix="run-", dir=S3_SDK_DIR)
        self.addCleanup(shutil.rmtree, run_dir, True)
        script = os.path.join(run_dir, "s3_roundtrip.mjs")
        shutil.copyfile(JS_SCRIPT, script)
        r = subprocess.run(["node", script], cwd=run_dir, capture_output=True, text=True, timeout=300,
                           env=fake_credentials_env(LL_ENDPOINT=self.emu.url, LL_BUCKET=bucket))
        self.assertEqual(r.returncode, 0, f"node script failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}\n"
                                          + self.emu.describe_output(20))
        return json.loads(r.stdout.strip().splitlines()[-1])

    def test_js_sdk_roundtrip(self):
        bucket = unique_bucket("js")
        self.addCleanup(self.delete_bucket_quietly, bucket)
        out = self.run_script(bucket)
        text = TEXT.encode()

        # Every step ran without an error; otherwise show each failure with the emulator's answer.
        if out["failures"]:
            self.fail("steps failed:\n" + json.dumps(out["failures"], indent=2) + "\n" + self.emu.describe_output(20))

        self.assertEqual(out["createBucket"], {"status": 200, "location": f"/{bucket}"})

        # PutObject of a string: the SDK's default CRC32 travels in a header and is echoed back.
        put = out["put"]
        self.assertEqual(put["wire"]["headers"].get("x-amz-sdk-checksum-algorithm"), "CRC32", put)
        self.assertEqual(put["wire"]["headers"].get("x-amz-checksum-crc32"), crc32_b64(text), put)
        self.assertEqual(put["status"], 200)
        self.assertEqual(put["etag"], etag_of(text))
        self.assertEqual(put["checksumCRC32"], crc32_b64(text))

        # GetObject: the SDK asks for the checksum (ChecksumMode ENABLED) and validates the body.
        get = out["get"]
        self.assertEqual(get["wire"]["headers"].get("x-amz-checksum-mode"), "ENABLED", get)
        self.assertTrue(get["sameBody"], get)
        self.assertEqual(get["etag"], etag_of(text))
        self.assertEqual(get["metadata"], {"owner": "js-sdk", "mixed-case": "Value 1"})
        self.assertEqual(get["contentType"], "text/plain; charset=utf-8")
        self.assertEqual(get["contentLength"], len(text))
        self.assertEqual(get["checksumCRC32"], crc32_b64(text))

        self.assertEqual(out["head"], {"status": 200, "etag": etag_of(text),
                                       "metadata": {"owner": "js-sdk", "mixed-case": "Value 1"},
                                       "contentType": "text/plain; charset=utf-8", "contentLength": len(text),
                                       "lastModified": True})

        # PutObject of a stream: aws-chunked, unsigned, with the CRC32 in a trailer.
        ps = out["putStream"]
        wire = ps["wire"]["headers"]
        self.assertEqual(wire.get("content-encoding"), "aws-chunked", ps)
        self.assertEqual(wire.get("x-amz-content-sha256"), "STREAMING-UNSIGNED-PAYLOAD-TRAILER", ps)
        self.assertEqual(wire.get("x-amz-trailer"), "x-amz-checksum-crc32", ps)
        self.assertEqual(wire.get("x-amz-decoded-content-length"), str(len(STREAMED)), ps)
        self.assertEqual(ps["sentSha256"], hashlib.sha256(STREAMED).hexdigest())
        self.assertEqual(ps["status"], 200)
        self.assertEqual(ps["etag"], etag_of(STREAMED))
        self.assertEqual(ps["checksumCRC32"], crc32_b64(STREAMED))
        self.assertEqual((ps["gotLength"], ps["gotSha256"]), (len(STREAMED), hashlib.sha256(STREAMED).hexdigest()))
        self.assertEqual(ps["gotChecksumCRC32"], crc32_b64(STREAMED))

        # The streamed object was put under docs/ before the listing.
        self.assertEqual(out["list"], {
            "keys": ["docs/hello.txt", "docs/streamed.bin"], "sizes": [len(text), len(STREAMED)],
            "etags": [etag_of(text), etag_of(STREAMED)],
            "commonPrefixes": ["docs/a/", "docs/b/"], "keyCount": 4, "isTruncated": False,
            "prefix": "docs/", "delimiter": "/"})

        copy = out["copy"]
        self.assertEqual((copy["status"], copy["etag"], copy["lastModified"]), (200, etag_of(text), True))
        self.assertTrue(copy["sameBody"])
        self.assertEqual(copy["metadata"], {"owner": "js-sdk", "mixed-case": "Value 1"})
        self.assertEqual(copy["contentType"], "text/plain; charset=utf-8")
        self.assertEqual(copy["getEtag"], etag_of(text))

        # DeleteObjects: the SDK sends a CRC32 of the XML body (S3 wants a body digest); missing keys
        # are reported deleted, as S3 does.
        d = out["deleteObjects"]
        self.assertIn("x-amz-checksum-crc32", d["wire"]["headers"], d)
        self.assertEqual(d["status"], 200)
        self.assertEqual(d["deleted"], ["docs/a/1.txt", "docs/a/2.txt", "never-there"])
        self.assertEqual(d["errors"], [])
        self.assertEqual(d["keysAfter"], ["copies/hello copy ü.txt", "docs/b/3.txt", "docs/hello.txt",
                                          "docs/streamed.bin", "top.txt"])

        # Errors: the SDK's modelled classes.
        missing = out["missing"]
        self.assertIsNotNone(missing, "GetObject of a missing key succeeded")
        self.assertEqual((missing["name"], missing["isNoSuchKey"], missing["status"], missing["code"]),
                         ("NoSuchKey", True, 404, "NoSuchKey"), missing)
        self.assertTrue(missing["requestId"], missing)
        head_missing = out["headMissing"]
        self.assertIsNotNone(head_missing, "HeadObject of a missing key succeeded")
        self.assertEqual((head_missing["name"], head_missing["isNotFound"], head_missing["status"]),
                         ("NotFound", True, 404), head_missing)

        # lib-storage Upload: 12 MiB in 5 MiB parts is a 3-part multipart upload with AWS's -3 ETag.
        big = big_body()
        up = out["upload"]
        self.assertEqual(up["sentSha256"], hashlib.sha256(big).hexdigest())
        self.assertEqual((up["creates"], up["completes"]), (1, 1), up)
        self.assertEqual([(p["partNumber"], p["contentLength"]) for p in up["parts"]],
                         [("1", str(5 * MIB)), ("2", str(5 * MIB)), ("3", str(2 * MIB))], up["parts"])
        for p in up["parts"]:
            self.assertTrue(p["checksum"], f"part sent without a checksum: {p}")
        self.assertEqual(up["progressParts"], [1, 2, 3])
        self.assertEqual(up["etag"], multipart_etag(big, 5 * MIB))
        self.assertEqual((up["key"], up["bucket"]), ("big/twelve.bin", bucket))
        self.assertEqual((up["gotLength"], up["gotSha256"]), (len(big), hashlib.sha256(big).hexdigest()))
        self.assertEqual(up["getEtag"], up["etag"])
        self.assertEqual(up["metadata"], {"kind": "multipart"})
        self.assertEqual(up["contentType"], "application/octet-stream")

        # What the SDK stored, read back with boto3.
        got = self.s3.get_object(Bucket=bucket, Key="big/twelve.bin")
        self.assertEqual(hashlib.sha256(got["Body"].read()).hexdigest(), hashlib.sha256(big).hexdigest())
        self.assertEqual(got["ETag"], multipart_etag(big, 5 * MIB))
        self.assertEqual(self.get_bytes(bucket, "docs/hello.txt"), text)
        self.assertEqual(self.get_bytes(bucket, "copies/hello copy ü.txt"), text)
        self.assertEqual(self.get_bytes(bucket, "docs/streamed.bin"), STREAMED)
        self.assertEqual(self.s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []), [])



class JsSdkFramingTest(S3TestCase):
    """The JS SDK's aws-chunked framing written by hand (no node needed): over HTTP/1.1 chunked
    transfer coding, the SDK writes each piece of the aws-chunked encoding as its own HTTP chunk:
    `<size>\\r\\n`, the data, `\\r\\n`, `0\\r\\n`, the trailer line, the final `\\r\\n`. Where the
    HTTP chunks split the aws-chunked body must not change what is stored or how the trailing
    checksum is checked."""

    def put_http_chunked(self, path: str, data: bytes, pieces: list, crc: str) -> tuple:
        headers = {"Host": f"127.0.0.1:{self.port}", "Authorization": FAKE_AUTH, "X-Amz-Date": "20240101T000000Z",
                   "Content-Type": "application/octet-stream", "X-Amz-Sdk-Checksum-Algorithm": "CRC32",
                   "Content-Encoding": "aws-chunked", "Transfer-Encoding": "chunked",
                   "X-Amz-Decoded-Content-Length": str(len(data)),
                   "X-Amz-Content-SHA256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                   "X-Amz-Trailer": "x-amz-checksum-crc32"}
        wire = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in pieces) + b"0\r\n\r\n"
        conn = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        try:
            head = f"PUT {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
            conn.sendall(head.encode() + wire)
            r = http.client.HTTPResponse(conn)
            r.begin()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def test_aws_chunked_pieces_in_their_own_http_chunks(self):
        b = self.bucket("framing")
        data = STREAMED
        crc = crc32_b64(data)
        trailer = f"x-amz-checksum-crc32:{crc}\r\n".encode()
        tail_whole = b"\r\n0\r\n" + trailer + b"\r\n"
        cases = {
            # Exactly what @aws-sdk/client-s3 3.1178.0 sent for a 2-chunk Readable body.
            "as the js sdk sends it": [b"186a0\r\n", data[:100000], b"\r\n", f"{len(data) - 100000:x}\r\n".encode(),
                                       data[100000:], b"\r\n", b"0\r\n", trailer, b"\r\n"],
            "one http chunk": [f"{len(data):x}\r\n".encode() + data + tail_whole],
            "data, then the rest": [f"{len(data):x}\r\n".encode() + data, tail_whole],
            "zero chunk alone": [f"{len(data):x}\r\n".encode() + data + b"\r\n", b"0\r\n", trailer + b"\r\n"],
            "final empty line alone": [f"{len(data):x}\r\n".encode() + data + b"\r\n0\r\n" + trailer, b"\r\n"],
        }
        for name, pieces in cases.items():
            with self.subTest(name):
                key = name.replace(" ", "-")
                status, headers, body = self.put_http_chunked(f"/{b}/{key}", data, pieces, crc)
                self.assertEqual(status, 200, (status, headers, body))
                self.assertEqual(headers.get("etag"), etag_of(data))
                got = self.s3.get_object(Bucket=b, Key=key, ChecksumMode="ENABLED")
                self.assertEqual(got["Body"].read(), data)
                self.assertEqual(got.get("ChecksumCRC32"), crc)


if __name__ == "__main__":
    unittest.main()
