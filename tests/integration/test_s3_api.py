"""The S3 API (REST-XML), served on the same port as Lambda and SQS, through unmodified clients:
boto3 (path-style and virtual-hosted), the `aws` CLI, presigned URLs fetched with curl, and
requests written by hand where no SDK goes (malformed XML, aws-chunked bodies, cut-off uploads).

First slice: buckets (create / list / head / delete / location, name rules), objects (put / get /
head / delete with metadata, system headers, ETags, Content-MD5 and flexible checksums, keys that
are data), ranges and conditional GETs, response-header overrides, CopyObject, ListObjects v1/v2,
DeleteObjects, presigned URLs, streaming (aws-chunked) bodies, and objects surviving a restart.
Multipart, versioning, tagging and notifications come later.

Expected values follow AWS's documentation and the botocore model (data/s3/2006-03-01), not
lambda-local's implementation."""
import email.utils
import gzip
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import tempfile
import threading
import unittest
import uuid
from datetime import datetime, timezone
from urllib.parse import quote, unquote_plus

from boto3.s3.transfer import TransferConfig

from .harness import REGION, Emulator, Project, http_status
from .s3_support import (FAKE_AUTH, S3TestCase, crc32_b64, crc32c_b64, curl, etag_of, find_all_text, md5_b64,
                         parse_error, raw_request, s3_client, sha1_b64, sha256_b64, unique_bucket, xml_root)

EMPTY_MD5_ETAG = '"d41d8cd98f00b204e9800998ecf8427e"'
# Keys are data: none of these may be normalised, split or turned into a path.
ODD_KEYS = ["..", "a//b", "%", "with space", "new\nline", "ü/日本", "../../etc/passwd", "a/./b", ".",
            "/leading-slash", "trailing/", "?q=1#frag", "~!@$&*()=+;,:'", "%2F-literal", "a+b"]


def header(response, name: str):
    return response["ResponseMetadata"]["HTTPHeaders"].get(name.lower())


class BucketTest(S3TestCase):
    """CreateBucket, ListBuckets, HeadBucket, DeleteBucket, GetBucketLocation, bucket names."""

    def test_create_list_head_delete(self):
        name = unique_bucket("life")
        r = self.s3.create_bucket(Bucket=name)
        self.assertEqual(http_status(r), 200)
        self.assertEqual(r["Location"], f"/{name}")  # us-east-1: a slash and the bucket name

        listed = self.s3.list_buckets()
        self.assertIn("ID", listed["Owner"])
        mine = [b for b in listed["Buckets"] if b["Name"] == name]
        self.assertEqual(len(mine), 1, listed["Buckets"])
        self.assertIsInstance(mine[0]["CreationDate"], datetime)

        head = self.s3.head_bucket(Bucket=name)
        self.assertEqual(http_status(head), 200)
        self.assertEqual(head.get("BucketRegion"), REGION)  # x-amz-bucket-region

        self.assertEqual(http_status(self.s3.delete_bucket(Bucket=name)), 204)
        self.assert_s3_error(self.s3.head_bucket, "404", 404, Bucket=name)
        self.assertNotIn(name, [b["Name"] for b in self.s3.list_buckets()["Buckets"]])

    def test_recreating_your_own_bucket_in_us_east_1_succeeds_and_keeps_it(self):
        name = self.bucket("again")
        self.put(name, "kept", b"still here")
        r = self.s3.create_bucket(Bucket=name)
        self.assertEqual(http_status(r), 200)
        self.assertEqual(self.get_bytes(name, "kept"), b"still here")
        self.assertEqual([b["Name"] for b in self.s3.list_buckets()["Buckets"]].count(name), 1)

    def test_location_constraint(self):
        eu = s3_client(self.emu.url, region="eu-west-1")
        self.addCleanup(eu.close)
        name = unique_bucket("eu")
        config = {"LocationConstraint": "eu-west-1"}
        r = eu.create_bucket(Bucket=name, CreateBucketConfiguration=config)
        self.addCleanup(self._delete_with, eu, name)
        self.assertEqual(http_status(r), 200)
        self.assertEqual(eu.get_bucket_location(Bucket=name)["LocationConstraint"], "eu-west-1")
        self.assertEqual(eu.head_bucket(Bucket=name).get("BucketRegion"), "eu-west-1")
        # Outside us-east-1, creating a bucket you already own is an error.
        self.assert_s3_error(eu.create_bucket, "BucketAlreadyOwnedByYou", 409, Bucket=name,
                             CreateBucketConfiguration=config)
        self.assertIn(name, [b["Name"] for b in eu.list_buckets()["Buckets"]])

    def _delete_with(self, client, name):
        try:
            for o in client.list_objects_v2(Bucket=name).get("Contents", []):
                client.delete_object(Bucket=name, Key=o["Key"])
            client.delete_bucket(Bucket=name)
        except Exception:
            pass

    def test_create_bucket_with_a_bad_configuration(self):
        name = unique_bucket("badcfg")
        reply = self.raw("PUT", f"/{name}", body=b"<CreateBucketConfiguration><LocationConstraint>",
                         headers={"Content-Type": "application/xml"})
        self.assert_raw_error(reply, "MalformedXML", 400)
        self.assert_s3_error(self.s3.create_bucket, "InvalidLocationConstraint", 400, Bucket=name,
                             CreateBucketConfiguration={"LocationConstraint": "mars-north-1"})
        self.assert_s3_error(self.s3.head_bucket, "404", 404, Bucket=name)

    def test_get_bucket_location_is_null_in_us_east_1(self):
        name = self.bucket("loc")
        r = self.s3.get_bucket_location(Bucket=name)
        self.assertIsNone(r["LocationConstraint"])
        self.assert_s3_error(self.s3.get_bucket_location, "NoSuchBucket", 404, Bucket=unique_bucket("ghost"))

    def test_delete_bucket_errors(self):
        name = self.bucket("full")
        self.put(name, "obj")
        e = self.assert_s3_error(self.s3.delete_bucket, "BucketNotEmpty", 409, Bucket=name)
        self.assertEqual(e.response["Error"].get("BucketName"), name, e.response)
        self.assertEqual(http_status(self.s3.head_bucket(Bucket=name)), 200)  # still there
        self.s3.delete_object(Bucket=name, Key="obj")
        self.assertEqual(http_status(self.s3.delete_bucket(Bucket=name)), 204)

        ghost = unique_bucket("ghost")
        e = self.assert_s3_error(self.s3.delete_bucket, "NoSuchBucket", 404, Bucket=ghost)
        self.assertEqual(e.response["Error"].get("BucketName"), ghost, e.response)

    def test_head_of_a_missing_bucket_is_404_without_a_body(self):
        ghost = unique_bucket("ghost")
        self.assert_s3_error(self.s3.head_bucket, "404", 404, Bucket=ghost)
        reply = self.raw("HEAD", f"/{ghost}")
        self.assertEqual(reply.status, 404)
        self.assertEqual(reply.body, b"")
        self.assert_request_ids(reply.headers)

    def test_invalid_bucket_names(self):
        # https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
        bad = ["UpperCase", "ab", "a" * 64, "192.168.5.4", "a..b", "-leading-dash", "trailing-dash-",
               "under_score", ".leading-dot", "trailing-dot.", "xn--punycode-prefix", "name-s3alias",
               "name--ol-s3"]
        for name in bad:
            with self.subTest(name=name):
                e = self.assert_s3_error(self.s3.create_bucket, "InvalidBucketName", 400, Bucket=name)
                self.assertTrue(e.response["Error"].get("Message"), e.response)
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"]]
        self.assertEqual([n for n in bad if n in names], [])
        # The limits themselves are legal: 3 and 63 characters, dots and dashes inside, digits.
        for name in (f"a{uuid.uuid4().hex[:2]}", "b" * 51 + uuid.uuid4().hex[:12],
                     f"1.dotted-{uuid.uuid4().hex[:8]}.name"):
            with self.subTest(name=name):
                self.assertEqual(http_status(self.s3.create_bucket(Bucket=name)), 200)
                self.addCleanup(self.delete_bucket_quietly, name)


