"""Helpers for the SQS and event-source-mapping integration tests (test_sqs_*.py,
test_event_source_mappings.py, test_nothing_lost.py), on top of harness.py.

* SqsTestCase: one emulator per class with a JSON-protocol boto3 SQS client (`self.sqs`), queues
  that delete themselves after the test, and assertions for AWS's SQS errors.
* query_sqs_client(): a boto3 SQS client speaking the *query* protocol (Action=...&Version=
  2012-11-05, XML answers), as botocore did before it switched SQS to JSON 1.0. It is built at run
  time from the installed botocore's JSON model plus the query names of the pre-JSON model (the
  `locationName`s, result wrappers and legacy error codes below, the same facts moto ships as
  sqs/2012-11-05/service-2.moto-extras.json).
* message_attributes_md5(): MD5OfMessageAttributes computed the way AWS documents it.
* signed_request(): a raw SigV4-signed HTTP request, for checking wire formats byte by byte.
"""
from __future__ import annotations

import atexit
import copy
import hashlib
import json
import os
import shutil
import struct
import tempfile
import time
import urllib.error
import urllib.request
import uuid

import boto3
import botocore
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from .harness import ACCOUNT, REGION, EmulatorTestCase, error_code, http_status

# ---- the query protocol ------------------------------------------------------------------------
# Query (XML) names of the SQS shapes, from the pre-JSON SQS model. For a list: the member name
# (flattened); for a map: key, value and, optionally, the map's own name (flattened); for a
# structure: {member: name}.
QUERY_LIST_MEMBERS = {
    "AWSAccountIdList": "AWSAccountId",
    "ActionNameList": "ActionName",
    "AttributeNameList": "AttributeName",
    "BatchResultErrorEntryList": "BatchResultErrorEntry",
    "BinaryList": "BinaryListValue",
    "ChangeMessageVisibilityBatchRequestEntryList": "ChangeMessageVisibilityBatchRequestEntry",
    "ChangeMessageVisibilityBatchResultEntryList": "ChangeMessageVisibilityBatchResultEntry",
    "DeleteMessageBatchRequestEntryList": "DeleteMessageBatchRequestEntry",
    "DeleteMessageBatchResultEntryList": "DeleteMessageBatchResultEntry",
    "MessageAttributeNameList": "MessageAttributeName",
    "MessageList": "Message",
    "QueueUrlList": "QueueUrl",
    "SendMessageBatchRequestEntryList": "SendMessageBatchRequestEntry",
    "SendMessageBatchResultEntryList": "SendMessageBatchResultEntry",
    "StringList": "StringListValue",
    "TagKeyList": "TagKey",
}
QUERY_MAPS = {  # shape: (key name, value name, map name or None)
    "MessageBodyAttributeMap": ("Name", "Value", None),
    "MessageBodySystemAttributeMap": ("Name", "Value", None),
    "MessageSystemAttributeMap": ("Name", "Value", "Attribute"),
    "QueueAttributeMap": ("Name", "Value", "Attribute"),
    "TagMap": ("Key", "Value", "Tag"),
}
QUERY_MEMBERS = {
    "CreateQueueRequest": {"Attributes": "Attribute", "tags": "Tag"},
    "GetQueueAttributesResult": {"Attributes": "Attribute"},
    "ListQueueTagsResult": {"Tags": "Tag"},
    "Message": {"Attributes": "Attribute", "MessageAttributes": "MessageAttribute"},
    "MessageAttributeValue": {"StringListValues": "StringListValue", "BinaryListValues": "BinaryListValue"},
    "MessageSystemAttributeValue": {"StringListValues": "StringListValue",
                                    "BinaryListValues": "BinaryListValue"},
    "SendMessageBatchRequestEntry": {"MessageAttributes": "MessageAttribute",
                                     "MessageSystemAttributes": "MessageSystemAttribute"},
    "SendMessageRequest": {"MessageAttributes": "MessageAttribute",
                           "MessageSystemAttributes": "MessageSystemAttribute"},
    "SetQueueAttributesRequest": {"Attributes": "Attribute"},
}
# Error shape -> (legacy query code, HTTP status).
QUERY_ERROR_CODES = {
    "BatchEntryIdsNotDistinct": ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400),
    "BatchRequestTooLong": ("AWS.SimpleQueueService.BatchRequestTooLong", 400),
    "EmptyBatchRequest": ("AWS.SimpleQueueService.EmptyBatchRequest", 400),
    "InvalidBatchEntryId": ("AWS.SimpleQueueService.InvalidBatchEntryId", 400),
    "MessageNotInflight": ("AWS.SimpleQueueService.MessageNotInflight", 400),
    "OverLimit": ("OverLimit", 403),
    "PurgeQueueInProgress": ("AWS.SimpleQueueService.PurgeQueueInProgress", 403),
    "QueueDeletedRecently": ("AWS.SimpleQueueService.QueueDeletedRecently", 400),
    "QueueDoesNotExist": ("AWS.SimpleQueueService.NonExistentQueue", 400),
    "QueueNameExists": ("QueueAlreadyExists", 400),
    "TooManyEntriesInBatchRequest": ("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400),
    "UnsupportedOperation": ("AWS.SimpleQueueService.UnsupportedOperation", 400),
}
# Operations whose query response wraps its result in <OpResult>.
QUERY_RESULT_WRAPPED = (
    "ChangeMessageVisibilityBatch", "CreateQueue", "DeleteMessageBatch", "GetQueueAttributes", "GetQueueUrl",
    "ListDeadLetterSourceQueues", "ListQueueTags", "ListQueues", "ReceiveMessage", "SendMessage",
    "SendMessageBatch")
