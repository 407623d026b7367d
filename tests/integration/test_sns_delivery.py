"""SNS deliveries end to end: one publish fanned out to a function, two SQS queues (raw and
enveloped) and a local HTTP endpoint (subscription confirmation first), every envelope's signature
checked against the certificate the emulator serves (SignatureVersion 1 = SHA1withRSA, 2 =
SHA256withRSA); subscription filter policies, operator by operator; MessageStructure json; FIFO
topics (order per group, deduplication); a failing function's OnFailure destination; subscription
dead-letter queues (a deleted queue, an HTTP endpoint answering 500 with immediate retries); SNS as
a destination (Lambda OnSuccess, S3 TopicConfigurations); and the template side
(AWS::SNS::Topic / Subscription / TopicPolicy, AWS::SQS::QueuePolicy, SAM `Events: Type: SNS`
with a FilterPolicy and with `SqsSubscription: true`).

How deliveries are observed, as in test_s3_notifications.py: functions send what they receive to
an SQS queue of the template (`record` below, boto3 in the function, AWS_ENDPOINT_URL set by the
emulator); queue subscriptions deliver to queues the test creates; HTTP subscriptions POST to an
http.server running in this process on 127.0.0.1. The test long-polls (ReceiveMessage with
WaitTimeSeconds, a condition variable for the HTTP server) until what it expects has arrived or a
generous deadline passes: no sleeps, no timing assertions. "Was not delivered" is checked with a
sentinel: the publishes that must not arrive go first, then one that must; once it arrived,
nothing else may have.

Expected values come from AWS's documentation, not from lambda-local's implementation:
* SNS Developer Guide: "Parsing message formats" (HTTP/HTTPS headers, subscription confirmation
  and notification JSON), "Verifying the signatures of Amazon SNS messages" (the string to sign),
  "Amazon SNS raw message delivery", "Amazon SNS message filtering" (string / numeric value
  matching, key matching, AND/OR logic, IP address matching, message body filtering), "Message
  delivery for FIFO topics", "Amazon SNS dead-letter queues (DLQs)", "Amazon SNS message delivery
  retries" (delivery policies), "Message publishing" (MessageStructure json).
* Lambda Developer Guide: "Invoking Lambda functions with Amazon SNS notifications" (the event,
  with `SigningCertUrl` / `UnsubscribeUrl` spelled with a lower-case "rl"), "Asynchronous
  invocation" (invocation records sent to destinations).
* The botocore SNS model (2010-03-31): Subscribe ("pending confirmation", ReturnSubscriptionArn),
  Publish (MessageStructure, MessageGroupId, MessageDeduplicationId, SequenceNumber), the
  InvalidParameter error, topic attribute SignatureVersion.
* SAM: AWS::Serverless::Function `SNS` event (Topic, FilterPolicy, SqsSubscription);
  CloudFormation AWS::SNS::Topic (Ref = ARN, GetAtt TopicName / TopicArn, inline Subscription),
  AWS::SNS::Subscription (RawMessageDelivery, FilterPolicy).

What lambda-local adds beyond AWS, relied on here: SubscribeURL / UnsubscribeURL point at the
emulator (`http://localhost:<port>/?Action=...`) and so does SigningCertURL
(`http://localhost:<port>/SimpleNotificationService-<hex>.pem`), so confirmations and signature
checks work offline; `--async-retry-delay` shortens Lambda's async retries; a DeliveryPolicy with
minDelayTarget 1 makes HTTP retries immediate."""
import base64
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .harness import ACCOUNT, REGION, EmulatorTestCase, error_code, function_arn, http_status

DELIVERY_TIMEOUT = 30  # a bound on polling only, never a performance claim
RETRY_DELAY = 0.2  # --async-retry-delay: Lambda's async retries wait 0.2 s, 0.4 s instead of minutes
SINK = "sns-sink"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# "The subscription confirmation message ... Message: You have chosen to subscribe to the topic
# arn:aws:sns:us-east-2:123456789012:MyTopic.\nTo confirm the subscription, visit the SubscribeURL
# included in this message." (HTTP/HTTPS subscription confirmation JSON format)
CONFIRMATION_TEXT = ("You have chosen to subscribe to the topic {arn}.\n"
                     "To confirm the subscription, visit the SubscribeURL included in this message.")
# Immediate retries: 1 attempt + numRetries (2), all without delay.
IMMEDIATE_RETRIES = {"healthyRetryPolicy": {"numRetries": 2, "numNoDelayRetries": 2,
                                            "minDelayTarget": 1, "maxDelayTarget": 1}}
# When the tests began (second precision: Timestamp has milliseconds).
MODULE_LOADED = datetime.now(timezone.utc).replace(microsecond=0)

# record: sends {"function", "requestId", "event"} to $SINK_URL for every invocation.
# fail: always raises. succeed: returns its event. environment: returns the environment.
APP = r'''
import json, os
import boto3

_sqs = None


def _client():
    # boto3 finds lambda-local through AWS_ENDPOINT_URL, which the emulator sets for functions.
    global _sqs
    if _sqs is None:
        _sqs = boto3.client("sqs")
    return _sqs


def record(event, context):
    _client().send_message(QueueUrl=os.environ["SINK_URL"], MessageBody=json.dumps(
        {"function": context.function_name, "requestId": context.aws_request_id, "event": event}))
    return {"recorded": True}


def fail(event, context):
    raise RuntimeError("this function always fails")


def succeed(event, context):
    return {"ok": True, "echo": event}


def environment(event, context):
    return dict(os.environ)
'''
FILES = {"py/app.py": APP}

BASE_TEMPLATE = f'''
Globals:
  Function:
    Runtime: python3.12
    CodeUri: py/
    Timeout: 30
    Environment:
      Variables:
        SINK_URL: !Ref Sink
Resources:
  Sink:
    Type: AWS::SQS::Queue
    Properties: {{QueueName: {SINK}}}
  Recorder:
    Type: AWS::Serverless::Function
    Properties: {{Handler: app.record}}
  Failing:
    Type: AWS::Serverless::Function
    Properties: {{Handler: app.fail}}
  Succeeding:
    Type: AWS::Serverless::Function
    Properties: {{Handler: app.succeed}}
'''


# ---- messages and signatures --------------------------------------------------------------------
def string_to_sign(msg: dict) -> bytes:
    """AWS's canonical string ("Verifying the signatures of Amazon SNS messages"): for a
    Notification Message, MessageId, Subject (only if present), Timestamp, TopicArn, Type; for a
    SubscriptionConfirmation / UnsubscribeConfirmation Message, MessageId, SubscribeURL,
    Timestamp, Token, TopicArn, Type; each as "Name\\nValue\\n", values unescaped."""
    if msg["Type"] == "Notification":
        keys = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
    else:
        keys = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
    return "".join(f"{k}\n{msg[k]}\n" for k in keys if not (k == "Subject" and msg.get(k) is None)).encode()


def attributes(**values) -> dict:
    """Publish MessageAttributes: str -> String, int/float -> Number, bytes -> Binary,
    (type, value) -> that type."""
    out = {}
    for name, value in values.items():
        if isinstance(value, tuple):
            out[name] = {"DataType": value[0], "StringValue": value[1]}
        elif isinstance(value, bytes):
            out[name] = {"DataType": "Binary", "BinaryValue": value}
        elif isinstance(value, (int, float)):
            out[name] = {"DataType": "Number", "StringValue": str(value)}
        else:
            out[name] = {"DataType": "String", "StringValue": value}
    return out


def envelope_attributes(published: dict) -> dict:
    """How the JSON envelope carries message attributes: {"Type", "Value"}, binary values base64."""
    out = {}
    for name, a in published.items():
        if "BinaryValue" in a:
            out[name] = {"Type": a["DataType"], "Value": base64.b64encode(a["BinaryValue"]).decode()}
        else:
            out[name] = {"Type": a["DataType"], "Value": a["StringValue"]}
    return out


def http_get(url: str, timeout: float = 30):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