class ObjectTest(S3TestCase):
    """PutObject / GetObject / HeadObject / DeleteObject: bytes, headers, digests, keys, errors."""

    def test_round_trip_with_metadata_and_system_headers(self):
        b = self.bucket("obj")
        body = gzip.compress(b"hello, object " * 100, mtime=0)
        expires = datetime(2030, 1, 1, tzinfo=timezone.utc)
        r = self.s3.put_object(
            Bucket=b, Key="dir/report.txt", Body=body, Metadata={"Color": "blue", "two-words": "x y"},
            ContentType="text/plain; charset=utf-8", ContentEncoding="gzip",
            ContentDisposition='attachment; filename="report.txt"', ContentLanguage="de-DE",
            CacheControl="max-age=60", Expires=expires)
        self.assertEqual(http_status(r), 200)
        self.assertEqual(r["ETag"], etag_of(body))
        self.assert_request_ids(r["ResponseMetadata"]["HTTPHeaders"])

        expected = {"ContentType": "text/plain; charset=utf-8", "ContentEncoding": "gzip",
                    "ContentDisposition": 'attachment; filename="report.txt"', "ContentLanguage": "de-DE",
                    "CacheControl": "max-age=60", "ETag": etag_of(body), "ContentLength": len(body)}
        got = self.s3.get_object(Bucket=b, Key="dir/report.txt")
        self.assertEqual(got["Body"].read(), body)
        head = self.s3.head_object(Bucket=b, Key="dir/report.txt")
        for name, response in (("GetObject", got), ("HeadObject", head)):
            with self.subTest(name):
                self.assertEqual(http_status(response), 200)
                self.assertEqual({k: response.get(k) for k in expected}, expected)
                # S3 stores user metadata under lower-case names.
                self.assertEqual(response["Metadata"], {"color": "blue", "two-words": "x y"})
                self.assertEqual(email.utils.parsedate_to_datetime(header(response, "expires")), expires)
                self.assertIsInstance(response["LastModified"], datetime)
                self.assertEqual(response.get("AcceptRanges"), "bytes")
                self.assert_request_ids(response["ResponseMetadata"]["HTTPHeaders"])

    def test_overwrite_replaces_bytes_and_metadata(self):
        b = self.bucket("over")
        self.put(b, "k", b"first", Metadata={"old": "1"}, ContentType="text/plain")
        r = self.put(b, "k", b"second version")
        self.assertEqual(r["ETag"], etag_of(b"second version"))
        got = self.s3.get_object(Bucket=b, Key="k")
        self.assertEqual(got["Body"].read(), b"second version")
        self.assertEqual(got["Metadata"], {})
        self.assertEqual(got["ETag"], etag_of(b"second version"))
        self.assertEqual(got["ContentType"], "binary/octet-stream")  # S3's default

    def test_empty_object(self):
        b = self.bucket("empty")
        self.assertEqual(self.put(b, "empty", b"")["ETag"], EMPTY_MD5_ETAG)
        got = self.s3.get_object(Bucket=b, Key="empty")
        self.assertEqual(got["Body"].read(), b"")
        self.assertEqual(got["ContentLength"], 0)
        self.assertEqual(self.s3.head_object(Bucket=b, Key="empty")["ContentLength"], 0)

    def test_content_md5(self):
        b = self.bucket("md5")
        self.assertEqual(self.put(b, "k", b"original", ContentMD5=md5_b64(b"original"))["ETag"],
                         etag_of(b"original"))
        with self.subTest("a digest of other bytes"):
            self.assert_s3_error(self.s3.put_object, "BadDigest", 400, Bucket=b, Key="k", Body=b"changed",
                                 ContentMD5=md5_b64(b"something else"))
        with self.subTest("not a 16-byte base64 digest"):
            self.assert_s3_error(self.s3.put_object, "InvalidDigest", 400, Bucket=b, Key="k", Body=b"changed",
                                 ContentMD5="not-an-md5")
        with self.subTest("a new key is not created"):
            self.assert_s3_error(self.s3.put_object, "BadDigest", 400, Bucket=b, Key="new", Body=b"changed",
                                 ContentMD5=md5_b64(b"something else"))
            self.assert_s3_error(self.s3.head_object, "404", 404, Bucket=b, Key="new")
        # The failed uploads changed nothing.
        self.assertEqual(self.get_bytes(b, "k"), b"original")

    def test_default_crc32_checksum_is_kept_and_returned_on_request(self):
        b = self.bucket("crc")
        data = b"checksummed by default"
        r = self.put(b, "k", data)  # boto3 sends x-amz-checksum-crc32 unasked
        self.assertEqual(r.get("ChecksumCRC32"), crc32_b64(data), r)
        got = self.s3.get_object(Bucket=b, Key="k", ChecksumMode="ENABLED")
        self.assertEqual(got["Body"].read(), data)  # botocore also validates it against the bytes
        self.assertEqual(got.get("ChecksumCRC32"), crc32_b64(data))
        head = self.s3.head_object(Bucket=b, Key="k", ChecksumMode="ENABLED")
        self.assertEqual(head.get("ChecksumCRC32"), crc32_b64(data))
        # Without x-amz-checksum-mode: ENABLED the checksum is not sent.
        plain = self.raw("GET", f"/{b}/k")
        self.assertEqual(plain.status, 200)
        self.assertEqual(plain.body, data)
        self.assertNotIn("x-amz-checksum-crc32", plain.headers)

    def test_other_checksum_algorithms(self):
        b = self.bucket("algo")
        data = b"flexible checksums \x00\xff" * 50
        for algorithm, field, value in (("SHA256", "ChecksumSHA256", sha256_b64(data)),
                                        ("SHA1", "ChecksumSHA1", sha1_b64(data))):
            with self.subTest(algorithm):
                key = f"k-{algorithm}"
                r = self.put(b, key, data, ChecksumAlgorithm=algorithm)
                self.assertEqual(r.get(field), value, r)
                got = self.s3.get_object(Bucket=b, Key=key, ChecksumMode="ENABLED")
                self.assertEqual(got["Body"].read(), data)
                self.assertEqual(got.get(field), value)
        with self.subTest("CRC32C"):
            # botocore computes CRC32C only with awscrt installed; a value given by the caller is sent as is.
            r = self.put(b, "k-crc32c", data, ChecksumCRC32C=crc32c_b64(data))
            self.assertEqual(r.get("ChecksumCRC32C"), crc32c_b64(data), r)
            head = self.s3.head_object(Bucket=b, Key="k-crc32c", ChecksumMode="ENABLED")
            self.assertEqual(head.get("ChecksumCRC32C"), crc32c_b64(data))
            self.assert_s3_error(self.s3.put_object, "BadDigest", 400, Bucket=b, Key="k-crc32c-bad", Body=data,
                                 ChecksumCRC32C=crc32c_b64(b"other bytes"))
            self.assert_s3_error(self.s3.head_object, "404", 404, Bucket=b, Key="k-crc32c-bad")

    def test_a_wrong_checksum_header_is_bad_digest(self):
        b = self.bucket("badsum")
        data = b"the real bytes"
        self.put(b, "existing", b"before")
        for name, value in (("x-amz-checksum-crc32", crc32_b64(b"other bytes")),
                            ("x-amz-checksum-sha256", sha256_b64(b"other bytes")),
                            ("x-amz-checksum-sha1", sha1_b64(b"other bytes"))):
            for key in ("fresh", "existing"):
                with self.subTest(header=name, key=key):
                    reply = curl("-X", "PUT", "--data-binary", data, "-H", "Content-Type:",
                                 "-H", f"Authorization: {FAKE_AUTH}", "-H", "X-Amz-Date: 20240101T000000Z",
                                 "-H", "X-Amz-Content-SHA256: UNSIGNED-PAYLOAD", "-H", f"{name}: {value}",
                                 f"{self.emu.url}/{b}/{key}")
                    self.assert_raw_error(reply, "BadDigest", 400)
        self.assert_s3_error(self.s3.head_object, "404", 404, Bucket=b, Key="fresh")
        self.assertEqual(self.get_bytes(b, "existing"), b"before")

    def test_keys_are_data(self):
        b = self.bucket("keys")
        for key in ODD_KEYS:
            with self.subTest(key=key):
                body = f"body of {key!r}".encode()
                self.assertEqual(self.put(b, key, body)["ETag"], etag_of(body))
                self.assertEqual(self.get_bytes(b, key), body)
                self.assertEqual(self.s3.head_object(Bucket=b, Key=key)["ContentLength"], len(body))
        listed = self.keys(b)
        self.assertEqual(listed, sorted(ODD_KEYS, key=lambda k: k.encode()))  # UTF-8 byte order
        # '..' segments stayed inside the bucket: no file named after them appeared on disk.
        self.put(b, f"../../../../escaped-{b}", b"x")
        for root in (self.project.dir, os.path.dirname(self.project.dir), "/"):
            self.assertFalse(os.path.exists(os.path.join(root, f"escaped-{b}")), root)
        for key in ODD_KEYS:
            self.assertEqual(http_status(self.s3.delete_object(Bucket=b, Key=key)), 204)
        self.assertEqual(self.keys(b), [f"../../../../escaped-{b}"])

    def test_keys_that_would_collide_as_paths_are_distinct(self):
        # A key may be both an "object" and a "folder" of other keys; case matters.
        b = self.bucket("collide")
        keys = ["x", "x/", "x/y", "x/y/z", "x//y", "Key", "key", "KEY", "a.b", "a_b"]
        for key in keys:
            self.put(b, key, f"<{key}>".encode())
        for key in keys:
            with self.subTest(key=key):
                self.assertEqual(self.get_bytes(b, key), f"<{key}>".encode())
        self.assertEqual(self.keys(b), sorted(keys, key=lambda k: k.encode()))
        self.s3.delete_object(Bucket=b, Key="x/y")
        self.assertEqual(self.get_bytes(b, "x/y/z"), b"<x/y/z>")
        self.assertEqual(self.get_bytes(b, "x"), b"<x>")
        self.assert_s3_error(self.s3.get_object, "NoSuchKey", 404, Bucket=b, Key="x/y")

    def test_user_metadata_is_limited_to_2_kb(self):
        b = self.bucket("meta")
        self.assert_s3_error(self.s3.put_object, "MetadataTooLarge", 400, Bucket=b, Key="k", Body=b"x",
                             Metadata={"big": "v" * 2100})
        self.assert_s3_error(self.s3.head_object, "404", 404, Bucket=b, Key="k")
        self.put(b, "k", b"x", Metadata={"small": "v" * 1000})
        self.assertEqual(self.s3.head_object(Bucket=b, Key="k")["Metadata"], {"small": "v" * 1000})

    def test_storage_class_is_kept(self):
        b = self.bucket("class")
        self.put(b, "ia", b"infrequent", StorageClass="STANDARD_IA")
        self.assertEqual(self.s3.head_object(Bucket=b, Key="ia").get("StorageClass"), "STANDARD_IA")
        listed = self.s3.list_objects_v2(Bucket=b)["Contents"]
        self.assertEqual([o["StorageClass"] for o in listed], ["STANDARD_IA"])

    def test_concurrent_puts_of_one_key_leave_one_whole_object(self):
        b = self.bucket("race")
        bodies = [bytes([i]) * (256 << 10) for i in range(8)]
        errors = []

        def put(body):
            try:
                self.s3.put_object(Bucket=b, Key="contended", Body=body)
            except Exception as e:  # reported below, not swallowed
                errors.append(e)
        threads = [threading.Thread(target=put, args=(body,)) for body in bodies]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        got = self.s3.get_object(Bucket=b, Key="contended")
        data = got["Body"].read()
        self.assertIn(data, bodies)  # one writer's bytes, whole
        self.assertEqual(got["ETag"], etag_of(data))
        self.assertEqual(self.keys(b), ["contended"])

    def test_key_length_limit_is_1024_utf8_bytes(self):
        b = self.bucket("long")
        longest = "é" * 512  # 512 characters, 1024 bytes
        self.put(b, longest, b"fits")
        self.assertEqual(self.get_bytes(b, longest), b"fits")
        self.assertEqual(self.keys(b), [longest])
        for key in (longest + "a", "k" * 1025):
            with self.subTest(bytes=len(key.encode())):
                self.assert_s3_error(self.s3.put_object, "KeyTooLongError", 400, Bucket=b, Key=key, Body=b"x")
        self.assertEqual(self.keys(b), [longest])

    def test_missing_key_and_bucket(self):
        b = self.bucket("miss")
        ghost = unique_bucket("ghost")
        e = self.assert_s3_error(self.s3.get_object, "NoSuchKey", 404, Bucket=b, Key="nope/none.txt")
        self.assertEqual(e.response["Error"].get("Key"), "nope/none.txt", e.response)
        self.assertTrue(e.response["Error"].get("Message"), e.response)
        self.assert_s3_error(self.s3.head_object, "404", 404, Bucket=b, Key="nope")
        for call, kwargs in ((self.s3.get_object, {"Key": "k"}),
                             (self.s3.put_object, {"Key": "k", "Body": b"x"}),
                             (self.s3.delete_object, {"Key": "k"}),
                             (self.s3.list_objects_v2, {}),
                             (self.s3.list_objects, {})):
            with self.subTest(operation=call.__name__):
                e = self.assert_s3_error(call, "NoSuchBucket", 404, Bucket=ghost, **kwargs)
                self.assertEqual(e.response["Error"].get("BucketName"), ghost, e.response)
        self.assert_s3_error(self.s3.head_object, "404", 404, Bucket=ghost, Key="k")
        # Deleting a key that is not there succeeds, as on AWS.
        self.assertEqual(http_status(self.s3.delete_object(Bucket=b, Key="never-was")), 204)

    def test_head_of_a_missing_key_is_404_without_a_body(self):
        b = self.bucket("head")
        reply = self.raw("HEAD", f"/{b}/missing")
        self.assertEqual(reply.status, 404)
        self.assertEqual(reply.body, b"")
        self.assert_request_ids(reply.headers)
        got = self.raw("GET", f"/{b}/missing")
        err = self.assert_raw_error(got, "NoSuchKey", 404)
        self.assertEqual(err.get("Key"), "missing")
        self.assertTrue(got.headers.get("content-type", "").startswith("application/xml"), got.headers)

    def test_every_answer_has_request_ids(self):
        b = self.bucket("ids")
        answers = [self.s3.list_buckets(), self.s3.head_bucket(Bucket=b), self.put(b, "k"),
                   self.s3.get_object(Bucket=b, Key="k"), self.s3.head_object(Bucket=b, Key="k"),
                   self.s3.list_objects_v2(Bucket=b), self.s3.delete_object(Bucket=b, Key="k")]
        for r in answers:
            self.assert_request_ids(r["ResponseMetadata"]["HTTPHeaders"])
            self.assertTrue(r["ResponseMetadata"].get("RequestId"), r["ResponseMetadata"])
            self.assertTrue(r["ResponseMetadata"].get("HostId"), r["ResponseMetadata"])
        for call, kwargs in ((self.s3.get_object, {"Bucket": b, "Key": "gone"}),
                             (self.s3.head_object, {"Bucket": b, "Key": "gone"}),
                             (self.s3.create_bucket, {"Bucket": "Bad_Name"})):
            with self.subTest(operation=call.__name__):
                with self.assertRaises(self.s3.exceptions.ClientError) as cm:
                    call(**kwargs)
                self.assert_request_ids(cm.exception.response["ResponseMetadata"]["HTTPHeaders"])


