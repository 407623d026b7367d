"""kill -9 during a stream of S3 writes, then a restart with the same --state-dir.

Writers PUT random bodies (1 KiB - 2 MiB, some over 1 MiB) to keys of their own, overwriting them,
while other uploads are held open mid-body; the emulator is SIGKILLed once a given number of PUTs has
been acknowledged, with the writers still sending. After the restart:

* every acknowledged object is there and whole: its body is the last acknowledged one, or the one
  its writer sent after it (in flight at the kill) - never a mix, never truncated;
* every listed key was sent, answers GET, and holds one of the bodies sent for it, whole, with a
  listed size and ETag that match it;
* uploads cut off by the kill (single PUTs held mid-body, multipart uploads never completed) leave
  no object; acknowledged parts of an unfinished multipart upload are still there to complete it.

Nothing here waits on time: the kill is triggered by a count of acknowledgements, and threads meet
through events."""
import hashlib
import os
import random
import shutil
import socket
import tempfile
import threading
import unittest
from dataclasses import dataclass, field
from urllib.parse import quote

from .harness import Emulator, Project
from .s3_support import FAKE_AUTH, etag_of

KIB, MIB = 1 << 10, 1 << 20
WAIT = 300  # seconds: a bound on waits that should end long before, so a broken emulator fails instead of hanging


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def multipart_etag(parts: list) -> str:
    joined = b"".join(hashlib.md5(p).digest() for p in parts)
    return f'"{hashlib.md5(joined).hexdigest()}-{len(parts)}"'


@dataclass
class KeyLog:
    """Every body sent for one key, in the order sent (one writer per key, one request at a time), and
    the index of the last one acknowledged."""
    sent: list = field(default_factory=list)  # [(sha256, size, etag)]
    acked: int = -1

    def allowed(self) -> set:
        """The bodies the key may hold after the crash: the last acknowledged one or a later one."""
        return {s[0] for s in self.sent[max(self.acked, 0):]}


