"""S3 event notifications: Put/GetBucketNotificationConfiguration through boto3, deliveries to
functions (invoked asynchronously, so async retries apply) and to SQS queues, the s3:TestEvent
message, AWS's 2.1 event record checked field by field, validation errors, and the template side
(AWS::S3::Bucket created at start with a given or generated name, `!Ref` / `!GetAtt` of a bucket,
SAM `Events: Type: S3`, a bucket's own NotificationConfiguration), ending with the pipeline
developers build: put a file, the function runs, its result lands in another bucket.

How deliveries are observed: functions send what they receive as a message to an SQS queue of
their template (`Recorder` below, using boto3, which finds lambda-local through the
AWS_ENDPOINT_URL the emulator sets for functions); queue configurations deliver to a queue the test
creates. The test long-polls those queues (ReceiveMessage with WaitTimeSeconds) until what it
expects has arrived or a generous deadline passes: no sleeps, no timing assertions.

"Was not delivered" is checked with a sentinel: after the events that must not be delivered, the
test causes one that must, waits for it, and then checks that nothing else arrived.

Expected values follow AWS's documentation (S3 User Guide, "Event message structure",
"Configuring event notifications"), the botocore model and CONTRACT.md 6.1 / 7.3, not lambda-local's
implementation."""
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import quote_plus

from .harness import ACCOUNT, REGION, function_arn, http_status
from .s3_support import S3TestCase, unique_bucket

DELIVERY_TIMEOUT = 30  # a bound on polling only, never a performance claim
RETRY_DELAY = 0.2  # --async-retry-delay: async retries wait 0.2 s, 0.4 s instead of 1 and 2 minutes
EVENT_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
HEX = re.compile(r"^[0-9A-Fa-f]+$")
DESTINATION_MESSAGE = "Unable to validate the following destination configurations"

# Recorder sends {"function", "requestId", "event"} to $SINK_URL for every invocation. Flaky does
# the same, but fails the first attempt of each event (its marker file in $OUT_DIR says whether
# this event was seen), so only an asynchronous invoke, which is retried, reaches the sink.
# Environment returns the function's environment. Thumbnail reads each object the event names
# and writes an upper-cased copy to $OUT_BUCKET under thumbs/.
APP = r'''
import hashlib, json, os, urllib.parse
import boto3

_clients = {}


def _client(service):
    # boto3 finds lambda-local through AWS_ENDPOINT_URL, which the emulator sets for functions.
    if service not in _clients:
        _clients[service] = boto3.client(service)
    return _clients[service]


def record(event, context):
    _client("sqs").send_message(QueueUrl=os.environ["SINK_URL"], MessageBody=json.dumps(
        {"function": context.function_name, "requestId": context.aws_request_id, "event": event}))
    return {"recorded": True}


def flaky(event, context):
    marker = os.path.join(os.environ["OUT_DIR"],
                          hashlib.sha256(json.dumps(event, sort_keys=True).encode()).hexdigest())
    if not os.path.exists(marker):
        open(marker, "w").close()
        raise RuntimeError("the first attempt of every event fails")
    return record(event, context)


def environment(event, context):
    return dict(os.environ)


def thumbnail(event, context):
    s3 = _client("s3")
    done = []
    for rec in event["Records"]:
        bucket = rec["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(rec["s3"]["object"]["key"])
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        s3.put_object(Bucket=os.environ["OUT_BUCKET"], Key="thumbs/" + key, Body=body.upper(),
                      ContentType="text/plain", Metadata={"source": bucket + "/" + key})
        done.append(key)
    return {"done": done}
'''
FILES = {"py/app.py": APP}


# ---- what arrives on a queue ------------------------------------------------------------------
# When the tests began (second precision, as eventTime's milliseconds are truncated from it).
MODULE_LOADED = datetime.now(timezone.utc).replace(microsecond=0)