class GetObjectOptionsTest(S3TestCase):
    """Ranges, conditional requests and response-header overrides on GetObject."""

    DATA = b"0123456789"

    def setUp(self):
        self.b = self.bucket("get")
        self.put_response = self.put(self.b, "ten", self.DATA, ContentType="text/plain",
                                     ContentDisposition="inline")
        self.etag = self.put_response["ETag"]

    def test_ranges(self):
        for rng, body, content_range in (("bytes=0-4", b"01234", "bytes 0-4/10"),
                                         ("bytes=5-", b"56789", "bytes 5-9/10"),
                                         ("bytes=-3", b"789", "bytes 7-9/10"),
                                         ("bytes=8-100", b"89", "bytes 8-9/10"),
                                         ("bytes=0-0", b"0", "bytes 0-0/10"),
                                         ("bytes=-20", self.DATA, "bytes 0-9/10")):
            with self.subTest(range=rng):
                # boto3 asks for checksum validation: a whole-object checksum must not come with a part.
                r = self.s3.get_object(Bucket=self.b, Key="ten", Range=rng)
                self.assertEqual(http_status(r), 206)
                self.assertEqual(r["Body"].read(), body)
                self.assertEqual(r["ContentRange"], content_range)
                self.assertEqual(r["ContentLength"], len(body))
                self.assertEqual(r["ETag"], self.etag)
        with self.subTest("curl sees the same"):
            reply = curl("-H", f"Authorization: {FAKE_AUTH}", "-H", "X-Amz-Content-SHA256: UNSIGNED-PAYLOAD",
                         "-H", "Range: bytes=2-3", f"{self.emu.url}/{self.b}/ten")
            self.assertEqual((reply.status, reply.body, reply.headers.get("content-range")),
                             (206, b"23", "bytes 2-3/10"))

    def test_unsatisfiable_range(self):
        for rng in ("bytes=100-", "bytes=10-20"):
            with self.subTest(range=rng):
                e = self.assert_s3_error(self.s3.get_object, "InvalidRange", 416, Bucket=self.b, Key="ten",
                                         Range=rng)
                # AWS: <RangeRequested>bytes=100-</RangeRequested><ActualObjectSize>10</ActualObjectSize>
                self.assertEqual(e.response["Error"].get("RangeRequested"), rng, e.response)
                self.assertEqual(e.response["Error"].get("ActualObjectSize"), "10", e.response)
        with self.subTest("any range of an empty object"):
            self.put(self.b, "empty", b"")
            self.assert_s3_error(self.s3.get_object, "InvalidRange", 416, Bucket=self.b, Key="empty",
                                 Range="bytes=0-")
        for rng in ("bytes=abc", "bytes=5-2"):
            with self.subTest("a range header that is not a valid range is ignored", range=rng):
                r = self.s3.get_object(Bucket=self.b, Key="ten", Range=rng)
                self.assertEqual(http_status(r), 200)
                self.assertEqual(r["Body"].read(), self.DATA)

    def test_if_match_and_if_none_match(self):
        r = self.s3.get_object(Bucket=self.b, Key="ten", IfMatch=self.etag)
        self.assertEqual((http_status(r), r["Body"].read()), (200, self.DATA))
        self.assert_s3_error(self.s3.get_object, "PreconditionFailed", 412, Bucket=self.b, Key="ten",
                             IfMatch='"00000000000000000000000000000000"')

        self.assert_s3_error(self.s3.get_object, "304", 304, Bucket=self.b, Key="ten", IfNoneMatch=self.etag)
        self.assert_s3_error(self.s3.head_object, "304", 304, Bucket=self.b, Key="ten", IfNoneMatch=self.etag)
        r = self.s3.get_object(Bucket=self.b, Key="ten", IfNoneMatch='"00000000000000000000000000000000"')
        self.assertEqual((http_status(r), r["Body"].read()), (200, self.DATA))
        self.assert_s3_error(self.s3.head_object, "412", 412, Bucket=self.b, Key="ten",
                             IfMatch='"00000000000000000000000000000000"')

    def test_if_modified_since_and_if_unmodified_since(self):
        last_modified = self.s3.head_object(Bucket=self.b, Key="ten")["LastModified"]
        long_ago = datetime(2000, 1, 1, tzinfo=timezone.utc)
        self.assert_s3_error(self.s3.get_object, "304", 304, Bucket=self.b, Key="ten",
                             IfModifiedSince=last_modified)
        r = self.s3.get_object(Bucket=self.b, Key="ten", IfModifiedSince=long_ago)
        self.assertEqual((http_status(r), r["Body"].read()), (200, self.DATA))

        self.assert_s3_error(self.s3.get_object, "PreconditionFailed", 412, Bucket=self.b, Key="ten",
                             IfUnmodifiedSince=long_ago)
        r = self.s3.get_object(Bucket=self.b, Key="ten", IfUnmodifiedSince=last_modified)
        self.assertEqual((http_status(r), r["Body"].read()), (200, self.DATA))

    def test_documented_combinations(self):
        # GetObject docs: If-Match true + If-Unmodified-Since false -> 200;
        # If-None-Match false + If-Modified-Since true -> 304.
        long_ago = datetime(2000, 1, 1, tzinfo=timezone.utc)
        r = self.s3.get_object(Bucket=self.b, Key="ten", IfMatch=self.etag, IfUnmodifiedSince=long_ago)
        self.assertEqual((http_status(r), r["Body"].read()), (200, self.DATA))
        self.assert_s3_error(self.s3.get_object, "304", 304, Bucket=self.b, Key="ten", IfNoneMatch=self.etag,
                             IfModifiedSince=long_ago)

    def test_response_header_overrides(self):
        expires = datetime(2031, 6, 1, tzinfo=timezone.utc)
        r = self.s3.get_object(Bucket=self.b, Key="ten", ResponseContentType="application/json",
                               ResponseContentDisposition='attachment; filename="x.json"',
                               ResponseCacheControl="no-cache", ResponseContentLanguage="fr",
                               ResponseContentEncoding="identity", ResponseExpires=expires)
        self.assertEqual(r["Body"].read(), self.DATA)
        self.assertEqual(r["ContentType"], "application/json")
        self.assertEqual(r["ContentDisposition"], 'attachment; filename="x.json"')
        self.assertEqual(r["CacheControl"], "no-cache")
        self.assertEqual(r["ContentLanguage"], "fr")
        self.assertEqual(r["ContentEncoding"], "identity")
        self.assertEqual(email.utils.parsedate_to_datetime(header(r, "expires")), expires)
        # The overrides changed only that answer.
        again = self.s3.head_object(Bucket=self.b, Key="ten")
        self.assertEqual((again["ContentType"], again["ContentDisposition"]), ("text/plain", "inline"))
        self.assertNotIn("CacheControl", again)


class AddressingTest(S3TestCase):
    """Path style (boto3's default for a custom endpoint) and virtual-hosted style
    (`Host: <bucket>.localhost:PORT`) name the same buckets."""

    def test_virtual_hosted_boto3_client(self):
        name = self.bucket("virt", client=self.s3v)
        self.assertEqual(http_status(self.s3.head_bucket(Bucket=name)), 200)  # same bucket, path style
        self.assertIn(name, [b["Name"] for b in self.s3v.list_buckets()["Buckets"]])
        for key in ("plain.txt", "dir/with space/ü.txt", "a//b", ".."):
            with self.subTest(key=key):
                self.s3v.put_object(Bucket=name, Key=key, Body=key.encode(), Metadata={"via": "virtual"})
                self.assertEqual(self.get_bytes(name, key), key.encode())  # read back path style
                self.assertEqual(self.get_bytes(name, key, client=self.s3v), key.encode())
                self.assertEqual(self.s3v.head_object(Bucket=name, Key=key)["Metadata"], {"via": "virtual"})
        listed = [o["Key"] for o in self.s3v.list_objects_v2(Bucket=name)["Contents"]]
        self.assertEqual(listed, sorted(["plain.txt", "dir/with space/ü.txt", "a//b", ".."]))
        self.s3v.copy_object(Bucket=name, Key="copy.txt", CopySource={"Bucket": name, "Key": "plain.txt"})
        self.assertEqual(self.get_bytes(name, "copy.txt"), b"plain.txt")
        self.assertEqual(http_status(self.s3v.delete_object(Bucket=name, Key="plain.txt")), 204)
        self.assert_s3_error(self.s3v.get_object, "NoSuchKey", 404, Bucket=name, Key="plain.txt")
        self.assert_s3_error(self.s3v.get_object, "NoSuchBucket", 404, Bucket=unique_bucket("ghost"), Key="k")

    def test_virtual_hosted_host_headers(self):
        name = self.bucket("hosts")
        self.put(name, "dir/obj key.txt", b"by host")
        for host in (f"{name}.localhost:{self.port}", f"{name}.localhost", f"{name}.s3.localhost:{self.port}",
                     f"{name}.s3.amazonaws.com", f"{name}.s3.{REGION}.amazonaws.com"):
            with self.subTest(host=host):
                got = self.raw("GET", "/dir/obj%20key.txt", host=host)
                self.assertEqual((got.status, got.body), (200, b"by host"))
                listing = self.raw("GET", "/?list-type=2", host=host)
                self.assertEqual(listing.status, 200, listing)
                self.assertEqual(find_all_text(xml_root(listing.body), "Key"), ["dir/obj key.txt"])
                self.assertEqual(find_all_text(xml_root(listing.body), "Name"), [name])
        with self.subTest("curl, with the name resolved to 127.0.0.1"):
            url = f"http://{name}.localhost:{self.port}/dir/obj%20key.txt"
            reply = curl("--resolve", f"{name}.localhost:{self.port}:127.0.0.1",
                         "-H", f"Authorization: {FAKE_AUTH}", "-H", "X-Amz-Content-SHA256: UNSIGNED-PAYLOAD", url)
            self.assertEqual((reply.status, reply.body), (200, b"by host"))
            self.assert_request_ids(reply.headers)

    def test_bucket_named_like_a_lambda_api_date(self):
        # "2015-03-31" is a legal bucket name; a request signed for s3 is S3's, not Lambda's.
        name = "2015-03-31"
        self.s3.create_bucket(Bucket=name)
        self.addCleanup(self.delete_bucket_quietly, name)
        self.put(name, "functions/x/invocations", b"an object, not an invoke")
        self.assertEqual(self.get_bytes(name, "functions/x/invocations"), b"an object, not an invoke")
        self.assertEqual(self.keys(name), ["functions/x/invocations"])


