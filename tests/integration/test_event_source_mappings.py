"""SQS event source mappings: from the template (`Events: Type: SQS` and
AWS::Lambda::EventSourceMapping, with AWS::SQS::Queue resources created at start) and through the
Lambda API (Create/Get/List/Update/DeleteEventSourceMapping). The SQS -> Lambda record shape,
deletion on success, redrive to the queue's DLQ after function errors, timeouts and crashes,
ReportBatchItemFailures, filters, batching and batching windows, FIFO order, MaximumConcurrency,
and disabling / enabling / deleting a mapping while messages flow.

Every invocation of the test function writes its event to OUT_DIR/<token>.start.json before it
acts on the bodies (`fail-*` raises, `timeout-*` sleeps past the timeout, `crash-*` exits,
`report-*` is reported in batchItemFailures, `badreport-*` reports an unknown id, `null-*` makes
the function return null, `sleep-*` sleeps 0.5 s) and OUT_DIR/<token>.end.json when it returns."""
import base64
import json
import os
import shutil
import tempfile
import threading
import time
import uuid

from .harness import ACCOUNT, REGION, error_code, function_arn, http_status
from .sqs_support import SqsTestCase, md5_hex, message_attributes_md5, queue_arn, unique_queue, wait_for

DELIVERY_TIMEOUT = 20  # a bound on polling only

ESM_APP = r'''
import json, os, sys, time, uuid

OUT_DIR = os.environ["OUT_DIR"]


def _write(name, data):
    path = os.path.join(OUT_DIR, name)
    with open(path + ".tmp", "w") as f:
        json.dump(data, f)
    os.rename(path + ".tmp", path)


def handler(event, context):
    token = "%.6f-%s" % (time.time(), uuid.uuid4().hex)
    _write(token + ".start.json", {"requestId": context.aws_request_id, "function": context.function_name,
                                   "started": time.time(), "pid": os.getpid(), "event": event})
    failures = []
    respond_null = False
    for record in event.get("Records", []):
        kind = record.get("body", "").split("-", 1)[0]
        if kind == "fail":
            raise ValueError("asked to fail: " + record["body"])
        if kind == "timeout":
            time.sleep(30)
        if kind == "crash":
            sys.stdout.flush()
            os._exit(3)
        if kind == "sleep":
            time.sleep(0.5)
        if kind == "report":
            failures.append({"itemIdentifier": record["messageId"]})
        if kind == "badreport":
            failures.append({"itemIdentifier": "no-such-message-id"})
        if kind == "null":
            respond_null = True
    _write(token + ".end.json", {"ended": time.time()})
    return None if respond_null else {"batchItemFailures": failures}
'''

TEMPLATE = r'''
Globals:
  Function:
    Runtime: python3.12
    CodeUri: py/
    Handler: app.handler
    Environment:
      Variables:
        OUT_DIR: {out_dir}
Resources:
  Dlq:
    Type: AWS::SQS::Queue
    Properties: {{QueueName: esm-dlq}}
  Source:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: esm-source
      VisibilityTimeout: 2
      RedrivePolicy: {{deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 2}}
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 1
      Events:
        FromSource:
          Type: SQS
          Properties:
            Queue: !GetAtt Source.Arn
            BatchSize: 10
            FunctionResponseTypes: [ReportBatchItemFailures]
  FilteredQueue:
    Type: AWS::SQS::Queue
    Properties: {{QueueName: esm-filtered}}
  Filtered:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Kept:
          Type: SQS
          Properties:
            Queue: !GetAtt FilteredQueue.Arn
            FilterCriteria:
              Filters:
                - Pattern: '{{"body": {{"kind": ["keep"]}}}}'
                - Pattern: '{{"body": [{{"prefix": "keep-"}}]}}'
  OrderedQueue:
    Type: AWS::SQS::Queue
    Properties: {{QueueName: esm-ordered.fifo, FifoQueue: true, ContentBasedDeduplication: true}}
  Ordered:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        InOrder:
          Type: SQS
          Properties: {{Queue: !GetAtt OrderedQueue.Arn, BatchSize: 3}}
  ExplicitQueue:
    Type: AWS::SQS::Queue
    Properties: {{QueueName: esm-explicit}}
  Explicit:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt ExplicitQueue.Arn
      FunctionName: !Ref Plain
      BatchSize: 5
      MaximumBatchingWindowInSeconds: 1
      Enabled: true
      ScalingConfig: {{MaximumConcurrency: 3}}
  DisabledQueue:
    Type: AWS::SQS::Queue
    Properties: {{QueueName: esm-disabled}}
  Dormant:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Off:
          Type: SQS
          Properties: {{Queue: !GetAtt DisabledQueue.Arn, Enabled: false}}
  Plain:
    Type: AWS::Serverless::Function
    Properties: {{Timeout: 3}}
  Worker:
    Type: AWS::Serverless::Function
    Properties: {{Timeout: 1}}
  Slow:
    Type: AWS::Serverless::Function
    Properties: {{Timeout: 60}}
'''