# ---- what arrives on a queue ---------------------------------------------------------------------
class Mailbox:
    """Every message that arrives on one SQS queue (deleted once received): dicts with Body,
    MessageAttributes, Attributes and `json` (the parsed body, or None)."""

    def __init__(self, sqs, url: str):
        self.sqs = sqs
        self.url = url
        self.messages: list[dict] = []

    def receive(self, wait_seconds: int) -> int:
        got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds,
                                       MessageAttributeNames=["All"],
                                       MessageSystemAttributeNames=["All"]).get("Messages", [])
        for m in got:
            try:
                parsed = json.loads(m["Body"])
            except ValueError:
                parsed = None
            self.messages.append({"Body": m["Body"], "MessageAttributes": m.get("MessageAttributes", {}),
                                  "Attributes": m.get("Attributes", {}), "json": parsed})
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
        return len(got)

    def wait(self, condition, timeout: float = DELIVERY_TIMEOUT):
        """Long-polls until condition(messages) is truthy (returned) or the deadline passes (then
        condition's last, falsy, value)."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition(self.messages)
            remaining = deadline - time.monotonic()
            if value or remaining <= 0:
                return value
            self.receive(max(1, min(20, int(remaining))))

    def bodies(self) -> list[str]:
        return [m["Body"] for m in self.messages]

    def envelopes(self) -> list[dict]:
        return [m["json"] for m in self.messages if isinstance(m["json"], dict) and "Type" in m["json"]]


# ---- an HTTP endpoint SNS can POST to ------------------------------------------------------------
class HttpEndpoint:
    """http.server on 127.0.0.1:<free port> in a thread. Records every POST (path, lower-cased
    headers, body) and answers 200, or `status[message type]` for that x-amz-sns-message-type."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status: dict[str, int] = {}
        self.cond = threading.Condition()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self._body()
                headers = {k.lower(): v for k, v in self.headers.items()}
                status = endpoint.status.get(headers.get("x-amz-sns-message-type", ""), 200)
                with endpoint.cond:
                    endpoint.requests.append({"path": self.path, "headers": headers, "body": body,
                                              "status": status})
                    endpoint.cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _body(self) -> bytes:
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/sns") -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def of_type(self, message_type: str) -> list[dict]:
        with self.cond:
            return [r for r in self.requests if r["headers"].get("x-amz-sns-message-type") == message_type]

    def wait(self, condition, timeout: float = DELIVERY_TIMEOUT):
        """Waits until condition(requests) is truthy (returned) or the deadline passes."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                value = condition(list(self.requests))
                remaining = deadline - time.monotonic()
                if value or remaining <= 0:
                    return value
                self.cond.wait(min(remaining, 1.0))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def posts(requests, message_type: str, message_id: str | None = None) -> list[dict]:
    return [r for r in requests if r["headers"].get("x-amz-sns-message-type") == message_type
            and (message_id is None or r["headers"].get("x-amz-sns-message-id") == message_id)]


# ---- test cases ------------------------------------------------------------------------------------
class SnsTestCase(EmulatorTestCase):
    """An emulator whose template has the sink queue and the functions above; boto3 SNS and SQS
    clients; helpers for topics, queues, subscriptions, HTTP endpoints and signatures."""

    TEMPLATE = BASE_TEMPLATE
    FILES = FILES
    ARGS = ("--async-retry-delay", str(RETRY_DELAY))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.sns = cls.emu.client("sns", read_timeout=60)
            cls.sqs = cls.emu.client("sqs", read_timeout=60)
            cls.sink = Mailbox(cls.sqs, cls.sqs.get_queue_url(QueueName=SINK)["QueueUrl"])
            cls.certificates = {}
        except BaseException:
            cls.tearDownClass()  # unittest does not call it when setUpClass fails
            raise

    # ---- resources -------------------------------------------------------------------------
    def topic(self, prefix: str = "t", fifo: bool = False, **topic_attributes) -> str:
        """A new uniquely named topic (deleted after the test); returns its ARN."""
        name = f"{prefix}-{uuid.uuid4().hex[:10]}" + (".fifo" if fifo else "")
        if fifo:
            topic_attributes["FifoTopic"] = "true"
        arn = self.sns.create_topic(Name=name, Attributes=topic_attributes)["TopicArn"]
        self.assertEqual(arn, f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}")
        self.addCleanup(self._quietly, self.sns.delete_topic, TopicArn=arn)
        return arn

    def queue(self, prefix: str = "q", fifo: bool = False, **queue_attributes) -> tuple[str, str, Mailbox]:
        """A new uniquely named queue (deleted after the test): (url, ARN, mailbox)."""
        name = f"{prefix}-{uuid.uuid4().hex[:10]}" + (".fifo" if fifo else "")
        if fifo:
            queue_attributes["FifoQueue"] = "true"
        url = self.sqs.create_queue(QueueName=name, Attributes=queue_attributes)["QueueUrl"]
        self.addCleanup(self._quietly, self.sqs.delete_queue, QueueUrl=url)
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.assertEqual(arn, f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")
        return url, arn, Mailbox(self.sqs, url)

    @staticmethod
    def _quietly(call, **kwargs):
        try:
            call(**kwargs)
        except Exception:
            pass

    def subscribe(self, topic_arn: str, protocol: str, endpoint: str, **subscription_attributes) -> str:
        """Subscribe with ReturnSubscriptionArn; attribute values given as dicts are sent as JSON,
        booleans as "true"/"false". Returns the subscription ARN."""
        attrs = {k: json.dumps(v) if isinstance(v, dict) else ("true" if v is True else "false" if v is False else v)
                 for k, v in subscription_attributes.items()}
        arn = self.sns.subscribe(TopicArn=topic_arn, Protocol=protocol, Endpoint=endpoint, Attributes=attrs,
                                 ReturnSubscriptionArn=True)["SubscriptionArn"]
        self.assertRegex(arn, "^" + re.escape(topic_arn) + r":[0-9a-f-]{36}$")
        return arn

    def subscribe_queue(self, topic_arn: str, prefix: str = "q", **subscription_attributes) -> tuple[str, Mailbox]:
        """A new queue subscribed to the topic: (subscription ARN, mailbox)."""
        _, arn, box = self.queue(prefix, fifo=topic_arn.endswith(".fifo"))
        return self.subscribe(topic_arn, "sqs", arn, **subscription_attributes), box

    def publish(self, topic_arn: str, message: str, subject: str | None = None, attrs: dict | None = None,
                **kwargs) -> str:
        params = dict(TopicArn=topic_arn, Message=message, **kwargs)
        if subject is not None:
            params["Subject"] = subject
        if attrs:
            params["MessageAttributes"] = attrs
        message_id = self.sns.publish(**params)["MessageId"]
        self.assertRegex(message_id, UUID)
        return message_id

    def http_endpoint(self) -> HttpEndpoint:
        endpoint = HttpEndpoint()
        self.addCleanup(endpoint.close)
        return endpoint

    # ---- HTTP subscriptions ------------------------------------------------------------------
    def wait_confirmation(self, endpoint: HttpEndpoint, topic_arn: str, path: str) -> dict:
        """Waits for the SubscriptionConfirmation POST and checks it field by field; returns the
        parsed body."""
        def mine(requests):
            return [r for r in posts(requests, "SubscriptionConfirmation")
                    if r["headers"].get("x-amz-sns-topic-arn") == topic_arn and r["path"] == path]
        got = endpoint.wait(mine)
        if not got:
            self.fail(f"no SubscriptionConfirmation for {topic_arn} at {path} after {DELIVERY_TIMEOUT}s; got "
                      f"{endpoint.requests}\n" + self.emu.describe_output(40))
        self.assertEqual(len(got), 1, got)
        request = got[0]
        body = json.loads(request["body"])
        dump = json.dumps(body, indent=1)
        headers = request["headers"]
        self.assertEqual(headers.get("content-type"), "text/plain; charset=UTF-8", headers)
        self.assertEqual(headers.get("x-amz-sns-message-id"), body.get("MessageId"), headers)
        self.assertEqual(set(body), {"Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL",
                                     "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"}, dump)
        self.assertEqual(body["Type"], "SubscriptionConfirmation", dump)
        self.assertRegex(body["MessageId"], UUID, dump)
        self.assertEqual(body["TopicArn"], topic_arn, dump)
        self.assertEqual(body["Message"], CONFIRMATION_TEXT.format(arn=topic_arn), dump)
        self.assertIsInstance(body["Token"], str, dump)
        self.assertTrue(body["Token"], dump)
        self.assert_timestamp(body["Timestamp"], dump)
        url = urlsplit(body["SubscribeURL"])
        self.assertEqual((url.scheme, url.netloc, url.path), ("http", f"localhost:{self.emu.port}", "/"), dump)
        query = parse_qs(url.query)
        self.assertEqual(query.get("Action"), ["ConfirmSubscription"], dump)
        self.assertEqual(query.get("TopicArn"), [topic_arn], dump)
        self.assertEqual(query.get("Token"), [body["Token"]], dump)
        self.assertIn(body["SignatureVersion"], ("1", "2"), dump)
        self.assert_signed(body)
        return body

    def confirm_by_url(self, confirmation: dict) -> str:
        """GETs the SubscribeURL of a confirmation; returns the confirmed subscription ARN."""
        status, reply = http_get(confirmation["SubscribeURL"])
        self.assertEqual(status, 200, reply)
        m = re.search(rb"<SubscriptionArn>([^<]+)</SubscriptionArn>", reply)
        self.assertIsNotNone(m, reply)
        arn = m.group(1).decode()
        self.assertRegex(arn, "^" + re.escape(confirmation["TopicArn"]) + r":[0-9a-f-]{36}$")
        return arn

    def subscribe_http(self, topic_arn: str, endpoint: HttpEndpoint, path: str = "/sns",
                       **subscription_attributes) -> str:
        """Subscribes the endpoint, confirms through the SubscribeURL; returns the subscription ARN."""
        attrs = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in subscription_attributes.items()}
        pending = self.sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=endpoint.url(path),
                                     Attributes=attrs)
        self.assertEqual(pending["SubscriptionArn"], "pending confirmation")
        return self.confirm_by_url(self.wait_confirmation(endpoint, topic_arn, path))

    def wait_notifications(self, endpoint: HttpEndpoint, message_id: str, count: int = 1) -> list[dict]:
        got = endpoint.wait(lambda rs: (n if len(n := posts(rs, "Notification", message_id)) >= count else None))
        if not got:
            self.fail(f"{count} Notification POST(s) of {message_id} did not arrive; got {endpoint.requests}\n"
                      + self.emu.describe_output(40))
        return got

    # ---- functions -------------------------------------------------------------------------
    def sns_invocations(self, topic_arn: str, function: str | None = None) -> list[dict]:
        """Sink bodies ({"function", "requestId", "event"}) whose event is an SNS event of the topic."""
        out = []
        for m in self.sink.messages:
            b = m["json"]
            if not isinstance(b, dict) or not isinstance(b.get("event"), dict):
                continue
            if function is not None and b.get("function") != function:
                continue
            if any(r.get("Sns", {}).get("TopicArn") == topic_arn for r in b["event"].get("Records", [])):
                out.append(b)
        return out

    def wait_sns_invocation(self, topic_arn: str, message_id: str, function: str | None = None) -> dict:
        def mine(_):
            return [b for b in self.sns_invocations(topic_arn, function)
                    if b["event"]["Records"][0]["Sns"].get("MessageId") == message_id]
        got = self.sink.wait(mine)
        if not got:
            self.fail(f"no invocation with SNS message {message_id} after {DELIVERY_TIMEOUT}s; sink has "
                      f"{json.dumps([m['json'] for m in self.sink.messages], indent=1)[:4000]}\n"
                      + self.emu.describe_output(40))
        self.assertEqual(len(got), 1, got)
        return got[0]

    def wait_bodies(self, box: Mailbox, wanted, what: str = "") -> list[dict]:
        """Waits until every body in `wanted` arrived on the mailbox; returns all messages."""
        wanted = list(wanted)
        if not box.wait(lambda ms: all(w in [m["Body"] for m in ms] for w in wanted)):
            self.fail(f"{what or wanted} did not arrive after {DELIVERY_TIMEOUT}s; got {box.bodies()}\n"
                      + self.emu.describe_output(40))
        return box.messages

    def wait_envelope(self, box: Mailbox, message_id: str) -> dict:
        got = box.wait(lambda _: [e for e in box.envelopes() if e.get("MessageId") == message_id])
        if not got:
            self.fail(f"no envelope of {message_id} after {DELIVERY_TIMEOUT}s; got {box.bodies()}\n"
                      + self.emu.describe_output(40))
        self.assertEqual(len(got), 1, got)
        return got[0]

    # ---- signatures ------------------------------------------------------------------------
    def certificate(self, url: str):
        """The signing certificate the URL serves (fetched once), checked to be on the emulator."""
        self.assertRegex(url, rf"^http://localhost:{self.emu.port}/SimpleNotificationService-[0-9a-fA-F]+\.pem$")
        if url not in self.certificates:
            status, pem = http_get(url)
            self.assertEqual(status, 200, pem[:200])
            cert = x509.load_pem_x509_certificate(pem)
            self.assertIsInstance(cert.public_key(), rsa.RSAPublicKey)
            self.certificates[url] = cert
        return self.certificates[url]

    def verify(self, msg: dict, algorithm=None):
        """Raises InvalidSignature unless msg's Signature is valid for its string to sign."""
        url = msg.get("SigningCertURL") or msg.get("SigningCertUrl")
        algorithm = algorithm or {"1": hashes.SHA1(), "2": hashes.SHA256()}[msg["SignatureVersion"]]
        self.certificate(url).public_key().verify(base64.b64decode(msg["Signature"]), string_to_sign(msg),
                                                  padding.PKCS1v15(), algorithm)

    def assert_signed(self, msg: dict):
        try:
            self.verify(msg)
        except InvalidSignature:
            self.fail("the signature does not verify:\n" + json.dumps(msg, indent=1))

    def assert_not_signed(self, msg: dict, algorithm=None, why: str = ""):
        with self.assertRaises(InvalidSignature, msg=why):
            self.verify(msg, algorithm)

    # ---- field by field --------------------------------------------------------------------
    def assert_timestamp(self, value: str, dump: str = ""):
        self.assertRegex(value, TIMESTAMP, dump)
        when = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        # Ordered, not timed: after this module was loaded and not later than now.
        self.assertTrue(MODULE_LOADED <= when <= datetime.now(timezone.utc), f"{value} is not now: {dump}")

    def assert_unsubscribe_url(self, url: str, subscription_arn: str, dump: str = ""):
        parts = urlsplit(url)
        self.assertEqual((parts.scheme, parts.netloc, parts.path), ("http", f"localhost:{self.emu.port}", "/"), dump)
        query = parse_qs(parts.query)
        self.assertEqual(query.get("Action"), ["Unsubscribe"], dump)
        self.assertEqual(query.get("SubscriptionArn"), [subscription_arn], dump)

    def assert_notification(self, msg: dict, *, topic_arn: str, subscription_arn: str, message_id: str,
                            message: str, subject: str | None = None, attrs: dict | None = None,
                            version: str = "1", lambda_event: bool = False):
        """A Notification as SQS / HTTP subscribers get it (SigningCertURL, UnsubscribeURL), or as
        the `Sns` object of a Lambda event (SigningCertUrl, UnsubscribeUrl); signature verified."""
        dump = json.dumps(msg, indent=1)
        cert_key, unsubscribe_key = ("SigningCertUrl", "UnsubscribeUrl") if lambda_event else \
            ("SigningCertURL", "UnsubscribeURL")
        expected_keys = {"Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion", "Signature",
                         cert_key, unsubscribe_key}
        if subject is not None:
            expected_keys.add("Subject")
        if attrs:
            expected_keys.add("MessageAttributes")
        if lambda_event:
            # AWS's example event has exactly these keys; when no subject or attribute was given
            # the docs do not say whether the keys are left out or null, so only a subset is checked.
            if subject is not None and attrs:
                self.assertEqual(set(msg), expected_keys, dump)
            else:
                self.assertLessEqual(expected_keys, set(msg), dump)
            self.assertNotIn("SigningCertURL", msg, "the Lambda event spells it SigningCertUrl: " + dump)
            self.assertNotIn("UnsubscribeURL", msg, "the Lambda event spells it UnsubscribeUrl: " + dump)
        else:
            self.assertEqual(set(msg), expected_keys, "Subject and MessageAttributes only when given: " + dump)
        self.assertEqual(msg["Type"], "Notification", dump)
        self.assertEqual(msg["MessageId"], message_id, dump)
        self.assertEqual(msg["TopicArn"], topic_arn, dump)
        self.assertEqual(msg["Message"], message, dump)
        if subject is not None:
            self.assertEqual(msg["Subject"], subject, dump)
        if attrs:
            self.assertEqual(msg["MessageAttributes"], envelope_attributes(attrs), dump)
        self.assert_timestamp(msg["Timestamp"], dump)
        self.assertEqual(msg["SignatureVersion"], version, dump)
        self.assertTrue(base64.b64decode(msg["Signature"], validate=True), dump)
        self.certificate(msg[cert_key])
        self.assert_unsubscribe_url(msg[unsubscribe_key], subscription_arn, dump)
        self.assert_signed(msg)

    def assert_lambda_event(self, event: dict, *, subscription_arn: str, **notification):
        dump = json.dumps(event, indent=1)
        self.assertEqual(list(event), ["Records"], dump)
        self.assertEqual(len(event["Records"]), 1, "one record per invocation: " + dump)
        rec = event["Records"][0]
        self.assertEqual(set(rec), {"EventSource", "EventVersion", "EventSubscriptionArn", "Sns"}, dump)
        self.assertEqual(rec["EventSource"], "aws:sns", dump)
        self.assertEqual(rec["EventVersion"], "1.0", dump)
        self.assertEqual(rec["EventSubscriptionArn"], subscription_arn, dump)
        self.assert_notification(rec["Sns"], subscription_arn=subscription_arn, lambda_event=True, **notification)

    def assert_sns_error(self, call, code: str = "InvalidParameter", status: int = 400, **kwargs):
        with self.assertRaises(self.sns.exceptions.ClientError) as cm:
            call(**kwargs)
        self.assertEqual(error_code(cm.exception), code, cm.exception.response)
        self.assertEqual(http_status(cm.exception), status, cm.exception.response)
        return cm.exception


