"""The SQS query protocol (form-encoded Action=<Op>&Version=2012-11-05, XML answers), which
botocore used before 1.31.81 and many SDKs and tools still use. Every protocol-independent test of
test_sqs_api runs again through a boto3 client built from the installed botocore's SQS model
turned back into a query model (sqs_support.query_sqs_client); the wire tests below sign raw
requests and read the XML themselves."""
import base64
import gzip
import json
import os
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from .harness import ACCOUNT
from .sqs_support import (QUERY_ERROR_CODES, QUERY_LIST_MEMBERS, QUERY_MAPS, QUERY_MEMBERS, QUERY_RESULT_WRAPPED,
                          QUERY_XML_NAMESPACE, SqsTestCase, md5_hex, message_attributes_md5, query_sqs_client,
                          queue_name_of, signed_request, unique_queue)
from .test_sqs_api import SqsApiBehaviour

NS = {"sqs": QUERY_XML_NAMESPACE}
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


class QueryProtocolTest(SqsApiBehaviour, SqsTestCase):
    """The shared SQS tests through a query-protocol boto3 client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sqs = query_sqs_client(cls.emu)

    def client_for(self, endpoint_url, **config):
        return query_sqs_client(self.emu, endpoint_url, **config)

    def test_xml_special_characters_round_trip(self):
        url = self.create_queue("xmlchars")
        body = "<a href=\"x\">&amp; 'quoted' </a>\r\n\ttab ]]> \U0001F600"
        attributes = {"k.x-y_z": {"DataType": "String", "StringValue": "v<&>\"'\r"}}
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
        self.assertEqual(sent["MD5OfMessageBody"], md5_hex(body))
        got = self.sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
        self.assertEqual(got["Body"], body)
        self.assertEqual(got["MessageAttributes"], attributes)


class QueryWireTest(SqsTestCase):
    """Raw, signed query-protocol requests: the XML AWS sends, GET requests, requests posted to
    the queue URL, and the legacy parameter names."""

    def call(self, params: dict, path: str = "/", method: str = "POST"):
        """Sends Action=... (Version added) and returns (status, headers, parsed XML root)."""
        params = dict(params, Version="2012-11-05")
        encoded = urllib.parse.urlencode(params)
        if method == "GET":
            status, headers, body = signed_request(self.emu, "GET", f"{path}?{encoded}")
        else:
            status, headers, body = signed_request(self.emu, method, path, encoded, FORM)
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            self.fail(f"not XML ({status}): {body[:500]!r}")
        return status, headers, root

    def text(self, root, path):
        node = root.find(path, NS)
        self.assertIsNotNone(node, f"{path} missing in {ET.tostring(root)[:800]!r}")
        return node.text or ""

    def test_response_document(self):
        name = unique_queue("wire")
        status, headers, root = self.call({"Action": "CreateQueue", "QueueName": name,
                                           "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "5",
                                           "Tag.1.Key": "team", "Tag.1.Value": "core"})
        self.assertEqual(status, 200)
        self.assertIn("xml", headers["Content-Type"])
        self.assertEqual(root.tag, f"{{{QUERY_XML_NAMESPACE}}}CreateQueueResponse")
        url = self.text(root, "sqs:CreateQueueResult/sqs:QueueUrl")
        self.addCleanup(self._delete_quietly, url)
        self.assertEqual(url, f"{self.emu.url}/{ACCOUNT}/{name}")
        self.assertTrue(self.text(root, "sqs:ResponseMetadata/sqs:RequestId"))
        self.assertEqual(self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
                         ["Attributes"], {"VisibilityTimeout": "5"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "core"})

        status, _, root = self.call({"Action": "GetQueueAttributes", "QueueUrl": url,
                                     "AttributeName.1": "VisibilityTimeout", "AttributeName.2": "QueueArn"})
        self.assertEqual(status, 200)
        pairs = {a.find("sqs:Name", NS).text: a.find("sqs:Value", NS).text
                 for a in root.findall("sqs:GetQueueAttributesResult/sqs:Attribute", NS)}
        self.assertEqual(pairs, {"VisibilityTimeout": "5", "QueueArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"})

    def test_error_document(self):
        status, headers, root = self.call({"Action": "GetQueueUrl", "QueueName": unique_queue("missing")})
        self.assertEqual(status, 400)
        self.assertIn("xml", headers["Content-Type"])
        self.assertEqual(root.tag, f"{{{QUERY_XML_NAMESPACE}}}ErrorResponse")
        self.assertEqual(self.text(root, "sqs:Error/sqs:Type"), "Sender")
        self.assertEqual(self.text(root, "sqs:Error/sqs:Code"), "AWS.SimpleQueueService.NonExistentQueue")
        self.assertTrue(self.text(root, "sqs:Error/sqs:Message"))
        self.assertTrue(self.text(root, "sqs:RequestId"))

        status, _, root = self.call({"Action": "NoSuchAction"})
        self.assertEqual(status, 400)
        self.assertEqual(self.text(root, "sqs:Error/sqs:Code"), "InvalidAction")

        status, _, root = self.call({"Action": "SendMessage", "QueueUrl": self.create_queue("missingparam")})
        self.assertEqual(status, 400)
        self.assertEqual(self.text(root, "sqs:Error/sqs:Code"), "MissingParameter")

    def test_message_attributes_in_form_and_xml(self):
        url = self.create_queue("attrs")
        blob = b"\x00\x01\xfe\xff"
        status, _, root = self.call({
            "Action": "SendMessage", "QueueUrl": url, "MessageBody": "form body ✓",
            "MessageAttribute.1.Name": "text", "MessageAttribute.1.Value.DataType": "String",
            "MessageAttribute.1.Value.StringValue": "héllo",
            "MessageAttribute.2.Name": "blob", "MessageAttribute.2.Value.DataType": "Binary",
            "MessageAttribute.2.Value.BinaryValue": base64.b64encode(blob).decode(),
            "MessageSystemAttribute.1.Name": "AWSTraceHeader",
            "MessageSystemAttribute.1.Value.DataType": "String",
            "MessageSystemAttribute.1.Value.StringValue": "Root=1-abc",
            "DelaySeconds": "0"})
        self.assertEqual(status, 200, ET.tostring(root))
        expected_attrs = {"text": {"DataType": "String", "StringValue": "héllo"},
                          "blob": {"DataType": "Binary", "BinaryValue": blob}}
        self.assertEqual(self.text(root, "sqs:SendMessageResult/sqs:MD5OfMessageBody"), md5_hex("form body ✓"))
        self.assertEqual(self.text(root, "sqs:SendMessageResult/sqs:MD5OfMessageAttributes"),
                         message_attributes_md5(expected_attrs))
        self.assertEqual(self.text(root, "sqs:SendMessageResult/sqs:MD5OfMessageSystemAttributes"),
                         message_attributes_md5({"AWSTraceHeader": {"DataType": "String",
                                                                    "StringValue": "Root=1-abc"}}))
        message_id = self.text(root, "sqs:SendMessageResult/sqs:MessageId")

        # The legacy AttributeName.N parameter and MessageAttributeName.N.
        status, _, root = self.call({"Action": "ReceiveMessage", "QueueUrl": url, "AttributeName.1": "All",
                                     "MessageAttributeName.1": "All", "MaxNumberOfMessages": "10"})
        self.assertEqual(status, 200)
        messages = root.findall("sqs:ReceiveMessageResult/sqs:Message", NS)
        self.assertEqual(len(messages), 1, ET.tostring(root))
        m = messages[0]
        self.assertEqual(self.text(m, "sqs:MessageId"), message_id)
        self.assertEqual(self.text(m, "sqs:Body"), "form body ✓")
        self.assertEqual(self.text(m, "sqs:MD5OfBody"), md5_hex("form body ✓"))
        self.assertTrue(self.text(m, "sqs:ReceiptHandle"))
        attrs = {a.find("sqs:Name", NS).text: a.find("sqs:Value", NS).text for a in m.findall("sqs:Attribute", NS)}
        self.assertEqual(attrs["ApproximateReceiveCount"], "1")
        self.assertEqual(attrs["AWSTraceHeader"], "Root=1-abc")
        for key in ("SentTimestamp", "ApproximateFirstReceiveTimestamp", "SenderId"):
            self.assertIn(key, attrs)
        got = {}
        for a in m.findall("sqs:MessageAttribute", NS):
            value = a.find("sqs:Value", NS)
            entry = {"DataType": value.find("sqs:DataType", NS).text}
            if value.find("sqs:StringValue", NS) is not None:
                entry["StringValue"] = value.find("sqs:StringValue", NS).text
            else:
                entry["BinaryValue"] = base64.b64decode(value.find("sqs:BinaryValue", NS).text)
            got[a.find("sqs:Name", NS).text] = entry
        self.assertEqual(got, expected_attrs)
        self.assertEqual(self.text(m, "sqs:MD5OfMessageAttributes"), message_attributes_md5(expected_attrs))

    def test_get_request(self):
        name = unique_queue("get")
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.addCleanup(self._delete_quietly, url)
        status, _, root = self.call({"Action": "ListQueues", "QueueNamePrefix": name}, method="GET")
        self.assertEqual(status, 200, ET.tostring(root))
        self.assertEqual([q.text for q in root.findall("sqs:ListQueuesResult/sqs:QueueUrl", NS)], [url])
        status, _, root = self.call({"Action": "SendMessage", "QueueUrl": url, "MessageBody": "by GET"}, method="GET")
        self.assertEqual(status, 200, ET.tostring(root))
        self.assertEqual([m["Body"] for m in self.sqs.receive_message(QueueUrl=url)["Messages"]], ["by GET"])

    def test_request_posted_to_the_queue_url(self):
        # Older SDKs (e.g. the AWS SDK for Java v1) post to the queue URL and leave QueueUrl out.
        url = self.create_queue("path")
        path = f"/{ACCOUNT}/{queue_name_of(url)}"
        status, _, root = self.call({"Action": "SendMessage", "MessageBody": "posted to the queue"}, path=path)
        self.assertEqual(status, 200, ET.tostring(root))
        status, _, root = self.call({"Action": "ReceiveMessage", "MaxNumberOfMessages": "10"}, path=path)
        self.assertEqual(status, 200, ET.tostring(root))
        bodies = [b.text for b in root.findall("sqs:ReceiveMessageResult/sqs:Message/sqs:Body", NS)]
        self.assertEqual(bodies, ["posted to the queue"])
        status, _, root = self.call({"Action": "GetQueueAttributes", "AttributeName.1": "QueueArn"}, path=path)
        self.assertEqual(status, 200, ET.tostring(root))
        status, _, root = self.call({"Action": "SendMessage", "MessageBody": "x"},
                                    path=f"/{ACCOUNT}/{unique_queue('nowhere')}")
        self.assertEqual(status, 400)
        self.assertEqual(self.text(root, "sqs:Error/sqs:Code"), "AWS.SimpleQueueService.NonExistentQueue")

    def test_batch_entries_in_form_and_xml(self):
        url = self.create_queue("formbatch")
        status, _, root = self.call({
            "Action": "SendMessageBatch", "QueueUrl": url,
            "SendMessageBatchRequestEntry.1.Id": "first", "SendMessageBatchRequestEntry.1.MessageBody": "one",
            "SendMessageBatchRequestEntry.2.Id": "second", "SendMessageBatchRequestEntry.2.MessageBody": "two",
            "SendMessageBatchRequestEntry.2.MessageAttribute.1.Name": "a",
            "SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType": "String",
            "SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue": "b",
            "SendMessageBatchRequestEntry.3.Id": "third", "SendMessageBatchRequestEntry.3.MessageBody": "three",
            "SendMessageBatchRequestEntry.3.DelaySeconds": "1000"})
        self.assertEqual(status, 200, ET.tostring(root))
        ok = root.findall("sqs:SendMessageBatchResult/sqs:SendMessageBatchResultEntry", NS)
        self.assertEqual(sorted(self.text(e, "sqs:Id") for e in ok), ["first", "second"])
        for e in ok:
            body = "one" if self.text(e, "sqs:Id") == "first" else "two"
            self.assertEqual(self.text(e, "sqs:MD5OfMessageBody"), md5_hex(body))
        failed = root.findall("sqs:SendMessageBatchResult/sqs:BatchResultErrorEntry", NS)
        self.assertEqual([self.text(e, "sqs:Id") for e in failed], ["third"])
        self.assertEqual(self.text(failed[0], "sqs:SenderFault"), "true")
        self.assertTrue(self.text(failed[0], "sqs:Code"))

    def test_query_model_names_match_moto(self):
        """The query names in sqs_support are the facts moto ships for its query-compatible SQS."""
        try:
            import moto
        except ImportError:
            raise unittest.SkipTest("moto is not installed (only used to cross-check sqs_support's table)")
        path = os.path.join(os.path.dirname(moto.__file__), "sqs", "2012-11-05", "service-2.moto-extras.json.gz")
        if not os.path.exists(path):
            raise unittest.SkipTest(f"{path} is not in this moto version")
        with gzip.open(path) as f:
            merge = json.load(f)["merge"]
        key = "locationNameForQueryCompatibility"
        shapes = merge["shapes"]
        for name, member in QUERY_LIST_MEMBERS.items():
            self.assertEqual(shapes[name]["member"][key], member, name)
        for name, (k, v, own) in QUERY_MAPS.items():
            self.assertEqual((shapes[name]["key"][key], shapes[name]["value"][key], shapes[name].get(key)),
                             (k, v, own), name)
        for name, members in QUERY_MEMBERS.items():
            for member, location in members.items():
                self.assertEqual(shapes[name]["members"][member][key], location, f"{name}.{member}")
        for name, (code, status) in QUERY_ERROR_CODES.items():
            self.assertEqual((shapes[name]["error"]["code"], shapes[name]["error"]["httpStatusCode"]), (code, status),
                             name)
        wrapped = sorted(op for op, spec in merge["operations"].items() if "resultWrapper" in spec.get("output", {}))
        self.assertEqual(wrapped, sorted(QUERY_RESULT_WRAPPED))