QUERY_XML_NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/"

_query_model_dir: list[str] = []


def query_model_from_json(model: dict) -> dict:
    """The SQS service model for the query protocol, from botocore's JSON 1.0 model."""
    model = copy.deepcopy(model)
    meta = model["metadata"]
    meta["protocol"] = "query"
    meta["protocols"] = ["query"]
    meta["xmlNamespace"] = QUERY_XML_NAMESPACE
    for key in ("jsonVersion", "targetPrefix", "awsQueryCompatible"):
        meta.pop(key, None)
    shapes = model["shapes"]
    for name, member in QUERY_LIST_MEMBERS.items():
        if name in shapes:
            shapes[name]["member"]["locationName"] = member
            shapes[name]["flattened"] = True
    for name, (key, value, own) in QUERY_MAPS.items():
        if name in shapes:
            shapes[name]["key"]["locationName"] = key
            shapes[name]["value"]["locationName"] = value
            shapes[name]["flattened"] = True
            if own:
                shapes[name]["locationName"] = own
    for name, members in QUERY_MEMBERS.items():
        for member, location in members.items():
            if name in shapes and member in shapes[name].get("members", {}):
                shapes[name]["members"][member]["locationName"] = location
    for name, (code, status) in QUERY_ERROR_CODES.items():
        if name in shapes:
            shapes[name]["error"] = {"code": code, "httpStatusCode": status, "senderFault": True}
    for op in QUERY_RESULT_WRAPPED:
        if "output" in model["operations"].get(op, {}):
            model["operations"][op]["output"]["resultWrapper"] = op + "Result"
    return model


def query_model_dir() -> str:
    """A data folder holding sqs/2012-11-05/service-2.json for the query protocol (built once)."""
    if _query_model_dir:
        return _query_model_dir[0]
    loader = botocore.session.get_session().get_component("data_loader")
    model = loader.load_service_model("sqs", "service-2")
    if model["metadata"].get("protocol") != "query":  # botocore >= 1.31.81 ships JSON 1.0
        model = query_model_from_json(model)
    root = tempfile.mkdtemp(prefix="lambda-local-sqs-query-model-")
    atexit.register(shutil.rmtree, root, True)
    dest = os.path.join(root, "sqs", model["metadata"]["apiVersion"])
    os.makedirs(dest)
    with open(os.path.join(dest, "service-2.json"), "w") as f:
        json.dump(model, f)
    _query_model_dir.append(root)
    return root


def query_sqs_client(emu, endpoint_url: str | None = None, **config):
    """A boto3 SQS client for `emu` that speaks the query protocol."""
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, query_model_dir())
    client = boto3.session.Session(
        botocore_session=session, aws_access_key_id="test", aws_secret_access_key="test",
        region_name=REGION,
    ).client("sqs", endpoint_url=endpoint_url or emu.url, config=Config(
        retries={"max_attempts": 1, "mode": "standard"}, read_timeout=60, connect_timeout=10, **config))
    assert client.meta.service_model.protocol == "query", client.meta.service_model.protocol
    emu._clients.append(client)
    return client


# ---- AWS's checksums ---------------------------------------------------------------------------
def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def message_attributes_md5(attributes: dict) -> str:
    """MD5OfMessageAttributes (and MD5OfMessageSystemAttributes) as AWS computes it: for each
    attribute in name order, the length-prefixed UTF-8 name and data type, a transport byte (1
    string, 2 binary) and the length-prefixed value."""
    buf = b""
    for name in sorted(attributes):
        value = attributes[name]
        buf += _length_prefixed(name.encode()) + _length_prefixed(value["DataType"].encode())
        if "StringValue" in value:
            buf += b"\x01" + _length_prefixed(value["StringValue"].encode())
        else:
            binary = value["BinaryValue"]
            buf += b"\x02" + _length_prefixed(binary if isinstance(binary, bytes) else binary.encode())
    return hashlib.md5(buf).hexdigest()


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