# ---- 1. fan-out, envelopes, signatures, HTTP subscriptions; 3. MessageStructure json --------------
class DeliveryTest(SnsTestCase):

    def fan_out(self, version: str):
        topic = self.topic("fanout", **({"SignatureVersion": "2"} if version == "2" else {}))
        if version == "2":
            self.assertEqual(self.sns.get_topic_attributes(TopicArn=topic)["Attributes"].get("SignatureVersion"), "2")
        lambda_sub = self.subscribe(topic, "lambda", function_arn("Recorder"))
        raw_sub, raw_box = self.subscribe_queue(topic, "raw", RawMessageDelivery=True)
        envelope_sub, envelope_box = self.subscribe_queue(topic, "envelope")
        endpoint = self.http_endpoint()
        http_sub = self.subscribe_http(topic, endpoint, "/hook")
        listed = {s["SubscriptionArn"]: (s["Protocol"], s["Endpoint"])
                  for s in self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]}
        self.assertEqual(listed[http_sub], ("http", endpoint.url("/hook")))
        self.assertEqual(listed[lambda_sub], ("lambda", function_arn("Recorder")))
        self.assertEqual(set(listed), {lambda_sub, raw_sub, envelope_sub, http_sub}, listed)

        # Unicode, quotes, a backslash and a new line: signed unescaped, delivered intact.
        message = f'fan-out v{version}: caf\u00e9 \u2713 "quoted" back\\slash\nsecond line'
        subject = f"Fan-out v{version}"
        attrs = attributes(color="blue", price=12.5, blob=b"\x00\x01binary\xff")
        message_id = self.publish(topic, message, subject, attrs)
        notification = dict(topic_arn=topic, message_id=message_id, message=message, subject=subject,
                            attrs=attrs, version=version)

        # The function: invoked once, with the Lambda event.
        invocation = self.wait_sns_invocation(topic, message_id)
        self.assertEqual(invocation["function"], "Recorder")
        self.assert_lambda_event(invocation["event"], subscription_arn=lambda_sub, **notification)

        # The enveloped queue: the JSON envelope as the body.
        envelope = self.wait_envelope(envelope_box, message_id)
        self.assert_notification(envelope, subscription_arn=envelope_sub, **notification)

        # The raw queue: the message itself; SNS attributes become SQS message attributes.
        self.wait_bodies(raw_box, [message])
        self.assertEqual(len(raw_box.messages), 1, raw_box.bodies())
        raw = raw_box.messages[0]
        self.assertEqual(raw["Body"], message)
        self.assertEqual(raw["MessageAttributes"], {
            "color": {"DataType": "String", "StringValue": "blue"},
            "price": {"DataType": "Number", "StringValue": "12.5"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01binary\xff"},
        })

        # The HTTP endpoint: a POST with SNS's headers and the envelope as a text/plain body.
        [post] = self.wait_notifications(endpoint, message_id)
        self.assertEqual(post["path"], "/hook")
        headers = post["headers"]
        self.assertEqual(headers.get("x-amz-sns-message-type"), "Notification", headers)
        self.assertEqual(headers.get("x-amz-sns-message-id"), message_id, headers)
        self.assertEqual(headers.get("x-amz-sns-topic-arn"), topic, headers)
        self.assertEqual(headers.get("x-amz-sns-subscription-arn"), http_sub, headers)
        self.assertEqual(headers.get("content-type"), "text/plain; charset=UTF-8", headers)
        self.assert_notification(json.loads(post["body"]), subscription_arn=http_sub, **notification)

        # Timestamp is "the time (GMT) when the notification was published": one for every subscriber.
        self.assertEqual(len({envelope["Timestamp"], json.loads(post["body"])["Timestamp"],
                              invocation["event"]["Records"][0]["Sns"]["Timestamp"]}), 1)

    def test_fan_out_signature_version_1(self):
        self.fan_out("1")

    def test_fan_out_signature_version_2(self):
        self.fan_out("2")

    def test_tampered_messages_do_not_verify(self):
        for version in ("1", "2"):
            with self.subTest(SignatureVersion=version):
                topic = self.topic("tamper", **({"SignatureVersion": "2"} if version == "2" else {}))
                _, box = self.subscribe_queue(topic)
                message_id = self.publish(topic, "an honest message", "honest subject")
                envelope = self.wait_envelope(box, message_id)
                self.assertEqual(envelope["SignatureVersion"], version)
                self.assert_signed(envelope)
                for field, value in (("Message", "a forged message"), ("Subject", "forged subject"),
                                     ("MessageId", str(uuid.uuid4())), ("Timestamp", "2001-01-01T00:00:00.000Z"),
                                     ("TopicArn", topic + "-other")):
                    self.assert_not_signed(dict(envelope, **{field: value}), why=f"{field} was changed")
                without_subject = dict(envelope)
                del without_subject["Subject"]
                self.assert_not_signed(without_subject, why="Subject was removed")
                # The digest is the one the version names: the other one does not verify.
                other = hashes.SHA256() if version == "1" else hashes.SHA1()
                self.assert_not_signed(envelope, other, why=f"version {version} verified with the other digest")

    def test_subject_and_attributes_only_when_given(self):
        topic = self.topic("plain")
        sub, box = self.subscribe_queue(topic)
        message_id = self.publish(topic, "no subject, no attributes")
        envelope = self.wait_envelope(box, message_id)
        self.assertNotIn("Subject", envelope)
        self.assertNotIn("MessageAttributes", envelope)
        self.assert_notification(envelope, topic_arn=topic, subscription_arn=sub, message_id=message_id,
                                 message="no subject, no attributes")

    def test_http_subscription_is_pending_until_confirmed(self):
        topic = self.topic("pending")
        endpoint = self.http_endpoint()
        pending_arn = self.sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url("/pending"),
                                         ReturnSubscriptionArn=True)["SubscriptionArn"]
        self.assertRegex(pending_arn, "^" + re.escape(topic) + r":[0-9a-f-]{36}$")
        self.assertEqual(self.sns.get_subscription_attributes(SubscriptionArn=pending_arn)
                         ["Attributes"].get("PendingConfirmation"), "true")
        # ListSubscriptionsByTopic shows an unconfirmed subscription as "PendingConfirmation" (what
        # AWS answers; the model does not document the value).
        listed = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        self.assertEqual([(s["SubscriptionArn"], s["Protocol"], s["Endpoint"]) for s in listed],
                         [("PendingConfirmation", "http", endpoint.url("/pending"))])

        confirmation = self.wait_confirmation(endpoint, topic, "/pending")
        self.publish(topic, "published while pending")  # "SNS doesn't send notifications ... until confirmed"

        # ConfirmSubscription with the token (the other way than the SubscribeURL).
        confirmed = self.sns.confirm_subscription(TopicArn=topic, Token=confirmation["Token"])["SubscriptionArn"]
        self.assertEqual(confirmed, pending_arn)
        self.assertEqual(self.sns.get_subscription_attributes(SubscriptionArn=confirmed)
                         ["Attributes"].get("PendingConfirmation"), "false")
        self.assertEqual([s["SubscriptionArn"] for s in self.sns.list_subscriptions_by_topic(TopicArn=topic)
                          ["Subscriptions"]], [confirmed])

        after = self.publish(topic, "published once confirmed")
        [post] = self.wait_notifications(endpoint, after)
        self.assertEqual(post["headers"].get("x-amz-sns-subscription-arn"), confirmed)
        # Sentinel: the message published while pending never came.
        self.assertEqual([json.loads(r["body"])["Message"] for r in endpoint.of_type("Notification")],
                         ["published once confirmed"])
        self.assertEqual(len(endpoint.of_type("SubscriptionConfirmation")), 1)

    def test_unsubscribe_url(self):
        topic = self.topic("unsub")
        sub, box = self.subscribe_queue(topic, "leaving")
        _, stays = self.subscribe_queue(topic, "staying")
        first = self.publish(topic, "before unsubscribing")
        envelope = self.wait_envelope(box, first)
        self.assert_unsubscribe_url(envelope["UnsubscribeURL"], sub)

        status, reply = http_get(envelope["UnsubscribeURL"])
        self.assertEqual(status, 200, reply)
        self.assertNotIn(sub, [s["SubscriptionArn"] for s in
                               self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]])
        second = self.publish(topic, "after unsubscribing")
        self.wait_envelope(stays, second)  # sentinel: the other subscriber got it
        box.receive(0)
        self.assertEqual([e["MessageId"] for e in box.envelopes()], [first])

    # ---- 3. MessageStructure json ----------------------------------------------------------
    def test_message_structure_json(self):
        topic = self.topic("structure")
        lambda_sub = self.subscribe(topic, "lambda", function_arn("Recorder"))
        sqs_sub, envelope_box = self.subscribe_queue(topic, "structure")
        _, raw_box = self.subscribe_queue(topic, "structure-raw", RawMessageDelivery=True)
        endpoint = self.http_endpoint()
        http_sub = self.subscribe_http(topic, endpoint)

        every = self.publish(topic, json.dumps({"default": "for everyone else", "sqs": "for queues",
                                                "lambda": "for functions", "http": "for http"}),
                             MessageStructure="json")
        default_only = self.publish(topic, json.dumps({"default": "the default", "sqs": "queues again"}),
                                    MessageStructure="json")

        for message_id, lambda_text, sqs_text, http_text in (
                (every, "for functions", "for queues", "for http"),
                (default_only, "the default", "queues again", "the default")):
            with self.subTest(message_id=message_id):
                invocation = self.wait_sns_invocation(topic, message_id)
                self.assert_lambda_event(invocation["event"], subscription_arn=lambda_sub, topic_arn=topic,
                                         message_id=message_id, message=lambda_text)
                self.assert_notification(self.wait_envelope(envelope_box, message_id), topic_arn=topic,
                                         subscription_arn=sqs_sub, message_id=message_id, message=sqs_text)
                [post] = self.wait_notifications(endpoint, message_id)
                self.assert_notification(json.loads(post["body"]), topic_arn=topic, subscription_arn=http_sub,
                                         message_id=message_id, message=http_text)
        self.wait_bodies(raw_box, ["for queues", "queues again"])
        self.assertEqual(sorted(raw_box.bodies()), ["for queues", "queues again"])

    def test_message_structure_json_needs_a_json_object_with_default(self):
        topic = self.topic("structure-bad")
        for what, message in (("not JSON", "plain text"), ("no default key", '{"sqs": "only sqs"}'),
                              ("not an object", '["default"]')):
            with self.subTest(what):
                self.assert_sns_error(self.sns.publish, TopicArn=topic, Message=message, MessageStructure="json")