class Mailbox:
    """Every message that arrives on one SQS queue, parsed as JSON (deleted once received)."""

    def __init__(self, sqs, url: str):
        self.sqs = sqs
        self.url = url
        self.bodies: list = []

    def receive(self, wait_seconds: int) -> int:
        got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10,
                                       WaitTimeSeconds=wait_seconds).get("Messages", [])
        for m in got:
            try:
                self.bodies.append(json.loads(m["Body"]))
            except ValueError:
                self.bodies.append({"unparsed": m["Body"]})
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
        return len(got)

    def wait(self, condition, timeout: float = DELIVERY_TIMEOUT):
        """Long-polls until condition(bodies) is truthy (returned) or the deadline passes (then
        condition's last, falsy, value)."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition(self.bodies)
            remaining = deadline - time.monotonic()
            if value or remaining <= 0:
                return value
            self.receive(max(1, min(20, int(remaining))))


def event_of(body) -> dict:
    """The S3 event in a message: a Recorder message wraps it in {"event": ...}."""
    if isinstance(body, dict) and "event" in body and "function" in body:
        return body["event"]
    return body if isinstance(body, dict) else {}


def records_of(bodies, bucket: str) -> list[dict]:
    """The event records about `bucket`, in arrival order."""
    return [r for b in bodies for r in event_of(b).get("Records", [])
            if r.get("s3", {}).get("bucket", {}).get("name") == bucket]


def s3_test_events(bodies, bucket: str) -> list[dict]:
    return [event_of(b) for b in bodies if event_of(b).get("Event") == "s3:TestEvent"
            and event_of(b).get("Bucket") == bucket]


def encoded(key: str) -> str:
    """A key as S3 writes it in an event record: form URL-encoded, '/' kept ("a b" -> "a+b")."""
    return quote_plus(key, safe="/")


def sequencer_greater(a: str, b: str) -> bool:
    """AWS's rule for comparing sequencers of one key: right-pad the shorter with zeros, then
    compare the strings."""
    width = max(len(a), len(b))
    return a.ljust(width, "0").upper() > b.ljust(width, "0").upper()


def filter_rules(*rules) -> dict:
    return {"Key": {"FilterRules": [{"Name": n, "Value": v} for n, v in rules]}}


# ---- test cases --------------------------------------------------------------------------------
class NotificationTestCase(S3TestCase):
    """An emulator whose template has the sink queue and the functions above; boto3 S3 and SQS
    clients; helpers to wait for records."""

    TEMPLATE_TEXT = r'''
Globals:
  Function:
    Runtime: python3.12
    CodeUri: py/
    Timeout: 30
    Environment:
      Variables:
        SINK_URL: !Ref Sink
        OUT_DIR: {out_dir}
Resources:
  Sink:
    Type: AWS::SQS::Queue
    Properties: {{QueueName: s3n-sink}}
  Recorder:
    Type: AWS::Serverless::Function
    Properties: {{Handler: app.record}}
  Flaky:
    Type: AWS::Serverless::Function
    Properties: {{Handler: app.flaky}}
'''
    ARGS = ("--async-retry-delay", str(RETRY_DELAY))

    @classmethod
    def setUpClass(cls):
        cls.out_dir = tempfile.mkdtemp(prefix="lambda-local-s3n-")
        cls.TEMPLATE = cls.TEMPLATE_TEXT.format(out_dir=cls.out_dir)
        cls.FILES = FILES
        try:
            super().setUpClass()
        except BaseException:
            shutil.rmtree(cls.out_dir, ignore_errors=True)
            raise
        cls.sqs = cls.emu.client("sqs", read_timeout=60)
        if "Sink" in cls.TEMPLATE:
            cls.sink = Mailbox(cls.sqs, cls.sqs.get_queue_url(QueueName="s3n-sink")["QueueUrl"])

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            shutil.rmtree(cls.out_dir, ignore_errors=True)

    # ---- queues ------------------------------------------------------------------------------
    def queue(self, prefix: str = "s3n") -> tuple[str, str, Mailbox]:
        """A new uniquely named queue: (name, ARN, mailbox); deleted after the test."""
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.addCleanup(self._delete_queue_quietly, url)
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.assertEqual(arn, f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")
        return name, arn, Mailbox(self.sqs, url)

    def _delete_queue_quietly(self, url):
        try:
            self.sqs.delete_queue(QueueUrl=url)
        except Exception:
            pass

    # ---- notifications -----------------------------------------------------------------------
    def configure(self, bucket: str, **configuration) -> dict:
        return self.s3.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration=configuration)

    def lambda_config(self, function: str = "Recorder", events=("s3:ObjectCreated:*",), id_: str | None = None,
                      rules=()) -> dict:
        c = {"LambdaFunctionArn": function_arn(function), "Events": list(events)}
        if id_:
            c["Id"] = id_
        if rules:
            c["Filter"] = filter_rules(*rules)
        return c

    def queue_config(self, arn: str, events=("s3:ObjectCreated:*",), id_: str | None = None, rules=()) -> dict:
        c = {"QueueArn": arn, "Events": list(events)}
        if id_:
            c["Id"] = id_
        if rules:
            c["Filter"] = filter_rules(*rules)
        return c

    def wait_records(self, mailbox: Mailbox, bucket: str, wanted: list[tuple[str, str]]) -> list[dict]:
        """Waits until records for every (eventName, raw key) in `wanted` have arrived; returns all
        records about `bucket` so far. Fails with what did arrive if the deadline passes."""
        def have(bodies):
            got = {(r["eventName"], r["s3"]["object"]["key"]) for r in records_of(bodies, bucket)}
            return all((name, encoded(key)) in got for name, key in wanted)
        if not mailbox.wait(have):
            self.fail(f"no records for {wanted} in {bucket} after {DELIVERY_TIMEOUT}s; got "
                      f"{json.dumps(records_of(mailbox.bodies, bucket), indent=1)}\n"
                      + self.emu.describe_output(40))
        return records_of(mailbox.bodies, bucket)

    def only(self, records: list[dict], event_name: str, key: str) -> dict:
        """The one record for (event_name, key); fails if there are none or several."""
        mine = [r for r in records if r["eventName"] == event_name and r["s3"]["object"]["key"] == encoded(key)]
        self.assertEqual(len(mine), 1, f"expected one {event_name} record for {key!r}: {json.dumps(records, indent=1)}")
        return mine[0]

    # ---- the record, field by field ------------------------------------------------------------
    def assert_record(self, rec: dict, *, bucket: str, key: str, event_name: str, configuration_id: str | None,
                      response: dict | None = None, body: bytes | None = None, etag: str | None = None,
                      removed: bool = False):
        """AWS's event record, version 2.1 (S3 User Guide, "Event message structure"). `response`
        is the boto3 response of the request that caused the event."""
        dump = json.dumps(rec, indent=1)
        self.assertEqual(rec.get("eventVersion"), "2.1", dump)
        self.assertEqual(rec.get("eventSource"), "aws:s3", dump)
        self.assertEqual(rec.get("awsRegion"), REGION, dump)
        self.assertRegex(rec.get("eventTime", ""), EVENT_TIME, dump)
        when = datetime.strptime(rec["eventTime"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        # Ordered, not timed: after this module was loaded and not later than now.
        self.assertTrue(MODULE_LOADED <= when <= datetime.now(timezone.utc), "eventTime is not now: " + dump)
        self.assertEqual(rec.get("eventName"), event_name, dump)
        self.assertFalse(rec["eventName"].startswith("s3:"), dump)
        self.assertIsInstance(rec.get("userIdentity", {}).get("principalId"), str, dump)
        self.assertTrue(rec["userIdentity"]["principalId"], dump)
        self.assertEqual(rec.get("requestParameters", {}).get("sourceIPAddress"), "127.0.0.1", dump)
        elements = rec.get("responseElements", {})
        self.assertTrue(elements.get("x-amz-request-id"), dump)
        self.assertTrue(elements.get("x-amz-id-2"), dump)
        if response is not None:  # the ids of the request that caused the event
            self.assertEqual(elements["x-amz-request-id"], response["ResponseMetadata"]["RequestId"], dump)
            self.assertEqual(elements["x-amz-id-2"], response["ResponseMetadata"]["HostId"], dump)

        s3 = rec.get("s3", {})
        self.assertEqual(s3.get("s3SchemaVersion"), "1.0", dump)
        if configuration_id is None:
            self.assertIsInstance(s3.get("configurationId"), str, dump)
            self.assertTrue(s3["configurationId"], dump)
        else:
            self.assertEqual(s3.get("configurationId"), configuration_id, dump)
        b = s3.get("bucket", {})
        self.assertEqual(b.get("name"), bucket, dump)
        self.assertEqual(b.get("arn"), f"arn:aws:s3:::{bucket}", dump)
        self.assertIsInstance(b.get("ownerIdentity", {}).get("principalId"), str, dump)
        self.assertTrue(b["ownerIdentity"]["principalId"], dump)

        obj = s3.get("object", {})
        self.assertEqual(obj.get("key"), encoded(key), dump)
        self.assertIsInstance(obj.get("sequencer"), str, dump)
        self.assertRegex(obj["sequencer"], HEX, dump)
        if removed:
            self.assertNotIn("size", obj, dump)
            self.assertNotIn("eTag", obj, dump)
        else:
            if body is not None:
                self.assertEqual(obj.get("size"), len(body), dump)
                self.assertIsInstance(obj["size"], int, dump)
            if etag is None and body is not None:
                etag = hashlib.md5(body).hexdigest()
            if etag is not None:
                self.assertEqual(obj.get("eTag"), etag.strip('"'), dump)
            self.assertNotIn('"', obj.get("eTag", ""), dump)
        if response is not None and response.get("VersionId"):
            self.assertEqual(obj.get("versionId"), response["VersionId"], dump)
        elif response is not None:
            self.assertNotIn("versionId", obj, "an unversioned bucket's record has no versionId: " + dump)


class LambdaNotificationTest(NotificationTestCase):
    """LambdaFunctionConfigurations put through the API: the function is invoked asynchronously
    with AWS's record, once per matching event; keys outside the filter invoke nothing."""

    def test_matching_put_invokes_the_function_with_the_record(self):
        bucket = self.bucket("s3n-fn")
        self.configure(bucket, LambdaFunctionConfigurations=[
            self.lambda_config(id_="images-to-recorder", rules=[("prefix", "dir/"), ("suffix", ".jpg")])])

        # None of these match: wrong prefix, wrong suffix, prefix matching is case-sensitive, the
        # suffix must end the key.
        for key in ("other/a.jpg", "dir/a.png", "DIR/a.jpg", "dir/a.jpg.bak", "a.jpg"):
            self.put(bucket, key, b"not for the function")
        body = b"a red flower, in jpeg"
        response = self.put(bucket, "dir/red flower.jpg", body)
        records = self.wait_records(self.sink, bucket, [("ObjectCreated:Put", "dir/red flower.jpg")])
        rec = self.only(records, "ObjectCreated:Put", "dir/red flower.jpg")
        self.assert_record(rec, bucket=bucket, key="dir/red flower.jpg", event_name="ObjectCreated:Put",
                           configuration_id="images-to-recorder", response=response, body=body,
                           etag=response["ETag"])

        # A sentinel that matches: once it arrived, nothing else may have.
        self.put(bucket, "dir/sentinel.jpg", b"sentinel")
        records = self.wait_records(self.sink, bucket, [("ObjectCreated:Put", "dir/sentinel.jpg")])
        self.assertEqual(sorted(r["s3"]["object"]["key"] for r in records),
                         ["dir/red+flower.jpg", "dir/sentinel.jpg"], json.dumps(records, indent=1))
        # S3 sends its s3:TestEvent to queues and topics, never to functions.
        self.assertEqual(s3_test_events(self.sink.bodies, bucket), [])
        # One record per invocation, and the invocations came to Recorder.
        mine = [b for b in self.sink.bodies if records_of([b], bucket)]
        self.assertEqual(len(mine), 2)
        for b in mine:
            self.assertEqual(b["function"], "Recorder")
            self.assertEqual(len(b["event"]["Records"]), 1, b)
            self.assertEqual(list(b["event"]), ["Records"], b)

    def test_every_matching_put_is_delivered_and_sequencers_grow_per_key(self):
        bucket = self.bucket("s3n-seq")
        self.configure(bucket, LambdaFunctionConfigurations=[self.lambda_config(id_="all")])
        first = self.put(bucket, "same-key", b"one")
        self.wait_records(self.sink, bucket, [("ObjectCreated:Put", "same-key")])
        second = self.put(bucket, "same-key", b"two!")

        def both(bodies):
            return len([r for r in records_of(bodies, bucket) if r["s3"]["object"]["key"] == "same-key"]) >= 2
        self.assertTrue(self.sink.wait(both), json.dumps(records_of(self.sink.bodies, bucket), indent=1))
        recs = [r for r in records_of(self.sink.bodies, bucket)]
        by_request = {r["responseElements"]["x-amz-request-id"]: r for r in recs}
        r1 = by_request[first["ResponseMetadata"]["RequestId"]]
        r2 = by_request[second["ResponseMetadata"]["RequestId"]]
        self.assertEqual(r1["s3"]["object"]["size"], 3)
        self.assertEqual(r2["s3"]["object"]["size"], 4)
        self.assertTrue(sequencer_greater(r2["s3"]["object"]["sequencer"], r1["s3"]["object"]["sequencer"]),
                        (r1["s3"]["object"]["sequencer"], r2["s3"]["object"]["sequencer"]))

    def test_event_names_select_what_invokes(self):
        bucket = self.bucket("s3n-names")
        self.configure(bucket, LambdaFunctionConfigurations=[
            self.lambda_config(events=["s3:ObjectRemoved:Delete"], id_="removals")])
        self.put(bucket, "kept.txt", b"created: not a removal")
        self.put(bucket, "gone.txt", b"about to go")
        response = self.s3.delete_object(Bucket=bucket, Key="gone.txt")
        records = self.wait_records(self.sink, bucket, [("ObjectRemoved:Delete", "gone.txt")])
        self.assert_record(self.only(records, "ObjectRemoved:Delete", "gone.txt"), bucket=bucket, key="gone.txt",
                           event_name="ObjectRemoved:Delete", configuration_id="removals", response=response,
                           removed=True)
        self.assertEqual([r["eventName"] for r in records], ["ObjectRemoved:Delete"], json.dumps(records, indent=1))

    def test_invocations_are_asynchronous_and_retried(self):
        # Flaky fails the first attempt of every event: only Lambda's async retry gets it through.
        bucket = self.bucket("s3n-retry")
        self.configure(bucket, LambdaFunctionConfigurations=[self.lambda_config("Flaky", id_="flaky")])
        response = self.put(bucket, "retried.txt", b"x")
        records = self.wait_records(self.sink, bucket, [("ObjectCreated:Put", "retried.txt")])
        self.assert_record(self.only(records, "ObjectCreated:Put", "retried.txt"), bucket=bucket, key="retried.txt",
                           event_name="ObjectCreated:Put", configuration_id="flaky", response=response, body=b"x")
        self.assertEqual({b["function"] for b in self.sink.bodies if records_of([b], bucket)}, {"Flaky"})

    def test_a_function_and_a_queue_on_one_bucket(self):
        bucket = self.bucket("s3n-both")
        _, arn, box = self.queue()
        self.configure(bucket,
                       LambdaFunctionConfigurations=[self.lambda_config(id_="fn", rules=[("prefix", "fn/")])],
                       QueueConfigurations=[self.queue_config(arn, id_="q", rules=[("prefix", "q/")])])
        self.put(bucket, "fn/a", b"1")
        self.put(bucket, "q/b", b"2")
        fn_records = self.wait_records(self.sink, bucket, [("ObjectCreated:Put", "fn/a")])
        q_records = self.wait_records(box, bucket, [("ObjectCreated:Put", "q/b")])
        self.assertEqual([(r["s3"]["configurationId"], r["s3"]["object"]["key"]) for r in q_records], [("q", "q/b")])
        self.assertIn(("fn", "fn/a"), [(r["s3"]["configurationId"], r["s3"]["object"]["key"]) for r in fn_records])
        self.assertNotIn("q/b", [r["s3"]["object"]["key"] for r in fn_records])


