"""The SQS API, served on the same port as the Lambda API, through unmodified AWS clients: boto3
(JSON 1.0, `X-Amz-Target: AmazonSQS.*`), the boto3 resource API, the `aws` CLI and the AWS SDK
for JavaScript v3. Queue lifecycle and URLs, attributes, send/receive with AWS's MD5s, long
polling, visibility, delays, batches, purge, tags and AWS's error codes.

SqsApiBehaviour holds the protocol-independent tests; test_sqs_query.py runs them again with a
query-protocol client."""
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

import boto3
from botocore.config import Config

from .harness import ACCOUNT, REGION, REPO_ROOT, fake_credentials_env, http_status
from .sqs_support import (SqsTestCase, md5_hex, message_attributes_md5, queue_arn, queue_name_of, signed_request,
                          unique_queue)

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ATTRIBUTES = {
    "text": {"DataType": "String", "StringValue": "héllo wörld"},
    "count": {"DataType": "Number", "StringValue": "42.5"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff"},
    "custom": {"DataType": "String.custom-type", "StringValue": "c"},
    "id": {"DataType": "Number.int", "StringValue": "-7"},
}
TRACE = {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}}
DEFAULT_MAX_SIZE = 1048576  # 1 MiB, AWS's default and largest MaximumMessageSize


def sqs_client(endpoint_url: str, **config):
    """A boto3 SQS client for any endpoint spelling (e.g. http://localhost:PORT)."""
    return boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                 region_name=REGION).client(
        "sqs", endpoint_url=endpoint_url,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=60, **config))