class CopyObjectTest(S3TestCase):
    def setUp(self):
        self.b = self.bucket("copy")
        self.data = b"source bytes \x00\x01"
        self.src = self.put(self.b, "src.txt", self.data, Metadata={"origin": "source"},
                            ContentType="text/x-source", CacheControl="max-age=5")

    def test_copy_in_the_same_bucket_copies_metadata(self):
        r = self.s3.copy_object(Bucket=self.b, Key="dst.txt", CopySource={"Bucket": self.b, "Key": "src.txt"})
        self.assertEqual(http_status(r), 200)
        self.assertEqual(r["CopyObjectResult"]["ETag"], etag_of(self.data))
        self.assertIsInstance(r["CopyObjectResult"]["LastModified"], datetime)
        got = self.s3.get_object(Bucket=self.b, Key="dst.txt")
        self.assertEqual(got["Body"].read(), self.data)
        self.assertEqual(got["Metadata"], {"origin": "source"})
        self.assertEqual(got["ContentType"], "text/x-source")
        self.assertEqual(got["CacheControl"], "max-age=5")
        self.assertEqual(got["ETag"], etag_of(self.data))

    def test_metadata_directive_replace(self):
        self.s3.copy_object(Bucket=self.b, Key="dst.txt", CopySource={"Bucket": self.b, "Key": "src.txt"},
                            MetadataDirective="REPLACE", Metadata={"fresh": "yes"}, ContentType="text/x-new")
        head = self.s3.head_object(Bucket=self.b, Key="dst.txt")
        self.assertEqual(head["Metadata"], {"fresh": "yes"})
        self.assertEqual(head["ContentType"], "text/x-new")
        self.assertNotIn("CacheControl", head)
        self.assertEqual(self.get_bytes(self.b, "dst.txt"), self.data)
        # The source is untouched.
        self.assertEqual(self.s3.head_object(Bucket=self.b, Key="src.txt")["Metadata"], {"origin": "source"})

    def test_copy_to_itself(self):
        # Copying an object onto itself without changing anything is refused...
        self.assert_s3_error(self.s3.copy_object, "InvalidRequest", 400, Bucket=self.b, Key="src.txt",
                             CopySource={"Bucket": self.b, "Key": "src.txt"})
        # ...with REPLACE it is how metadata is changed in place.
        self.s3.copy_object(Bucket=self.b, Key="src.txt", CopySource={"Bucket": self.b, "Key": "src.txt"},
                            MetadataDirective="REPLACE", Metadata={"changed": "1"})
        head = self.s3.head_object(Bucket=self.b, Key="src.txt")
        self.assertEqual(head["Metadata"], {"changed": "1"})
        self.assertEqual(self.get_bytes(self.b, "src.txt"), self.data)

    def test_copy_across_buckets(self):
        other = self.bucket("copy-dst")
        r = self.s3.copy_object(Bucket=other, Key="nested/dst", CopySource={"Bucket": self.b, "Key": "src.txt"})
        self.assertEqual(r["CopyObjectResult"]["ETag"], etag_of(self.data))
        self.assertEqual(self.get_bytes(other, "nested/dst"), self.data)
        self.assertEqual(self.keys(self.b), ["src.txt"])

    def test_copy_source_with_special_characters(self):
        for key in ("dir/a b+c%d ü?.txt", "..", "a//b", "new\nline", "&<>\"'"):
            with self.subTest(key=key):
                body = key.encode() * 3
                self.put(self.b, key, body)
                # boto3 percent-encodes x-amz-copy-source from the dict...
                self.s3.copy_object(Bucket=self.b, Key=key + ".copy1", CopySource={"Bucket": self.b, "Key": key})
                self.assertEqual(self.get_bytes(self.b, key + ".copy1"), body)
                # ...and from a "bucket/key" string.
                self.s3.copy_object(Bucket=self.b, Key=key + ".copy2", CopySource=f"{self.b}/{key}")
                self.assertEqual(self.get_bytes(self.b, key + ".copy2"), body)
                # A leading slash is allowed in the header.
                reply = self.raw("PUT", f"/{self.b}/{quote(key + '.copy3', safe='/')}", body=b"", headers={
                    "x-amz-copy-source": "/" + quote(f"{self.b}/{key}", safe="/")})
                self.assertEqual(reply.status, 200, reply)
                self.assertEqual(find_all_text(xml_root(reply.body), "ETag"), [etag_of(body)])
                self.assertEqual(self.get_bytes(self.b, key + ".copy3"), body)

    def test_missing_source(self):
        e = self.assert_s3_error(self.s3.copy_object, "NoSuchKey", 404, Bucket=self.b, Key="dst",
                                 CopySource={"Bucket": self.b, "Key": "no-such-source"})
        self.assertTrue(e.response["Error"].get("Message"), e.response)
        self.assert_s3_error(self.s3.copy_object, "NoSuchBucket", 404, Bucket=self.b, Key="dst",
                             CopySource={"Bucket": unique_bucket("ghost"), "Key": "src.txt"})
        self.assert_s3_error(self.s3.copy_object, "NoSuchBucket", 404, Bucket=unique_bucket("ghost"), Key="dst",
                             CopySource={"Bucket": self.b, "Key": "src.txt"})
        self.assertEqual(self.keys(self.b), ["src.txt"])

    def test_conditional_copy(self):
        self.assert_s3_error(self.s3.copy_object, "PreconditionFailed", 412, Bucket=self.b, Key="dst",
                             CopySource={"Bucket": self.b, "Key": "src.txt"},
                             CopySourceIfMatch='"00000000000000000000000000000000"')
        self.assertEqual(self.keys(self.b), ["src.txt"])
        self.assert_s3_error(self.s3.copy_object, "PreconditionFailed", 412, Bucket=self.b, Key="dst",
                             CopySource={"Bucket": self.b, "Key": "src.txt"}, CopySourceIfNoneMatch=self.src["ETag"])
        self.assert_s3_error(self.s3.copy_object, "PreconditionFailed", 412, Bucket=self.b, Key="dst",
                             CopySource={"Bucket": self.b, "Key": "src.txt"},
                             CopySourceIfUnmodifiedSince=datetime(2000, 1, 1, tzinfo=timezone.utc))
        self.assertEqual(self.keys(self.b), ["src.txt"])
        r = self.s3.copy_object(Bucket=self.b, Key="dst", CopySource={"Bucket": self.b, "Key": "src.txt"},
                                CopySourceIfMatch=self.src["ETag"])
        self.assertEqual(r["CopyObjectResult"]["ETag"], etag_of(self.data))