class QueueNotificationTest(NotificationTestCase):
    """QueueConfigurations: the s3:TestEvent message when configured, then one message per event
    for puts, copies, multipart completions and deletes."""

    def configured_queue(self, bucket: str, events=("s3:ObjectCreated:*", "s3:ObjectRemoved:*"), id_="to-queue",
                         rules=()) -> Mailbox:
        _, arn, box = self.queue()
        self.configure(bucket, QueueConfigurations=[self.queue_config(arn, events, id_, rules)])
        return box

    def test_the_test_event_comes_first(self):
        bucket = self.bucket("s3n-test-event")
        _, arn, box = self.queue()
        self.configure(bucket, QueueConfigurations=[self.queue_config(arn, id_="q")])
        self.assertTrue(box.wait(lambda bodies: s3_test_events(bodies, bucket)), box.bodies)
        self.assertEqual(len(box.bodies), 1, box.bodies)
        message = box.bodies[0]
        self.assertEqual(set(message), {"Service", "Event", "Time", "Bucket", "RequestId", "HostId"}, message)
        self.assertEqual(message["Service"], "Amazon S3")
        self.assertEqual(message["Event"], "s3:TestEvent")
        self.assertEqual(message["Bucket"], bucket)
        self.assertRegex(message["Time"], EVENT_TIME)
        self.assertTrue(message["RequestId"])
        self.assertTrue(message["HostId"])

    def test_put_and_delete(self):
        bucket = self.bucket("s3n-q")
        box = self.configured_queue(bucket)
        self.assertTrue(box.wait(lambda bodies: s3_test_events(bodies, bucket)), box.bodies)

        key = "logs/year=2024/a b+c.txt"  # "=" -> %3D, " " -> +, "+" -> %2B, "/" kept
        body = b"a line of log\n"
        put = self.put(bucket, key, body)
        delete = self.s3.delete_object(Bucket=bucket, Key=key)
        records = self.wait_records(box, bucket, [("ObjectCreated:Put", key), ("ObjectRemoved:Delete", key)])
        created = self.only(records, "ObjectCreated:Put", key)
        removed = self.only(records, "ObjectRemoved:Delete", key)
        self.assertEqual(created["s3"]["object"]["key"], "logs/year%3D2024/a+b%2Bc.txt")
        self.assert_record(created, bucket=bucket, key=key, event_name="ObjectCreated:Put",
                           configuration_id="to-queue", response=put, body=body, etag=put["ETag"])
        self.assert_record(removed, bucket=bucket, key=key, event_name="ObjectRemoved:Delete",
                           configuration_id="to-queue", response=delete, removed=True)
        self.assertTrue(sequencer_greater(removed["s3"]["object"]["sequencer"], created["s3"]["object"]["sequencer"]),
                        (created["s3"]["object"]["sequencer"], removed["s3"]["object"]["sequencer"]))
        # One record per message, nothing else in the message.
        for b in box.bodies:
            if "Records" in b:
                self.assertEqual(list(b), ["Records"], b)
                self.assertEqual(len(b["Records"]), 1, b)

    def test_copy_object(self):
        bucket = self.bucket("s3n-copy")
        self.put(bucket, "source.txt", b"copied bytes")
        box = self.configured_queue(bucket, events=["s3:ObjectCreated:Copy"], id_="copies")
        copy = self.s3.copy_object(Bucket=bucket, Key="copy of source.txt",
                                   CopySource={"Bucket": bucket, "Key": "source.txt"})
        self.put(bucket, "put, not copied", b"x")  # ObjectCreated:Put: not for this configuration
        records = self.wait_records(box, bucket, [("ObjectCreated:Copy", "copy of source.txt")])
        self.assert_record(self.only(records, "ObjectCreated:Copy", "copy of source.txt"), bucket=bucket,
                           key="copy of source.txt", event_name="ObjectCreated:Copy", configuration_id="copies",
                           response=copy, body=b"copied bytes", etag=copy["CopyObjectResult"]["ETag"])
        # Sentinel: a second copy; then nothing but the two copies arrived.
        self.s3.copy_object(Bucket=bucket, Key="sentinel", CopySource={"Bucket": bucket, "Key": "source.txt"})
        records = self.wait_records(box, bucket, [("ObjectCreated:Copy", "sentinel")])
        self.assertEqual(sorted(r["s3"]["object"]["key"] for r in records), ["copy+of+source.txt", "sentinel"])

    def test_complete_multipart_upload(self):
        bucket = self.bucket("s3n-mpu")
        box = self.configured_queue(bucket, id_="uploads")
        key = "big/upload.bin"
        part = os.urandom(1024)
        upload = self.s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        etag = self.s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=1, Body=part)["ETag"]
        done = self.s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": etag}]})
        expected_etag = hashlib.md5(hashlib.md5(part).digest()).hexdigest() + "-1"
        self.assertEqual(done["ETag"].strip('"'), expected_etag)
        # Sentinel: a plain put after the upload.
        self.put(bucket, "sentinel", b"s")
        records = self.wait_records(box, bucket, [("ObjectCreated:CompleteMultipartUpload", key),
                                                  ("ObjectCreated:Put", "sentinel")])
        self.assert_record(self.only(records, "ObjectCreated:CompleteMultipartUpload", key), bucket=bucket, key=key,
                           event_name="ObjectCreated:CompleteMultipartUpload", configuration_id="uploads",
                           response=done, body=part, etag=expected_etag)
        # Creating the upload and uploading a part create no object: no records for them.
        self.assertEqual(sorted((r["eventName"], r["s3"]["object"]["key"]) for r in records),
                         [("ObjectCreated:CompleteMultipartUpload", key), ("ObjectCreated:Put", "sentinel")])

    def test_delete_objects_sends_one_record_per_key(self):
        bucket = self.bucket("s3n-batch")
        keys = ["batch/1", "batch/2", "batch/three 3"]
        for k in keys:
            self.put(bucket, k, b"x")
        box = self.configured_queue(bucket, events=["s3:ObjectRemoved:*"], id_="removals")
        self.s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True})
        records = self.wait_records(box, bucket, [("ObjectRemoved:Delete", k) for k in keys])
        for k in keys:
            self.assert_record(self.only(records, "ObjectRemoved:Delete", k), bucket=bucket, key=k,
                               event_name="ObjectRemoved:Delete", configuration_id="removals", removed=True)

    def test_prefix_and_suffix_filter(self):
        bucket = self.bucket("s3n-filter")
        box = self.configured_queue(bucket, id_="csv", rules=[("prefix", "in/"), ("suffix", ".csv")])
        for key in ("out/a.csv", "in/a.txt", "In/a.csv", "in/a.csv.tmp"):
            self.put(bucket, key, b"no")
        self.put(bucket, "in/a.csv", b"yes")
        self.put(bucket, "in/deeper/b.csv", b"yes")
        records = self.wait_records(box, bucket, [("ObjectCreated:Put", "in/a.csv"),
                                                  ("ObjectCreated:Put", "in/deeper/b.csv")])
        self.assertEqual(sorted(r["s3"]["object"]["key"] for r in records), ["in/a.csv", "in/deeper/b.csv"])

    def test_versioned_bucket_records_carry_version_ids(self):
        bucket = self.bucket("s3n-versions")
        self.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        box = self.configured_queue(bucket, id_="versions")
        put = self.put(bucket, "doc.txt", b"v1")
        self.assertTrue(put.get("VersionId"), put)
        delete = self.s3.delete_object(Bucket=bucket, Key="doc.txt")  # no version id: a delete marker
        self.assertTrue(delete.get("DeleteMarker"), delete)
        records = self.wait_records(box, bucket, [("ObjectCreated:Put", "doc.txt"),
                                                  ("ObjectRemoved:DeleteMarkerCreated", "doc.txt")])
        self.assert_record(self.only(records, "ObjectCreated:Put", "doc.txt"), bucket=bucket, key="doc.txt",
                           event_name="ObjectCreated:Put", configuration_id="versions", response=put, body=b"v1")
        marker = self.only(records, "ObjectRemoved:DeleteMarkerCreated", "doc.txt")
        self.assert_record(marker, bucket=bucket, key="doc.txt", event_name="ObjectRemoved:DeleteMarkerCreated",
                           configuration_id="versions", response=delete, removed=True)

    def test_an_empty_configuration_disables_delivery(self):
        bucket = self.bucket("s3n-off")
        other = self.bucket("s3n-on")
        _, arn, box = self.queue()
        self.configure(bucket, QueueConfigurations=[self.queue_config(arn, id_="off")])
        self.configure(other, QueueConfigurations=[self.queue_config(arn, id_="on")])
        self.put(bucket, "before", b"1")
        self.wait_records(box, bucket, [("ObjectCreated:Put", "before")])

        self.s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
        got = self.s3.get_bucket_notification_configuration(Bucket=bucket)
        got.pop("ResponseMetadata")
        self.assertEqual(got, {})
        self.put(bucket, "after", b"2")
        self.put(other, "sentinel", b"3")  # still configured: its record shows the queue is served
        self.wait_records(box, other, [("ObjectCreated:Put", "sentinel")])
        self.assertEqual([r["s3"]["object"]["key"] for r in records_of(box.bodies, bucket)], ["before"])