class SqsApiBehaviour:
    """Tests that hold for either wire protocol; mixed into a SqsTestCase whose `sqs` client
    speaks one of them."""

    # ---- queues ------------------------------------------------------------------------------
    def test_queue_url_uses_the_host_and_port_called(self):
        name = unique_queue("url")
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.addCleanup(self.sqs.delete_queue, QueueUrl=url)
        self.assertEqual(url, f"http://127.0.0.1:{self.emu.port}/{ACCOUNT}/{name}")
        self.assertEqual(self.sqs.get_queue_url(QueueName=name)["QueueUrl"], url)
        self.assertEqual(self.sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=ACCOUNT)["QueueUrl"], url)

        local = self.client_for(f"http://localhost:{self.emu.port}")
        local_url = f"http://localhost:{self.emu.port}/{ACCOUNT}/{name}"
        self.assertEqual(local.get_queue_url(QueueName=name)["QueueUrl"], local_url)
        self.assertIn(local_url, local.list_queues(QueueNamePrefix=name)["QueueUrls"])
        # Either spelling of the URL names the same queue.
        local.send_message(QueueUrl=local_url, MessageBody="via localhost")
        got = self.sqs.receive_message(QueueUrl=url)["Messages"]
        self.assertEqual([m["Body"] for m in got], ["via localhost"])

    def test_create_queue_is_idempotent_with_the_same_attributes(self):
        name = unique_queue("idem")
        attrs = {"VisibilityTimeout": "7", "DelaySeconds": "1"}
        url = self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        self.addCleanup(self.sqs.delete_queue, QueueUrl=url)
        self.assertEqual(self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"], url)
        e = self.assert_sqs_error(self.sqs.create_queue, "QueueNameExists", QueueName=name,
                                  Attributes={"VisibilityTimeout": "8", "DelaySeconds": "1"})
        self.assertTrue(e.response["Error"].get("Message"), e.response)
        # The failed call changed nothing.
        got = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
        self.assertEqual(got, {"VisibilityTimeout": "7"})

    def test_unknown_queue(self):
        ghost = unique_queue("ghost")
        self.assert_sqs_error(self.sqs.get_queue_url, "QueueDoesNotExist", QueueName=ghost)
        url = f"http://127.0.0.1:{self.emu.port}/{ACCOUNT}/{ghost}"
        for call, kwargs in ((self.sqs.send_message, {"MessageBody": "x"}),
                             (self.sqs.receive_message, {}),
                             (self.sqs.get_queue_attributes, {"AttributeNames": ["All"]}),
                             (self.sqs.purge_queue, {}),
                             (self.sqs.delete_queue, {}),
                             (self.sqs.list_queue_tags, {})):
            with self.subTest(operation=call.__name__):
                self.assert_sqs_error(call, "QueueDoesNotExist", QueueUrl=url, **kwargs)

    def test_list_queues_by_prefix_and_pages(self):
        prefix = f"list-{uuid.uuid4().hex[:8]}"
        urls = sorted(self.sqs.create_queue(QueueName=f"{prefix}-{i}")["QueueUrl"] for i in range(3))
        for url in urls:
            self.addCleanup(self.sqs.delete_queue, QueueUrl=url)
        other = self.create_queue("other")
        listed = self.sqs.list_queues(QueueNamePrefix=prefix)
        self.assertEqual(sorted(listed["QueueUrls"]), urls)
        self.assertNotIn("NextToken", listed)
        self.assertIn(other, self.sqs.list_queues()["QueueUrls"])
        self.assertEqual(self.sqs.list_queues(QueueNamePrefix="no-such-prefix-" + prefix).get("QueueUrls", []), [])

        first = self.sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2)
        self.assertEqual(len(first["QueueUrls"]), 2)
        self.assertIn("NextToken", first)
        second = self.sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2, NextToken=first["NextToken"])
        self.assertEqual(len(second["QueueUrls"]), 1)
        self.assertNotIn("NextToken", second)
        self.assertEqual(sorted(first["QueueUrls"] + second["QueueUrls"]), urls)

        pages = self.sqs.get_paginator("list_queues").paginate(QueueNamePrefix=prefix,
                                                               PaginationConfig={"PageSize": 1})
        self.assertEqual(sorted(u for page in pages for u in page.get("QueueUrls", [])), urls)

    def test_delete_queue(self):
        url = self.create_queue("del")
        name = queue_name_of(url)
        self.sqs.send_message(QueueUrl=url, MessageBody="doomed")
        self.assertEqual(http_status(self.sqs.delete_queue(QueueUrl=url)), 200)
        self.assert_sqs_error(self.sqs.get_queue_url, "QueueDoesNotExist", QueueName=name)
        self.assert_sqs_error(self.sqs.send_message, "QueueDoesNotExist", QueueUrl=url, MessageBody="x")
        self.assertNotIn(url, self.sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", []))

    def test_invalid_queue_names_and_attributes(self):
        for name in ("has space", "x" * 81, "semi;colon", "dot.in-name"):
            with self.subTest(name=name):
                self.assert_sqs_error(self.sqs.create_queue, "InvalidParameterValue", QueueName=name)
        with self.subTest("FifoQueue without the .fifo suffix"):
            self.assert_sqs_error(self.sqs.create_queue, "InvalidParameterValue",
                                  QueueName=unique_queue("nosuffix"), Attributes={"FifoQueue": "true"})
        with self.subTest(".fifo suffix without FifoQueue"):
            self.assert_sqs_error(self.sqs.create_queue, "InvalidParameterValue",
                                  QueueName=unique_queue("suffix", fifo=True))
        with self.subTest("unknown attribute"):
            self.assert_sqs_error(self.sqs.create_queue, "InvalidAttributeName",
                                  QueueName=unique_queue("bad"), Attributes={"NoSuchAttribute": "1"})
        with self.subTest("value out of range"):
            self.assert_sqs_error(self.sqs.create_queue, "InvalidAttributeValue",
                                  QueueName=unique_queue("bad"), Attributes={"VisibilityTimeout": "43201"})
        self.assertEqual(self.sqs.list_queues(QueueNamePrefix="bad-").get("QueueUrls", []), [])

    # ---- attributes --------------------------------------------------------------------------
    def test_default_attributes(self):
        before = time.time()
        url = self.create_queue("defaults")
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        expected = {
            "QueueArn": queue_arn(queue_name_of(url)),
            "ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0", "VisibilityTimeout": "30",
            "MaximumMessageSize": str(DEFAULT_MAX_SIZE), "MessageRetentionPeriod": "345600", "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "0", "SqsManagedSseEnabled": "true",
        }
        for key, value in expected.items():
            self.assertEqual(attrs.get(key), value, f"{key} in {attrs}")
        for key in ("CreatedTimestamp", "LastModifiedTimestamp"):
            self.assertRegex(attrs[key], r"^\d+$", key)  # epoch seconds
            self.assertLessEqual(abs(int(attrs[key]) - before), 5, (key, attrs[key], before))
        for key in ("FifoQueue", "ContentBasedDeduplication", "RedrivePolicy"):
            self.assertNotIn(key, attrs, "not an attribute of a standard queue without a redrive policy")

    def test_selected_attributes_only(self):
        url = self.create_queue("some", {"VisibilityTimeout": "12"})
        got = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout", "QueueArn"])
        self.assertEqual(got["Attributes"], {"VisibilityTimeout": "12", "QueueArn": queue_arn(queue_name_of(url))})
        self.assertEqual(self.sqs.get_queue_attributes(QueueUrl=url).get("Attributes", {}), {})
        self.assert_sqs_error(self.sqs.get_queue_attributes, "InvalidAttributeName", QueueUrl=url,
                              AttributeNames=["NoSuchAttribute"])

    def test_set_queue_attributes(self):
        url = self.create_queue("set")
        created = int(self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["CreatedTimestamp"])
                      ["Attributes"]["CreatedTimestamp"])
        changes = {"VisibilityTimeout": "45", "DelaySeconds": "2", "MaximumMessageSize": "2048",
                   "MessageRetentionPeriod": "120", "ReceiveMessageWaitTimeSeconds": "3"}
        self.assertEqual(http_status(self.sqs.set_queue_attributes(QueueUrl=url, Attributes=changes)), 200)
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        for key, value in changes.items():
            self.assertEqual(attrs[key], value, key)
        self.assertGreaterEqual(int(attrs["LastModifiedTimestamp"]), created)

    def test_invalid_attribute_values(self):
        url = self.create_queue("invalid")
        self.assert_sqs_error(self.sqs.set_queue_attributes, "InvalidAttributeName", QueueUrl=url,
                              Attributes={"Colour": "blue"})
        for key, value in (("DelaySeconds", "901"), ("VisibilityTimeout", "43201"), ("VisibilityTimeout", "-1"),
                           ("MaximumMessageSize", "1023"), ("MaximumMessageSize", str(DEFAULT_MAX_SIZE + 1)),
                           ("MessageRetentionPeriod", "59"), ("MessageRetentionPeriod", "1209601"),
                           ("ReceiveMessageWaitTimeSeconds", "21"), ("VisibilityTimeout", "ten")):
            with self.subTest(**{key: value}):
                self.assert_sqs_error(self.sqs.set_queue_attributes, "InvalidAttributeValue", QueueUrl=url,
                                      Attributes={key: value})
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual((attrs["DelaySeconds"], attrs["VisibilityTimeout"]), ("0", "30"), "nothing was changed")

    def test_approximate_counts(self):
        url = self.create_queue("counts")
        self.assertEqual(self.counts(url), (0, 0, 0))
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody=f"now {i}")
        self.sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=30)
        self.assertEqual(self.counts(url), (3, 0, 1))
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
        self.assertEqual(len(got), 1)
        self.assertEqual(self.counts(url), (2, 1, 1))
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
        self.assertEqual(self.counts(url), (2, 0, 1))

    def test_purge_queue(self):
        url = self.create_queue("purge")
        self.send_batch(url, [f"m{i}" for i in range(5)])
        in_flight = self.sqs.receive_message(QueueUrl=url)["Messages"]
        self.assertEqual(len(in_flight), 1)
        self.sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=30)
        self.assertEqual(http_status(self.sqs.purge_queue(QueueUrl=url)), 200)
        self.assertEqual(self.counts(url), (0, 0, 0))
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        # The queue still works.
        self.sqs.send_message(QueueUrl=url, MessageBody="after purge")
        self.assertEqual([m["Body"] for m in self.sqs.receive_message(QueueUrl=url)["Messages"]], ["after purge"])

    def test_second_purge_within_60_seconds(self):
        # AWS allows one PurgeQueue per queue every 60 seconds (PurgeQueueInProgress, 403).
        url = self.create_queue("purge2")
        self.sqs.purge_queue(QueueUrl=url)
        self.assert_sqs_error(self.sqs.purge_queue, "PurgeQueueInProgress", QueueUrl=url, status=403)

    def test_tags(self):
        url = self.create_queue("tags", tags={"team": "core", "env": "test"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "core", "env": "test"})
        self.sqs.tag_queue(QueueUrl=url, Tags={"env": "prod", "cost": "42"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "core", "env": "prod", "cost": "42"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["team", "cost"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"env": "prod"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}), {})

    # ---- messages ----------------------------------------------------------------------------
    def test_send_message_checksums(self):
        url = self.create_queue("md5")
        body = "héllo ✓ \U0001F600\t\n\r end"
        r = self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=ATTRIBUTES,
                                  MessageSystemAttributes=TRACE)
        self.assertRegex(r["MessageId"], UUID)
        self.assertEqual(r["MD5OfMessageBody"], md5_hex(body))
        self.assertEqual(r["MD5OfMessageAttributes"], message_attributes_md5(ATTRIBUTES))
        self.assertEqual(r["MD5OfMessageSystemAttributes"], message_attributes_md5(TRACE))
        plain = self.sqs.send_message(QueueUrl=url, MessageBody="plain")
        self.assertEqual(plain["MD5OfMessageBody"], md5_hex("plain"))
        self.assertNotIn("MD5OfMessageAttributes", plain)
        self.assertNotIn("MD5OfMessageSystemAttributes", plain)
        self.assertNotIn("SequenceNumber", plain, "standard queues have no sequence numbers")

    def test_received_message(self):
        url = self.create_queue("recv")
        body = "payload ✓"
        sent_at = int(time.time() * 1000)
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=ATTRIBUTES,
                                     MessageSystemAttributes=TRACE)
        got = self.sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"],
                                       MessageAttributeNames=["All"])["Messages"]
        self.assertEqual(len(got), 1)
        m = got[0]
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], body)
        self.assertEqual(m["MD5OfBody"], md5_hex(body))
        self.assertTrue(m["ReceiptHandle"])
        self.assertEqual(m["MessageAttributes"], ATTRIBUTES)
        self.assertEqual(m["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        attrs = m["Attributes"]
        self.assertEqual(attrs["ApproximateReceiveCount"], "1")
        self.assertEqual(attrs["AWSTraceHeader"], TRACE["AWSTraceHeader"]["StringValue"])
        self.assertTrue(attrs["SenderId"])
        for key in ("SentTimestamp", "ApproximateFirstReceiveTimestamp"):
            self.assertRegex(attrs[key], r"^\d{13}$", key)  # epoch milliseconds
        self.assertLessEqual(abs(int(attrs["SentTimestamp"]) - sent_at), 5000)
        self.assertGreaterEqual(int(attrs["ApproximateFirstReceiveTimestamp"]), int(attrs["SentTimestamp"]))
        for key in ("MessageGroupId", "SequenceNumber", "MessageDeduplicationId"):
            self.assertNotIn(key, attrs, "FIFO attributes on a standard queue message")

    def test_attributes_by_name(self):
        url = self.create_queue("names")
        self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=ATTRIBUTES)
        m = self.sqs.receive_message(QueueUrl=url, MessageAttributeNames=["text", "blob", "missing"],
                                     MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
                                     VisibilityTimeout=0)["Messages"][0]
        self.assertEqual(m["MessageAttributes"], {"text": ATTRIBUTES["text"], "blob": ATTRIBUTES["blob"]})
        self.assertEqual(set(m["Attributes"]), {"ApproximateReceiveCount", "SentTimestamp"})

        bare = self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]
        self.assertNotIn("MessageAttributes", bare)
        self.assertEqual(bare.get("Attributes", {}), {})

        # The deprecated AttributeNames parameter still selects system attributes.
        legacy = self.sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"],
                                          MessageAttributeNames=["All"])["Messages"][0]
        self.assertEqual(legacy["Attributes"], {"ApproximateReceiveCount": "3"})
        self.assertEqual(legacy["MessageAttributes"], ATTRIBUTES)

    def test_visibility_timeout_and_receive_count(self):
        url = self.create_queue("vis", {"VisibilityTimeout": "1"})
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="again")
        first = self.sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])["Messages"][0]
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url), "an in-flight message was returned")
        self.assertEqual(self.counts(url), (0, 1, 0))
        t0 = time.monotonic()
        second = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5,
                                          MessageSystemAttributeNames=["All"])["Messages"][0]
        waited = time.monotonic() - t0
        self.assertGreaterEqual(waited, 0.5, "reappeared long before the 1 s visibility timeout")
        self.assertLess(waited, 4.5)
        self.assertEqual(second["MessageId"], sent["MessageId"])
        self.assertNotEqual(second["ReceiptHandle"], first["ReceiptHandle"])
        self.assertEqual(first["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual(second["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertEqual(second["Attributes"]["ApproximateFirstReceiveTimestamp"],
                         first["Attributes"]["ApproximateFirstReceiveTimestamp"])
        # A receive's own VisibilityTimeout overrides the queue's.
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=0)
        third = self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]
        self.assertEqual(third["MessageId"], sent["MessageId"])
        self.assertEqual(self.counts(url), (1, 0, 0))

    def test_change_message_visibility(self):
        url = self.create_queue("cmv")
        self.send_batch(url, ["a", "b"])
        got = self.receive_all(url, delete=False)
        self.assertEqual(sorted(m["Body"] for m in got), ["a", "b"])
        self.assertEqual(self.counts(url), (0, 2, 0))
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"], VisibilityTimeout=0)
        again = self.sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["ApproximateReceiveCount"])
        self.assertEqual([(m["MessageId"], m["Attributes"]["ApproximateReceiveCount"]) for m in again["Messages"]],
                         [(got[0]["MessageId"], "2")])

        r = self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "ok", "ReceiptHandle": got[1]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "bad", "ReceiptHandle": "not-a-receipt-handle", "VisibilityTimeout": 0}])
        self.assertEqual([e["Id"] for e in r["Successful"]], ["ok"])
        self.assertEqual(len(r["Failed"]), 1)
        self.assertEqual(r["Failed"][0]["Id"], "bad")
        self.assertEqual(r["Failed"][0]["Code"], "ReceiptHandleIsInvalid")
        self.assertTrue(r["Failed"][0]["SenderFault"])
        self.assertEqual(self.counts(url), (1, 1, 0))
        self.assert_sqs_error(self.sqs.change_message_visibility, "ReceiptHandleIsInvalid", QueueUrl=url,
                              ReceiptHandle="not-a-receipt-handle", VisibilityTimeout=5)
        self.assert_sqs_error(self.sqs.change_message_visibility, "InvalidParameterValue", QueueUrl=url,
                              ReceiptHandle=again["Messages"][0]["ReceiptHandle"], VisibilityTimeout=43201)

    def test_delete_message(self):
        url = self.create_queue("delete")
        self.send_batch(url, ["one", "two", "three"])
        got = self.receive_all(url, delete=False)
        self.assertEqual(len(got), 3)
        self.assertEqual(http_status(self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])), 200)
        self.assert_sqs_error(self.sqs.delete_message, "ReceiptHandleIsInvalid", QueueUrl=url,
                              ReceiptHandle="not-a-receipt-handle")
        r = self.sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "ReceiptHandle": got[1]["ReceiptHandle"]},
            {"Id": "b", "ReceiptHandle": got[2]["ReceiptHandle"]},
            {"Id": "c", "ReceiptHandle": "not-a-receipt-handle"}])
        self.assertEqual(sorted(e["Id"] for e in r["Successful"]), ["a", "b"])
        self.assertEqual([(f["Id"], f["Code"], f["SenderFault"]) for f in r["Failed"]],
                         [("c", "ReceiptHandleIsInvalid", True)])
        self.assertEqual(self.counts(url), (0, 0, 0))
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=0))

    def test_max_number_of_messages(self):
        url = self.create_queue("max")
        self.send_batch(url, [f"m{i}" for i in range(15)])
        one = self.sqs.receive_message(QueueUrl=url)["Messages"]
        self.assertEqual(len(one), 1, "MaxNumberOfMessages defaults to 1")
        ten = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertTrue(1 <= len(ten) <= 10, len(ten))
        rest = self.receive_all(url, delete=False)
        bodies = [m["Body"] for m in one + ten + rest]
        self.assertEqual(sorted(bodies), sorted(f"m{i}" for i in range(15)), "each message exactly once")
        unchecked = self.client_for(self.emu.url, parameter_validation=False)
        for n in (0, 11):
            with self.subTest(MaxNumberOfMessages=n):
                self.assert_sqs_error(unchecked.receive_message, "InvalidParameterValue", QueueUrl=url,
                                      MaxNumberOfMessages=n)

    def test_delay_seconds(self):
        url = self.create_queue("delay")
        self.sqs.send_message(QueueUrl=url, MessageBody="late", DelaySeconds=1)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url), "delivered before its delay")
        self.assertEqual(self.counts(url), (0, 0, 1))
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5).get("Messages", [])
        self.assertEqual([m["Body"] for m in got], ["late"])
        self.assert_sqs_error(self.sqs.send_message, "InvalidParameterValue", QueueUrl=url, MessageBody="x",
                              DelaySeconds=901)

        delayed_queue = self.create_queue("qdelay", {"DelaySeconds": "1"})
        t0 = time.monotonic()
        self.sqs.send_message(QueueUrl=delayed_queue, MessageBody="queue delay")
        self.assertEqual(self.counts(delayed_queue), (0, 0, 1))
        got = self.sqs.receive_message(QueueUrl=delayed_queue, WaitTimeSeconds=5).get("Messages", [])
        self.assertEqual([m["Body"] for m in got], ["queue delay"])
        self.assertGreaterEqual(time.monotonic() - t0, 0.8)
        # A message's own DelaySeconds overrides the queue's.
        self.sqs.send_message(QueueUrl=delayed_queue, MessageBody="no delay", DelaySeconds=0)
        self.assertEqual([m["Body"] for m in self.sqs.receive_message(QueueUrl=delayed_queue)["Messages"]],
                         ["no delay"])

    def test_long_polling_returns_when_a_message_arrives(self):
        url = self.create_queue("poll")
        sender = self.client_for(self.emu.url)

        def send_later():
            time.sleep(0.5)
            sender.send_message(QueueUrl=url, MessageBody="arrived")

        t = threading.Thread(target=send_later)
        t0 = time.monotonic()
        t.start()
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20).get("Messages", [])
        elapsed = time.monotonic() - t0
        t.join()
        self.assertEqual([m["Body"] for m in got], ["arrived"])
        self.assertGreaterEqual(elapsed, 0.4)
        self.assertLess(elapsed, 3, "long polling did not return when the message arrived")

        t0 = time.monotonic()
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1))
        elapsed = time.monotonic() - t0
        self.assertGreaterEqual(elapsed, 0.9, "an empty long poll returned early")
        self.assertLess(elapsed, 4)

        unchecked = self.client_for(self.emu.url, parameter_validation=False)
        self.assert_sqs_error(unchecked.receive_message, "InvalidParameterValue", QueueUrl=url, WaitTimeSeconds=21)

    def test_queue_receive_wait_time_is_the_default_wait(self):
        url = self.create_queue("qwait", {"ReceiveMessageWaitTimeSeconds": "1"})
        t0 = time.monotonic()
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        self.assertGreaterEqual(time.monotonic() - t0, 0.9)
        t0 = time.monotonic()
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0))
        self.assertLess(time.monotonic() - t0, 0.9, "WaitTimeSeconds=0 must not wait")

    def test_message_size_and_characters(self):
        url = self.create_queue("size")
        body = "x" * DEFAULT_MAX_SIZE
        r = self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.assertEqual(r["MD5OfMessageBody"], hashlib.md5(body.encode()).hexdigest())
        got = self.sqs.receive_message(QueueUrl=url)["Messages"][0]
        self.assertEqual(len(got["Body"]), DEFAULT_MAX_SIZE)
        self.assert_sqs_error(self.sqs.send_message, "InvalidParameterValue", QueueUrl=url,
                              MessageBody=body + "x", message=f"shorter than {DEFAULT_MAX_SIZE} bytes")
        for bad in ("nul\x00char", "bell\x07", "\ufffe"):
            with self.subTest(body=repr(bad)):
                self.assert_sqs_error(self.sqs.send_message, "InvalidMessageContents", QueueUrl=url, MessageBody=bad)

        for bad_name in ("sp ace", "AWS.reserved", "amazon.reserved", ".leading", "trailing.", "dou..ble"):
            with self.subTest(attribute_name=bad_name):
                self.assert_sqs_error(self.sqs.send_message, "InvalidParameterValue", QueueUrl=url, MessageBody="x",
                                      MessageAttributes={bad_name: {"DataType": "String", "StringValue": "v"}})

        small = self.create_queue("small", {"MaximumMessageSize": "1024"})
        self.sqs.send_message(QueueUrl=small, MessageBody="y" * 1024)
        self.assert_sqs_error(self.sqs.send_message, "InvalidParameterValue", QueueUrl=small,
                              MessageBody="y" * 1025, message="shorter than 1024 bytes")

    def test_send_message_batch(self):
        url = self.create_queue("batch")
        entries = [{"Id": f"entry-{i}", "MessageBody": f"body {i} ✓",
                    "MessageAttributes": {"n": {"DataType": "Number", "StringValue": str(i)}}} for i in range(10)]
        r = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(r.get("Failed", []), [])
        by_id = {e["Id"]: e for e in r["Successful"]}
        self.assertEqual(set(by_id), {e["Id"] for e in entries})
        for e in entries:
            result = by_id[e["Id"]]
            self.assertRegex(result["MessageId"], UUID)
            self.assertEqual(result["MD5OfMessageBody"], md5_hex(e["MessageBody"]))
            self.assertEqual(result["MD5OfMessageAttributes"], message_attributes_md5(e["MessageAttributes"]))
        got = self.receive_all(url, MessageAttributeNames=["All"])
        self.assertEqual(sorted((m["MessageId"], m["Body"], m["MessageAttributes"]["n"]["StringValue"]) for m in got),
                         sorted((by_id[e["Id"]]["MessageId"], e["MessageBody"], str(i)) for i, e in enumerate(entries)))

        # One bad entry fails alone.
        mixed = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "good", "MessageBody": "fine"}, {"Id": "late", "MessageBody": "too late", "DelaySeconds": 1000},
            {"Id": "nul", "MessageBody": "bad\x00"}])
        self.assertEqual([e["Id"] for e in mixed["Successful"]], ["good"])
        failed = {f["Id"]: f for f in mixed["Failed"]}
        self.assertEqual(set(failed), {"late", "nul"})
        for f in failed.values():
            self.assertTrue(f["SenderFault"], f)
            self.assertTrue(f["Code"], f)
        self.assertEqual(self.counts(url), (1, 0, 0))

    def test_batch_request_errors(self):
        url = self.create_queue("batcherr")
        one = [{"Id": "a", "MessageBody": "x"}]
        cases = [
            ("EmptyBatchRequest", self.sqs.send_message_batch, {"Entries": []}),
            ("TooManyEntriesInBatchRequest", self.sqs.send_message_batch,
             {"Entries": [{"Id": f"e{i}", "MessageBody": "x"} for i in range(11)]}),
            ("BatchEntryIdsNotDistinct", self.sqs.send_message_batch, {"Entries": one + one}),
            ("InvalidBatchEntryId", self.sqs.send_message_batch, {"Entries": [{"Id": "a b", "MessageBody": "x"}]}),
            ("BatchRequestTooLong", self.sqs.send_message_batch,
             {"Entries": [{"Id": "a", "MessageBody": "x" * 600000}, {"Id": "b", "MessageBody": "x" * 600000}]}),
            ("EmptyBatchRequest", self.sqs.delete_message_batch, {"Entries": []}),
            ("TooManyEntriesInBatchRequest", self.sqs.delete_message_batch,
             {"Entries": [{"Id": f"e{i}", "ReceiptHandle": "h"} for i in range(11)]}),
            ("BatchEntryIdsNotDistinct", self.sqs.delete_message_batch,
             {"Entries": [{"Id": "a", "ReceiptHandle": "h"}, {"Id": "a", "ReceiptHandle": "h"}]}),
            ("EmptyBatchRequest", self.sqs.change_message_visibility_batch, {"Entries": []}),
        ]
        for shape, call, kwargs in cases:
            with self.subTest(operation=call.__name__, error=shape):
                self.assert_sqs_error(call, shape, QueueUrl=url, **kwargs)
        self.assertEqual(self.counts(url), (0, 0, 0), "a rejected batch sent nothing")

    def test_list_dead_letter_source_queues(self):
        dlq = self.create_queue("dlq")
        dlq_arn = self.arn_of(dlq)
        policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})
        sources = sorted(self.create_queue(f"src{i}", {"RedrivePolicy": policy}) for i in range(2))
        self.create_queue("unrelated")
        self.assertEqual(sorted(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]), sources)
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=sources[0]).get("queueUrls", []), [])
        got = json.loads(self.sqs.get_queue_attributes(QueueUrl=sources[0], AttributeNames=["RedrivePolicy"])
                         ["Attributes"]["RedrivePolicy"])
        self.assertEqual(got["deadLetterTargetArn"], dlq_arn)
        self.assertEqual(int(got["maxReceiveCount"]), 3)

    # ---- helpers -----------------------------------------------------------------------------
    def client_for(self, endpoint_url, **config):
        """A second client of this test's protocol for another endpoint spelling or config."""
        c = sqs_client(endpoint_url, **config)
        self.emu._clients.append(c)
        return c