class ListObjectsTest(S3TestCase):
    def fill(self, keys) -> str:
        b = self.bucket("list")
        for k in keys:
            self.put(b, k, k.encode())
        return b

    def test_prefix_and_delimiter(self):
        keys = ["photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "photos/top.jpg", "readme",
                "videos/v.mp4"]
        b = self.fill(keys)
        r = self.s3.list_objects_v2(Bucket=b, Prefix="photos/", Delimiter="/")
        self.assertEqual([o["Key"] for o in r["Contents"]], ["photos/top.jpg"])
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["photos/2024/", "photos/2025/"])
        self.assertEqual(r["KeyCount"], 3)
        self.assertEqual((r["Prefix"], r["Delimiter"], r["IsTruncated"]), ("photos/", "/", False))

        top = self.s3.list_objects_v2(Bucket=b, Delimiter="/")
        self.assertEqual([o["Key"] for o in top["Contents"]], ["readme"])
        self.assertEqual([p["Prefix"] for p in top["CommonPrefixes"]], ["photos/", "videos/"])

        everything = self.s3.list_objects_v2(Bucket=b)
        self.assertEqual([o["Key"] for o in everything["Contents"]], keys)
        self.assertEqual(everything["KeyCount"], len(keys))
        self.assertEqual(everything["MaxKeys"], 1000)
        self.assertEqual(everything["Name"], b)
        first = everything["Contents"][0]
        self.assertEqual(first["Size"], len(keys[0]))
        self.assertEqual(first["ETag"], etag_of(keys[0].encode()))
        self.assertEqual(first["StorageClass"], "STANDARD")
        self.assertIsInstance(first["LastModified"], datetime)

        none = self.s3.list_objects_v2(Bucket=b, Prefix="nothing/")
        self.assertEqual((none.get("Contents", []), none["KeyCount"], none["IsTruncated"]), ([], 0, False))

    def test_v2_pages_with_continuation_tokens(self):
        keys = sorted(f"key-{i:02d}" for i in range(25))
        b = self.fill(keys)
        pages, token = [], None
        while True:
            kwargs = {"ContinuationToken": token} if token else {}
            page = self.s3.list_objects_v2(Bucket=b, MaxKeys=7, **kwargs)
            pages.append(page)
            self.assertEqual(page["KeyCount"], len(page.get("Contents", [])))
            self.assertEqual(page["MaxKeys"], 7)
            if token:
                self.assertEqual(page["ContinuationToken"], token)
            if not page["IsTruncated"]:
                self.assertNotIn("NextContinuationToken", page)
                break
            token = page["NextContinuationToken"]
            self.assertLess(len(pages), 10, "the pages never end")
        self.assertEqual([p["KeyCount"] for p in pages], [7, 7, 7, 4])
        self.assertEqual([o["Key"] for p in pages for o in p["Contents"]], keys)

    def test_v2_pages_count_common_prefixes(self):
        keys = [f"dir{i}/file" for i in range(5)] + [f"file{i}" for i in range(5)]
        b = self.fill(keys)
        seen_keys, seen_prefixes, token, pages = [], [], None, 0
        while True:
            kwargs = {"ContinuationToken": token} if token else {}
            page = self.s3.list_objects_v2(Bucket=b, Delimiter="/", MaxKeys=3, **kwargs)
            pages += 1
            got = len(page.get("Contents", [])) + len(page.get("CommonPrefixes", []))
            self.assertEqual(page["KeyCount"], got)
            self.assertLessEqual(got, 3)
            seen_keys += [o["Key"] for o in page.get("Contents", [])]
            seen_prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
            if not page["IsTruncated"]:
                break
            token = page["NextContinuationToken"]
            self.assertLess(pages, 20)
        self.assertEqual(seen_prefixes, [f"dir{i}/" for i in range(5)])
        self.assertEqual(seen_keys, [f"file{i}" for i in range(5)])
        self.assertEqual(pages, 4)

    def test_a_continuation_token_that_was_never_issued(self):
        b = self.fill(["a"])
        e = self.assert_s3_error(self.s3.list_objects_v2, "InvalidArgument", 400, Bucket=b,
                                 ContinuationToken="not-a-token-this-server-made")
        self.assertEqual(e.response["Error"].get("ArgumentName"), "continuation-token", e.response)

    def test_start_after(self):
        keys = sorted(f"key-{i:02d}" for i in range(25))
        b = self.fill(keys)
        r = self.s3.list_objects_v2(Bucket=b, StartAfter="key-09")
        self.assertEqual(r["StartAfter"], "key-09")
        self.assertEqual([o["Key"] for o in r["Contents"]], keys[10:])
        r = self.s3.list_objects_v2(Bucket=b, StartAfter="key-09x")  # need not be a key
        self.assertEqual([o["Key"] for o in r["Contents"]], keys[10:])
        r = self.s3.list_objects_v2(Bucket=b, StartAfter="key-99")
        self.assertEqual((r.get("Contents", []), r["KeyCount"]), ([], 0))
        # With a continuation token, StartAfter is ignored.
        first = self.s3.list_objects_v2(Bucket=b, MaxKeys=5)
        rest = self.s3.list_objects_v2(Bucket=b, ContinuationToken=first["NextContinuationToken"],
                                       StartAfter="key-20")
        self.assertEqual([o["Key"] for o in rest["Contents"]], keys[5:])

    def test_fetch_owner(self):
        b = self.fill(["a", "b"])
        plain = self.s3.list_objects_v2(Bucket=b)
        self.assertTrue(all("Owner" not in o for o in plain["Contents"]), plain["Contents"])
        owned = self.s3.list_objects_v2(Bucket=b, FetchOwner=True)
        owner_id = self.s3.list_buckets()["Owner"]["ID"]
        self.assertEqual([o["Owner"]["ID"] for o in owned["Contents"]], [owner_id, owner_id])
        # ListObjects (v1) always names the owner.
        v1 = self.s3.list_objects(Bucket=b)
        self.assertEqual([o["Owner"]["ID"] for o in v1["Contents"]], [owner_id, owner_id])

    def test_url_encoding_type(self):
        keys = sorted(["with space", "ü/日本", "plus+sign", "amp&lt<gt>", "new\nline"], key=lambda k: k.encode())
        b = self.fill(keys)
        # boto3 asks for encoding-type=url on its own and decodes the answer.
        auto = self.s3.list_objects_v2(Bucket=b)
        self.assertEqual([o["Key"] for o in auto["Contents"]], keys)
        self.assertEqual([o["Key"] for o in self.s3.list_objects(Bucket=b)["Contents"]], keys)
        # Asked for explicitly, the keys come back encoded and boto3 leaves them so.
        explicit = self.s3.list_objects_v2(Bucket=b, EncodingType="url")
        self.assertEqual(explicit["EncodingType"], "url")
        encoded = [o["Key"] for o in explicit["Contents"]]
        self.assertEqual([unquote_plus(k) for k in encoded], keys)
        for raw_key, key in zip(encoded, keys):
            if key != "plus+sign":
                self.assertNotEqual(raw_key, key)
            self.assertTrue(raw_key.isascii(), raw_key)
        prefixed = self.s3.list_objects_v2(Bucket=b, EncodingType="url", Delimiter="/", Prefix="ü/")
        self.assertEqual(unquote_plus(prefixed["Prefix"]), "ü/")
        # Without encoding-type the XML carries the keys themselves.
        reply = self.raw("GET", f"/{b}?list-type=2")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(find_all_text(xml_root(reply.body), "Key"), keys)

    def test_list_objects_v1_markers(self):
        keys = sorted(f"key-{i:02d}" for i in range(25))
        b = self.fill(keys)
        first = self.s3.list_objects(Bucket=b, MaxKeys=10)
        self.assertTrue(first["IsTruncated"])
        self.assertEqual([o["Key"] for o in first["Contents"]], keys[:10])
        # NextMarker only comes with a delimiter; otherwise the last key is the next marker.
        self.assertNotIn("NextMarker", first)
        collected, marker = [], ""
        while True:
            page = self.s3.list_objects(Bucket=b, MaxKeys=10, Marker=marker)
            self.assertEqual(page.get("Marker", ""), marker)
            collected += [o["Key"] for o in page["Contents"]]
            if not page["IsTruncated"]:
                break
            marker = page["Contents"][-1]["Key"]
        self.assertEqual(collected, keys)

        nested = self.fill([f"d{i}/x" for i in range(4)] + ["z"])
        page = self.s3.list_objects(Bucket=nested, Delimiter="/", MaxKeys=2)
        self.assertTrue(page["IsTruncated"])
        self.assertEqual([p["Prefix"] for p in page["CommonPrefixes"]], ["d0/", "d1/"])
        self.assertEqual(page["NextMarker"], "d1/")
        rest = self.s3.list_objects(Bucket=nested, Delimiter="/", Marker=page["NextMarker"])
        self.assertEqual([p["Prefix"] for p in rest["CommonPrefixes"]], ["d2/", "d3/"])
        self.assertEqual([o["Key"] for o in rest["Contents"]], ["z"])
        self.assertFalse(rest["IsTruncated"])

    def test_paginators(self):
        keys = sorted(f"p/{i:02d} ü" for i in range(25)) + ["q/other"]
        b = self.fill(keys)
        for op in ("list_objects_v2", "list_objects"):
            with self.subTest(op):
                pages = list(self.s3.get_paginator(op).paginate(Bucket=b, Prefix="p/",
                                                               PaginationConfig={"PageSize": 4}))
                self.assertEqual(len(pages), 7)
                self.assertEqual([o["Key"] for p in pages for o in p["Contents"]], keys[:25])

    def test_empty_bucket(self):
        b = self.bucket("none")
        r = self.s3.list_objects_v2(Bucket=b)
        self.assertEqual((r.get("Contents"), r["KeyCount"], r["IsTruncated"]), (None, 0, False))
        r = self.s3.list_objects(Bucket=b)
        self.assertEqual((r.get("Contents"), r["IsTruncated"]), (None, False))


class DeleteObjectsTest(S3TestCase):
    def test_verbose_reports_every_key_including_missing_ones(self):
        b = self.bucket("multi")
        present = ["a", "dir/b", "amp&<c>", "new\nline"]
        for k in present:
            self.put(b, k)
        r = self.s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": k} for k in present + ["never-was"]]})
        self.assertEqual(http_status(r), 200)
        self.assertEqual(sorted(d["Key"] for d in r["Deleted"]), sorted(present + ["never-was"]))
        self.assertEqual(r.get("Errors", []), [])
        self.assertEqual(self.keys(b), [])

    def test_quiet_reports_only_errors(self):
        b = self.bucket("quiet")
        for k in ("x", "y", "z"):
            self.put(b, k)
        r = self.s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "x"}, {"Key": "y"}, {"Key": "gone"}],
                                                     "Quiet": True})
        self.assertEqual(http_status(r), 200)
        self.assertEqual(r.get("Deleted", []), [])
        self.assertEqual(r.get("Errors", []), [])
        self.assertEqual(self.keys(b), ["z"])

    def test_missing_bucket(self):
        self.assert_s3_error(self.s3.delete_objects, "NoSuchBucket", 404, Bucket=unique_bucket("ghost"),
                             Delete={"Objects": [{"Key": "k"}]})

    def test_malformed_xml(self):
        b = self.bucket("badxml")
        self.put(b, "keep")
        for body in (b"<Delete><Object><Key>keep</Key></Object>",  # cut off
                     b"not xml at all",
                     b"<Delete></Delete>",  # no objects
                     b"<Delete><Object><Key>keep</Key></Object></Delete>trailing<junk>"):
            with self.subTest(body=body):
                reply = self.raw("POST", f"/{b}?delete", body=body, headers={
                    "Content-Type": "application/xml", "Content-MD5": md5_b64(body)})
                self.assert_raw_error(reply, "MalformedXML", 400)
        self.assertEqual(self.keys(b), ["keep"])

    def test_the_body_digest_is_required_and_checked(self):
        b = self.bucket("digest")
        self.put(b, "keep")
        body = b"<Delete><Object><Key>keep</Key></Object></Delete>"
        missing = self.raw("POST", f"/{b}?delete", body=body, headers={"Content-Type": "application/xml"})
        self.assert_raw_error(missing, "InvalidRequest", 400)
        wrong = self.raw("POST", f"/{b}?delete", body=body, headers={
            "Content-Type": "application/xml", "Content-MD5": md5_b64(b"another body")})
        self.assert_raw_error(wrong, "BadDigest", 400)
        self.assertEqual(self.keys(b), ["keep"])
        ok = self.raw("POST", f"/{b}?delete", body=body, headers={
            "Content-Type": "application/xml", "Content-MD5": md5_b64(body)})
        self.assertEqual(ok.status, 200, ok)
        self.assertEqual(find_all_text(xml_root(ok.body), "Key"), ["keep"])
        self.assertEqual(self.keys(b), [])

    def test_more_than_1000_keys_is_malformed(self):
        b = self.bucket("many")
        self.put(b, "keep")
        self.assert_s3_error(self.s3.delete_objects, "MalformedXML", 400, Bucket=b,
                             Delete={"Objects": [{"Key": f"k{i}"} for i in range(1001)] + [{"Key": "keep"}]})
        self.assertEqual(self.keys(b), ["keep"])