class NotificationConfigurationTest(NotificationTestCase):
    """GetBucketNotificationConfiguration returns what was put, as AWS writes it."""

    def test_round_trip(self):
        bucket = self.bucket("s3n-get")
        _, arn, _ = self.queue()
        self.assertEqual({k: v for k, v in self.s3.get_bucket_notification_configuration(Bucket=bucket).items()
                          if k != "ResponseMetadata"}, {})
        queue_cfg = self.queue_config(arn, ["s3:ObjectRemoved:*"], "logs-removed",
                                      [("prefix", "logs/"), ("suffix", ".gz")])
        lambda_cfg = self.lambda_config(events=["s3:ObjectCreated:Put", "s3:ObjectCreated:Copy"], id_="images",
                                        rules=[("Prefix", "img/")])
        self.configure(bucket, QueueConfigurations=[queue_cfg], LambdaFunctionConfigurations=[lambda_cfg])
        got = self.s3.get_bucket_notification_configuration(Bucket=bucket)
        got.pop("ResponseMetadata")
        self.assertEqual(got, {
            "QueueConfigurations": [{
                "Id": "logs-removed", "QueueArn": arn, "Events": ["s3:ObjectRemoved:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "logs/"},
                                                   {"Name": "Suffix", "Value": ".gz"}]}}}],
            "LambdaFunctionConfigurations": [{
                "Id": "images", "LambdaFunctionArn": function_arn("Recorder"),
                "Events": ["s3:ObjectCreated:Put", "s3:ObjectCreated:Copy"],
                "Filter": {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "img/"}]}}}],
        })

    def test_a_put_replaces_the_whole_configuration(self):
        bucket = self.bucket("s3n-replace")
        _, arn, _ = self.queue()
        self.configure(bucket, QueueConfigurations=[self.queue_config(arn, id_="first")])
        self.configure(bucket, LambdaFunctionConfigurations=[self.lambda_config(id_="second")])
        got = self.s3.get_bucket_notification_configuration(Bucket=bucket)
        self.assertNotIn("QueueConfigurations", got)
        self.assertEqual([c["Id"] for c in got["LambdaFunctionConfigurations"]], ["second"])

    def test_a_missing_id_is_generated(self):
        bucket = self.bucket("s3n-noid")
        self.configure(bucket, LambdaFunctionConfigurations=[self.lambda_config()])
        got = self.s3.get_bucket_notification_configuration(Bucket=bucket)
        [cfg] = got["LambdaFunctionConfigurations"]
        self.assertIsInstance(cfg.get("Id"), str, got)
        self.assertTrue(cfg["Id"], got)
        self.assertEqual(cfg["LambdaFunctionArn"], function_arn("Recorder"))
        self.assertNotIn("Filter", cfg)
        # The generated Id is the record's configurationId.
        response = self.put(bucket, "k", b"v")
        records = self.wait_records(self.sink, bucket, [("ObjectCreated:Put", "k")])
        self.assert_record(self.only(records, "ObjectCreated:Put", "k"), bucket=bucket, key="k",
                           event_name="ObjectCreated:Put", configuration_id=cfg["Id"], response=response, body=b"v")

    def test_event_bridge_configuration_is_kept(self):
        bucket = self.bucket("s3n-eb")
        self.configure(bucket, EventBridgeConfiguration={})
        got = self.s3.get_bucket_notification_configuration(Bucket=bucket)
        self.assertEqual(got.get("EventBridgeConfiguration"), {}, got)

    def test_a_missing_bucket(self):
        name = unique_bucket("s3n-missing")
        self.assert_s3_error(self.s3.get_bucket_notification_configuration, "NoSuchBucket", 404, Bucket=name)
        self.assert_s3_error(self.s3.put_bucket_notification_configuration, "NoSuchBucket", 404, Bucket=name,
                             NotificationConfiguration={})