# ---- 2. filter policies -------------------------------------------------------------------------
class FilterPolicyTest(SnsTestCase):
    """Each operator: a raw queue subscription with the policy; the publishes that must not match
    go first, then the ones that must; once those arrived, nothing else may have."""

    def check_policy(self, policy: dict, matching: list, not_matching: list, scope: str | None = None):
        topic = self.topic("filter")
        sub_attrs = {"FilterPolicy": policy, "RawMessageDelivery": True}
        if scope:
            sub_attrs["FilterPolicyScope"] = scope
        sub, box = self.subscribe_queue(topic, "filtered", **sub_attrs)
        stored = self.sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        self.assertEqual(json.loads(stored["FilterPolicy"]), policy)
        self.assertEqual(stored.get("FilterPolicyScope", "MessageAttributes"), scope or "MessageAttributes")

        def send(label: str, case):
            if scope == "MessageBody":
                body = case if isinstance(case, str) else json.dumps(dict(case, label=label))
                self.publish(topic, body)
                return body
            self.publish(topic, label, attrs=attributes(**case))
            return label

        for i, case in enumerate(not_matching):
            send(f"miss-{i}", case)
        expected = [send(f"match-{i}", case) for i, case in enumerate(matching)]
        self.wait_bodies(box, expected, f"the matching messages for {policy}")
        self.assertEqual(sorted(box.bodies()), sorted(expected),
                         f"policy {json.dumps(policy)} let through messages it does not match")

    def test_exact_string(self):
        self.check_policy({"color": ["red", "blue"]},
                          matching=[{"color": "blue"}, {"color": ("String.Array", '["green", "red"]')}],
                          not_matching=[{"color": "green"}, {"color": "Blue"}, {"size": "blue"}, {}])

    def test_keys_are_anded(self):
        self.check_policy({"color": ["red"], "size": ["L"]},
                          matching=[{"color": "red", "size": "L", "extra": "ignored"}],
                          not_matching=[{"color": "red"}, {"size": "L"}, {"color": "red", "size": "M"}])

    def test_exact_number(self):
        self.check_policy({"price_usd": [{"numeric": ["=", 301.5]}]},
                          matching=[{"price_usd": 301.5}, {"price_usd": ("Number", "3.015e2")}],
                          not_matching=[{"price_usd": 301.51}, {"price_usd": -301.5}, {"price": 301.5}])

    def test_prefix(self):
        self.check_policy({"event": [{"prefix": "order-"}]},
                          matching=[{"event": "order-placed"}, {"event": "order-"}],
                          not_matching=[{"event": "re-order-x"}, {"event": "Order-placed"}, {"event": "order"}])

    def test_suffix(self):
        self.check_policy({"file": [{"suffix": ".png"}]},
                          matching=[{"file": "cat.png"}],
                          not_matching=[{"file": "cat.png.bak"}, {"file": "cat.PNG"}, {"file": "png"}])

    def test_anything_but(self):
        self.check_policy({"region": [{"anything-but": ["us-east-1", "us-west-2"]}]},
                          matching=[{"region": "eu-west-1"}, {"region": "us-east-2"}],
                          not_matching=[{"region": "us-east-1"}, {"region": "us-west-2"}, {"other": "eu-west-1"}])

    def test_numeric_range(self):
        self.check_policy({"price_usd": [{"numeric": [">", 0, "<=", 150]}]},
                          matching=[{"price_usd": 150}, {"price_usd": 0.5}, {"price_usd": 100}],
                          not_matching=[{"price_usd": 0}, {"price_usd": 150.5}, {"price_usd": -1},
                                        {"price_usd": 1000}])

    def test_exists_true(self):
        self.check_policy({"store": [{"exists": True}]},
                          matching=[{"store": "example_corp"}, {"store": 0}],
                          not_matching=[{"other": "example_corp"}, {}])

    def test_exists_false(self):
        self.check_policy({"store": [{"exists": False}]},
                          matching=[{"other": "example_corp"}],
                          not_matching=[{"store": "example_corp"}, {"store": "x", "other": "x"}])

    def test_or_operator(self):
        # The SNS guide's example: source AND (metricName OR namespace).
        self.check_policy({"source": ["aws.cloudwatch"],
                           "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}]},
                          matching=[{"source": "aws.cloudwatch", "metricName": "CPUUtilization"},
                                    {"source": "aws.cloudwatch", "namespace": "AWS/EC2"}],
                          not_matching=[{"source": "aws.cloudwatch", "metricName": "MemoryUtilization"},
                                        {"source": "aws.ec2", "namespace": "AWS/EC2"},
                                        {"metricName": "CPUUtilization"}])

    def test_cidr(self):
        self.check_policy({"source_ip": [{"cidr": "10.0.0.0/24"}]},
                          matching=[{"source_ip": "10.0.0.0"}, {"source_ip": "10.0.0.255"}],
                          not_matching=[{"source_ip": "10.0.1.0"}, {"source_ip": "11.0.0.1"},
                                        {"source_ip": "not an address"}])

    def test_equals_ignore_case(self):
        self.check_policy({"customer_interests": [{"equals-ignore-case": "tennis"}]},
                          matching=[{"customer_interests": "TENNIS"}, {"customer_interests": "Tennis"}],
                          not_matching=[{"customer_interests": "table tennis"}, {"customer_interests": "tennis "}])

    def test_message_body_scope_with_nested_keys(self):
        self.check_policy({"store": {"country": ["US"]}, "price_usd": [{"numeric": [">=", 100]}]},
                          matching=[{"store": {"country": "US", "city": "NYC"}, "price_usd": 210.75},
                                    {"store": {"country": ["CA", "US"]}, "price_usd": 100}],
                          not_matching=[{"store": {"country": "CA"}, "price_usd": 210.75},
                                        {"store": {"country": "US"}, "price_usd": 10},
                                        {"country": "US", "price_usd": 500},
                                        "not json at all"],
                          scope="MessageBody")


# ---- 4. FIFO topics --------------------------------------------------------------------------------
class FifoTopicTest(SnsTestCase):

    def test_order_is_kept_per_message_group(self):
        topic = self.topic("order", fifo=True)
        self.assertEqual(self.sns.get_topic_attributes(TopicArn=topic)["Attributes"].get("FifoTopic"), "true")
        _, box = self.subscribe_queue(topic, "order", RawMessageDelivery=True)
        published = []
        for i in range(20):
            group = "group-a" if i % 2 == 0 else "group-b"
            r = self.sns.publish(TopicArn=topic, Message=f"{group}/{i:02d}", MessageGroupId=group,
                                 MessageDeduplicationId=f"dedup-{i}")
            self.assertRegex(r["MessageId"], UUID)
            self.assertRegex(r.get("SequenceNumber", ""), r"^\d+$", r)
            published.append((group, f"{group}/{i:02d}", int(r["SequenceNumber"])))
        for group in ("group-a", "group-b"):
            numbers = [n for g, _, n in published if g == group]
            self.assertEqual(numbers, sorted(set(numbers)), f"sequence numbers grow within {group}")

        self.wait_bodies(box, [body for _, body, _ in published], "the 20 messages")
        self.assertEqual(len(box.messages), 20, box.bodies())
        for group in ("group-a", "group-b"):
            got = [m for m in box.messages if m["Body"].startswith(group + "/")]
            self.assertEqual([m["Body"] for m in got], [b for g, b, _ in published if g == group],
                             f"{group} arrived out of order")
            self.assertEqual({m["Attributes"].get("MessageGroupId") for m in got}, {group})

    def test_the_same_deduplication_id_is_delivered_once(self):
        topic = self.topic("dedup", fifo=True)
        _, box = self.subscribe_queue(topic, "dedup", RawMessageDelivery=True)
        for body, dedup in (("first", "same-id"), ("second, same id", "same-id"), ("sentinel", "other-id")):
            self.sns.publish(TopicArn=topic, Message=body, MessageGroupId="g", MessageDeduplicationId=dedup)
        self.wait_bodies(box, ["sentinel"])
        self.assertEqual(box.bodies(), ["first", "sentinel"])

    def test_content_based_deduplication(self):
        topic = self.topic("content", fifo=True, ContentBasedDeduplication="true")
        _, box = self.subscribe_queue(topic, "content", RawMessageDelivery=True)
        for body in ("same body", "same body", "sentinel"):
            self.sns.publish(TopicArn=topic, Message=body, MessageGroupId="g")
        self.wait_bodies(box, ["sentinel"])
        self.assertEqual(box.bodies(), ["same body", "sentinel"])

    def test_a_message_group_id_is_required(self):
        topic = self.topic("nogroup", fifo=True, ContentBasedDeduplication="true")
        self.assert_sns_error(self.sns.publish, TopicArn=topic, Message="no group")

    def test_a_fifo_topic_delivers_to_a_standard_queue_too(self):
        # "Amazon SNS FIFO topics support delivery to both Amazon SQS standard and FIFO queues"
        # (Message delivery for FIFO topics; earlier versions of the page allowed FIFO queues only).
        topic = self.topic("mixed", fifo=True)
        _, standard_arn, box = self.queue("standard")
        self.subscribe(topic, "sqs", standard_arn, RawMessageDelivery=True)
        self.sns.publish(TopicArn=topic, Message="to a standard queue", MessageGroupId="g",
                         MessageDeduplicationId="d1")
        self.wait_bodies(box, ["to a standard queue"])

    def test_endpoints_that_cannot_keep_order_are_refused(self):
        # "SNS FIFO topics can't deliver messages to customer managed endpoints, such as ... HTTP(S)
        # endpoints ... Attempts to subscribe customer managed endpoints to SNS FIFO topics result in
        # errors"; functions are reached through an SQS FIFO queue instead.
        topic = self.topic("refuse", fifo=True)
        for protocol, endpoint in (("http", "http://127.0.0.1:9/never"), ("lambda", function_arn("Recorder"))):
            with self.subTest(protocol):
                self.assert_sns_error(self.sns.subscribe, TopicArn=topic, Protocol=protocol, Endpoint=endpoint)
        self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"], [])


# ---- 5. OnFailure of a function SNS invokes; 6. subscription dead-letter queues -------------------
class FailureTest(SnsTestCase):

    def test_a_failing_function_reaches_its_on_failure_destination(self):
        _, failure_arn, failures = self.queue("on-failure")
        self.lam.put_function_event_invoke_config(
            FunctionName="Failing", MaximumRetryAttempts=1,
            DestinationConfig={"OnFailure": {"Destination": failure_arn}})
        self.addCleanup(self._quietly, self.lam.delete_function_event_invoke_config, FunctionName="Failing")
        topic = self.topic("failing")
        sub = self.subscribe(topic, "lambda", function_arn("Failing"))
        message_id = self.publish(topic, "this message makes the function fail", "failure")

        got = failures.wait(lambda ms: [m for m in ms if m["json"]])
        if not got:
            self.fail("no OnFailure record\n" + self.emu.describe_output(40))
        self.assertEqual(len(got), 1, failures.bodies())
        record = got[0]["json"]
        dump = json.dumps(record, indent=1)
        self.assertEqual(record["version"], "1.0", dump)
        self.assertRegex(record["timestamp"], r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$", dump)
        context = record["requestContext"]
        self.assertEqual(context["condition"], "RetriesExhausted", dump)
        self.assertEqual(context["functionArn"], function_arn("Failing", "$LATEST"), dump)
        self.assertEqual(context["approximateInvokeCount"], 2, "1 attempt + MaximumRetryAttempts 1: " + dump)
        self.assertEqual(record["responseContext"],
                         {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}, dump)
        self.assertEqual(record["responsePayload"]["errorType"], "RuntimeError", dump)
        self.assertEqual(record["responsePayload"]["errorMessage"], "this function always fails", dump)
        # The request payload is the SNS event the function was invoked with.
        self.assert_lambda_event(record["requestPayload"], subscription_arn=sub, topic_arn=topic,
                                 message_id=message_id, message="this message makes the function fail",
                                 subject="failure")

    def test_a_deleted_queue_sends_the_message_to_the_dead_letter_queue(self):
        topic = self.topic("redrive")
        gone_url, gone_arn, gone = self.queue("soon-gone")
        _, dlq_arn, dlq = self.queue("dlq")
        redrive = {"deadLetterTargetArn": dlq_arn}
        sub = self.subscribe(topic, "sqs", gone_arn, RedrivePolicy=redrive)
        self.assertEqual(json.loads(self.sns.get_subscription_attributes(SubscriptionArn=sub)
                                    ["Attributes"]["RedrivePolicy"]), redrive)

        delivered = self.publish(topic, "delivered while the queue exists")
        self.wait_envelope(gone, delivered)
        self.sqs.delete_queue(QueueUrl=gone_url)  # a client-side error for SNS: no retries, to the DLQ
        lost = self.publish(topic, "for a queue that is gone", "to the DLQ")
        envelope = self.wait_envelope(dlq, lost)
        self.assert_notification(envelope, topic_arn=topic, subscription_arn=sub, message_id=lost,
                                 message="for a queue that is gone", subject="to the DLQ")
        self.assertEqual([e["MessageId"] for e in dlq.envelopes()], [lost], "the delivered message is not in the DLQ")
        self.assertIn(sub, [s["SubscriptionArn"] for s in self.sns.list_subscriptions_by_topic(TopicArn=topic)
                            ["Subscriptions"]], "failed deliveries don't change the subscription")

    def test_an_http_endpoint_answering_500_is_retried_then_dead_lettered(self):
        topic = self.topic("http-redrive")
        _, dlq_arn, dlq = self.queue("http-dlq")
        endpoint = self.http_endpoint()
        endpoint.status["Notification"] = 500
        sub = self.subscribe_http(topic, endpoint, "/failing", DeliveryPolicy=IMMEDIATE_RETRIES,
                                  RedrivePolicy={"deadLetterTargetArn": dlq_arn})
        self.assertEqual(json.loads(self.sns.get_subscription_attributes(SubscriptionArn=sub)
                                    ["Attributes"]["DeliveryPolicy"]), IMMEDIATE_RETRIES)

        message_id = self.publish(topic, "the endpoint will not take this")
        envelope = self.wait_envelope(dlq, message_id)
        self.assert_notification(envelope, topic_arn=topic, subscription_arn=sub, message_id=message_id,
                                 message="the endpoint will not take this")
        # Moved to the DLQ only once the retries were spent: 1 attempt + numRetries 2, each carrying
        # the original message id ("For a notification that Amazon SNS resends during a retry, the
        # message ID of the original message is used").
        attempts = posts(endpoint.requests, "Notification")
        self.assertEqual(len(attempts), 3, [r["headers"] for r in attempts])
        self.assertEqual({r["headers"].get("x-amz-sns-message-id") for r in attempts}, {message_id})
        self.assertEqual({json.loads(r["body"])["MessageId"] for r in attempts}, {message_id})
        self.assertEqual(len(dlq.envelopes()), 1)


# ---- 7. SNS as a destination ---------------------------------------------------------------------
class DestinationTest(SnsTestCase):

    def test_a_topic_as_the_on_success_destination(self):
        topic = self.topic("on-success")
        sub, box = self.subscribe_queue(topic, "on-success")
        self.lam.put_function_event_invoke_config(FunctionName="Succeeding", MaximumRetryAttempts=0,
                                                  DestinationConfig={"OnSuccess": {"Destination": topic}})
        self.addCleanup(self._quietly, self.lam.delete_function_event_invoke_config, FunctionName="Succeeding")
        event = {"order": 42, "items": ["a", "b"]}
        r = self.lam.invoke(FunctionName="Succeeding", InvocationType="Event", Payload=json.dumps(event).encode())
        self.assertEqual(r["StatusCode"], 202)
        request_id = r["ResponseMetadata"]["RequestId"]

        got = box.wait(lambda ms: box.envelopes())
        if not got:
            self.fail("the invocation record never reached the topic\n" + self.emu.describe_output(40))
        self.assertEqual(len(got), 1, box.bodies())
        envelope = got[0]
        dump = json.dumps(envelope, indent=1)
        self.assertEqual(envelope["Type"], "Notification", dump)
        self.assertEqual(envelope["TopicArn"], topic, dump)
        self.assertRegex(envelope["MessageId"], UUID, dump)
        self.assert_unsubscribe_url(envelope["UnsubscribeURL"], sub, dump)
        self.assert_signed(envelope)
        record = json.loads(envelope["Message"])
        self.assertEqual(record["version"], "1.0", dump)
        self.assertEqual(record["requestContext"], {"requestId": request_id,
                                                    "functionArn": function_arn("Succeeding", "$LATEST"),
                                                    "condition": "Success", "approximateInvokeCount": 1}, dump)
        self.assertEqual(record["requestPayload"], event, dump)
        self.assertEqual(record["responseContext"], {"statusCode": 200, "executedVersion": "$LATEST"}, dump)
        self.assertEqual(record["responsePayload"], {"ok": True, "echo": event}, dump)

    def test_s3_topic_configuration(self):
        s3 = self.emu.client("s3", read_timeout=60)
        bucket = f"sns-dest-{uuid.uuid4().hex[:12]}"
        s3.create_bucket(Bucket=bucket)
        self.addCleanup(self._delete_bucket, s3, bucket)
        topic = self.topic("s3-events")
        sub, box = self.subscribe_queue(topic, "s3-events")
        configuration = {"TopicConfigurations": [{"Id": "to-topic", "TopicArn": topic,
                                                  "Events": ["s3:ObjectCreated:*"]}]}
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=configuration)
        got = s3.get_bucket_notification_configuration(Bucket=bucket)
        self.assertEqual(got.get("TopicConfigurations"), configuration["TopicConfigurations"], got)

        body = b"a,b\n1,2\n"
        put = s3.put_object(Bucket=bucket, Key="reports/today.csv", Body=body)

        def record_envelopes(_):
            return [e for e in box.envelopes() if "Records" in json.loads(e["Message"])]
        got = box.wait(record_envelopes)
        if not got:
            self.fail(f"no S3 event reached the topic's queue; got {box.bodies()}\n" + self.emu.describe_output(40))
        self.assertEqual(len(got), 1, box.bodies())
        envelope = got[0]
        dump = json.dumps(envelope, indent=1)
        self.assertEqual(envelope["Subject"], "Amazon S3 Notification", dump)
        self.assert_notification(envelope, topic_arn=topic, subscription_arn=sub, message_id=envelope["MessageId"],
                                 message=envelope["Message"], subject="Amazon S3 Notification")
        event = json.loads(envelope["Message"])
        self.assertEqual(len(event["Records"]), 1, dump)
        rec = event["Records"][0]
        self.assertEqual(rec["eventSource"], "aws:s3", dump)
        self.assertEqual(rec["eventVersion"], "2.1", dump)
        self.assertEqual(rec["eventName"], "ObjectCreated:Put", dump)
        self.assertEqual(rec["s3"]["configurationId"], "to-topic", dump)
        self.assertEqual(rec["s3"]["bucket"]["name"], bucket, dump)
        self.assertEqual(rec["s3"]["object"]["key"], "reports/today.csv", dump)
        self.assertEqual(rec["s3"]["object"]["size"], len(body), dump)
        self.assertEqual(rec["s3"]["object"]["eTag"], put["ETag"].strip('"'), dump)
        # S3 sends its s3:TestEvent to a topic when the configuration is put, with the same subject.
        tests = [e for e in box.envelopes() if json.loads(e["Message"]).get("Event") == "s3:TestEvent"]
        self.assertEqual(len(tests), 1, box.bodies())
        self.assertEqual(json.loads(tests[0]["Message"]).get("Bucket"), bucket)
        self.assertEqual(tests[0].get("Subject"), "Amazon S3 Notification")

    @staticmethod
    def _delete_bucket(s3, bucket):
        try:
            for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=o["Key"])
            s3.delete_bucket(Bucket=bucket)
        except Exception:
            pass