class EsmTestCase(SqsTestCase):
    """The template above, with its own OUT_DIR; helpers to read what the function saw."""

    @classmethod
    def setUpClass(cls):
        cls.out_dir = tempfile.mkdtemp(prefix="lambda-local-esm-")
        cls.TEMPLATE = TEMPLATE.format(out_dir=cls.out_dir)
        cls.FILES = {"py/app.py": ESM_APP}
        try:
            super().setUpClass()
        except BaseException:
            shutil.rmtree(cls.out_dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            shutil.rmtree(cls.out_dir, ignore_errors=True)

    def setUp(self):
        self.mappings = []

    def tearDown(self):
        for uuid_ in self.mappings:
            try:
                self.lam.delete_event_source_mapping(UUID=uuid_)
            except Exception:
                pass

    # ---- what the function saw ---------------------------------------------------------------
    def invocations(self, arn: str | None = None, function: str | None = None) -> list[dict]:
        """Every invocation so far (oldest first), optionally only those of a queue / function."""
        out = []
        for name in os.listdir(self.out_dir):
            if not name.endswith(".start.json"):
                continue
            try:
                with open(os.path.join(self.out_dir, name)) as f:
                    inv = json.load(f)
            except (OSError, ValueError):
                continue
            end = os.path.join(self.out_dir, name.replace(".start.json", ".end.json"))
            if os.path.exists(end):
                try:
                    with open(end) as f:
                        inv["ended"] = json.load(f)["ended"]
                except (OSError, ValueError):
                    pass
            records = inv["event"].get("Records", [])
            if arn is not None and not any(r.get("eventSourceARN") == arn for r in records):
                continue
            if function is not None and inv["function"] != function:
                continue
            out.append(inv)
        return sorted(out, key=lambda i: i["started"])

    @staticmethod
    def records(invocations) -> list[dict]:
        return [r for inv in invocations for r in inv["event"]["Records"]]

    def wait_records(self, arn: str, count: int, timeout: float = DELIVERY_TIMEOUT) -> list[dict]:
        """Waits until the function has seen at least `count` records from queue `arn`."""
        wait_for(lambda: len(self.records(self.invocations(arn))) >= count, timeout)
        return self.records(self.invocations(arn))

    def assert_stays(self, arn: str, count: int, seconds: float = 1.5):
        time.sleep(seconds)
        self.assertEqual(len(self.records(self.invocations(arn))), count, "more records arrived")

    def wait_empty(self, url: str, timeout: float = DELIVERY_TIMEOUT):
        """Waits until the queue holds nothing, visible or in flight; asserts it does."""
        final = wait_for(lambda: self.counts(url) == (0, 0, 0), timeout, 0.1)
        self.assertTrue(final, f"queue not empty: {self.counts(url)}\n" + self.emu.describe_output(30))

    def dlq_messages(self, url: str, count: int, timeout: float = DELIVERY_TIMEOUT) -> list[dict]:
        """Receives (and deletes) messages from a DLQ until `count` arrived or the time is up."""
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            got += self.receive_all(url, idle=1, MessageSystemAttributeNames=["All"])
        return got

    # ---- mappings ----------------------------------------------------------------------------
    def create_mapping(self, queue_url: str, function: str = "Plain", **kwargs) -> dict:
        r = self.lam.create_event_source_mapping(EventSourceArn=self.arn_of(queue_url), FunctionName=function,
                                                 **kwargs)
        self.assertEqual(http_status(r), 202, r)
        self.mappings.append(r["UUID"])
        return r

    def wait_state(self, uuid_: str, state: str, timeout: float = 10) -> dict:
        got = wait_for(lambda: (m if (m := self.lam.get_event_source_mapping(UUID=uuid_))["State"] == state else None),
                       timeout, 0.1)
        self.assertTrue(got, f"mapping {uuid_} never reached {state}: "
                             f"{self.lam.get_event_source_mapping(UUID=uuid_)['State']}")
        return got

    def assert_no_redelivery_after_success(self, invs, body, visibility, history):
        """A message whose batch succeeded must not come back, unless that batch outlived the
        visibility timeout (then SQS may deliver it again, as AWS does: at-least-once)."""
        deliveries = [(inv, r) for inv in invs for r in inv["event"]["Records"] if r["body"] == body]
        if len(deliveries) < 2:
            return
        inv, record = deliveries[0]
        received = int(record["attributes"]["ApproximateFirstReceiveTimestamp"]) / 1000
        late = "ended" not in inv or inv["ended"] >= received + visibility - 0.05
        self.assertTrue(late, f"{body} delivered again after its batch succeeded within the visibility "
                              f"timeout: {history}\n" + self.emu.describe_output(40))

    def redrive_queue(self, visibility: int = 2, max_receive_count: int = 2) -> tuple[str, str]:
        dlq = self.create_queue("esm-dlq")
        source = self.create_queue("esm-src", {
            "VisibilityTimeout": str(visibility),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": self.arn_of(dlq),
                                         "maxReceiveCount": max_receive_count})})
        return source, dlq