class NotificationValidationTest(NotificationTestCase):
    """Bad configurations get S3's error and change nothing."""

    def setUp(self):
        self.bucket_name = self.bucket("s3n-bad")
        _, self.queue_arn, self.box = self.queue()
        # A valid configuration first: every rejected put below must leave it in place.
        self.configure(self.bucket_name, QueueConfigurations=[self.queue_config(self.queue_arn, id_="valid")])

    def tearDown(self):
        got = self.s3.get_bucket_notification_configuration(Bucket=self.bucket_name)
        self.assertEqual([c["Id"] for c in got.get("QueueConfigurations", [])], ["valid"],
                         "a rejected configuration changed the bucket's configuration")
        self.assertNotIn("LambdaFunctionConfigurations", got)

    def rejected(self, code: str = "InvalidArgument", message: str | None = None, **configuration):
        return self.assert_s3_error(self.s3.put_bucket_notification_configuration, code, 400,
                                    Bucket=self.bucket_name, NotificationConfiguration=configuration,
                                    message=message)

    def test_unknown_event_name(self):
        self.rejected(QueueConfigurations=[self.queue_config(self.queue_arn, ["s3:ObjectCreated:Bogus"])])
        self.rejected(LambdaFunctionConfigurations=[self.lambda_config(events=["ObjectCreated:Put"])])

    def test_a_queue_that_does_not_exist(self):
        missing = f"arn:aws:sqs:{REGION}:{ACCOUNT}:no-such-queue-{uuid.uuid4().hex[:8]}"
        e = self.rejected(message=DESTINATION_MESSAGE, QueueConfigurations=[self.queue_config(missing)])
        # Each rejected destination is named in ArgumentName1, 2, ... with the reason beside it.
        self.assertEqual(e.response["Error"].get("ArgumentName1"), missing, e.response)
        self.assertTrue(e.response["Error"].get("ArgumentValue1"), e.response)

    def test_a_function_that_does_not_exist(self):
        missing = f"no-such-function-{uuid.uuid4().hex[:8]}"
        e = self.rejected(message=DESTINATION_MESSAGE, LambdaFunctionConfigurations=[self.lambda_config(missing)])
        # As S3 words it (seen in real answers, e.g. awslabs/aws-lambda-redshift-loader#219): the
        # ARN followed by ", null", and a missing function reads as a missing permission.
        self.assertEqual(e.response["Error"].get("ArgumentName1"), function_arn(missing) + ", null", e.response)
        self.assertEqual(e.response["Error"].get("ArgumentValue1"),
                         f"Not authorized to invoke function [{function_arn(missing)}]", e.response)

    def test_every_missing_destination_is_named(self):
        missing_queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:no-such-queue-{uuid.uuid4().hex[:8]}"
        missing_function = f"no-such-function-{uuid.uuid4().hex[:8]}"
        e = self.rejected(message=DESTINATION_MESSAGE,
                          QueueConfigurations=[self.queue_config(missing_queue, rules=[("prefix", "q/")])],
                          LambdaFunctionConfigurations=[self.lambda_config(missing_function, rules=[("prefix", "f/")])])
        error = e.response["Error"]
        named = {error.get("ArgumentName1"), error.get("ArgumentName2")}
        self.assertEqual(named, {missing_queue, function_arn(missing_function) + ", null"}, e.response)

    def test_skip_destination_validation(self):
        other = self.bucket("s3n-skip")
        missing = f"arn:aws:sqs:{REGION}:{ACCOUNT}:no-such-queue-{uuid.uuid4().hex[:8]}"
        self.s3.put_bucket_notification_configuration(
            Bucket=other, SkipDestinationValidation=True,
            NotificationConfiguration={"QueueConfigurations": [self.queue_config(missing, id_="later")]})
        got = self.s3.get_bucket_notification_configuration(Bucket=other)
        self.assertEqual([(c["Id"], c["QueueArn"]) for c in got["QueueConfigurations"]], [("later", missing)])

    def test_malformed_xml(self):
        for body in (b"<NotificationConfiguration><QueueConfiguration>",
                     b"not xml at all",
                     b"<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                     b"<QueueConfiguration><Queue>x</Queue></NotificationConfiguration>"):
            with self.subTest(body=body):
                reply = self.raw("PUT", f"/{self.bucket_name}?notification", body,
                                 headers={"Content-Type": "application/xml"})
                self.assert_raw_error(reply, "MalformedXML", 400)

    def test_overlapping_configurations(self):
        lam = lambda **kw: self.lambda_config(**kw)  # noqa: E731
        que = lambda **kw: self.queue_config(self.queue_arn, **kw)  # noqa: E731
        overlapping = {
            "same event, no filters": dict(QueueConfigurations=[que()], LambdaFunctionConfigurations=[lam()]),
            "a wildcard and one of its events": dict(
                LambdaFunctionConfigurations=[lam(events=["s3:ObjectCreated:*"]),
                                              lam(function="Flaky", events=["s3:ObjectCreated:Put"])]),
            "nested prefixes": dict(QueueConfigurations=[que(rules=[("prefix", "images/")])],
                                    LambdaFunctionConfigurations=[lam(rules=[("prefix", "images/2024/")])]),
            "a prefix and a suffix that one key can both have": dict(
                QueueConfigurations=[que(rules=[("prefix", "images/")])],
                LambdaFunctionConfigurations=[lam(rules=[("suffix", ".jpg")])]),
        }
        for what, configuration in overlapping.items():
            with self.subTest(what):
                self.rejected(**configuration)

    def test_configurations_that_do_not_overlap_are_accepted(self):
        other = self.bucket("s3n-disjoint")
        for what, configuration in {
            "different prefixes": dict(
                QueueConfigurations=[self.queue_config(self.queue_arn, rules=[("prefix", "a/")])],
                LambdaFunctionConfigurations=[self.lambda_config(rules=[("prefix", "b/")])]),
            "different event types": dict(
                QueueConfigurations=[self.queue_config(self.queue_arn, ["s3:ObjectRemoved:*"])],
                LambdaFunctionConfigurations=[self.lambda_config(events=["s3:ObjectCreated:*"])]),
            "different suffixes": dict(
                QueueConfigurations=[self.queue_config(self.queue_arn, rules=[("suffix", ".png")])],
                LambdaFunctionConfigurations=[self.lambda_config(rules=[("suffix", ".jpg")])]),
        }.items():
            with self.subTest(what):
                self.configure(other, **configuration)

    def test_bad_filters(self):
        cases = {
            "two prefix rules": [("prefix", "a/"), ("prefix", "b/")],
            "two suffix rules": [("suffix", ".a"), ("suffix", ".b")],
            "an unknown rule name": [("middle", "x")],
        }
        for what, rules in cases.items():
            with self.subTest(what):
                self.rejected(QueueConfigurations=[self.queue_config(self.queue_arn, rules=rules)])

    def test_an_arn_of_the_wrong_kind(self):
        self.rejected(QueueConfigurations=[self.queue_config(function_arn("Recorder"))])
        self.rejected(LambdaFunctionConfigurations=[{"LambdaFunctionArn": "not-an-arn",
                                                     "Events": ["s3:ObjectCreated:*"]}])


# ---- the template ------------------------------------------------------------------------------
class SamS3EventTest(NotificationTestCase):
    """AWS::S3::Bucket resources are created at start; SAM `Events: Type: S3` wires the bucket's
    notification to the function."""

    TEMPLATE_TEXT = r'''
Globals:
  Function:
    Runtime: python3.12
    CodeUri: py/
    Handler: app.record
    Timeout: 30
    Environment:
      Variables:
        SINK_URL: !Ref Sink
        OUT_DIR: {out_dir}
Resources:
  Sink:
    Type: AWS::SQS::Queue
    Properties: {{QueueName: s3n-sink}}
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "uploads-${{AWS::AccountId}}"
  OnUpload:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
            Filter:
              S3Key:
                Rules:
                  - Name: prefix
                    Value: incoming/
  OnRemove:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Removal:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: [s3:ObjectRemoved:*]
            Filter: {{S3Key: {{Rules: [{{Name: suffix, Value: .log}}]}}}}
'''
    BUCKET = f"uploads-{ACCOUNT}"

    def test_the_bucket_exists_at_start(self):
        self.assertEqual(http_status(self.s3.head_bucket(Bucket=self.BUCKET)), 200)
        self.assertIn(self.BUCKET, [b["Name"] for b in self.s3.list_buckets()["Buckets"]])

    def test_a_put_under_the_prefix_invokes_the_function(self):
        for key in ("elsewhere/a.txt", "Incoming/b.txt", "incoming"):
            self.put(self.BUCKET, key, b"not for OnUpload")
        body = b"uploaded"
        response = self.put(self.BUCKET, "incoming/new file.txt", body)
        records = self.wait_records(self.sink, self.BUCKET, [("ObjectCreated:Put", "incoming/new file.txt")])
        self.assert_record(self.only(records, "ObjectCreated:Put", "incoming/new file.txt"), bucket=self.BUCKET,
                           key="incoming/new file.txt", event_name="ObjectCreated:Put", configuration_id=None,
                           response=response, body=body)
        # Sentinel: then nothing from outside incoming/ arrived.
        self.put(self.BUCKET, "incoming/sentinel", b"s")
        records = self.wait_records(self.sink, self.BUCKET, [("ObjectCreated:Put", "incoming/sentinel")])
        created = sorted(r["s3"]["object"]["key"] for r in records if r["eventName"].startswith("ObjectCreated"))
        self.assertEqual(created, ["incoming/new+file.txt", "incoming/sentinel"])
        self.assertEqual({b["function"] for b in self.sink.bodies
                          if any(r["eventName"].startswith("ObjectCreated") for r in records_of([b], self.BUCKET))},
                         {"OnUpload"})

    def test_an_events_list_and_a_suffix_filter(self):
        self.put(self.BUCKET, "app/today.log", b"log")
        self.put(self.BUCKET, "app/today.txt", b"txt")
        self.s3.delete_object(Bucket=self.BUCKET, Key="app/today.txt")  # not .log
        delete = self.s3.delete_object(Bucket=self.BUCKET, Key="app/today.log")
        records = self.wait_records(self.sink, self.BUCKET, [("ObjectRemoved:Delete", "app/today.log")])
        self.assert_record(self.only(records, "ObjectRemoved:Delete", "app/today.log"), bucket=self.BUCKET,
                           key="app/today.log", event_name="ObjectRemoved:Delete", configuration_id=None,
                           response=delete, removed=True)
        self.assertEqual({b["function"] for b in self.sink.bodies
                          if any(r["s3"]["object"]["key"] == "app/today.log" for r in records_of([b], self.BUCKET))},
                         {"OnRemove"})
        self.assertNotIn("app/today.txt", [r["s3"]["object"]["key"] for r in records_of(self.sink.bodies, self.BUCKET)])

    def test_the_configuration_is_visible_through_the_api(self):
        got = self.s3.get_bucket_notification_configuration(Bucket=self.BUCKET)
        configs = {c["LambdaFunctionArn"]: c for c in got.get("LambdaFunctionConfigurations", [])}
        self.assertEqual(set(configs), {function_arn("OnUpload"), function_arn("OnRemove")}, got)
        upload = configs[function_arn("OnUpload")]
        self.assertEqual(upload["Events"], ["s3:ObjectCreated:*"])
        self.assertEqual(upload["Filter"], {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "incoming/"}]}})
        self.assertTrue(upload["Id"])
        remove = configs[function_arn("OnRemove")]
        self.assertEqual(remove["Events"], ["s3:ObjectRemoved:*"])
        self.assertEqual(remove["Filter"], {"Key": {"FilterRules": [{"Name": "Suffix", "Value": ".log"}]}})