class PresignedUrlTest(S3TestCase):
    """URLs from boto3's generate_presigned_url, fetched with curl. boto3 presigns S3 with SigV2
    (`AWSAccessKeyId`, `Signature`, `Expires`) unless told signature_version='s3v4'; both forms
    are tested."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.v4 = s3_client(cls.emu.url, signature_version="s3v4")
        cls.v2 = s3_client(cls.emu.url, signature_version="s3")
        cls.emu._clients += [cls.v4, cls.v2]

    def setUp(self):
        self.b = self.bucket("presign")
        self.data = b"presigned \x00 bytes"
        self.put(self.b, "dir/obj ü.bin", self.data, ContentType="application/octet-stream")

    def url(self, method, key="dir/obj ü.bin", client=None, **params):
        return (client or self.v4).generate_presigned_url(method, Params={"Bucket": self.b, "Key": key, **params},
                                                          ExpiresIn=3600)

    def test_get_and_head(self):
        url = self.url("get_object")
        self.assertIn("X-Amz-Credential=", url)
        reply = curl(url)
        self.assertEqual((reply.status, reply.body), (200, self.data))
        self.assertEqual(reply.headers.get("etag"), etag_of(self.data))
        self.assert_request_ids(reply.headers)
        head = curl("-I", self.url("head_object"))
        self.assertEqual(head.status, 200)
        self.assertEqual(head.headers.get("content-length"), str(len(self.data)))
        missing = curl(self.url("get_object", key="no/such key"))
        self.assert_raw_error(missing, "NoSuchKey", 404)

    def test_put(self):
        url = self.url("put_object", key="uploaded/by curl.txt")
        with tempfile.NamedTemporaryFile() as f:
            payload = os.urandom(100_000)
            f.write(payload)
            f.flush()
            reply = curl("-T", f.name, url)  # -T: a PUT with no Content-Type of curl's own
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.headers.get("etag"), etag_of(payload))
        self.assertEqual(self.get_bytes(self.b, "uploaded/by curl.txt"), payload)

    def test_response_overrides_in_a_presigned_url(self):
        url = self.url("get_object", ResponseContentDisposition='attachment; filename="d.bin"')
        reply = curl(url)
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.headers.get("content-disposition"), 'attachment; filename="d.bin"')

    def test_expired_sigv4(self):
        for method, extra in (("get_object", ()), ("put_object", ("-X", "PUT", "--data-binary", "new"))):
            with self.subTest(method):
                url = re.sub(r"X-Amz-Date=\d{8}T\d{6}Z", "X-Amz-Date=20200101T000000Z", self.url(method))
                self.assertIn("X-Amz-Date=20200101T000000Z", url)
                reply = curl(*extra, url)
                self.assert_raw_error(reply, "AccessDenied", 403, message="Request has expired")
        self.assertEqual(self.get_bytes(self.b, "dir/obj ü.bin"), self.data)  # the expired PUT wrote nothing

    def test_sigv2_query_form(self):
        url = self.url("get_object", client=self.v2)
        self.assertIn("AWSAccessKeyId=", url)
        self.assertIn("Signature=", url)
        reply = curl(url)
        self.assertEqual((reply.status, reply.body), (200, self.data))
        put = self.url("put_object", key="v2/put", client=self.v2)
        with tempfile.NamedTemporaryFile() as f:
            f.write(b"put with sigv2")
            f.flush()
            self.assertEqual(curl("-T", f.name, put).status, 200)
        self.assertEqual(self.get_bytes(self.b, "v2/put"), b"put with sigv2")
        expired = re.sub(r"Expires=\d+", "Expires=1577836800", url)  # 2020-01-01
        self.assertIn("Expires=1577836800", expired)
        self.assert_raw_error(curl(expired), "AccessDenied", 403, message="Request has expired")


class AwsCliTest(S3TestCase):
    """The `aws` CLI's high-level `s3` commands and `s3api`."""

    def aws(self, *args, cwd=None):
        proc = self.emu.aws(*args, cwd=cwd)
        self.assertEqual(proc.returncode, 0, f"aws {' '.join(args)}\n{proc.stdout}\n{proc.stderr}")
        return proc.stdout

    def test_cp_of_a_50_mib_file_goes_multipart_both_ways(self):
        name = self.bucket("cli-big")
        tmp = tempfile.mkdtemp(prefix="s3-cli-big-")
        self.addCleanup(shutil.rmtree, tmp, True)
        src, down = os.path.join(tmp, "big.bin"), os.path.join(tmp, "down.bin")
        digest = hashlib.sha256()
        with open(src, "wb") as f:
            for _ in range(50):
                chunk = os.urandom(1 << 20)
                digest.update(chunk)
                f.write(chunk)
        self.aws("s3", "cp", "--no-progress", src, f"s3://{name}/big.bin")
        head = json.loads(self.aws("s3api", "head-object", "--bucket", name, "--key", "big.bin"))
        self.assertEqual(head["ContentLength"], 50 << 20)
        self.assertRegex(head["ETag"], r'^"[0-9a-f]{32}-\d+"$')  # the CLI's 8 MiB parts
        self.aws("s3", "cp", "--no-progress", f"s3://{name}/big.bin", down)
        with open(down, "rb") as f:
            got = hashlib.sha256()
            for chunk in iter(lambda: f.read(1 << 20), b""):
                got.update(chunk)
        self.assertEqual(got.hexdigest(), digest.hexdigest())
        self.s3.delete_object(Bucket=name, Key="big.bin")

    def test_mb_cp_ls_head_rm_rb(self):
        name = unique_bucket("cli")
        self.addCleanup(self.delete_bucket_quietly, name)
        self.assertIn(f"make_bucket: {name}", self.aws("s3", "mb", f"s3://{name}"))
        self.assertIn(name, self.aws("s3", "ls").split())

        tmp = tempfile.mkdtemp(prefix="s3-cli-")
        self.addCleanup(shutil.rmtree, tmp, True)
        src = os.path.join(tmp, "up.bin")
        payload = os.urandom(300_000)
        with open(src, "wb") as f:
            f.write(payload)
        self.aws("s3", "cp", src, f"s3://{name}/dir/up load.bin")
        self.assertEqual(self.get_bytes(name, "dir/up load.bin"), payload)
        down = os.path.join(tmp, "down.bin")
        self.aws("s3", "cp", f"s3://{name}/dir/up load.bin", down)
        with open(down, "rb") as f:
            self.assertEqual(f.read(), payload)

        listing = self.aws("s3", "ls", f"s3://{name}/dir/")
        self.assertRegex(listing, rf"\s{len(payload)} up load\.bin")
        self.assertIn("PRE dir/", self.aws("s3", "ls", f"s3://{name}/"))

        head = json.loads(self.aws("s3api", "head-object", "--bucket", name, "--key", "dir/up load.bin"))
        self.assertEqual(head["ContentLength"], len(payload))
        self.assertEqual(head["ETag"], etag_of(payload))

        # rb without --force refuses a bucket with objects in it.
        proc = self.emu.aws("s3", "rb", f"s3://{name}")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("BucketNotEmpty", proc.stderr)

        self.aws("s3", "rm", f"s3://{name}/", "--recursive")
        self.assertEqual(self.keys(name), [])
        self.assertIn(f"remove_bucket: {name}", self.aws("s3", "rb", f"s3://{name}"))
        self.assert_s3_error(self.s3.head_bucket, "404", 404, Bucket=name)

    def test_sync_and_rb_force(self):
        name = self.bucket("sync")
        tmp = tempfile.mkdtemp(prefix="s3-sync-")
        self.addCleanup(shutil.rmtree, tmp, True)
        tree = {"a.txt": b"alpha", "sub/b.txt": b"beta" * 1000, "sub/deeper/c d.txt": b"gamma",
                "ü.txt": "unicode".encode()}
        for rel, content in tree.items():
            path = os.path.join(tmp, "src", rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(content)
        self.aws("s3", "sync", os.path.join(tmp, "src"), f"s3://{name}/backup")
        self.assertEqual(self.keys(name), sorted(f"backup/{rel}" for rel in tree))
        for rel, content in tree.items():
            self.assertEqual(self.get_bytes(name, f"backup/{rel}"), content)
        # Nothing changed: a second sync uploads nothing (sizes and times match).
        self.assertEqual(self.aws("s3", "sync", os.path.join(tmp, "src"), f"s3://{name}/backup").strip(), "")

        self.aws("s3", "sync", f"s3://{name}/backup", os.path.join(tmp, "dst"))
        for rel, content in tree.items():
            with open(os.path.join(tmp, "dst", rel), "rb") as f:
                self.assertEqual(f.read(), content, rel)

        self.assertIn(f"remove_bucket: {name}", self.aws("s3", "rb", f"s3://{name}", "--force"))
        self.assert_s3_error(self.s3.head_bucket, "404", 404, Bucket=name)


def aws_chunked(data: bytes, chunk: int, trailer: dict | None = None, signed: bool = False) -> bytes:
    """`data` in the aws-chunked encoding: `<hex size>[;chunk-signature=...]\\r\\n<bytes>\\r\\n` per
    chunk, a zero-size chunk, then trailer lines and an empty line."""
    sig = ";chunk-signature=" + "0" * 64 if signed else ""
    out = bytearray()
    for start in range(0, len(data), chunk):
        piece = data[start:start + chunk]
        out += f"{len(piece):x}{sig}\r\n".encode() + piece + b"\r\n"
    out += f"0{sig}\r\n".encode()
    for name, value in (trailer or {}).items():
        out += f"{name}:{value}\r\n".encode()
    out += b"\r\n"
    return bytes(out)


def http_chunked(body: bytes, size: int) -> bytes:
    """`body` in HTTP/1.1 chunked transfer coding, in chunks of `size` (unrelated to any inner chunks)."""
    out = bytearray()
    for start in range(0, len(body), size):
        piece = body[start:start + size]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return bytes(out + b"0\r\n\r\n")


class BodiesTest(S3TestCase):
    """Large bodies, streaming (aws-chunked) uploads and uploads cut off mid-body."""

    def send_raw(self, path: str, headers: dict, wire_body: bytes):
        """Sends headers and an already-framed body; returns (status, headers, body)."""
        conn = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        try:
            head = f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
            conn.sendall(head.encode() + wire_body)
            r = http.client.HTTPResponse(conn)
            r.begin()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def test_20_mib_single_put_and_get(self):
        b = self.bucket("big")
        data = os.urandom(20 << 20)
        r = self.s3.put_object(Bucket=b, Key="big.bin", Body=data)
        self.assertEqual(r["ETag"], etag_of(data))
        got = self.s3.get_object(Bucket=b, Key="big.bin")
        self.assertEqual(got["ContentLength"], len(data))
        self.assertEqual(hashlib.sha256(got["Body"].read()).hexdigest(), hashlib.sha256(data).hexdigest())
        part = self.s3.get_object(Bucket=b, Key="big.bin", Range=f"bytes={10 << 20}-{(10 << 20) + 99}")
        self.assertEqual(part["Body"].read(), data[10 << 20:(10 << 20) + 100])

    def test_upload_file_and_download_file_below_the_multipart_threshold(self):
        b = self.bucket("xfer")
        tmp = tempfile.mkdtemp(prefix="s3-xfer-")
        self.addCleanup(shutil.rmtree, tmp, True)
        src, dst = os.path.join(tmp, "src"), os.path.join(tmp, "dst")
        data = os.urandom(9 << 20)
        with open(src, "wb") as f:
            f.write(data)
        single = TransferConfig(multipart_threshold=1 << 30)
        self.s3.upload_file(src, b, "file.bin", Config=single)
        self.s3.download_file(b, "file.bin", dst, Config=single)
        with open(dst, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).digest(), hashlib.sha256(data).digest())

    def streaming_headers(self, data: bytes, content_sha256: str, trailer: str | None, encoding="aws-chunked"):
        headers = {"Authorization": FAKE_AUTH, "X-Amz-Date": "20240101T000000Z",
                   "X-Amz-Content-SHA256": content_sha256, "Content-Encoding": encoding,
                   "X-Amz-Decoded-Content-Length": str(len(data)), "Content-Type": "application/octet-stream"}
        if trailer:
            headers["X-Amz-Trailer"] = trailer
        return headers

    def test_aws_chunked_unsigned_trailer_inside_http_chunking(self):
        # What botocore sends over https: aws-chunked inside Transfer-Encoding: chunked, CRC32 trailer.
        b = self.bucket("chunked")
        for size, chunk in ((5, 64 << 10), (300_000, 64 << 10), (0, 64 << 10)):
            with self.subTest(size=size):
                data = os.urandom(size)
                key = f"streamed-{size}"
                headers = self.streaming_headers(data, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-checksum-crc32")
                headers["Transfer-Encoding"] = "chunked"
                body = aws_chunked(data, chunk, {"x-amz-checksum-crc32": crc32_b64(data)})
                status, resp_headers, resp_body = self.send_raw(f"/{b}/{key}", headers, http_chunked(body, 1000))
                self.assertEqual(status, 200, resp_body)
                self.assertEqual(resp_headers.get("etag"), etag_of(data))
                got = self.s3.get_object(Bucket=b, Key=key, ChecksumMode="ENABLED")
                self.assertEqual(got["Body"].read(), data)
                self.assertEqual(got["ContentLength"], size)
                self.assertNotIn("aws-chunked", got.get("ContentEncoding", ""))
                self.assertEqual(got.get("ChecksumCRC32"), crc32_b64(data))

    def test_aws_chunked_keeps_the_other_content_encoding(self):
        b = self.bucket("gz")
        data = gzip.compress(b"compressed text " * 100, mtime=0)
        headers = self.streaming_headers(data, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-checksum-crc32",
                                         encoding="gzip,aws-chunked")
        headers["Transfer-Encoding"] = "chunked"
        body = aws_chunked(data, 512, {"x-amz-checksum-crc32": crc32_b64(data)})
        status, _, resp_body = self.send_raw(f"/{b}/gz", headers, http_chunked(body, 4096))
        self.assertEqual(status, 200, resp_body)
        got = self.s3.get_object(Bucket=b, Key="gz")
        self.assertEqual(got["ContentEncoding"], "gzip")
        self.assertEqual(got["Body"].read(), data)

    def test_aws_chunked_signed_chunks_with_content_length(self):
        # What the Java and other SDKs send: signed chunks, a Content-Length of the encoded body.
        b = self.bucket("signed")
        data = os.urandom(200_000)
        headers = self.streaming_headers(data, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", None)
        body = aws_chunked(data, 64 << 10, signed=True)
        headers["Content-Length"] = str(len(body))
        status, _, resp_body = self.send_raw(f"/{b}/signed", headers, body)
        self.assertEqual(status, 200, resp_body)
        got = self.s3.get_object(Bucket=b, Key="signed")
        self.assertEqual(got["Body"].read(), data)
        self.assertNotIn("aws-chunked", got.get("ContentEncoding", ""))

    def test_aws_chunked_wrong_trailer_checksum_is_bad_digest(self):
        b = self.bucket("badtrailer")
        self.put(b, "existing", b"before")
        data = b"streamed bytes" * 100
        for key in ("fresh", "existing"):
            with self.subTest(key=key):
                headers = self.streaming_headers(data, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-checksum-crc32")
                headers["Transfer-Encoding"] = "chunked"
                body = aws_chunked(data, 256, {"x-amz-checksum-crc32": crc32_b64(b"other bytes")})
                status, _, resp_body = self.send_raw(f"/{b}/{key}", headers, http_chunked(body, 700))
                self.assertEqual(status, 400, resp_body)
                self.assertEqual(parse_error(resp_body).get("Code"), "BadDigest", resp_body)
        self.assert_s3_error(self.s3.head_object, "404", 404, Bucket=b, Key="fresh")
        self.assertEqual(self.get_bytes(b, "existing"), b"before")

    def test_a_put_without_a_length_is_refused(self):
        b = self.bucket("nolength")
        reply = self.raw("PUT", f"/{b}/k", body=None)  # neither Content-Length nor Transfer-Encoding
        self.assert_raw_error(reply, "MissingContentLength", 411)
        self.assert_s3_error(self.s3.head_object, "404", 404, Bucket=b, Key="k")

    def test_a_body_cut_off_creates_nothing(self):
        b = self.bucket("cut")
        self.put(b, "existing", b"before")
        for key in ("fresh", "existing"):
            with self.subTest(key=key):
                conn = socket.create_connection(("127.0.0.1", self.port), timeout=30)
                try:
                    conn.sendall((f"PUT /{b}/{key} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                                  f"Authorization: {FAKE_AUTH}\r\nX-Amz-Date: 20240101T000000Z\r\n"
                                  "X-Amz-Content-SHA256: UNSIGNED-PAYLOAD\r\nContent-Length: 100000\r\n\r\n").encode()
                                 + b"x" * 1000)
                    conn.shutdown(socket.SHUT_WR)
                    # Whatever it answers (400 IncompleteBody, or nothing), the server must close.
                    while conn.recv(65536):
                        pass
                except socket.timeout:
                    self.fail("the server neither answered nor closed a connection whose body ended early")
                finally:
                    conn.close()
        self.assert_s3_error(self.s3.head_object, "404", 404, Bucket=b, Key="fresh")
        self.assertEqual(self.get_bytes(b, "existing"), b"before")
        self.assertEqual(self.keys(b), ["existing"])


class MultipartTest(S3TestCase):
    """Multipart uploads as SDKs drive them: parts, part copies, completion with AWS's ETag,
    the errors S3 gives, the listings, aborts, and reading one part back."""

    MIB = 1024 * 1024

    def test_upload_complete_and_read_parts(self):
        bucket = self.bucket("mp")
        parts_data = [os.urandom(5 * self.MIB), os.urandom(5 * self.MIB), b"tail"]
        upload = self.s3.create_multipart_upload(Bucket=bucket, Key="big", ContentType="text/x-big",
                                                 Metadata={"m": "1"})["UploadId"]
        self.assertEqual([u["UploadId"] for u in self.s3.list_multipart_uploads(Bucket=bucket)["Uploads"]],
                         [upload])
        etags = [self.s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=n + 1,
                                     Body=data)["ETag"] for n, data in enumerate(parts_data)]
        listed = self.s3.list_parts(Bucket=bucket, Key="big", UploadId=upload)["Parts"]
        self.assertEqual([(p["PartNumber"], p["ETag"], p["Size"]) for p in listed],
                         [(n + 1, etags[n], len(d)) for n, d in enumerate(parts_data)])
        done = self.s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload, MultipartUpload={
            "Parts": [{"PartNumber": n + 1, "ETag": etags[n]} for n in range(3)]})
        md5s = b"".join(hashlib.md5(d).digest() for d in parts_data)
        self.assertEqual(done["ETag"], f'"{hashlib.md5(md5s).hexdigest()}-3"')
        got = self.s3.get_object(Bucket=bucket, Key="big")
        self.assertEqual(got["Body"].read(), b"".join(parts_data))
        self.assertEqual((got["ContentType"], got["Metadata"]), ("text/x-big", {"m": "1"}))
        part2 = self.s3.get_object(Bucket=bucket, Key="big", PartNumber=2)
        self.assertEqual(part2["Body"].read(), parts_data[1])
        self.assertEqual((part2["PartsCount"], part2["ContentRange"]),
                         (3, f"bytes {5 * self.MIB}-{10 * self.MIB - 1}/{10 * self.MIB + 4}"))
        self.assert_s3_error(self.s3.get_object, "InvalidPartNumber", 416, Bucket=bucket, Key="big", PartNumber=4)
        self.assertEqual(self.s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []), [])
        self.assert_s3_error(self.s3.list_parts, "NoSuchUpload", 404, Bucket=bucket, Key="big", UploadId=upload)

    def test_part_one_of_a_single_part_object_is_the_whole_object(self):
        bucket = self.bucket("mp-single")
        self.put(bucket, "small", b"whole")
        got = self.s3.get_object(Bucket=bucket, Key="small", PartNumber=1)
        self.assertEqual(got["Body"].read(), b"whole")
        self.assert_s3_error(self.s3.head_object, "416", 416, Bucket=bucket, Key="small", PartNumber=2)

    def test_completion_errors(self):
        bucket = self.bucket("mp-errors")
        upload = self.s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
        small = self.s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"a")["ETag"]
        last = self.s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=2, Body=b"b")["ETag"]
        def assert_refused(code, parts):
            self.assert_s3_error(self.s3.complete_multipart_upload, code, 400, Bucket=bucket, Key="k",
                                 UploadId=upload, MultipartUpload={"Parts": parts})
        assert_refused("EntityTooSmall", [{"PartNumber": 1, "ETag": small}, {"PartNumber": 2, "ETag": last}])
        assert_refused("InvalidPartOrder", [{"PartNumber": 2, "ETag": last}, {"PartNumber": 1, "ETag": small}])
        assert_refused("InvalidPart", [{"PartNumber": 1, "ETag": '"0000"'}])
        assert_refused("InvalidPart", [{"PartNumber": 3, "ETag": small}])
        self.assert_s3_error(self.s3.upload_part, "InvalidArgument", 400, Bucket=bucket, Key="k",
                             UploadId=upload, PartNumber=10001, Body=b"x")
        done = self.s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": last}]})
        self.assertEqual(done["ETag"][-3:], '-1"')  # the last part (here the only one) may be small
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="k")["Body"].read(), b"b")
        self.assert_s3_error(self.s3.abort_multipart_upload, "NoSuchUpload", 404, Bucket=bucket, Key="k",
                             UploadId=upload)

    def test_abort_and_part_copy(self):
        bucket = self.bucket("mp-copy")
        source = os.urandom(6 * self.MIB)
        self.put(bucket, "source", source)
        upload = self.s3.create_multipart_upload(Bucket=bucket, Key="copied")["UploadId"]
        first = self.s3.upload_part_copy(Bucket=bucket, Key="copied", UploadId=upload, PartNumber=1,
                                         CopySource={"Bucket": bucket, "Key": "source"},
                                         CopySourceRange=f"bytes=0-{5 * self.MIB - 1}")["CopyPartResult"]["ETag"]
        second = self.s3.upload_part_copy(Bucket=bucket, Key="copied", UploadId=upload, PartNumber=2,
                                          CopySource={"Bucket": bucket, "Key": "source"},
                                          CopySourceRange=f"bytes={5 * self.MIB}-{6 * self.MIB - 1}")["CopyPartResult"]["ETag"]
        self.assertEqual(first, etag_of(source[:5 * self.MIB]))
        self.s3.complete_multipart_upload(Bucket=bucket, Key="copied", UploadId=upload, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": first}, {"PartNumber": 2, "ETag": second}]})
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="copied")["Body"].read(), source)
        past_end = self.s3.create_multipart_upload(Bucket=bucket, Key="past-end")["UploadId"]
        self.addCleanup(self.s3.abort_multipart_upload, Bucket=bucket, Key="past-end", UploadId=past_end)
        with self.assertRaises(self.s3.exceptions.ClientError) as cm:
            self.s3.upload_part_copy(Bucket=bucket, Key="past-end", UploadId=past_end, PartNumber=1,
                                     CopySource={"Bucket": bucket, "Key": "source"},
                                     CopySourceRange=f"bytes=0-{6 * self.MIB}")  # one byte past the end
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidArgument")
        aborted = self.s3.create_multipart_upload(Bucket=bucket, Key="never")["UploadId"]
        self.s3.upload_part(Bucket=bucket, Key="never", UploadId=aborted, PartNumber=1, Body=b"x")
        self.s3.abort_multipart_upload(Bucket=bucket, Key="never", UploadId=aborted)
        self.assert_s3_error(self.s3.head_object, "404", 404, Bucket=bucket, Key="never")

    def test_managed_transfers_over_the_multipart_threshold(self):
        bucket = self.bucket("mp-transfer")
        config = TransferConfig(multipart_threshold=5 * self.MIB, multipart_chunksize=5 * self.MIB,
                                max_concurrency=4)
        data = os.urandom(17 * self.MIB)
        with tempfile.TemporaryDirectory() as d:
            src, back = os.path.join(d, "src"), os.path.join(d, "back")
            with open(src, "wb") as f:
                f.write(data)
            self.s3.upload_file(src, bucket, "transfer", Config=config)
            self.assertTrue(self.s3.head_object(Bucket=bucket, Key="transfer")["ETag"].endswith('-4"'))
            self.s3.download_file(bucket, "transfer", back, Config=config)
            with open(back, "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).digest(), hashlib.sha256(data).digest())


class VersioningTest(S3TestCase):
    """Put/GetBucketVersioning, version ids, delete markers, ListObjectVersions and reads and
    deletes by version, as S3 does them."""

    def versioned_bucket(self):
        bucket = self.bucket("ver")
        self.addCleanup(self.delete_versions, bucket)
        self.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        return bucket

    def delete_versions(self, bucket):
        for page in self.s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            for v in page.get("Versions", []) + page.get("DeleteMarkers", []):
                self.s3.delete_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])

    def test_versioning_status_round_trips(self):
        bucket = self.bucket("ver-status")
        self.assertNotIn("Status", self.s3.get_bucket_versioning(Bucket=bucket))
        self.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        self.assertEqual(self.s3.get_bucket_versioning(Bucket=bucket)["Status"], "Enabled")
        self.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
        self.assertEqual(self.s3.get_bucket_versioning(Bucket=bucket)["Status"], "Suspended")
        reply = raw_request(self.emu.port, "PUT", f"/{bucket}?versioning",
                            body=b"<VersioningConfiguration><Status>On</Status></VersioningConfiguration>")
        self.assertEqual(reply.status, 400)
        self.assertEqual(reply.error()["Code"], "MalformedXML")

    def test_versions_markers_and_reads_by_version(self):
        bucket = self.versioned_bucket()
        v1 = self.put(bucket, "doc", b"one")["VersionId"]
        v2 = self.put(bucket, "doc", b"two!")["VersionId"]
        self.assertNotEqual(v1, v2)
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="doc")["Body"].read(), b"two!")
        got = self.s3.get_object(Bucket=bucket, Key="doc", VersionId=v1)
        self.assertEqual((got["Body"].read(), got["VersionId"]), (b"one", v1))
        self.assertEqual(self.s3.head_object(Bucket=bucket, Key="doc", VersionId=v2)["ContentLength"], 4)

        deleted = self.s3.delete_object(Bucket=bucket, Key="doc")
        self.assertTrue(deleted["DeleteMarker"])
        marker = deleted["VersionId"]
        err = self.assert_s3_error(self.s3.get_object, "NoSuchKey", 404, Bucket=bucket, Key="doc")
        headers = err.response["ResponseMetadata"]["HTTPHeaders"]
        self.assertEqual((headers.get("x-amz-delete-marker"), headers.get("x-amz-version-id")), ("true", marker))
        self.assertEqual(self.s3.list_objects_v2(Bucket=bucket)["KeyCount"], 0)
        self.assert_s3_error(self.s3.get_object, "NoSuchVersion", 404, Bucket=bucket, Key="doc",
                             VersionId="3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY")

        listed = self.s3.list_object_versions(Bucket=bucket)
        self.assertEqual([(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]], [(marker, True)])
        self.assertEqual([(v["VersionId"], v["IsLatest"], v["Size"]) for v in listed["Versions"]],
                         [(v2, False, 4), (v1, False, 3)])
        with self.assertRaises(self.s3.exceptions.ClientError):
            self.s3.delete_bucket(Bucket=bucket)  # versions left: not empty

        # Deleting the marker by its id brings the newest version back.
        back = self.s3.delete_object(Bucket=bucket, Key="doc", VersionId=marker)
        self.assertEqual((back.get("DeleteMarker"), back["VersionId"]), (True, marker))
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="doc")["Body"].read(), b"two!")
        # Deleting a version for good.
        self.s3.delete_object(Bucket=bucket, Key="doc", VersionId=v2)
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="doc")["Body"].read(), b"one")

    def test_the_null_version_and_suspended_versioning(self):
        bucket = self.bucket("ver-null")
        self.addCleanup(self.delete_versions, bucket)
        self.put(bucket, "k", b"before")  # the null version
        self.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        v1 = self.put(bucket, "k", b"enabled")["VersionId"]
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read(), b"before")
        self.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
        put = self.put(bucket, "k", b"suspended")
        self.assertEqual(put["VersionId"], "null")
        versions = self.s3.list_object_versions(Bucket=bucket)["Versions"]
        # The new null version replaced the old one; v1 is kept.
        self.assertEqual([(v["VersionId"], v["Size"]) for v in versions], [("null", 9), (v1, 7)])

    def test_listing_edges(self):
        bucket = self.versioned_bucket()
        self.put(bucket, "photos/a", b"1")
        self.put(bucket, "photos/a", b"2")
        # A key marker that sorts before the prefix starts at the prefix.
        listed = self.s3.list_object_versions(Bucket=bucket, Prefix="photos/", KeyMarker="a")
        self.assertEqual(len(listed["Versions"]), 2)
        for page in (self.s3.list_object_versions(Bucket=bucket, MaxKeys=0),
                     self.s3.list_objects_v2(Bucket=bucket, MaxKeys=0)):
            self.assertFalse(page["IsTruncated"], page)
        status = raw_request(self.emu.port, "DELETE", f"/{bucket}?versioning").status
        self.assertEqual(status, 405)
        self.assertEqual(self.s3.get_bucket_versioning(Bucket=bucket)["Status"], "Enabled")

    def test_paging_and_delete_objects_by_version(self):
        bucket = self.versioned_bucket()
        ids = {}
        for key in ("a", "b"):
            ids[key] = [self.put(bucket, key, f"{key}{i}".encode())["VersionId"] for i in range(3)]
        seen = []
        for page in self.s3.get_paginator("list_object_versions").paginate(
                Bucket=bucket, PaginationConfig={"PageSize": 2}):
            seen.extend((v["Key"], v["VersionId"]) for v in page.get("Versions", []))
        self.assertEqual(seen, [("a", i) for i in reversed(ids["a"])] + [("b", i) for i in reversed(ids["b"])])
        out = self.s3.delete_objects(Bucket=bucket, Delete={"Objects": [
            {"Key": "a", "VersionId": ids["a"][0]}, {"Key": "b"}]})
        deleted = {d["Key"]: d for d in out["Deleted"]}
        self.assertEqual(deleted["a"]["VersionId"], ids["a"][0])
        self.assertTrue(deleted["b"]["DeleteMarker"])
        self.assertTrue(deleted["b"]["DeleteMarkerVersionId"])
        copy = self.s3.copy_object(Bucket=bucket, Key="c", CopySource={"Bucket": bucket, "Key": "a",
                                                                       "VersionId": ids["a"][1]})
        self.assertEqual(copy["CopySourceVersionId"], ids["a"][1])
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="c")["Body"].read(), b"a1")