# ---- raw requests ------------------------------------------------------------------------------
def signed_request(emu, method: str, path: str, body: bytes | str = b"", headers: dict | None = None,
                   service: str = "sqs", timeout: float = 60):
    """A SigV4-signed request (dummy credentials) sent with urllib. Returns (status, headers, body)."""
    if isinstance(body, str):
        body = body.encode()
    url = emu.url + path
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(Credentials("test", "test"), service, REGION).add_auth(request)
    prepared = request.prepare()
    req = urllib.request.Request(url, data=body if method != "GET" else None, method=method,
                                 headers=dict(prepared.headers.items()))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


# ---- names -------------------------------------------------------------------------------------
def unique_queue(prefix: str = "q", fifo: bool = False) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}" + (".fifo" if fifo else "")


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def queue_name_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


# ---- test case ---------------------------------------------------------------------------------
class SqsTestCase(EmulatorTestCase):
    """An emulator (no functions unless TEMPLATE says so) and a JSON-protocol SQS client."""

    TEMPLATE = "Resources: {}\n"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sqs = cls.emu.client("sqs", read_timeout=60)

    def create_queue(self, prefix: str = "q", attributes: dict | None = None, fifo: bool = False,
                     client=None, **kwargs) -> str:
        """Creates a uniquely named queue, deleted again after the test; returns its URL."""
        client = client or self.sqs
        name = unique_queue(prefix, fifo)
        attributes = dict(attributes or {})
        if fifo:
            attributes.setdefault("FifoQueue", "true")
        url = client.create_queue(QueueName=name, Attributes=attributes, **kwargs)["QueueUrl"]
        self.addCleanup(self._delete_quietly, url)
        return url

    def _delete_quietly(self, url):
        try:
            self.sqs.delete_queue(QueueUrl=url)
        except Exception:
            pass

    def arn_of(self, url: str) -> str:
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def counts(self, url: str, client=None) -> tuple[int, int, int]:
        """(ApproximateNumberOfMessages, ...NotVisible, ...Delayed)."""
        attrs = (client or self.sqs).get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed"])["Attributes"]
        return (int(attrs["ApproximateNumberOfMessages"]), int(attrs["ApproximateNumberOfMessagesNotVisible"]),
                int(attrs["ApproximateNumberOfMessagesDelayed"]))

    def receive_all(self, url: str, client=None, delete: bool = True, idle: float = 0, **kwargs) -> list[dict]:
        """Receives until the queue answers empty (WaitTimeSeconds=idle), optionally deleting."""
        client = client or self.sqs
        out = []
        while True:
            got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=int(idle),
                                         **kwargs).get("Messages", [])
            if not got:
                return out
            out.extend(got)
            if delete:
                for start in range(0, len(got), 10):
                    chunk = got[start:start + 10]
                    r = client.delete_message_batch(QueueUrl=url, Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)])
                    assert not r.get("Failed"), r

    def send_batch(self, url: str, bodies: list[str], client=None, **entry_extra) -> list[dict]:
        """SendMessageBatch in chunks of 10; asserts every entry succeeded; returns the results in order."""
        client = client or self.sqs
        results = []
        for start in range(0, len(bodies), 10):
            chunk = bodies[start:start + 10]
            r = client.send_message_batch(QueueUrl=url, Entries=[
                dict({"Id": f"e{i}", "MessageBody": body}, **entry_extra) for i, body in enumerate(chunk)])
            self.assertFalse(r.get("Failed"), r)
            by_id = {e["Id"]: e for e in r["Successful"]}
            results.extend(by_id[f"e{i}"] for i in range(len(chunk)))
        return results

    def assert_sqs_error(self, call, shape: str, *args, code: str | None = None, status: int = 400,
                         message: str | None = None, **kwargs):
        """Asserts call(...) raises the modelled exception class `shape` (or, for AWS's common
        errors that are not modelled, a ClientError with Code `shape`), with Error.Code `code`
        (the legacy query code where AWS sends one) and HTTP `status`. Returns the exception."""
        client = call.__self__
        exc_class = getattr(client.exceptions, shape, None)
        with self.assertRaises(exc_class or client.exceptions.ClientError) as cm:
            call(*args, **kwargs)
        e = cm.exception
        self.assertEqual(error_code(e), code or QUERY_ERROR_CODES.get(shape, (shape,))[0], e.response)
        self.assertEqual(http_status(e), status, e.response)
        if message is not None:
            self.assertIn(message, e.response["Error"].get("Message", ""), e.response)
        return e


def wait_for(predicate, timeout: float, interval: float = 0.05):
    """Polls predicate() until truthy (returned) or the timeout passes (the last value)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)