class BucketResourceTest(NotificationTestCase):
    """AWS::S3::Bucket: a generated name when BucketName is absent; `!Ref` is the name and
    `!GetAtt` gives Arn, DomainName and RegionalDomainName."""

    TEMPLATE_TEXT = r'''
Resources:
  GeneratedBucket:
    Type: AWS::S3::Bucket
  Named:
    Type: AWS::S3::Bucket
    Properties: {{BucketName: named-bucket-for-env}}
  Environment:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: py/
      Handler: app.environment
      Environment:
        Variables:
          NAMED_REF: !Ref Named
          NAMED_ARN: !GetAtt Named.Arn
          NAMED_DOMAIN: !GetAtt Named.DomainName
          NAMED_REGIONAL_DOMAIN: !GetAtt Named.RegionalDomainName
          GENERATED_REF: !Ref GeneratedBucket
          GENERATED_ARN: !GetAtt GeneratedBucket.Arn
          OUT_DIR: {out_dir}
'''

    def generated_name(self) -> str:
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"] if "generatedbucket" in b["Name"]]
        self.assertEqual(len(names), 1, self.s3.list_buckets()["Buckets"])
        return names[0]

    def test_a_bucket_without_a_name_gets_a_generated_lowercase_one(self):
        name = self.generated_name()
        self.assertRegex(name, BUCKET_NAME)
        self.assertEqual(name, name.lower())
        self.assertLessEqual(len(name), 63)
        self.assertEqual(http_status(self.s3.head_bucket(Bucket=name)), 200)
        self.put(name, "usable", b"yes")
        self.assertEqual(self.get_bytes(name, "usable"), b"yes")

    def test_ref_and_get_att_in_environment_variables(self):
        env = self.invoke_json("Environment", {})
        self.assertEqual(env["NAMED_REF"], "named-bucket-for-env")
        self.assertEqual(env["NAMED_ARN"], "arn:aws:s3:::named-bucket-for-env")
        self.assertTrue(env["NAMED_DOMAIN"].startswith("named-bucket-for-env.s3."), env["NAMED_DOMAIN"])
        self.assertTrue(env["NAMED_REGIONAL_DOMAIN"].startswith("named-bucket-for-env.s3."),
                        env["NAMED_REGIONAL_DOMAIN"])
        generated = self.generated_name()
        self.assertEqual(env["GENERATED_REF"], generated)
        self.assertEqual(env["GENERATED_ARN"], f"arn:aws:s3:::{generated}")
        self.assertEqual(http_status(self.s3.head_bucket(Bucket="named-bucket-for-env")), 200)