class HeldUpload:
    """A PUT whose headers and first bytes are on the wire, held open until the emulator dies."""

    def __init__(self, port: int, path: str, headers: dict, body: bytes, send: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        head = f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.sock.sendall(head.encode() + body[:send])

    def close(self):
        self.sock.close()


def raw_put_headers(length: int) -> dict:
    return {"Authorization": FAKE_AUTH, "X-Amz-Date": "20240101T000000Z",
            "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD", "Content-Length": str(length)}


class S3CrashTest(unittest.TestCase):
    WRITERS = 6
    KEYS_PER_WRITER = 6
    KILL_AFTER = 100  # acknowledged single PUTs: more than WRITERS * KEYS_PER_WRITER, so keys are overwritten

    def setUp(self):
        self.project = Project("Resources: {}\n")
        self.addCleanup(self.project.cleanup)
        self.state_dir = tempfile.mkdtemp(prefix="lambda-local-it-s3crash-")
        self.addCleanup(shutil.rmtree, self.state_dir, True)

    def start(self):
        emu = Emulator(self.project, ["--state-dir", self.state_dir])
        emu.start()
        self.addCleanup(emu.kill)
        return emu, emu.client("s3", read_timeout=WAIT)

    def kill_9(self, emu, killed: threading.Event):
        killed.set()  # before the signal: every error a writer sees after this may be the kill's
        emu.kill()
        emu.close_clients()
        self.assertIsNotNone(emu.proc.returncode)
        self.assertLess(emu.proc.returncode, 0, "the emulator was not killed by the signal")

    def listing(self, s3, bucket: str) -> dict:
        out = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for o in page.get("Contents", []):
                out[o["Key"]] = o
        return out

    def assert_absent(self, s3, bucket: str, key: str, why: str):
        with self.assertRaises(s3.exceptions.ClientError, msg=f"{key!r} exists: {why}") as cm:
            s3.head_object(Bucket=bucket, Key=key)
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404, cm.exception.response)

    # ---- concurrent PUTs ---------------------------------------------------------------------------
    def test_kill_9_during_concurrent_puts(self):
        emu, s3 = self.start()
        bucket = "crash"
        s3.create_bucket(Bucket=bucket)

        logs: dict[str, KeyLog] = {}
        logs_mu = threading.Lock()
        acks = [0]
        enough = threading.Event()  # KILL_AFTER PUTs acknowledged (or a write failed on its own)
        killed = threading.Event()
        early_errors = []  # errors before the kill: failures of their own

        def record_error(where, e):
            if not killed.is_set():
                early_errors.append(f"{where}: {type(e).__name__}: {e}")
                enough.set()

        # Uploads held mid-body across the kill: a plain PUT with half its bytes, one missing only its
        # last byte, and an aws-chunked PUT missing its final chunk and trailer.
        held_keys = ["held/half", "held/all-but-one-byte", "held/aws-chunked"]
        half = os.urandom(2 * MIB)
        held = [HeldUpload(emu.port, f"/{bucket}/held/half", raw_put_headers(len(half)), half, MIB),
                HeldUpload(emu.port, f"/{bucket}/held/all-but-one-byte", raw_put_headers(len(half)), half,
                           len(half) - 1)]
        chunked_data = os.urandom(MIB + 5)
        chunked_wire = (f"{MIB:x}\r\n".encode() + chunked_data[:MIB] + b"\r\n" + b"5\r\n" + chunked_data[MIB:]
                        + b"\r\n")  # the zero chunk and the trailer never come
        held.append(HeldUpload(emu.port, f"/{bucket}/held/aws-chunked", {
            "Authorization": FAKE_AUTH, "X-Amz-Date": "20240101T000000Z",
            "X-Amz-Content-SHA256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked",
            "X-Amz-Decoded-Content-Length": str(len(chunked_data)), "X-Amz-Trailer": "x-amz-checksum-crc32",
            "Transfer-Encoding": "chunked"},
            # inside HTTP chunked coding, as the SDKs send it; the HTTP body never ends either
            f"{len(chunked_wire):x}\r\n".encode() + chunked_wire + b"\r\n", 10 ** 9))
        for h in held:
            self.addCleanup(h.close)

        def writer(n: int):
            rng = random.Random(n)
            keys = [f"w{n}/key {j} ü" for j in range(self.KEYS_PER_WRITER)]
            i = 0
            while not killed.is_set():
                key = rng.choice(keys)
                # 1 KiB - 2 MiB, log-uniform, with every third body over 1 MiB.
                size = rng.randint(MIB + 1, 2 * MIB) if i % 3 == 0 else int(KIB * 2 ** rng.uniform(0, 11))
                body = os.urandom(size)
                with logs_mu:
                    log = logs.setdefault(key, KeyLog())
                    log.sent.append((digest(body), size, etag_of(body)))
                    index = len(log.sent) - 1
                try:
                    r = s3.put_object(Bucket=bucket, Key=key, Body=body)
                except Exception as e:  # the kill, or a failure of its own
                    record_error(f"PUT {key} ({size} bytes)", e)
                    return
                if r["ResponseMetadata"]["HTTPStatusCode"] != 200 or r["ETag"] != etag_of(body):
                    record_error(f"PUT {key}", AssertionError(f"{r['ResponseMetadata']}, ETag {r.get('ETag')}"))
                    return
                with logs_mu:
                    log.acked = max(log.acked, index)
                    acks[0] += 1
                    if acks[0] >= self.KILL_AFTER:
                        enough.set()
                i += 1

        # Multipart uploads in a loop next to the PUTs: create, two parts, complete.
        mp_logs: dict[str, KeyLog] = {}
        mp_unfinished = []  # keys whose CompleteMultipartUpload was never sent

        def multipart_writer():
            rng = random.Random(99)
            n = 0
            while not killed.is_set():
                key = f"mp/{n}"
                n += 1
                parts = [os.urandom(5 * MIB), os.urandom(rng.randint(KIB, MIB))]
                try:
                    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
                    etags = []
                    for number, part in enumerate(parts, 1):
                        etags.append(s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number,
                                                    Body=part)["ETag"])
                except Exception as e:
                    mp_unfinished.append(key)
                    record_error(f"multipart {key}", e)
                    return
                body = b"".join(parts)
                log = KeyLog(sent=[(digest(body), len(body), multipart_etag(parts))])
                with logs_mu:
                    mp_logs[key] = log
                try:
                    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={
                        "Parts": [{"PartNumber": i, "ETag": e} for i, e in enumerate(etags, 1)]})
                except Exception as e:
                    record_error(f"complete {key}", e)
                    return
                log.acked = 0

        threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(self.WRITERS)]
        threads.append(threading.Thread(target=multipart_writer, daemon=True))
        for t in threads:
            t.start()
        self.assertTrue(enough.wait(WAIT), f"only {acks[0]} PUTs acknowledged: {early_errors}\n"
                        + emu.describe_output(20))
        # While the writers keep sending, nothing held mid-body is visible.
        listed_before = self.listing(s3, bucket)
        for key in held_keys:
            self.assertFalse(key in listed_before, f"{key!r}: an upload still receiving its body is listed")
        self.kill_9(emu, killed)
        for t in threads:
            t.join(WAIT)
            self.assertFalse(t.is_alive(), "a writer did not notice the kill")
        for h in held:
            h.close()
        self.assertEqual(early_errors, [], "writes failed before the kill")

        emu, s3 = self.start()
        listed = self.listing(s3, bucket)
        acked = {k: v for k, v in logs.items() if v.acked >= 0}
        self.assertTrue(any(log.acked >= 1 for log in acked.values()), "no key was overwritten")
        all_logs = {**logs, **mp_logs}

        holds = {}  # key -> sha256 of the body it answers with
        for key, obj in listed.items():
            with self.subTest(listed=key):
                self.assertTrue(key in all_logs, f"listed a key that was never sent: {key!r}")
                got = s3.get_object(Bucket=bucket, Key=key)  # a listed object must answer GET
                body = got["Body"].read()
                holds[key] = digest(body)
                sent = {s[0]: s for s in all_logs[key].sent}
                self.assertTrue(digest(body) in sent, f"{key!r} holds {len(body)} bytes that match no body sent "
                                                      f"for it (sizes sent: {[s[1] for s in all_logs[key].sent]})")
                _, size, etag = sent[digest(body)]
                self.assertEqual((obj["Size"], obj["ETag"]), (size, etag), "the listing disagrees with the body")
                self.assertEqual((got["ContentLength"], got["ETag"]), (size, etag))

        for key, log in acked.items():
            with self.subTest(acknowledged=key):
                self.assertTrue(key in listed, f"an acknowledged PUT was lost: {key!r}")
                self.assertTrue(holds.get(key) in log.allowed(),
                                f"{key!r} does not hold its last acknowledged body (or a later one): sizes sent "
                                f"{[s[1] for s in log.sent]}, last acknowledged #{log.acked}, holds "
                                f"{[i for i, s in enumerate(log.sent) if s[0] == holds.get(key)]}")
        for key, log in mp_logs.items():
            if log.acked == 0:
                with self.subTest(completed_multipart=key):
                    self.assertTrue(key in listed, f"an acknowledged CompleteMultipartUpload was lost: {key!r}")
                    self.assertEqual(holds.get(key), log.sent[0][0])
        for key in held_keys + mp_unfinished:
            with self.subTest(cut_off=key):
                self.assertFalse(key in listed, f"an upload cut off by the kill is listed: {key!r} {listed.get(key)}")
                self.assert_absent(s3, bucket, key, "an upload cut off by the kill left an object")

        # Still a working store: writable, and a clean shutdown.
        s3.put_object(Bucket=bucket, Key="after", Body=b"restart")
        self.assertEqual(s3.get_object(Bucket=bucket, Key="after")["Body"].read(), b"restart")
        emu.stop_and_check(self)

    # ---- multipart uploads -------------------------------------------------------------------------
    def test_kill_9_during_multipart_uploads(self):
        emu, s3 = self.start()
        bucket = "crash-mp"
        s3.create_bucket(Bucket=bucket)
        parts = [os.urandom(5 * MIB), os.urandom(5 * MIB), os.urandom(3 * MIB + 17)]

        # Completed before the kill: must survive whole.
        done_id = s3.create_multipart_upload(Bucket=bucket, Key="done")["UploadId"]
        done_etags = [s3.upload_part(Bucket=bucket, Key="done", UploadId=done_id, PartNumber=i, Body=p)["ETag"]
                      for i, p in enumerate(parts, 1)]
        done = s3.complete_multipart_upload(Bucket=bucket, Key="done", UploadId=done_id, MultipartUpload={
            "Parts": [{"PartNumber": i, "ETag": e} for i, e in enumerate(done_etags, 1)]})
        self.assertEqual(done["ETag"], multipart_etag(parts))

        # Two parts acknowledged, the third cut off mid-body by the kill, never completed.
        open_id = s3.create_multipart_upload(Bucket=bucket, Key="open")["UploadId"]
        for i, p in enumerate(parts[:2], 1):
            self.assertEqual(s3.upload_part(Bucket=bucket, Key="open", UploadId=open_id, PartNumber=i,
                                            Body=p)["ETag"], etag_of(p))
        held = HeldUpload(emu.port, f"/{bucket}/open?partNumber=3&uploadId={quote(open_id, safe='')}",
                          raw_put_headers(len(parts[2])), parts[2], len(parts[2]) // 2)
        self.addCleanup(held.close)
        # Created, no parts.
        empty_id = s3.create_multipart_upload(Bucket=bucket, Key="empty")["UploadId"]
        # An overwrite by a multipart upload that never completes leaves the old object.
        s3.put_object(Bucket=bucket, Key="kept", Body=b"old body")
        kept_id = s3.create_multipart_upload(Bucket=bucket, Key="kept")["UploadId"]
        s3.upload_part(Bucket=bucket, Key="kept", UploadId=kept_id, PartNumber=1, Body=parts[0])

        self.assertEqual(sorted(self.listing(s3, bucket)), ["done", "kept"])
        self.kill_9(emu, threading.Event())
        held.close()

        emu, s3 = self.start()
        self.assertEqual(sorted(self.listing(s3, bucket)), ["done", "kept"])
        got = s3.get_object(Bucket=bucket, Key="done")
        self.assertEqual(digest(got["Body"].read()), digest(b"".join(parts)))
        self.assertEqual(got["ETag"], multipart_etag(parts))
        self.assertEqual(s3.get_object(Bucket=bucket, Key="kept")["Body"].read(), b"old body")
        self.assert_absent(s3, bucket, "open", "an uncompleted multipart upload left an object")
        self.assert_absent(s3, bucket, "empty", "an uncompleted multipart upload left an object")

        # The acknowledged parts are kept, the cut-off one is not; the upload can be finished.
        listed_parts = s3.list_parts(Bucket=bucket, Key="open", UploadId=open_id).get("Parts", [])
        self.assertEqual([(p["PartNumber"], p["Size"], p["ETag"]) for p in listed_parts],
                         [(i, len(p), etag_of(p)) for i, p in enumerate(parts[:2], 1)])
        e3 = s3.upload_part(Bucket=bucket, Key="open", UploadId=open_id, PartNumber=3, Body=parts[2])["ETag"]
        s3.complete_multipart_upload(Bucket=bucket, Key="open", UploadId=open_id, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": etag_of(parts[0])}, {"PartNumber": 2, "ETag": etag_of(parts[1])},
                      {"PartNumber": 3, "ETag": e3}]})
        got = s3.get_object(Bucket=bucket, Key="open")
        self.assertEqual(digest(got["Body"].read()), digest(b"".join(parts)))
        self.assertEqual(got["ETag"], multipart_etag(parts))
        for key, upload_id in (("empty", empty_id), ("kept", kept_id)):
            s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        self.assertEqual(s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []), [])
        self.assertEqual(s3.get_object(Bucket=bucket, Key="kept")["Body"].read(), b"old body")
        self.assertEqual(sorted(self.listing(s3, bucket)), ["done", "kept", "open"])
        emu.stop_and_check(self)


if __name__ == "__main__":
    unittest.main()