class JsonProtocolTest(SqsApiBehaviour, SqsTestCase):
    """boto3's own SQS client: JSON 1.0."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        assert cls.sqs.meta.service_model.protocol == "json", cls.sqs.meta.service_model.protocol

    def test_json_wire_format(self):
        url = self.create_queue("wire")
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessage",
                   "x-amzn-query-mode": "true"}
        status, h, body = signed_request(self.emu, "POST", "/", json.dumps({"QueueUrl": url, "MessageBody": "raw"}),
                                         headers)
        self.assertEqual(status, 200, body)
        self.assertEqual(h["Content-Type"], "application/x-amz-json-1.0")
        self.assertTrue(h.get("x-amzn-RequestId"))
        sent = json.loads(body)
        self.assertEqual(sent["MD5OfMessageBody"], md5_hex("raw"))
        self.assertRegex(sent["MessageId"], UUID)

        headers["X-Amz-Target"] = "AmazonSQS.GetQueueUrl"
        status, h, body = signed_request(self.emu, "POST", "/", json.dumps({"QueueName": "no-such-queue-x"}), headers)
        self.assertEqual(status, 400)
        err = json.loads(body)
        self.assertEqual(err["__type"], "com.amazonaws.sqs#QueueDoesNotExist")
        self.assertTrue(err.get("message"), err)
        self.assertEqual(h["x-amzn-query-error"], "AWS.SimpleQueueService.NonExistentQueue;Sender")

        headers["X-Amz-Target"] = "AmazonSQS.NoSuchOperation"
        status, _, body = signed_request(self.emu, "POST", "/", "{}", headers)
        self.assertEqual(status, 400, body)
        self.assertIn("UnknownOperationException", json.loads(body)["__type"])

    def test_same_port_as_lambda(self):
        url = self.create_queue("port")
        self.assertTrue(url.startswith(self.emu.url + "/"), url)
        self.assertIn("Functions", self.lam.list_functions(), "the Lambda API answers on the SQS port too")

    def test_resource_api(self):
        sqs = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION
                                    ).resource("sqs", endpoint_url=self.emu.url)
        self.emu._clients.append(sqs.meta.client)
        name = unique_queue("res")
        queue = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "5"})
        self.addCleanup(queue.delete)
        self.assertEqual(queue.url, f"{self.emu.url}/{ACCOUNT}/{name}")
        self.assertEqual(queue.attributes["VisibilityTimeout"], "5")
        self.assertEqual(sqs.get_queue_by_name(QueueName=name).url, queue.url)
        queue.send_message(MessageBody="resource", MessageAttributes=ATTRIBUTES)
        queue.send_messages(Entries=[{"Id": "1", "MessageBody": "batch"}])
        messages = []
        for _ in range(5):
            messages += queue.receive_messages(MaxNumberOfMessages=10, MessageAttributeNames=["All"])
            if len(messages) == 2:
                break
        self.assertEqual(sorted(m.body for m in messages), ["batch", "resource"])
        for m in messages:
            if m.body == "resource":
                self.assertEqual(m.message_attributes, ATTRIBUTES)
            m.delete()
        queue.reload()
        self.assertEqual(queue.attributes["ApproximateNumberOfMessages"], "0")
        self.assertEqual(queue.attributes["ApproximateNumberOfMessagesNotVisible"], "0")


class AwsCliTest(SqsTestCase):
    """The `aws` CLI with --endpoint-url, as a user types it."""

    def cli(self, *args, ok=True):
        r = self.emu.aws("sqs", *args, "--output", "json")
        if ok:
            self.assertEqual(r.returncode, 0, f"aws sqs {' '.join(args)} failed:\n{r.stderr}")
            return json.loads(r.stdout) if r.stdout.strip() else {}
        return r

    def test_create_send_receive_delete(self):
        name = unique_queue("cli")
        created = self.cli("create-queue", "--queue-name", name, "--attributes", "VisibilityTimeout=20")
        url = created["QueueUrl"]
        self.addCleanup(self._delete_quietly, url)
        self.assertEqual(url, f"{self.emu.url}/{ACCOUNT}/{name}")
        self.assertEqual(self.cli("get-queue-url", "--queue-name", name)["QueueUrl"], url)
        self.assertIn(url, self.cli("list-queues", "--queue-name-prefix", name)["QueueUrls"])

        attributes = {"kind": {"DataType": "String", "StringValue": "cli"}}
        sent = self.cli("send-message", "--queue-url", url, "--message-body", "from the cli ✓",
                        "--message-attributes", json.dumps(attributes), "--delay-seconds", "0")
        self.assertEqual(sent["MD5OfMessageBody"], md5_hex("from the cli ✓"))
        self.assertEqual(sent["MD5OfMessageAttributes"], message_attributes_md5(attributes))

        got = self.cli("receive-message", "--queue-url", url, "--attribute-names", "All",
                       "--message-attribute-names", "All", "--max-number-of-messages", "10",
                       "--wait-time-seconds", "1")
        self.assertEqual(len(got["Messages"]), 1)
        m = got["Messages"][0]
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], "from the cli ✓")
        self.assertEqual(m["MessageAttributes"], attributes)
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")

        attrs = self.cli("get-queue-attributes", "--queue-url", url, "--attribute-names", "All")["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "20")
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "1")
        self.cli("delete-message", "--queue-url", url, "--receipt-handle", m["ReceiptHandle"])
        self.assertEqual(self.counts(url), (0, 0, 0))
        self.cli("delete-queue", "--queue-url", url)
        self.assertNotIn(url, self.sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", []))

    def test_error_from_the_cli(self):
        r = self.cli("get-queue-url", "--queue-name", unique_queue("nope"), ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("AWS.SimpleQueueService.NonExistentQueue", r.stderr)
        self.assertIn("GetQueueUrl", r.stderr)


# ---- the AWS SDK for JavaScript v3 ----------------------------------------------------------------
TESTS_DIR = os.path.join(REPO_ROOT, "tests")
SQS_SDK_VERSION = "3.1164.0"  # the same release as test_js_sdk's @aws-sdk/client-lambda
SQS_SDK_DIR = os.environ.get("LAMBDA_LOCAL_SQSSDK_DIR", os.path.join(TESTS_DIR, ".cache", "sqssdk"))
JS_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js", "sqs_roundtrip.mjs")


def install_sqs_sdk():
    """Installs @aws-sdk/client-sqs into tests/.cache/sqssdk (idempotent). Skips only when npm/node
    are missing."""
    pkg = os.path.join(SQS_SDK_DIR, "node_modules", "@aws-sdk", "client-sqs", "package.json")
    if os.path.exists(pkg):
        with open(pkg) as f:
            if json.load(f).get("version") == SQS_SDK_VERSION:
                return
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise unittest.SkipTest("npm/node are not on PATH: cannot install @aws-sdk/client-sqs")
    os.makedirs(SQS_SDK_DIR, exist_ok=True)
    package_json = os.path.join(SQS_SDK_DIR, "package.json")
    if not os.path.exists(package_json):
        with open(package_json, "w") as f:
            json.dump({"name": "lambda-local-test-sqssdk", "private": True,
                       "description": "Test-only install of @aws-sdk/client-sqs for lambda-local's integration tests"},
                      f, indent=2)
    r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--save-exact",
                        f"@aws-sdk/client-sqs@{SQS_SDK_VERSION}"], cwd=SQS_SDK_DIR, capture_output=True, text=True,
                       timeout=600)
    if r.returncode != 0:
        raise AssertionError(f"npm install @aws-sdk/client-sqs failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")


class JsSdkSqsTest(SqsTestCase):
    @classmethod
    def setUpClass(cls):
        install_sqs_sdk()  # before the emulator starts, so a skip leaves nothing running
        super().setUpClass()

    def test_js_sdk_roundtrip(self):
        run_dir = tempfile.mkdtemp(prefix="run-", dir=SQS_SDK_DIR)
        self.addCleanup(shutil.rmtree, run_dir, True)
        script = os.path.join(run_dir, "sqs_roundtrip.mjs")
        shutil.copyfile(JS_SCRIPT, script)
        name = unique_queue("js")
        r = subprocess.run(["node", script], cwd=run_dir, capture_output=True, text=True, timeout=120,
                           env=fake_credentials_env(LL_ENDPOINT=self.emu.url, LL_QUEUE=name))
        self.assertEqual(r.returncode, 0, f"node script failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}\n"
                                          + self.emu.describe_output(20))
        out = json.loads(r.stdout.strip().splitlines()[-1])
        url = f"{self.emu.url}/{ACCOUNT}/{name}"
        self.assertEqual(out["queueUrl"], url)
        self.assertEqual(out["sent"]["MD5OfMessageBody"], md5_hex("héllo ✓ from js"))
        js_attributes = {"s": {"DataType": "String", "StringValue": "v"},
                         "n": {"DataType": "Number", "StringValue": "1.5"},
                         "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"}}
        self.assertEqual(out["sent"]["MD5OfMessageAttributes"], message_attributes_md5(js_attributes))
        self.assertEqual(out["batch"], {"successful": 2, "failed": 0})
        self.assertEqual(sorted(out["received"]["bodies"]), sorted(["héllo ✓ from js", "x", "y"]))
        self.assertEqual(out["received"]["binary"], base64.b64encode(b"\x00\x01\xff").decode())
        self.assertEqual(out["received"]["receiveCount"], "1")
        self.assertEqual(out["afterDelete"], 0)
        self.assertEqual(out["error"], {"name": "QueueDoesNotExist", "isModelledClass": True, "status": 400})
        self.assertEqual(self.counts(url), (0, 0, 0))
        self.sqs.delete_queue(QueueUrl=url)