def normalise_attribute(value: dict) -> dict:
    """A record's messageAttributes entry without the keys AWS leaves null."""
    return {k: v for k, v in value.items() if v is not None}


class TemplateMappingTest(EsmTestCase):
    """Mappings declared in the template."""

    def url(self, name):
        return self.sqs.get_queue_url(QueueName=name)["QueueUrl"]

    def test_template_queues_exist(self):
        source = self.url("esm-source")
        attrs = self.sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "2")
        self.assertEqual(json.loads(attrs["RedrivePolicy"]),
                         {"deadLetterTargetArn": queue_arn("esm-dlq"), "maxReceiveCount": 2})
        fifo = self.sqs.get_queue_attributes(QueueUrl=self.url("esm-ordered.fifo"),
                                             AttributeNames=["FifoQueue", "ContentBasedDeduplication"])
        self.assertEqual(fifo["Attributes"], {"FifoQueue": "true", "ContentBasedDeduplication": "true"})
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=self.url("esm-dlq"))["queueUrls"], [source])

    def test_template_mappings_are_listed(self):
        listed = self.lam.list_event_source_mappings()["EventSourceMappings"]
        by_arn = {m["EventSourceArn"]: m for m in listed}
        self.assertEqual(len(listed), len(by_arn), "one mapping per queue in this template")
        consumer = by_arn[queue_arn("esm-source")]
        self.assertEqual(consumer["FunctionArn"], function_arn("Consumer"))
        self.assertEqual(consumer["BatchSize"], 10)
        self.assertEqual(consumer["FunctionResponseTypes"], ["ReportBatchItemFailures"])
        self.assertEqual(consumer["State"], "Enabled")
        self.assertEqual(by_arn[queue_arn("esm-explicit")]["FunctionArn"], function_arn("Plain"))
        explicit = by_arn[queue_arn("esm-explicit")]
        self.assertEqual((explicit["BatchSize"], explicit["MaximumBatchingWindowInSeconds"], explicit["State"]),
                         (5, 1, "Enabled"))
        self.assertEqual(explicit["ScalingConfig"], {"MaximumConcurrency": 3})
        self.assertEqual(by_arn[queue_arn("esm-disabled")]["State"], "Disabled")
        filters = [json.loads(f["Pattern"]) for f in by_arn[queue_arn("esm-filtered")]["FilterCriteria"]["Filters"]]
        self.assertEqual(filters, [{"body": {"kind": ["keep"]}}, {"body": [{"prefix": "keep-"}]}])
        only = self.lam.list_event_source_mappings(FunctionName="Consumer")["EventSourceMappings"]
        self.assertEqual([m["UUID"] for m in only], [consumer["UUID"]])

    def test_record_shape_and_delete_on_success(self):
        url = self.url("esm-source")
        arn = queue_arn("esm-source")
        attributes = {"s": {"DataType": "String", "StringValue": "v"},
                      "n": {"DataType": "Number", "StringValue": "12"},
                      "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}}
        body = f"shape-{uuid.uuid4().hex} ✓"
        before = int(time.time() * 1000)
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
        wait_for(lambda: [r for r in self.records(self.invocations(arn)) if r["body"] == body], DELIVERY_TIMEOUT)
        records = [r for r in self.records(self.invocations(arn)) if r["body"] == body]
        self.assertEqual(len(records), 1, self.emu.describe_output(30))
        r = records[0]
        for key in ("messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody",
                    "eventSource", "eventSourceARN", "awsRegion"):
            self.assertIn(key, r)
        self.assertEqual(r["messageId"], sent["MessageId"])
        self.assertIsInstance(r["receiptHandle"], str)
        self.assertTrue(r["receiptHandle"])
        self.assertEqual(r["body"], body)
        self.assertEqual(r["md5OfBody"], md5_hex(body))
        self.assertEqual(r["eventSource"], "aws:sqs")
        self.assertEqual(r["eventSourceARN"], arn)
        self.assertEqual(r["awsRegion"], REGION)
        attrs = r["attributes"]
        self.assertEqual(set(attrs), {"ApproximateReceiveCount", "SentTimestamp", "SenderId",
                                      "ApproximateFirstReceiveTimestamp"})
        self.assertTrue(all(isinstance(v, str) for v in attrs.values()), attrs)
        self.assertEqual(attrs["ApproximateReceiveCount"], "1")
        self.assertLessEqual(abs(int(attrs["SentTimestamp"]) - before), 5000)
        self.assertGreaterEqual(int(attrs["ApproximateFirstReceiveTimestamp"]), int(attrs["SentTimestamp"]))
        got = {k: normalise_attribute(v) for k, v in r["messageAttributes"].items()}
        self.assertEqual(got, {
            "s": {"stringValue": "v", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
            "n": {"stringValue": "12", "stringListValues": [], "binaryListValues": [], "dataType": "Number"},
            "b": {"binaryValue": base64.b64encode(b"\x00\xff").decode(), "stringListValues": [],
                  "binaryListValues": [], "dataType": "Binary"}})
        self.wait_empty(url)  # deleted after the successful invoke
        self.assertEqual(self.counts(self.url("esm-dlq")), (0, 0, 0))

    def test_record_has_md5_of_message_attributes(self):
        url = self.url("esm-source")
        arn = queue_arn("esm-source")
        attributes = {"a": {"DataType": "String", "StringValue": "x"}}
        body = f"md5attrs-{uuid.uuid4().hex}"
        self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
        wait_for(lambda: [r for r in self.records(self.invocations(arn)) if r["body"] == body], DELIVERY_TIMEOUT)
        records = [r for r in self.records(self.invocations(arn)) if r["body"] == body]
        self.assertEqual(len(records), 1)
        # Real SQS events carry md5OfMessageAttributes when the message has attributes.
        self.assertEqual(records[0].get("md5OfMessageAttributes"), message_attributes_md5(attributes), records[0])
        self.wait_empty(url)

    def test_message_reaches_the_function_quickly(self):
        url = self.url("esm-source")
        arn = queue_arn("esm-source")
        warm = f"warm-{uuid.uuid4().hex}"
        self.sqs.send_message(QueueUrl=url, MessageBody=warm)
        wait_for(lambda: any(r["body"] == warm for r in self.records(self.invocations(arn))), DELIVERY_TIMEOUT)
        body = f"quick-{uuid.uuid4().hex}"
        sent_at = time.time()
        self.sqs.send_message(QueueUrl=url, MessageBody=body)
        found = wait_for(lambda: [i for i in self.invocations(arn) if any(r["body"] == body for r in
                                                                          i["event"]["Records"])], 10, 0.01)
        self.assertTrue(found, self.emu.describe_output(30))
        self.assertLess(found[0]["started"] - sent_at, 2.0, "a message took more than 2 s to reach the function")
        self.wait_empty(url)

    def test_error_timeout_and_crash_go_to_the_dlq(self):
        url = self.url("esm-source")
        arn = queue_arn("esm-source")
        tag = uuid.uuid4().hex[:8]
        bodies = [f"fail-{tag}", f"timeout-{tag}", f"crash-{tag}"]
        for body in bodies:  # one at a time, so each is a batch of its own
            self.sqs.send_message(QueueUrl=url, MessageBody=body)
            wait_for(lambda: any(r["body"] == body for r in self.records(self.invocations(arn))), DELIVERY_TIMEOUT)
        moved = self.dlq_messages(self.url("esm-dlq"), 3, timeout=30)
        self.assertEqual(sorted(m["Body"] for m in moved), sorted(bodies), self.emu.describe_output(40))
        seen = [r for r in self.records(self.invocations(arn)) if r["body"] in bodies]
        for body in bodies:
            counts = [r["attributes"]["ApproximateReceiveCount"] for r in seen if r["body"] == body]
            self.assertEqual(counts, ["1", "2"], f"{body}: received {counts} (maxReceiveCount is 2)")
        self.wait_empty(url)
        logs = "\n".join(self.emu.function_lines("Consumer"))
        self.assertIn("asked to fail: fail-" + tag, logs)
        self.assertIn("Task timed out", logs)

    def test_report_batch_item_failures(self):
        url = self.url("esm-source")
        arn = queue_arn("esm-source")
        tag = uuid.uuid4().hex[:8]
        # A null response is a success (sent alone: a null response means "no failures" for its batch).
        self.sqs.send_message(QueueUrl=url, MessageBody=f"null-{tag}")
        wait_for(lambda: any(r["body"] == f"null-{tag}" for r in self.records(self.invocations(arn))), DELIVERY_TIMEOUT)
        bodies = [f"ok-{tag}-{i}" for i in range(6)] + [f"report-{tag}-{i}" for i in range(3)]
        self.send_batch(url, bodies)
        bodies.append(f"null-{tag}")
        moved = self.dlq_messages(self.url("esm-dlq"), 3, timeout=30)
        self.assertEqual(sorted(m["Body"] for m in moved), sorted(b for b in bodies if b.startswith("report")))
        invs = [i for i in self.invocations(arn) if any(tag in r["body"] for r in i["event"]["Records"])]
        seen = [r["body"] for r in self.records(invs)]
        history = [(round(i["started"], 3), round(i.get("ended", 0), 3), i["pid"],
                    [(r["body"], r["attributes"]["ApproximateReceiveCount"]) for r in i["event"]["Records"]])
                   for i in invs]
        for body in bodies:
            if body.startswith("report"):
                self.assertEqual(seen.count(body), 2, f"{body} seen {seen.count(body)} times: {history}")
            else:
                self.assertGreaterEqual(seen.count(body), 1, f"{body} never delivered: {history}")
                self.assert_no_redelivery_after_success(invs, body, visibility=2, history=history)
        self.wait_empty(url)

    def test_filters_drop_what_does_not_match(self):
        url = self.url("esm-filtered")
        arn = queue_arn("esm-filtered")
        tag = uuid.uuid4().hex[:8]
        kept = [json.dumps({"kind": "keep", "tag": tag}), f"keep-{tag}"]
        dropped = [json.dumps({"kind": "drop", "tag": tag}), f"drop-{tag}", json.dumps({"tag": tag}), "keep"]
        self.send_batch(url, kept + dropped)
        self.wait_records(arn, 2)
        self.wait_empty(url)  # the dropped ones are deleted, not left to be redelivered
        self.assert_stays(arn, len(self.records(self.invocations(arn))), seconds=1)
        seen = [r["body"] for r in self.records(self.invocations(arn)) if tag in r["body"] or r["body"] == "keep"]
        self.assertEqual(sorted(seen), sorted(kept))

    def test_fifo_order_per_group(self):
        url = self.url("esm-ordered.fifo")
        arn = queue_arn("esm-ordered.fifo")
        tag = uuid.uuid4().hex[:8]
        sent = []
        for i in range(12):
            group = f"{tag}-{'AB'[i % 2]}"
            body = f"{group}-{i:02d}"
            self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
            sent.append((group, body))
        self.wait_records(arn, len(sent))
        invs = [i for i in self.invocations(arn) if any(tag in r["body"] for r in i["event"]["Records"])]
        for inv in invs:
            self.assertLessEqual(len(inv["event"]["Records"]), 3, "BatchSize is 3")
        records = self.records(invs)
        for group in {g for g, _ in sent}:
            got = [r["body"] for r in records if r["attributes"].get("MessageGroupId") == group]
            self.assertEqual(got, [b for g, b in sent if g == group], f"group {group} out of order or repeated")
        for r in records:
            self.assertRegex(r["attributes"]["SequenceNumber"], r"^\d+$")
            self.assertTrue(r["attributes"]["MessageDeduplicationId"])
        self.wait_empty(url)

    def test_explicit_event_source_mapping_resource(self):
        url = self.url("esm-explicit")
        arn = queue_arn("esm-explicit")
        tag = uuid.uuid4().hex[:8]
        self.send_batch(url, [f"explicit-{tag}-{i}" for i in range(7)])
        records = self.wait_records(arn, 7)
        self.assertEqual(sorted(r["body"] for r in records), sorted(f"explicit-{tag}-{i}" for i in range(7)))
        for inv in self.invocations(arn):
            self.assertEqual(inv["function"], "Plain")
            self.assertLessEqual(len(inv["event"]["Records"]), 5, "BatchSize is 5")
        self.wait_empty(url)

    def test_disabled_template_mapping(self):
        url = self.url("esm-disabled")
        arn = queue_arn("esm-disabled")
        self.sqs.send_message(QueueUrl=url, MessageBody="waiting")
        time.sleep(1.5)
        self.assertEqual(self.invocations(arn), [])
        self.assertEqual(self.counts(url), (1, 0, 0), "a disabled mapping must not touch the queue")
        mapping = self.lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"][0]
        r = self.lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
        self.assertEqual(http_status(r), 202)
        try:
            records = self.wait_records(arn, 1)
            self.assertEqual([r["body"] for r in records], ["waiting"])
            self.wait_empty(url)
        finally:
            self.lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)


class ApiMappingTest(EsmTestCase):
    """Mappings created through the Lambda API, on queues created through the SQS API."""

    def test_create_get_list_update_delete(self):
        url = self.create_queue("crud")
        arn = self.arn_of(url)
        created = self.create_mapping(url, "Plain", BatchSize=3)
        uuid_ = created["UUID"]
        self.assertEqual(created["State"], "Creating")
        self.assertEqual(created["StateTransitionReason"], "USER_INITIATED")
        self.assertEqual(created["EventSourceArn"], arn)
        self.assertEqual(created["FunctionArn"], function_arn("Plain"))
        self.assertEqual(created["BatchSize"], 3)
        self.assertEqual(created["MaximumBatchingWindowInSeconds"], 0)
        self.assertEqual(created["EventSourceMappingArn"],
                         f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:{uuid_}")
        self.assertIn("LastModified", created)

        got = self.wait_state(uuid_, "Enabled")
        self.assertEqual(http_status(got), 200)
        self.assertEqual((got["UUID"], got["EventSourceArn"], got["BatchSize"]), (uuid_, arn, 3))

        self.assertEqual([m["UUID"] for m in self.lam.list_event_source_mappings(EventSourceArn=arn)
                          ["EventSourceMappings"]], [uuid_])
        for name in ("Plain", function_arn("Plain")):
            listed = self.lam.list_event_source_mappings(FunctionName=name, EventSourceArn=arn)
            self.assertEqual([m["UUID"] for m in listed["EventSourceMappings"]], [uuid_], name)
        self.assertEqual(self.lam.list_event_source_mappings(FunctionName="Worker", EventSourceArn=arn)
                         ["EventSourceMappings"], [])

        updated = self.lam.update_event_source_mapping(UUID=uuid_, BatchSize=7)
        self.assertEqual(http_status(updated), 202)
        self.assertEqual(updated["State"], "Updating")
        self.assertEqual(updated["BatchSize"], 7)
        self.assertEqual(self.wait_state(uuid_, "Enabled")["BatchSize"], 7)

        disabling = self.lam.update_event_source_mapping(UUID=uuid_, Enabled=False)
        self.assertEqual((http_status(disabling), disabling["State"]), (202, "Disabling"))
        self.wait_state(uuid_, "Disabled")
        enabling = self.lam.update_event_source_mapping(UUID=uuid_, Enabled=True)
        self.assertEqual((http_status(enabling), enabling["State"]), (202, "Enabling"))
        self.wait_state(uuid_, "Enabled")

        deleted = self.lam.delete_event_source_mapping(UUID=uuid_)
        self.assertEqual(http_status(deleted), 202)
        self.assertEqual(deleted["State"], "Deleting")
        self.assertEqual(deleted["UUID"], uuid_)
        wait_for(lambda: not self.lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"], 10)
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException) as cm:
            self.lam.get_event_source_mapping(UUID=uuid_)
        self.assertEqual(http_status(cm.exception), 404)
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.delete_event_source_mapping(UUID=uuid_)
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.update_event_source_mapping(UUID=uuid_, BatchSize=2)

    def test_list_pages(self):
        uuids = [self.create_mapping(self.create_queue(f"page{i}"), "Worker")["UUID"] for i in range(3)]
        first = self.lam.list_event_source_mappings(FunctionName="Worker", MaxItems=2)
        self.assertEqual(len(first["EventSourceMappings"]), 2)
        self.assertIn("NextMarker", first)
        second = self.lam.list_event_source_mappings(FunctionName="Worker", MaxItems=2, Marker=first["NextMarker"])
        self.assertEqual(len(second["EventSourceMappings"]), 1)
        self.assertNotIn("NextMarker", second)
        listed = [m["UUID"] for m in first["EventSourceMappings"] + second["EventSourceMappings"]]
        self.assertEqual(sorted(listed), sorted(uuids))
        paginated = [m["UUID"] for page in self.lam.get_paginator("list_event_source_mappings").paginate(
            FunctionName="Worker", PaginationConfig={"PageSize": 1}) for m in page["EventSourceMappings"]]
        self.assertEqual(sorted(paginated), sorted(uuids))

    def test_validation(self):
        url = self.create_queue("valid")  # VisibilityTimeout 30
        arn = self.arn_of(url)
        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException) as cm:
            self.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="Slow")
        self.assertEqual(http_status(cm.exception), 400)
        self.assertIn("Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds",
                      cm.exception.response["Error"]["Message"])

        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException):
            self.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="Plain", BatchSize=11)
        ok = self.create_mapping(url, "Plain", BatchSize=11, MaximumBatchingWindowInSeconds=1, Enabled=False)
        self.assertEqual((ok["BatchSize"], ok["MaximumBatchingWindowInSeconds"]), (11, 1))
        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException):
            self.lam.update_event_source_mapping(UUID=ok["UUID"], MaximumBatchingWindowInSeconds=0)

        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="NoSuchFunction")
        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException):
            self.lam.create_event_source_mapping(EventSourceArn=queue_arn(unique_queue("missing")),
                                                 FunctionName="Worker")
        unchecked = self.emu.lambda_client(parameter_validation=False)
        for kwargs in ({"FunctionResponseTypes": ["NoSuchType"]}, {"ScalingConfig": {"MaximumConcurrency": 1}}):
            with self.subTest(**kwargs):
                with self.assertRaises(unchecked.exceptions.ClientError) as cm:
                    unchecked.create_event_source_mapping(EventSourceArn=arn, FunctionName="Worker", **kwargs)
                self.assertIn(error_code(cm.exception), ("ValidationException", "InvalidParameterValueException"))
                self.assertEqual(http_status(cm.exception), 400)
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.get_event_source_mapping(UUID=str(uuid.uuid4()))
        # Only the disabled mapping created above exists for the queue.
        self.assertEqual([m["UUID"] for m in self.lam.list_event_source_mappings(EventSourceArn=arn)
                          ["EventSourceMappings"]], [ok["UUID"]])

    def test_second_mapping_of_the_same_queue_and_function(self):
        url = self.create_queue("dup")
        first = self.create_mapping(url, "Plain")
        with self.assertRaises(self.lam.exceptions.ResourceConflictException) as cm:
            self.create_mapping(url, "Plain")
        self.assertEqual(http_status(cm.exception), 409)
        self.assertIn(first["UUID"], cm.exception.response["Error"]["Message"])

    def test_messages_sent_while_disabled_arrive_in_one_batch(self):
        url = self.create_queue("onebatch")
        arn = self.arn_of(url)
        mapping = self.create_mapping(url, "Plain", BatchSize=10, Enabled=False)
        self.wait_state(mapping["UUID"], "Disabled")
        bodies = [f"early-{i}" for i in range(5)]
        for body in bodies:
            self.sqs.send_message(QueueUrl=url, MessageBody=body)
        time.sleep(1)
        self.assertEqual(self.invocations(arn), [], "a disabled mapping invoked the function")
        self.assertEqual(self.counts(url), (5, 0, 0))
        self.lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
        self.wait_records(arn, 5)
        invs = self.invocations(arn)
        self.assertEqual(len(invs), 1, [len(i["event"]["Records"]) for i in invs])
        self.assertEqual(sorted(r["body"] for r in invs[0]["event"]["Records"]), sorted(bodies))
        self.wait_empty(url)

    def test_batching_window_collects_messages(self):
        url = self.create_queue("window")
        arn = self.arn_of(url)
        self.create_mapping(url, "Plain", BatchSize=10, MaximumBatchingWindowInSeconds=2)
        bodies = [f"windowed-{i}" for i in range(5)]
        for body in bodies:  # over about a second
            self.sqs.send_message(QueueUrl=url, MessageBody=body)
            time.sleep(0.2)
        self.wait_records(arn, 5)
        invs = self.invocations(arn)
        self.assertEqual(len(invs), 1, [[r["body"] for r in i["event"]["Records"]] for i in invs])
        self.assertEqual(sorted(r["body"] for r in invs[0]["event"]["Records"]), bodies)
        self.wait_empty(url)

    def test_batch_size_bounds_each_invoke(self):
        url = self.create_queue("bsize")
        arn = self.arn_of(url)
        mapping = self.create_mapping(url, "Plain", BatchSize=3, Enabled=False)
        bodies = [f"bounded-{i}" for i in range(10)]
        self.send_batch(url, bodies)
        self.lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
        records = self.wait_records(arn, 10)
        self.assertEqual(sorted(r["body"] for r in records), sorted(bodies), "each message exactly once")
        self.assertTrue(all(len(i["event"]["Records"]) <= 3 for i in self.invocations(arn)))
        self.wait_empty(url)

    def test_batch_size_above_ten_with_a_window(self):
        url = self.create_queue("big")
        arn = self.arn_of(url)
        mapping = self.create_mapping(url, "Plain", BatchSize=50, MaximumBatchingWindowInSeconds=1, Enabled=False)
        bodies = [f"big-{i}" for i in range(30)]
        self.send_batch(url, bodies)
        self.lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
        records = self.wait_records(arn, 30)
        self.assertEqual(sorted(r["body"] for r in records), sorted(bodies))
        sizes = [len(i["event"]["Records"]) for i in self.invocations(arn)]
        self.assertGreater(max(sizes), 10, f"BatchSize 50 never gave more than 10 records: {sizes}")
        self.wait_empty(url)

    def test_invalid_batch_item_failures_fail_the_whole_batch(self):
        source, dlq = self.redrive_queue(visibility=2, max_receive_count=2)
        arn = self.arn_of(source)
        mapping = self.create_mapping(source, "Worker", BatchSize=10, Enabled=False,
                                      FunctionResponseTypes=["ReportBatchItemFailures"])
        self.send_batch(source, ["ok-a", "badreport-b"])
        self.lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
        moved = self.dlq_messages(dlq, 2, timeout=30)
        self.assertEqual(sorted(m["Body"] for m in moved), ["badreport-b", "ok-a"])
        first = self.invocations(arn)[0]
        self.assertEqual(sorted(r["body"] for r in first["event"]["Records"]), ["badreport-b", "ok-a"])
        self.wait_empty(source)

    def test_batch_item_failures_are_ignored_without_the_response_type(self):
        source, dlq = self.redrive_queue(visibility=2, max_receive_count=1)
        arn = self.arn_of(source)
        self.create_mapping(source, "Worker")
        self.sqs.send_message(QueueUrl=source, MessageBody="report-ignored")
        self.wait_records(arn, 1)
        self.wait_empty(source)
        self.assert_stays(arn, 1, seconds=2.5)
        self.assertEqual(self.counts(dlq), (0, 0, 0))

    def test_error_timeout_and_crash_through_api_mappings(self):
        tag = uuid.uuid4().hex[:8]
        cases = {}
        for kind in ("fail", "timeout", "crash"):  # three queues at once
            source, dlq = self.redrive_queue(visibility=2, max_receive_count=2)
            self.create_mapping(source, "Worker", BatchSize=1)
            body = f"{kind}-{tag}"
            self.sqs.send_message(QueueUrl=source, MessageBody=body)
            cases[kind] = (source, dlq, body)
        for kind, (source, dlq, body) in cases.items():
            with self.subTest(kind):
                moved = self.dlq_messages(dlq, 1, timeout=30)
                self.assertEqual([m["Body"] for m in moved], [body], self.emu.describe_output(30))
                invs = self.invocations(self.arn_of(source))
                counts = [r["attributes"]["ApproximateReceiveCount"] for r in self.records(invs)]
                # Received twice: the failed batch was not deleted but came back by the queue's
                # own rule (visibility timeout, one more receive), then went to the DLQ. No
                # wall-clock gap is asserted: on a loaded machine a cold start can take most of
                # the 2 s visibility timeout, so start-to-start gaps say nothing reliable.
                self.assertEqual(counts, ["1", "2"])
                self.wait_empty(source)

    def test_maximum_concurrency(self):
        url = self.create_queue("conc")
        arn = self.arn_of(url)
        mapping = self.create_mapping(url, "Plain", BatchSize=1, Enabled=False,
                                      ScalingConfig={"MaximumConcurrency": 2})
        self.assertEqual(mapping["ScalingConfig"], {"MaximumConcurrency": 2})
        self.send_batch(url, [f"sleep-{i}" for i in range(8)])
        self.lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
        self.wait_records(arn, 8, timeout=30)
        wait_for(lambda: all("ended" in i for i in self.invocations(arn)), 10)
        invs = self.invocations(arn)
        self.assertEqual(len(invs), 8)
        events = sorted([(i["started"], 1) for i in invs] + [(i["ended"], -1) for i in invs])
        running = peak = 0
        for _, delta in events:
            running += delta
            peak = max(peak, running)
        self.assertLessEqual(peak, 2, "more concurrent invokes than ScalingConfig.MaximumConcurrency")
        self.wait_empty(url)

    def test_disable_enable_delete_while_messages_flow(self):
        url = self.create_queue("flow", {"VisibilityTimeout": "5"})
        arn = self.arn_of(url)
        mapping = self.create_mapping(url, "Plain", BatchSize=10)
        self.wait_state(mapping["UUID"], "Enabled")
        sender = self.emu.client("sqs")
        sent = []
        stop = threading.Event()

        def send():
            i = 0
            while not stop.is_set():
                body = f"flow-{i:05d}"
                sender.send_message(QueueUrl=url, MessageBody=body)
                sent.append(body)
                i += 1
                time.sleep(0.01)

        t = threading.Thread(target=send)
        t.start()
        try:
            time.sleep(1)
            self.lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
            disabled_at = time.time()
            self.wait_state(mapping["UUID"], "Disabled")
            time.sleep(1)
            enabled_at = time.time()
            self.lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
            time.sleep(1)
            self.lam.delete_event_source_mapping(UUID=mapping["UUID"])
            deleted_at = time.time()
            time.sleep(1)
        finally:
            stop.set()
            t.join()
        time.sleep(1)  # a batch being invoked when the mapping was deleted completes

        invs = self.invocations(arn)
        quiet = [i for i in invs if disabled_at + 0.5 < i["started"] < enabled_at
                 or i["started"] > deleted_at + 0.5]
        self.assertEqual(quiet, [], "invoked while disabled or after the delete")
        delivered = [r["body"] for r in self.records(invs)]
        self.assertEqual(len(delivered), len(set(delivered)), "a message was delivered twice")
        self.assertTrue(any(i["started"] > enabled_at for i in invs), "nothing delivered after re-enabling")
        # Everything not delivered is still in the queue (messages received by a stopping poller
        # become visible again after the 5 s visibility timeout).
        left = []
        deadline = time.monotonic() + 10
        while len(delivered) + len(left) < len(sent) and time.monotonic() < deadline:
            left += [m["Body"] for m in self.receive_all(url, idle=1)]
        self.assertGreater(len(left), 0, "messages sent after the delete must stay in the queue")
        self.assertEqual(sorted(delivered + left), sorted(sent), "messages lost or duplicated")
        self.assertEqual(self.counts(url), (0, 0, 0))