# ---- 8. the template ----------------------------------------------------------------------------
class TemplateTest(SnsTestCase):
    """AWS::SNS::Topic (given and generated names, an inline Subscription), AWS::SNS::Subscription
    (raw, filtered), AWS::SQS::QueuePolicy and AWS::SNS::TopicPolicy (accepted), SAM `SNS` events
    with a FilterPolicy and with `SqsSubscription: true`, Ref / GetAtt of topics."""

    TEMPLATE = f'''
Globals:
  Function:
    Runtime: python3.12
    CodeUri: py/
    Handler: app.record
    Timeout: 30
    Environment:
      Variables:
        SINK_URL: !Ref Sink
Resources:
  Sink:
    Type: AWS::SQS::Queue
    Properties: {{QueueName: {SINK}}}
  InlineQueue:
    Type: AWS::SQS::Queue
    Properties: {{QueueName: sns-inline}}
  FilteredQueue:
    Type: AWS::SQS::Queue
    Properties: {{QueueName: sns-filtered}}
  Orders:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: orders
      DisplayName: Orders
      Subscription:
        - Protocol: sqs
          Endpoint: !GetAtt InlineQueue.Arn
  Generated:
    Type: AWS::SNS::Topic
  FilteredSubscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Orders
      Protocol: sqs
      Endpoint: !GetAtt FilteredQueue.Arn
      RawMessageDelivery: true
      FilterPolicy:
        kind: [important]
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref InlineQueue, !Ref FilteredQueue]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: sns.amazonaws.com}}
            Action: sqs:SendMessage
            Resource: "*"
            Condition:
              ArnEquals: {{"aws:SourceArn": !Ref Orders}}
  OrdersPolicy:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics: [!Ref Orders]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{AWS: !Sub "arn:aws:iam::${{AWS::AccountId}}:root"}}
            Action: sns:Publish
            Resource: !Ref Orders
  OnOrder:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Order:
          Type: SNS
          Properties:
            Topic: !Ref Orders
            FilterPolicy:
              kind: [for-function]
  Buffered:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        ViaQueue:
          Type: SNS
          Properties:
            Topic: !Ref Generated
            SqsSubscription: true
  Environment:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.environment
      Environment:
        Variables:
          ORDERS_REF: !Ref Orders
          ORDERS_ARN: !GetAtt Orders.TopicArn
          ORDERS_NAME: !GetAtt Orders.TopicName
          GENERATED_REF: !Ref Generated
          GENERATED_NAME: !GetAtt Generated.TopicName
'''
    ORDERS = f"arn:aws:sns:{REGION}:{ACCOUNT}:orders"

    def mailbox(self, queue_name: str) -> Mailbox:
        return Mailbox(self.sqs, self.sqs.get_queue_url(QueueName=queue_name)["QueueUrl"])

    def queue_arn(self, queue_name: str) -> str:
        return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue_name}"

    def subscriptions(self, topic_arn: str) -> list[dict]:
        return self.sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]

    def generated_topic(self) -> str:
        arns = [t["TopicArn"] for t in self.sns.list_topics()["Topics"]]
        self.assertIn(self.ORDERS, arns)
        others = [a for a in arns if a != self.ORDERS]
        self.assertEqual(len(others), 1, arns)
        return others[0]

    def test_ref_and_get_att(self):
        env = self.invoke_json("Environment", {})
        self.assertEqual(env["ORDERS_REF"], self.ORDERS, "Ref of a topic is its ARN")
        self.assertEqual(env["ORDERS_ARN"], self.ORDERS)
        self.assertEqual(env["ORDERS_NAME"], "orders")
        generated = self.generated_topic()
        self.assertEqual(env["GENERATED_REF"], generated)
        name = generated.rsplit(":", 1)[1]
        self.assertEqual(env["GENERATED_NAME"], name)
        self.assertRegex(name, r"^[A-Za-z0-9_-]{1,256}$")
        self.assertIn("generated", name.lower(), "a generated name carries the logical id")
        self.assertEqual(self.sns.get_topic_attributes(TopicArn=self.ORDERS)["Attributes"].get("DisplayName"),
                         "Orders")

    def test_inline_subscription_delivers_the_envelope(self):
        subs = [s for s in self.subscriptions(self.ORDERS) if s["Endpoint"] == self.queue_arn("sns-inline")]
        self.assertEqual([s["Protocol"] for s in subs], ["sqs"], self.subscriptions(self.ORDERS))
        box = self.mailbox("sns-inline")
        text = f"inline {uuid.uuid4().hex}"
        message_id = self.publish(self.ORDERS, text)
        self.assert_notification(self.wait_envelope(box, message_id), topic_arn=self.ORDERS,
                                 subscription_arn=subs[0]["SubscriptionArn"], message_id=message_id, message=text)

    def test_subscription_resource_is_raw_and_filtered(self):
        subs = [s for s in self.subscriptions(self.ORDERS) if s["Endpoint"] == self.queue_arn("sns-filtered")]
        self.assertEqual(len(subs), 1, self.subscriptions(self.ORDERS))
        stored = self.sns.get_subscription_attributes(SubscriptionArn=subs[0]["SubscriptionArn"])["Attributes"]
        self.assertEqual(stored.get("RawMessageDelivery"), "true")
        self.assertEqual(json.loads(stored["FilterPolicy"]), {"kind": ["important"]})

        box = self.mailbox("sns-filtered")
        token = uuid.uuid4().hex
        self.publish(self.ORDERS, f"boring {token}", attrs=attributes(kind="boring"))
        self.publish(self.ORDERS, f"no attributes {token}")
        self.publish(self.ORDERS, f"important {token}", attrs=attributes(kind="important"))
        self.wait_bodies(box, [f"important {token}"])
        mine = [m for m in box.messages if token in m["Body"]]
        self.assertEqual([m["Body"] for m in mine], [f"important {token}"])
        self.assertEqual(mine[0]["MessageAttributes"], {"kind": {"DataType": "String", "StringValue": "important"}})

    def test_sam_sns_event_with_a_filter_policy(self):
        subs = [s for s in self.subscriptions(self.ORDERS) if s["Protocol"] == "lambda"]
        self.assertEqual([s["Endpoint"] for s in subs], [function_arn("OnOrder")], self.subscriptions(self.ORDERS))
        stored = self.sns.get_subscription_attributes(SubscriptionArn=subs[0]["SubscriptionArn"])["Attributes"]
        self.assertEqual(json.loads(stored["FilterPolicy"]), {"kind": ["for-function"]})

        token = uuid.uuid4().hex
        self.publish(self.ORDERS, f"not for the function {token}", attrs=attributes(kind="other"))
        message_id = self.publish(self.ORDERS, f"for the function {token}", "order",
                                  attributes(kind="for-function"))
        invocation = self.wait_sns_invocation(self.ORDERS, message_id, "OnOrder")
        self.assert_lambda_event(invocation["event"], subscription_arn=subs[0]["SubscriptionArn"],
                                 topic_arn=self.ORDERS, message_id=message_id, message=f"for the function {token}",
                                 subject="order", attrs=attributes(kind="for-function"))
        invoked_with = [b["event"]["Records"][0]["Sns"]["Message"] for b in self.sns_invocations(self.ORDERS, "OnOrder")]
        self.assertNotIn(f"not for the function {token}", invoked_with)

    def test_sqs_subscription_puts_a_queue_between_topic_and_function(self):
        generated = self.generated_topic()
        subs = self.subscriptions(generated)
        self.assertEqual([s["Protocol"] for s in subs], ["sqs"], "SAM subscribes a queue, not the function")
        text = f"through a queue {uuid.uuid4().hex}"
        message_id = self.publish(generated, text, attrs=attributes(via="sqs"))

        def mine(_):
            out = []
            for m in self.sink.messages:
                b = m["json"]
                if isinstance(b, dict) and b.get("function") == "Buffered":
                    for r in b["event"].get("Records", []):
                        if r.get("eventSource") == "aws:sqs" and message_id in r.get("body", ""):
                            out.append((b, r))
            return out
        got = self.sink.wait(mine)
        if not got:
            self.fail(f"Buffered never got {message_id}\n" + self.emu.describe_output(40))
        self.assertEqual(len(got), 1, got)
        _, rec = got[0]
        self.assertEqual(rec["eventSourceARN"], subs[0]["Endpoint"], rec)
        envelope = json.loads(rec["body"])
        self.assert_notification(envelope, topic_arn=generated, subscription_arn=subs[0]["SubscriptionArn"],
                                 message_id=message_id, message=text, attrs=attributes(via="sqs"))


if __name__ == "__main__":
    import unittest
    unittest.main()