class BucketNotificationConfigurationResourceTest(NotificationTestCase):
    """AWS::S3::Bucket's own NotificationConfiguration (CloudFormation's shape: LambdaConfigurations
    / QueueConfigurations with Event, Function / Queue, Filter.S3Key.Rules), VersioningConfiguration
    and Tags."""

    TEMPLATE_TEXT = r'''
Resources:
  Sink:
    Type: AWS::SQS::Queue
    Properties: {{QueueName: s3n-sink}}
  Reports:
    Type: AWS::SQS::Queue
    Properties: {{QueueName: s3n-reports}}
  Recorder:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: py/
      Handler: app.record
      Environment:
        Variables:
          SINK_URL: !Ref Sink
          OUT_DIR: {out_dir}
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: data-bucket
      VersioningConfiguration: {{Status: Enabled}}
      Tags:
        - {{Key: team, Value: pipelines}}
      NotificationConfiguration:
        QueueConfigurations:
          - Event: s3:ObjectCreated:*
            Queue: !GetAtt Reports.Arn
            Filter: {{S3Key: {{Rules: [{{Name: suffix, Value: .csv}}]}}}}
        LambdaConfigurations:
          - Event: s3:ObjectCreated:*
            Function: !GetAtt Recorder.Arn
            Filter: {{S3Key: {{Rules: [{{Name: suffix, Value: .json}}]}}}}
'''

    def test_deliveries_to_the_queue_and_the_function(self):
        reports = Mailbox(self.sqs, self.sqs.get_queue_url(QueueName="s3n-reports")["QueueUrl"])
        csv = self.put("data-bucket", "daily/report.csv", b"a,b\n1,2\n")
        js = self.put("data-bucket", "daily/report.json", b"{}")
        q_records = self.wait_records(reports, "data-bucket", [("ObjectCreated:Put", "daily/report.csv")])
        self.assert_record(self.only(q_records, "ObjectCreated:Put", "daily/report.csv"), bucket="data-bucket",
                           key="daily/report.csv", event_name="ObjectCreated:Put", configuration_id=None,
                           response=csv, body=b"a,b\n1,2\n")
        f_records = self.wait_records(self.sink, "data-bucket", [("ObjectCreated:Put", "daily/report.json")])
        self.assert_record(self.only(f_records, "ObjectCreated:Put", "daily/report.json"), bucket="data-bucket",
                           key="daily/report.json", event_name="ObjectCreated:Put", configuration_id=None,
                           response=js, body=b"{}")
        self.assertNotIn("daily/report.json", [r["s3"]["object"]["key"] for r in q_records])

    def test_versioning_and_tags(self):
        self.assertEqual(self.s3.get_bucket_versioning(Bucket="data-bucket").get("Status"), "Enabled")
        self.assertEqual(self.s3.get_bucket_tagging(Bucket="data-bucket")["TagSet"],
                         [{"Key": "team", "Value": "pipelines"}])