class S3RestartTest(unittest.TestCase):
    """Buckets and objects survive a restart with the same --state-dir, after SIGTERM or kill -9."""

    def setUp(self):
        self.project = Project("Resources: {}\n")
        self.addCleanup(self.project.cleanup)
        self.state_dir = tempfile.mkdtemp(prefix="lambda-local-it-state-")
        self.addCleanup(shutil.rmtree, self.state_dir, True)

    def start(self, *args, state=True):
        emu = Emulator(self.project, (["--state-dir", self.state_dir] if state else []) + list(args))
        emu.start()
        self.addCleanup(emu.kill)
        return emu, emu.client("s3", read_timeout=120)

    def stop(self, emu, how):
        if how == "kill":
            emu.close_clients()
            emu.kill()
        else:
            emu.stop_and_check(self, signal.SIGTERM)

    def restart_keeps_objects(self, how):
        emu, s3 = self.start()
        objects = {key: os.urandom(1000 + i) for i, key in enumerate(ODD_KEYS + ["big"])}
        objects["big"] = os.urandom(3 << 20)
        s3.create_bucket(Bucket="kept")
        s3.create_bucket(Bucket="emptied")
        for key, data in objects.items():
            s3.put_object(Bucket="kept", Key=key, Body=data, Metadata={"n": str(len(data))},
                          ContentType="application/x-test")
        s3.put_object(Bucket="kept", Key="deleted", Body=b"gone")
        s3.delete_object(Bucket="kept", Key="deleted")
        s3.create_bucket(Bucket="removed")
        s3.delete_bucket(Bucket="removed")
        s3.put_object(Bucket="kept", Key="overwritten", Body=b"old")
        s3.put_object(Bucket="kept", Key="overwritten", Body=b"new")  # the last acknowledged PUT
        objects["overwritten"] = b"new"
        self.stop(emu, how)

        emu, s3 = self.start()
        names = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
        self.assertEqual(names, ["emptied", "kept"])
        listed = [o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket="kept")
                  for o in p.get("Contents", [])]
        self.assertEqual(listed, sorted(objects, key=lambda k: k.encode()))
        for key, data in objects.items():
            with self.subTest(key=key):
                got = s3.get_object(Bucket="kept", Key=key, ChecksumMode="ENABLED")
                self.assertEqual(got["Body"].read(), data)
                self.assertEqual(got["ETag"], etag_of(data))
                self.assertEqual(got.get("ChecksumCRC32"), crc32_b64(data))
                if key != "overwritten":
                    self.assertEqual(got["Metadata"], {"n": str(len(data))})
                    self.assertEqual(got["ContentType"], "application/x-test")
        # Still writable after the restart.
        s3.put_object(Bucket="emptied", Key="after", Body=b"restart")
        self.assertEqual(s3.get_object(Bucket="emptied", Key="after")["Body"].read(), b"restart")
        emu.stop_and_check(self)

    def test_objects_survive_sigterm(self):
        self.restart_keeps_objects("term")

    def test_objects_survive_kill_9(self):
        self.restart_keeps_objects("kill")

    def test_ephemeral_keeps_nothing(self):
        emu, s3 = self.start("--ephemeral", state=False)
        s3.create_bucket(Bucket="passing")
        s3.put_object(Bucket="passing", Key="k", Body=b"forgotten")
        self.stop(emu, "term")
        self.assertFalse(os.path.exists(self.project.path(".lambda-local")),
                         "--ephemeral left a state folder in the project")
        for args, state in ((("--ephemeral",), False), ((), False)):
            emu, s3 = self.start(*args, state=state)
            self.assertNotIn("passing", [b["Name"] for b in s3.list_buckets()["Buckets"]])
            with self.assertRaises(s3.exceptions.ClientError) as cm:
                s3.head_bucket(Bucket="passing")
            self.assertEqual(http_status(cm.exception), 404)
            emu.stop_and_check(self)


if __name__ == "__main__":
    unittest.main()