class ThumbnailPipelineTest(NotificationTestCase):
    """Put a file, the function runs, its result lands in another bucket: the function reads the
    object and writes a copy with its own S3 client (AWS_ENDPOINT_URL, path-style)."""

    TEMPLATE_TEXT = r'''
Resources:
  Inbox:
    Type: AWS::S3::Bucket
    Properties: {{BucketName: pipeline-inbox}}
  Outbox:
    Type: AWS::S3::Bucket
    Properties: {{BucketName: pipeline-outbox}}
  Thumbnail:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: py/
      Handler: app.thumbnail
      Timeout: 30
      Environment:
        Variables:
          OUT_BUCKET: !Ref Outbox
          OUT_DIR: {out_dir}
      Events:
        NewPhoto:
          Type: S3
          Properties:
            Bucket: !Ref Inbox
            Events: s3:ObjectCreated:*
            Filter: {{S3Key: {{Rules: [{{Name: prefix, Value: photos/}}]}}}}
'''

    def wait_for_object(self, bucket: str, key: str):
        waiter = self.s3.get_waiter("object_exists")
        try:
            waiter.wait(Bucket=bucket, Key=key,
                        WaiterConfig={"Delay": 0.2, "MaxAttempts": int(DELIVERY_TIMEOUT / 0.2)})
        except Exception as e:
            self.fail(f"{bucket}/{key} never appeared: {e}\n" + self.emu.describe_output(40))

    def test_put_a_file_and_the_result_lands_in_the_other_bucket(self):
        for key, body in (("photos/cat picture.txt", b"a small cat"),
                          ("photos/2024/dog+friends.txt", b"two dogs")):
            with self.subTest(key):
                self.put("pipeline-inbox", key, body)
                self.wait_for_object("pipeline-outbox", "thumbs/" + key)
                got = self.s3.get_object(Bucket="pipeline-outbox", Key="thumbs/" + key)
                self.assertEqual(got["Body"].read(), body.upper())
                self.assertEqual(got["Metadata"], {"source": f"pipeline-inbox/{key}"})

    def test_multipart_uploads_run_the_pipeline_too(self):
        key = "photos/multipart.txt"
        parts = [b"p" * (5 * 1024 * 1024), b"last part"]
        upload = self.s3.create_multipart_upload(Bucket="pipeline-inbox", Key=key)["UploadId"]
        etags = [self.s3.upload_part(Bucket="pipeline-inbox", Key=key, UploadId=upload, PartNumber=n + 1,
                                     Body=p)["ETag"] for n, p in enumerate(parts)]
        self.s3.complete_multipart_upload(Bucket="pipeline-inbox", Key=key, UploadId=upload, MultipartUpload={
            "Parts": [{"PartNumber": n + 1, "ETag": e} for n, e in enumerate(etags)]})
        self.wait_for_object("pipeline-outbox", "thumbs/" + key)
        self.assertEqual(self.get_bytes("pipeline-outbox", "thumbs/" + key), b"".join(parts).upper())

    def test_objects_outside_the_prefix_are_left_alone(self):
        self.put("pipeline-inbox", "documents/readme.txt", b"not a photo")
        self.put("pipeline-inbox", "photos/sentinel.txt", b"sentinel")
        self.wait_for_object("pipeline-outbox", "thumbs/photos/sentinel.txt")
        self.assertNotIn("thumbs/documents/readme.txt", self.keys("pipeline-outbox"))


if __name__ == "__main__":
    import unittest
    unittest.main()
