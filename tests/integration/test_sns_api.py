"""The SNS API, served on the same port as the Lambda and SQS APIs, through unmodified AWS clients:
boto3 (query protocol: `Action=...&Version=2010-03-31` forms, XML answers), the `aws` CLI, hand-made
unsigned query requests, and the AWS SDK for JavaScript v3 (`@aws-sdk/client-sns`, script in
js/sns_roundtrip.mjs). Topics (names, FIFO, idempotent creation, attributes, paging, deletion),
subscriptions (per-protocol confirmation, attributes, filter policies, idempotency, paging,
unsubscribing), Publish and PublishBatch (limits, message attributes, JSON message structure, FIFO
rules), tags, SMS settings, the XML wire shape, AWS's error codes and HTTP statuses, and topics and
subscriptions kept across a restart (`--state-dir`) but not with `--ephemeral`.

Every expected value comes from AWS's documentation, the botocore SNS model (error codes and HTTP
statuses are read from it) and responses recorded against real AWS (LocalStack's AWS-validated
snapshots: default topic policy, EffectiveDeliveryPolicy, subscription attribute sets, error
messages), not from lambda-local's implementation. Where moto's SNS answers differently, the test
follows AWS and a comment says so."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

from .harness import ACCOUNT, REGION, REPO_ROOT, Emulator, EmulatorTestCase, Project, fake_credentials_env, \
    free_port, http_status

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SNS_NS = "http://sns.amazonaws.com/doc/2010-03-31/"
MAX_MESSAGE_BYTES = 262144  # "at most 256 KB (262,144 bytes, not 262,144 characters)"
PENDING = "pending confirmation"  # Subscribe's SubscriptionArn for an unconfirmed subscription
PENDING_IN_LISTINGS = "PendingConfirmation"  # the SubscriptionArn ListSubscriptions* show for one

# GetTopicAttributes of a topic nobody changed, as recorded against AWS.
DEFAULT_POLICY_ACTIONS = [
    "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
    "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"]
DEFAULT_HEALTHY_RETRY_POLICY = {
    "minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3, "numMaxDelayRetries": 0,
    "numNoDelayRetries": 0, "numMinDelayRetries": 0, "backoffFunction": "linear"}
DEFAULT_EFFECTIVE_DELIVERY_POLICY = {"http": {
    "defaultHealthyRetryPolicy": DEFAULT_HEALTHY_RETRY_POLICY,
    "disableSubscriptionOverrides": False,
    "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"}}}

ATTRIBUTES = {
    "text": {"DataType": "String", "StringValue": "héllo wörld ✓"},
    "count": {"DataType": "Number", "StringValue": "-42.5"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff"},
    "tags": {"DataType": "String.Array", "StringValue": '["a", "b", 3, true, null]'},
}
PHONE = "+15555550100"  # a fictional (555-01xx) number in E.164 form


def topic_arn(name: str) -> str:
    return f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}"


def unique_topic(prefix: str = "t", fifo: bool = False) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}" + (".fifo" if fifo else "")


def fake_queue_arn(prefix: str = "nq") -> str:
    """The ARN of an SQS queue that does not exist (SNS accepts those: it checks only the ARN's form)."""
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{prefix}-{uuid.uuid4().hex[:10]}"


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def tag_dict(tags: list) -> dict:
    return {t["Key"]: t["Value"] for t in tags}


class SnsTestCase(EmulatorTestCase):
    """An emulator with no functions, a boto3 SNS client (`self.sns`, query protocol) and an SQS client."""

    TEMPLATE = "Resources: {}\n"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sns = cls.emu.client("sns", read_timeout=60)
        cls.sqs = cls.emu.client("sqs", read_timeout=60)
        assert cls.sns.meta.service_model.protocol == "query", cls.sns.meta.service_model.protocol

    # ---- resources that remove themselves after the test ----------------------------------------
    def create_topic(self, prefix: str = "t", attributes: dict | None = None, fifo: bool = False,
                     tags: dict | None = None, name: str | None = None) -> str:
        name = name or unique_topic(prefix, fifo)
        attributes = dict(attributes or {})
        if fifo:
            attributes.setdefault("FifoTopic", "true")
        kwargs = {"Attributes": attributes} if attributes else {}
        if tags:
            kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        arn = self.sns.create_topic(Name=name, **kwargs)["TopicArn"]
        self.addCleanup(self._quietly, self.sns.delete_topic, TopicArn=arn)
        return arn

    def create_queue(self, prefix: str = "q") -> tuple[str, str]:
        """A real SQS queue: (url, arn)."""
        url = self.sqs.create_queue(QueueName=f"{prefix}-{uuid.uuid4().hex[:10]}")["QueueUrl"]
        self.addCleanup(self._quietly, self.sqs.delete_queue, QueueUrl=url)
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def subscribe(self, topic: str, protocol: str, endpoint: str, **kwargs) -> str:
        """Subscribe; returns the answer's SubscriptionArn (unsubscribed after the test when it is one)."""
        arn = self.sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=endpoint, **kwargs)["SubscriptionArn"]
        if arn.startswith("arn:"):
            self.addCleanup(self._quietly, self.sns.unsubscribe, SubscriptionArn=arn)
        return arn

    @staticmethod
    def _quietly(call, **kwargs):
        try:
            call(**kwargs)
        except Exception:
            pass

    # ---- reads ------------------------------------------------------------------------------
    def topic_attributes(self, arn: str) -> dict:
        return self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]

    def sub_attributes(self, arn: str) -> dict:
        return self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]

    def all_pages(self, call, key: str, **kwargs) -> list:
        """Every item of a NextToken-paged listing, following the tokens by hand."""
        items, token = [], None
        for _ in range(1000):
            page = call(**kwargs, **({"NextToken": token} if token else {}))
            items.extend(page.get(key, []))
            token = page.get("NextToken")
            if not token:
                return items
        self.fail(f"{call.__name__} never stopped returning a NextToken")

    def all_topics(self) -> list[str]:
        return [t["TopicArn"] for t in self.all_pages(self.sns.list_topics, "Topics")]

    def topic_subscriptions(self, topic: str) -> list[dict]:
        return self.all_pages(self.sns.list_subscriptions_by_topic, "Subscriptions", TopicArn=topic)

    # ---- errors -----------------------------------------------------------------------------
    def assert_sns_error(self, call, shape: str, *args, message: str | None = None, **kwargs):
        """Asserts call(...) raises the modelled exception `shape` with the Error.Code and HTTP status
        botocore's SNS model gives it, Error.Type Sender and a message. Returns the exception."""
        client = call.__self__
        exc_class = getattr(client.exceptions, shape)
        error = client.meta.service_model.shape_for(shape).metadata["error"]
        with self.assertRaises(exc_class) as cm:
            call(*args, **kwargs)
        e = cm.exception
        self.assertEqual(e.response["Error"]["Code"], error["code"], e.response)
        self.assertEqual(http_status(e), error["httpStatusCode"], e.response)
        self.assertEqual(e.response["Error"].get("Type"), "Sender", e.response)
        self.assertTrue(e.response["Error"].get("Message"), e.response)
        if message is not None:
            self.assertIn(message, e.response["Error"]["Message"], e.response)
        return e


# ==== topics ==========================================================================================
class TopicTest(SnsTestCase):
    def test_create_topic_returns_its_arn_and_is_idempotent(self):
        name = unique_topic("idem")
        arn = self.create_topic(name=name, attributes={"DisplayName": "Same"})
        self.assertEqual(arn, topic_arn(name))
        # Same name and attributes: the same topic. So is the bare name (no attributes given).
        self.assertEqual(self.sns.create_topic(Name=name, Attributes={"DisplayName": "Same"})["TopicArn"], arn)
        self.assertEqual(self.sns.create_topic(Name=name)["TopicArn"], arn)
        self.assertEqual(self.all_topics().count(arn), 1, "the topic is listed once")
        self.assertEqual(self.topic_attributes(arn)["DisplayName"], "Same")

    def test_create_topic_with_other_attributes_for_an_existing_name(self):
        name = unique_topic("diff")
        arn = self.create_topic(name=name, attributes={"DisplayName": "First"})
        # "Invalid parameter: Attributes Reason: Topic already exists with different attributes".
        # (moto returns the existing topic.)
        self.assert_sns_error(self.sns.create_topic, "InvalidParameterException", Name=name,
                              Attributes={"DisplayName": "Second"})
        self.assertEqual(self.topic_attributes(arn)["DisplayName"], "First", "the failed call changed nothing")

    def test_create_topic_with_other_tags_for_an_existing_name(self):
        # AWS (recorded): the same tags, a subset or none return the topic; a tag it does not have
        # is "Invalid parameter: Tags Reason: Topic already exists with different tags". (moto returns
        # the existing topic.)
        name = unique_topic("tagged")
        arn = self.create_topic(name=name, tags={"a": "1", "b": "2"})
        self.assertEqual(self.sns.create_topic(Name=name, Tags=[{"Key": "a", "Value": "1"},
                                                                {"Key": "b", "Value": "2"}])["TopicArn"], arn)
        self.assertEqual(self.sns.create_topic(Name=name, Tags=[{"Key": "a", "Value": "1"}])["TopicArn"], arn)
        self.assert_sns_error(self.sns.create_topic, "InvalidParameterException", Name=name,
                              Tags=[{"Key": "c", "Value": "3"}])
        self.assertEqual(tag_dict(self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"]), {"a": "1", "b": "2"})

    def test_topic_name_rules(self):
        # 1-256 of letters, digits, hyphens and underscores.
        longest = "A_b-9" + "x" * 241 + uuid.uuid4().hex[:10]
        self.assertEqual(len(longest), 256)
        self.assertEqual(self.create_topic(name=longest), topic_arn(longest))
        for bad in ("", "x" * 257, "has space", "colon:name", "semi;colon", "bang!", "at@sign", "pipe|",
                    "per%cent", "dot.name", "slash/name", "tøpic"):
            with self.subTest(name=bad):
                self.assert_sns_error(self.sns.create_topic, "InvalidParameterException", Name=bad)
        listed = self.all_topics()
        self.assertFalse([a for a in listed if a.endswith(":dot.name") or a.endswith(":has space")], listed)

    def test_fifo_suffix_and_fifo_topic_go_together(self):
        self.assert_sns_error(self.sns.create_topic, "InvalidParameterException",
                              Name=unique_topic("suffix-only", fifo=True))
        self.assert_sns_error(self.sns.create_topic, "InvalidParameterException",
                              Name=unique_topic("attr-only"), Attributes={"FifoTopic": "true"})
        self.assert_sns_error(self.sns.create_topic, "InvalidParameterException",
                              Name=unique_topic("attr-false", fifo=True), Attributes={"FifoTopic": "false"})

        fifo = self.create_topic("fifo", fifo=True)
        self.assertTrue(fifo.endswith(".fifo"), fifo)
        attrs = self.topic_attributes(fifo)
        self.assertEqual((attrs.get("FifoTopic"), attrs.get("ContentBasedDeduplication")), ("true", "false"))

        dedup = self.create_topic("dedup", fifo=True, attributes={"ContentBasedDeduplication": "true"})
        attrs = self.topic_attributes(dedup)
        self.assertEqual((attrs.get("FifoTopic"), attrs.get("ContentBasedDeduplication")), ("true", "true"))
        self.sns.set_topic_attributes(TopicArn=dedup, AttributeName="ContentBasedDeduplication",
                                      AttributeValue="false")
        self.assertEqual(self.topic_attributes(dedup)["ContentBasedDeduplication"], "false")

        # A standard topic (even one created with FifoTopic=false) has neither attribute (recorded).
        standard = self.create_topic("std", attributes={"FifoTopic": "false"})
        attrs = self.topic_attributes(standard)
        self.assertNotIn("FifoTopic", attrs)
        self.assertNotIn("ContentBasedDeduplication", attrs)
        # FifoTopic cannot be changed after creation: "Invalid parameter: AttributeName" (recorded);
        # moto accepts the change.
        self.assert_sns_error(self.sns.set_topic_attributes, "InvalidParameterException", TopicArn=standard,
                              AttributeName="FifoTopic", AttributeValue="true")

    def test_delete_topic_is_idempotent(self):
        name = unique_topic("del")
        arn = self.sns.create_topic(Name=name)["TopicArn"]
        sub = self.subscribe(arn, "sqs", fake_queue_arn())
        self.assertEqual(http_status(self.sns.delete_topic(TopicArn=arn)), 200)
        self.assert_sns_error(self.sns.get_topic_attributes, "NotFoundException", TopicArn=arn)
        self.assertNotIn(arn, self.all_topics())
        # Deleting a topic deletes its subscriptions.
        listed = self.all_pages(self.sns.list_subscriptions, "Subscriptions")
        self.assertNotIn(sub, [s["SubscriptionArn"] for s in listed])
        self.assertNotIn(arn, [s["TopicArn"] for s in listed])
        # "This action is idempotent, so deleting a topic that does not exist does not result in an error."
        self.assertEqual(http_status(self.sns.delete_topic(TopicArn=arn)), 200)
        self.assertEqual(http_status(self.sns.delete_topic(TopicArn=topic_arn(unique_topic("never")))), 200)

    def test_list_topics_pages_at_100(self):
        prefix = f"page-{uuid.uuid4().hex[:6]}"
        created = [self.create_topic(name=f"{prefix}-{i:03d}") for i in range(105)]
        first = self.sns.list_topics()
        self.assertEqual(len(first["Topics"]), 100, "AWS returns up to 100 topics a call")
        self.assertTrue(first.get("NextToken"), "more topics, so a NextToken")
        listed = self.all_topics()
        self.assertEqual(len(listed), len(set(listed)), "a topic listed twice across pages")
        self.assertEqual(sorted(a for a in listed if f":{prefix}-" in a), sorted(created))
        for topic in first["Topics"]:
            self.assertEqual(set(topic), {"TopicArn"})
        pages = list(self.sns.get_paginator("list_topics").paginate())
        self.assertGreaterEqual(len(pages), 2)
        self.assertNotIn("NextToken", pages[-1])
        self.assertEqual(sorted(t["TopicArn"] for p in pages for t in p["Topics"]), sorted(listed))

    def test_default_attributes(self):
        name = unique_topic("defaults")
        arn = self.create_topic(name=name)
        attrs = self.topic_attributes(arn)
        self.assertEqual(attrs["TopicArn"], arn)
        self.assertEqual(attrs["Owner"], ACCOUNT)
        self.assertEqual(attrs["DisplayName"], "")
        for count in ("SubscriptionsConfirmed", "SubscriptionsPending", "SubscriptionsDeleted"):
            self.assertEqual(attrs[count], "0", count)
        policy = json.loads(attrs["Policy"])
        self.assertEqual(policy["Version"], "2008-10-17")
        self.assertEqual(policy["Id"], "__default_policy_ID")
        self.assertEqual(len(policy["Statement"]), 1)
        statement = policy["Statement"][0]
        self.assertEqual(sorted(statement.pop("Action")), sorted(DEFAULT_POLICY_ACTIONS))
        self.assertEqual(statement, {
            "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"}, "Resource": arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}})
        # moto answers an EffectiveDeliveryPolicy without the "http" level and an empty DeliveryPolicy.
        self.assertEqual(json.loads(attrs["EffectiveDeliveryPolicy"]), DEFAULT_EFFECTIVE_DELIVERY_POLICY)
        for absent in ("DeliveryPolicy", "KmsMasterKeyId", "FifoTopic", "ContentBasedDeduplication"):
            self.assertNotIn(absent, attrs, f"{absent} is not an attribute of a new standard topic")

    def test_attributes_at_creation(self):
        name = unique_topic("created")
        arn = topic_arn(name)
        policy = {"Version": "2012-10-17", "Statement": [{
            "Sid": "S3Publishes", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "SNS:Publish", "Resource": arn}]}
        delivery = {"http": {"defaultHealthyRetryPolicy": {"minDelayTarget": 5, "maxDelayTarget": 6, "numRetries": 1},
                             "disableSubscriptionOverrides": False}}
        self.create_topic(name=name, attributes={
            "DisplayName": "Shown name", "KmsMasterKeyId": "alias/aws/sns", "Policy": json.dumps(policy),
            "DeliveryPolicy": json.dumps(delivery)})
        attrs = self.topic_attributes(arn)
        self.assertEqual(attrs["DisplayName"], "Shown name")
        self.assertEqual(attrs["KmsMasterKeyId"], "alias/aws/sns")
        self.assertEqual(json.loads(attrs["Policy"]), policy)
        self.assertEqual(json.loads(attrs["DeliveryPolicy"]), delivery)

    def test_set_topic_attributes(self):
        arn = self.create_topic("set")
        delivery = {"http": {"defaultHealthyRetryPolicy": {"minDelayTarget": 5, "maxDelayTarget": 6, "numRetries": 1},
                             "disableSubscriptionOverrides": False}}
        policy = {"Version": "2012-10-17", "Id": "custom", "Statement": [{
            "Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["SNS:Publish"],
            "Resource": arn}]}
        for name, value in (("DisplayName", "Renamed ✓"), ("DeliveryPolicy", json.dumps(delivery)),
                            ("Policy", json.dumps(policy)), ("KmsMasterKeyId", "alias/my-key")):
            with self.subTest(attribute=name):
                r = self.sns.set_topic_attributes(TopicArn=arn, AttributeName=name, AttributeValue=value)
                self.assertEqual(http_status(r), 200)
        attrs = self.topic_attributes(arn)
        self.assertEqual(attrs["DisplayName"], "Renamed ✓")
        self.assertEqual(attrs["KmsMasterKeyId"], "alias/my-key")
        self.assertEqual(json.loads(attrs["Policy"]), policy)
        self.assertEqual(json.loads(attrs["DeliveryPolicy"]), delivery)
        # The effective policy is the given one filled in with the defaults (recorded against AWS).
        # (moto answers its own default, without the "http" level.)
        self.assertEqual(json.loads(attrs["EffectiveDeliveryPolicy"]), {"http": {
            "defaultHealthyRetryPolicy": {"minDelayTarget": 5, "maxDelayTarget": 6, "numRetries": 1,
                                          "numMaxDelayRetries": 0, "numNoDelayRetries": 0,
                                          "numMinDelayRetries": 0, "backoffFunction": "linear"},
            "disableSubscriptionOverrides": False,
            "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"}}})
        self.assertEqual(attrs["TopicArn"], arn, "read-only attributes are still there")

    def test_topic_attribute_errors(self):
        arn = self.create_topic("errs", attributes={"DisplayName": "Kept"})
        # moto accepts any attribute name here and stores it.
        self.assert_sns_error(self.sns.set_topic_attributes, "InvalidParameterException", TopicArn=arn,
                              AttributeName="NoSuchAttribute", AttributeValue="x")
        self.assert_sns_error(self.sns.set_topic_attributes, "InvalidParameterException", TopicArn=arn,
                              AttributeName="TopicArn", AttributeValue=topic_arn("other"))
        self.assertEqual(self.topic_attributes(arn)["DisplayName"], "Kept")
        self.assertNotIn("NoSuchAttribute", self.topic_attributes(arn))
        ghost = topic_arn(unique_topic("ghost"))
        e = self.assert_sns_error(self.sns.get_topic_attributes, "NotFoundException", TopicArn=ghost)
        self.assertEqual(e.response["Error"]["Message"], "Topic does not exist")
        self.assert_sns_error(self.sns.set_topic_attributes, "NotFoundException", TopicArn=ghost,
                              AttributeName="DisplayName", AttributeValue="x")

    def test_subscription_counts(self):
        arn = self.create_topic("counts")
        confirmed = self.subscribe(arn, "sqs", self.create_queue()[1])
        self.subscribe(arn, "lambda", function_arn("counted"))
        self.assertEqual(self.subscribe(arn, "email", "someone@example.com"), PENDING)
        self.assertEqual(self.subscribe(arn, "http", f"http://127.0.0.1:{free_port()}/hook"), PENDING)
        attrs = self.topic_attributes(arn)
        # (moto confirms email and http subscriptions at once and always answers 0 for all three counts.)
        self.assertEqual((attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"]), ("2", "2"))
        self.sns.unsubscribe(SubscriptionArn=confirmed)
        attrs = self.topic_attributes(arn)
        self.assertEqual((attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"]), ("1", "2"))
        self.assertRegex(attrs["SubscriptionsDeleted"], r"^\d+$")


# ==== subscriptions ===================================================================================
class SubscriptionTest(SnsTestCase):
    def assert_confirmed(self, sub: str, topic: str, protocol: str, endpoint: str) -> dict:
        """Checks the attributes AWS returns for a confirmed subscription; returns them."""
        self.assertTrue(sub.startswith(topic + ":"), sub)
        self.assertRegex(sub[len(topic) + 1:], UUID)
        attrs = self.sub_attributes(sub)
        expected = {"SubscriptionArn": sub, "TopicArn": topic, "Protocol": protocol, "Endpoint": endpoint,
                    "Owner": ACCOUNT, "PendingConfirmation": "false", "ConfirmationWasAuthenticated": "true",
                    "RawMessageDelivery": "false"}
        for key, value in expected.items():
            self.assertEqual(attrs.get(key), value, f"{key} in {attrs}")
        # AWS: the IAM identity that subscribed, e.g. arn:aws:iam::<account>:user/<name>. moto has none.
        self.assertTrue(attrs.get("SubscriptionPrincipal", "").startswith(f"arn:aws:iam::{ACCOUNT}:"), attrs)
        for absent in ("FilterPolicy", "FilterPolicyScope", "RedrivePolicy", "DeliveryPolicy"):
            self.assertNotIn(absent, attrs, "nothing set, so not returned (recorded against AWS)")
        return attrs

    def test_sqs_subscription_is_confirmed_at_once(self):
        topic = self.create_topic("sqs")
        queue = self.create_queue()[1]
        sub = self.subscribe(topic, "sqs", queue)
        attrs = self.assert_confirmed(sub, topic, "sqs", queue)
        self.assertNotIn("EffectiveDeliveryPolicy", attrs, "only HTTP/S subscriptions have one (recorded)")

    def test_lambda_subscription_is_confirmed_at_once(self):
        topic = self.create_topic("lambda")
        endpoint = function_arn("any-function")
        self.assert_confirmed(self.subscribe(topic, "lambda", endpoint), topic, "lambda", endpoint)

    def test_sms_subscription_is_confirmed_at_once(self):
        # SMS needs no confirmation: AWS answers an ARN and PendingConfirmation false (recorded).
        topic = self.create_topic("sms")
        self.assert_confirmed(self.subscribe(topic, "sms", PHONE), topic, "sms", PHONE)

    def test_unknown_queue_arn_is_accepted(self):
        # SNS checks the endpoint is an SQS ARN, not that the queue exists (recorded against AWS).
        topic = self.create_topic("noqueue")
        queue = fake_queue_arn()
        self.assert_confirmed(self.subscribe(topic, "sqs", queue), topic, "sqs", queue)

    def test_http_and_https_subscriptions_are_pending(self):
        # (moto confirms them at once and answers their ARN.)
        topic = self.create_topic("http")
        for protocol in ("http", "https"):
            with self.subTest(protocol=protocol):
                endpoint = f"{protocol}://127.0.0.1:{free_port()}/sns-endpoint"
                self.assertEqual(self.sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=endpoint)
                                 ["SubscriptionArn"], PENDING)
                sub = self.subscribe(topic, protocol, endpoint, ReturnSubscriptionArn=True)
                self.assertTrue(sub.startswith(topic + ":"), sub)
                self.assertRegex(sub[len(topic) + 1:], UUID)
                attrs = self.sub_attributes(sub)
                for key, value in {"SubscriptionArn": sub, "TopicArn": topic, "Protocol": protocol,
                                   "Endpoint": endpoint, "Owner": ACCOUNT, "PendingConfirmation": "true",
                                   "ConfirmationWasAuthenticated": "false", "RawMessageDelivery": "false"}.items():
                    self.assertEqual(attrs.get(key), value, f"{key} in {attrs}")
                effective = json.loads(attrs["EffectiveDeliveryPolicy"])
                self.assertEqual(effective["healthyRetryPolicy"], DEFAULT_HEALTHY_RETRY_POLICY)
                # Subscribing the same endpoint again is the same (still pending) subscription.
                self.assertEqual(self.sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=endpoint,
                                                    ReturnSubscriptionArn=True)["SubscriptionArn"], sub)
        listed = self.topic_subscriptions(topic)
        self.assertEqual(sorted(s["Protocol"] for s in listed), ["http", "https"])
        # moto lists them with their ARN; AWS shows "PendingConfirmation" until confirmed.
        self.assertEqual({s["SubscriptionArn"] for s in listed}, {PENDING_IN_LISTINGS})

    def test_email_subscriptions_are_pending(self):
        topic = self.create_topic("email")
        # moto confirms every subscription at once and answers its ARN.
        self.assertEqual(self.subscribe(topic, "email", "someone@example.com"), PENDING)
        self.assertEqual(self.subscribe(topic, "email-json", "machine@example.com"), PENDING)
        listed = sorted(self.topic_subscriptions(topic), key=lambda s: s["Protocol"])
        self.assertEqual(listed, [
            {"SubscriptionArn": PENDING_IN_LISTINGS, "Owner": ACCOUNT, "Protocol": "email",
             "Endpoint": "someone@example.com", "TopicArn": topic},
            {"SubscriptionArn": PENDING_IN_LISTINGS, "Owner": ACCOUNT, "Protocol": "email-json",
             "Endpoint": "machine@example.com", "TopicArn": topic}])
        sub = self.subscribe(topic, "email", "someone@example.com", ReturnSubscriptionArn=True)
        attrs = self.sub_attributes(sub)
        self.assertEqual((attrs["PendingConfirmation"], attrs["ConfirmationWasAuthenticated"]), ("true", "false"))
        self.assertEqual(self.topic_attributes(topic)["SubscriptionsPending"], "2")

    def test_subscribe_errors(self):
        topic = self.create_topic("suberr")
        # "Amazon SNS does not support this protocol string: carrier-pigeon" (moto accepts any protocol).
        e = self.assert_sns_error(self.sns.subscribe, "InvalidParameterException", TopicArn=topic,
                                  Protocol="carrier-pigeon", Endpoint="coop-7")
        self.assertIn("carrier-pigeon", e.response["Error"]["Message"])
        queue_url = self.create_queue()[0]
        for endpoint in ("not-an-arn", queue_url):
            with self.subTest(sqs_endpoint=endpoint):
                self.assert_sns_error(self.sns.subscribe, "InvalidParameterException", TopicArn=topic,
                                      Protocol="sqs", Endpoint=endpoint, message="SQS endpoint ARN")
        self.assert_sns_error(self.sns.subscribe, "InvalidParameterException", TopicArn=topic, Protocol="sms",
                              Endpoint="invalid-number")
        self.assert_sns_error(self.sns.subscribe, "NotFoundException", TopicArn=topic_arn(unique_topic("ghost")),
                              Protocol="sqs", Endpoint=fake_queue_arn())
        self.assertEqual(self.topic_subscriptions(topic), [], "no failed call subscribed anything")

    def test_subscribing_twice_is_the_same_subscription(self):
        topic = self.create_topic("twice")
        queue = self.create_queue()[1]
        sub = self.subscribe(topic, "sqs", queue, Attributes={"RawMessageDelivery": "true"})
        # The same endpoint with the same, fewer or no attributes: the same subscription (recorded).
        self.assertEqual(self.subscribe(topic, "sqs", queue, Attributes={"RawMessageDelivery": "true"}), sub)
        self.assertEqual(self.subscribe(topic, "sqs", queue), sub)
        self.assertEqual(self.subscribe(topic, "sqs", queue, ReturnSubscriptionArn=True), sub)
        # Different attributes: "Subscription already exists with different attributes".
        # (moto ignores the attributes and returns the subscription.)
        self.assert_sns_error(self.sns.subscribe, "InvalidParameterException", TopicArn=topic, Protocol="sqs",
                              Endpoint=queue, Attributes={"RawMessageDelivery": "false"})
        self.assertEqual([s["SubscriptionArn"] for s in self.topic_subscriptions(topic)], [sub])
        self.assertEqual(self.sub_attributes(sub)["RawMessageDelivery"], "true")
        # Another topic, the same queue: another subscription.
        other = self.create_topic("twice-other")
        self.assertNotEqual(self.subscribe(other, "sqs", queue), sub)

    def test_attributes_at_subscribe_time(self):
        topic = self.create_topic("subattrs")
        queue = self.create_queue()[1]
        attribute_policy = {"store": ["example_corp"], "price_usd": [{"numeric": [">=", 100]}]}
        sub = self.subscribe(topic, "sqs", queue, Attributes={
            "RawMessageDelivery": "true", "FilterPolicy": json.dumps(attribute_policy)})
        attrs = self.sub_attributes(sub)
        self.assertEqual(attrs["RawMessageDelivery"], "true")
        self.assertEqual(json.loads(attrs["FilterPolicy"]), attribute_policy)
        self.assertEqual(attrs["FilterPolicyScope"], "MessageAttributes", "the default once a policy is set")

        body_policy = {"order": {"status": ["paid"]}}  # nesting is allowed for MessageBody only
        body_sub = self.subscribe(topic, "lambda", function_arn("by-body"), Attributes={
            "FilterPolicyScope": "MessageBody", "FilterPolicy": json.dumps(body_policy)})
        attrs = self.sub_attributes(body_sub)
        self.assertEqual(attrs["FilterPolicyScope"], "MessageBody")
        self.assertEqual(json.loads(attrs["FilterPolicy"]), body_policy)

    def test_invalid_attributes_at_subscribe_time(self):
        # (moto subscribes with RawMessageDelivery "yes" and fails with a 500 on the bad filter policies.)
        topic = self.create_topic("badattrs")
        queue = self.create_queue()[1]
        for attributes in ({"RawMessageDelivery": "yes"}, {"FilterPolicy": "{not json"},
                           {"FilterPolicyScope": "Everywhere", "FilterPolicy": '{"a": ["b"]}'},
                           {"FilterPolicy": json.dumps({"nested": {"key": ["v"]}})},  # nested: MessageBody only
                           {"NoSuchAttribute": "1"}):
            with self.subTest(attributes=attributes):
                self.assert_sns_error(self.sns.subscribe, "InvalidParameterException", TopicArn=topic,
                                      Protocol="sqs", Endpoint=queue, Attributes=attributes)
        self.assertEqual(self.topic_subscriptions(topic), [], "a refused subscribe subscribed nothing")

    def test_confirm_subscription_with_a_bad_token(self):
        # "Invalid parameter: Token" / "Invalid token" (recorded). (moto accepts any token, and its
        # HTTP subscriptions are never pending.)
        topic = self.create_topic("confirm")
        sub = self.subscribe(topic, "http", f"http://127.0.0.1:{free_port()}/hook", ReturnSubscriptionArn=True)
        for token in ("randomtoken", "51b2ff3edb475b7d91550e0ab6edf0c1de2a34e6ebaf6c2262a001bcb7e051c4" * 4):
            with self.subTest(token=token[:20]):
                self.assert_sns_error(self.sns.confirm_subscription, "InvalidParameterException", TopicArn=topic,
                                      Token=token)
        self.assertEqual(self.sub_attributes(sub)["PendingConfirmation"], "true", "still pending")

    def test_unsubscribe(self):
        topic = self.create_topic("unsub")
        queue = self.create_queue()[1]
        sub = self.subscribe(topic, "sqs", queue)
        kept = self.subscribe(topic, "sqs", self.create_queue()[1])
        self.assertEqual(http_status(self.sns.unsubscribe(SubscriptionArn=sub)), 200)
        self.assertEqual([s["SubscriptionArn"] for s in self.topic_subscriptions(topic)], [kept])
        self.assertNotIn(sub, [s["SubscriptionArn"] for s in
                               self.all_pages(self.sns.list_subscriptions, "Subscriptions")])
        self.assert_sns_error(self.sns.get_subscription_attributes, "NotFoundException", SubscriptionArn=sub)
        self.assert_sns_error(self.sns.set_subscription_attributes, "NotFoundException", SubscriptionArn=sub,
                              AttributeName="RawMessageDelivery", AttributeValue="true")
        # Unsubscribing again is not an error (recorded against AWS).
        self.assertEqual(http_status(self.sns.unsubscribe(SubscriptionArn=sub)), 200)
        # The endpoint can subscribe again: a new subscription.
        again = self.subscribe(topic, "sqs", queue)
        self.assertNotEqual(again, sub)

    def test_list_subscriptions_fields(self):
        first, second = self.create_topic("list-a"), self.create_topic("list-b")
        queue = self.create_queue()[1]
        expected = {
            self.subscribe(first, "sqs", queue): (first, "sqs", queue),
            self.subscribe(first, "lambda", function_arn("lister")): (first, "lambda", function_arn("lister")),
            self.subscribe(second, "sqs", queue): (second, "sqs", queue),
        }
        everything = {s["SubscriptionArn"]: s for s in self.all_pages(self.sns.list_subscriptions, "Subscriptions")}
        for sub, (topic, protocol, endpoint) in expected.items():
            self.assertEqual(everything.get(sub), {"SubscriptionArn": sub, "Owner": ACCOUNT, "Protocol": protocol,
                                                   "Endpoint": endpoint, "TopicArn": topic})
        by_topic = self.topic_subscriptions(first)
        self.assertEqual(sorted(s["SubscriptionArn"] for s in by_topic),
                         sorted(s for s, v in expected.items() if v[0] == first))
        self.assertEqual({s["TopicArn"] for s in by_topic}, {first})
        self.assert_sns_error(self.sns.list_subscriptions_by_topic, "NotFoundException",
                              TopicArn=topic_arn(unique_topic("ghost")))

    def test_subscription_listings_page_at_100(self):
        topic = self.create_topic("subpages")
        created = {self.subscribe(topic, "sqs", fake_queue_arn(f"pq{i}")) for i in range(105)}
        self.assertEqual(len(created), 105)
        first = self.sns.list_subscriptions_by_topic(TopicArn=topic)
        self.assertEqual(len(first["Subscriptions"]), 100)
        self.assertTrue(first.get("NextToken"))
        second = self.sns.list_subscriptions_by_topic(TopicArn=topic, NextToken=first["NextToken"])
        self.assertEqual(len(second["Subscriptions"]), 5)
        self.assertNotIn("NextToken", second)
        self.assertEqual({s["SubscriptionArn"] for s in first["Subscriptions"] + second["Subscriptions"]}, created)

        everything = self.sns.list_subscriptions()
        self.assertEqual(len(everything["Subscriptions"]), 100)
        self.assertTrue(everything.get("NextToken"))
        listed = [s["SubscriptionArn"] for s in self.all_pages(self.sns.list_subscriptions, "Subscriptions")
                  if s["SubscriptionArn"] != PENDING_IN_LISTINGS]
        self.assertEqual(len(listed), len(set(listed)), "a subscription listed twice across pages")
        self.assertTrue(created <= set(listed))
        pages = list(self.sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic))
        self.assertEqual({s["SubscriptionArn"] for p in pages for s in p["Subscriptions"]}, created)


class SubscriptionAttributesTest(SnsTestCase):
    def test_set_subscription_attributes(self):
        topic = self.create_topic("setsub")
        sub = self.subscribe(topic, "sqs", self.create_queue()[1])
        dlq = self.create_queue("dlq")[1]
        policy = {"event": ["created", "deleted"], "size": [{"numeric": [">", 0, "<=", 100]}]}
        changes = [("RawMessageDelivery", "true"), ("FilterPolicy", json.dumps(policy)),
                   ("FilterPolicyScope", "MessageBody"), ("RedrivePolicy", json.dumps({"deadLetterTargetArn": dlq}))]
        for name, value in changes:
            with self.subTest(attribute=name):
                r = self.sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName=name, AttributeValue=value)
                self.assertEqual(http_status(r), 200)
        attrs = self.sub_attributes(sub)
        self.assertEqual(attrs["RawMessageDelivery"], "true")
        self.assertEqual(json.loads(attrs["FilterPolicy"]), policy)
        self.assertEqual(attrs["FilterPolicyScope"], "MessageBody")
        self.assertEqual(json.loads(attrs["RedrivePolicy"]), {"deadLetterTargetArn": dlq})
        self.assertEqual((attrs["PendingConfirmation"], attrs["Protocol"]), ("false", "sqs"), "the rest unchanged")
        self.sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery",
                                             AttributeValue="false")
        self.assertEqual(self.sub_attributes(sub)["RawMessageDelivery"], "false")

    def test_delivery_policy_of_an_http_subscription(self):
        topic = self.create_topic("subdelivery")
        retry = {"minDelayTarget": 1, "maxDelayTarget": 1, "numRetries": 0, "numMaxDelayRetries": 0,
                 "numNoDelayRetries": 0, "numMinDelayRetries": 0, "backoffFunction": "linear"}
        given = {"healthyRetryPolicy": retry, "throttlePolicy": {"maxReceivesPerSecond": 1000}}
        sub = self.subscribe(topic, "http", f"http://127.0.0.1:{free_port()}/hook", ReturnSubscriptionArn=True,
                             Attributes={"DeliveryPolicy": json.dumps(given)})
        attrs = self.sub_attributes(sub)
        # AWS returns the policy with its unset parts as null ("sicklyRetryPolicy": null, ...).
        stored = json.loads(attrs["DeliveryPolicy"])
        self.assertEqual((stored["healthyRetryPolicy"], stored["throttlePolicy"]), (retry, given["throttlePolicy"]))
        # (moto's EffectiveDeliveryPolicy is the topic's, whatever the subscription says.)
        effective = json.loads(attrs["EffectiveDeliveryPolicy"])
        self.assertEqual((effective["healthyRetryPolicy"], effective["throttlePolicy"]),
                         (retry, given["throttlePolicy"]))

        changed = dict(retry, numRetries=3, maxDelayTarget=5)
        self.sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="DeliveryPolicy",
                                             AttributeValue=json.dumps({"healthyRetryPolicy": changed}))
        attrs = self.sub_attributes(sub)
        self.assertEqual(json.loads(attrs["DeliveryPolicy"])["healthyRetryPolicy"], changed)
        self.assertEqual(json.loads(attrs["EffectiveDeliveryPolicy"])["healthyRetryPolicy"], changed)
        self.assertEqual(attrs["PendingConfirmation"], "true")

    def test_invalid_values_change_nothing(self):
        # Error messages recorded against AWS, e.g. "Invalid parameter: RawMessageDelivery: Invalid value
        # [yes]. Must be true or false.", "Invalid parameter: FilterPolicy: Filter policy is too complex".
        # (moto checks only the attribute name and the filter policy, stores the rest, and fails with a 500
        # on unparsable JSON.)
        topic = self.create_topic("badsub")
        original_policy = {"colour": ["blue"]}
        sub = self.subscribe(topic, "sqs", self.create_queue()[1], Attributes={
            "RawMessageDelivery": "true", "FilterPolicy": json.dumps(original_policy)})
        before = self.sub_attributes(sub)
        too_many_combinations = {"a": [f"a{i}" for i in range(20)], "b": [f"b{i}" for i in range(20)]}  # 400 > 150
        six_keys = {k: ["v"] for k in "abcdef"}  # at most five keys
        cases = [
            ("NoSuchAttribute", "x"),
            ("RawMessageDelivery", "yes"),
            ("RawMessageDelivery", ""),
            ("FilterPolicy", "{not json"),
            ("FilterPolicy", json.dumps(too_many_combinations)),
            ("FilterPolicy", json.dumps(six_keys)),
            ("FilterPolicy", json.dumps({"colour": "blue"})),  # each key needs an array (or object)
            ("FilterPolicyScope", "Everywhere"),
            ("RedrivePolicy", json.dumps({"deadLetterTargetArn": "fake-arn"})),
            ("RedrivePolicy", "{invalidjson}"),
        ]
        for name, value in cases:
            with self.subTest(attribute=name, value=value[:40]):
                self.assert_sns_error(self.sns.set_subscription_attributes, "InvalidParameterException",
                                      SubscriptionArn=sub, AttributeName=name, AttributeValue=value)
        self.assertEqual(self.sub_attributes(sub), before, "a refused change changed nothing")
        self.assertEqual(json.loads(before["FilterPolicy"]), original_policy)

    def test_missing_subscription(self):
        topic = self.create_topic("nosub")
        ghost = f"{topic}:{uuid.uuid4()}"
        e = self.assert_sns_error(self.sns.get_subscription_attributes, "NotFoundException", SubscriptionArn=ghost)
        self.assertEqual(e.response["Error"]["Message"], "Subscription does not exist")
        self.assert_sns_error(self.sns.set_subscription_attributes, "NotFoundException", SubscriptionArn=ghost,
                              AttributeName="RawMessageDelivery", AttributeValue="true")


# ==== publishing ======================================================================================
class PublishTest(SnsTestCase):
    def test_publish_returns_a_message_id(self):
        topic = self.create_topic("pub")
        self.subscribe(topic, "sqs", self.create_queue()[1])
        first = self.sns.publish(TopicArn=topic, Message="hello ✓", Subject="Greeting")
        second = self.sns.publish(TopicArn=topic, Message="hello again")
        for r in (first, second):
            self.assertRegex(r["MessageId"], UUID)
            self.assertNotIn("SequenceNumber", r, "standard topics have no sequence numbers")
        self.assertNotEqual(first["MessageId"], second["MessageId"])
        # No subscribers is fine too.
        self.assertRegex(self.sns.publish(TopicArn=self.create_topic("lonely"), Message="x")["MessageId"], UUID)

    def test_publish_to_a_missing_topic(self):
        e = self.assert_sns_error(self.sns.publish, "NotFoundException", TopicArn=topic_arn(unique_topic("ghost")),
                                  Message="x")
        self.assertEqual(e.response["Error"]["Message"], "Topic does not exist")  # moto: "Endpoint does not exist"

    def test_message_size_limit(self):
        topic = self.create_topic("size")
        self.assertRegex(self.sns.publish(TopicArn=topic, Message="x" * MAX_MESSAGE_BYTES)["MessageId"], UUID)
        for size in (MAX_MESSAGE_BYTES + 1, 300 * 1024):
            with self.subTest(bytes=size):
                self.assert_sns_error(self.sns.publish, "InvalidParameterException", TopicArn=topic,
                                      Message="x" * size, message="Message too long")
        # The limit is in bytes, not characters. (moto counts characters and accepts this one.)
        self.assert_sns_error(self.sns.publish, "InvalidParameterException", TopicArn=topic,
                              Message="é" * (MAX_MESSAGE_BYTES // 2 + 1), message="Message too long")
        # Message attributes (name, type and value) count towards the limit too (recorded; moto ignores them).
        attributes = {"attr1": {"DataType": "Number", "StringValue": "1"}}
        attributes_size = len("attr1") + len("Number") + len("1")
        self.assert_sns_error(self.sns.publish, "InvalidParameterException", TopicArn=topic,
                              Message="a" * (MAX_MESSAGE_BYTES - attributes_size + 1), MessageAttributes=attributes)

    def test_empty_message_and_subject(self):
        topic = self.create_topic("empty")
        # (moto publishes an empty message.)
        e = self.assert_sns_error(self.sns.publish, "InvalidParameterException", TopicArn=topic, Message="")
        self.assertEqual(e.response["Error"]["Message"], "Invalid parameter: Empty message")
        # An empty Subject is "Invalid parameter: Subject" (recorded); moto accepts it.
        self.assert_sns_error(self.sns.publish, "InvalidParameterException", TopicArn=topic, Message="x", Subject="")

    def test_message_attributes(self):
        topic = self.create_topic("attrs")
        self.subscribe(topic, "sqs", self.create_queue()[1])
        r = self.sns.publish(TopicArn=topic, Message="with attributes", MessageAttributes=ATTRIBUTES)
        self.assertRegex(r["MessageId"], UUID)
        for name, value in ATTRIBUTES.items():
            with self.subTest(data_type=value["DataType"]):
                self.assertRegex(self.sns.publish(TopicArn=topic, Message="one", MessageAttributes={name: value})
                                 ["MessageId"], UUID)

    def test_invalid_message_attributes(self):
        # AWS answers these with ParameterValueInvalid (InvalidParameterValueException), not InvalidParameter
        # (recorded). (moto answers InvalidParameter for the first two and accepts the others.)
        topic = self.create_topic("badattrs")
        cases = {
            "unknown type": {"a": {"DataType": "Colour", "StringValue": "blue"}},
            "empty string value": {"a": {"DataType": "String", "StringValue": ""}},
            "binary type with a string value": {"a": {"DataType": "Binary", "StringValue": "x"}},
            "string type with a binary value": {"a": {"DataType": "String", "BinaryValue": b"x"}},
            "name with a bad character": {"a^b": {"DataType": "String", "StringValue": "x"}},
            "name starting with a dot": {".a": {"DataType": "String", "StringValue": "x"}},
        }
        for case, attributes in cases.items():
            with self.subTest(case):
                self.assert_sns_error(self.sns.publish, "InvalidParameterValueException", TopicArn=topic,
                                      Message="x", MessageAttributes=attributes)

    def test_message_structure_json(self):
        # "Invalid parameter: Message Structure - No default entry in JSON message body" / "- JSON message
        # body failed to parse" (recorded). (moto publishes all three.)
        topic = self.create_topic("structure")
        ok = self.sns.publish(TopicArn=topic, MessageStructure="json",
                              Message=json.dumps({"default": "for everyone", "sqs": "for queues"}))
        self.assertRegex(ok["MessageId"], UUID)
        for message, reason in ((json.dumps({"sqs": "no default"}), "No default entry"),
                                ('{"default": "broken"} }', "failed to parse"),
                                (json.dumps({"default": {"not": "a string"}}), "No default entry")):
            with self.subTest(message=message):
                self.assert_sns_error(self.sns.publish, "InvalidParameterException", TopicArn=topic,
                                      MessageStructure="json", Message=message, message=reason)

    def test_fifo_publish_rules(self):
        # (moto answers MissingParameter for the missing MessageGroupId and no SequenceNumber.)
        fifo = self.create_topic("fifo", fifo=True)
        e = self.assert_sns_error(self.sns.publish, "InvalidParameterException", TopicArn=fifo, Message="x")
        self.assertIn("MessageGroupId", e.response["Error"]["Message"])
        e = self.assert_sns_error(self.sns.publish, "InvalidParameterException", TopicArn=fifo, Message="x",
                                  MessageGroupId="g1")
        self.assertIn("ContentBasedDeduplication", e.response["Error"]["Message"])
        first = self.sns.publish(TopicArn=fifo, Message="one", MessageGroupId="g1", MessageDeduplicationId="d1")
        second = self.sns.publish(TopicArn=fifo, Message="two", MessageGroupId="g1", MessageDeduplicationId="d2")
        for r in (first, second):
            self.assertRegex(r["MessageId"], UUID)
            self.assertRegex(r["SequenceNumber"], r"^\d+$")
        self.assertGreater(int(second["SequenceNumber"]), int(first["SequenceNumber"]),
                           "SequenceNumber continues to increase for each MessageGroupId")

        dedup = self.create_topic("fifo-cbd", fifo=True, attributes={"ContentBasedDeduplication": "true"})
        r = self.sns.publish(TopicArn=dedup, Message="deduplicated by content", MessageGroupId="g")
        self.assertRegex(r["SequenceNumber"], r"^\d+$")

        standard = self.create_topic("notfifo")
        self.assert_sns_error(self.sns.publish, "InvalidParameterException", TopicArn=standard, Message="x",
                              MessageDeduplicationId="d1")

    def test_target_arn_and_phone_number(self):
        topic = self.create_topic("target")
        self.assertRegex(self.sns.publish(TargetArn=topic, Message="via TargetArn")["MessageId"], UUID)
        self.assertRegex(self.sns.publish(PhoneNumber=PHONE, Message="via SMS")["MessageId"], UUID)
        self.assert_sns_error(self.sns.publish, "InvalidParameterException", PhoneNumber="+1a234", Message="x")
        self.assert_sns_error(self.sns.publish, "InvalidParameterException", Message="nowhere to go")  # moto: 500


class PublishBatchTest(SnsTestCase):
    def test_ten_entries(self):
        topic = self.create_topic("batch")
        self.subscribe(topic, "sqs", self.create_queue()[1])
        entries = [{"Id": f"entry-{i}", "Message": f"message {i} ✓",
                    "MessageAttributes": {"n": {"DataType": "Number", "StringValue": str(i)}}} for i in range(10)]
        entries[0]["Subject"] = "first"
        r = self.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
        self.assertEqual(r.get("Failed", []), [])
        self.assertEqual(sorted(e["Id"] for e in r["Successful"]), sorted(e["Id"] for e in entries))
        ids = [e["MessageId"] for e in r["Successful"]]
        for message_id in ids:
            self.assertRegex(message_id, UUID)
        self.assertEqual(len(set(ids)), 10)
        self.assertFalse([e for e in r["Successful"] if "SequenceNumber" in e], "standard topic")

    def test_batch_request_errors(self):
        # (moto has none of EmptyBatchRequest, InvalidBatchEntryId and BatchRequestTooLong: it publishes.)
        topic = self.create_topic("batcherr")
        one = [{"Id": "a", "Message": "x"}]
        cases = [
            ("TooManyEntriesInBatchRequestException", [{"Id": f"e{i}", "Message": "x"} for i in range(11)]),
            ("BatchEntryIdsNotDistinctException", one + one),
            ("EmptyBatchRequestException", []),  # botocore sends "PublishBatchRequestEntries=" (empty)
            ("InvalidBatchEntryIdException", [{"Id": "a.b", "Message": "x"}]),
            ("InvalidBatchEntryIdException", [{"Id": "x" * 81, "Message": "x"}]),
            # Over 256 KiB all together, though each entry is under the limit.
            ("BatchRequestTooLongException", [{"Id": "a", "Message": "a" * (MAX_MESSAGE_BYTES // 2)},
                                              {"Id": "b", "Message": "b" * (MAX_MESSAGE_BYTES // 2 + 1)}]),
        ]
        for shape, entries in cases:
            with self.subTest(error=shape, entries=len(entries)):
                self.assert_sns_error(self.sns.publish_batch, shape, TopicArn=topic, PublishBatchRequestEntries=entries)
        self.assert_sns_error(self.sns.publish_batch, "NotFoundException", TopicArn=topic_arn(unique_topic("ghost")),
                              PublishBatchRequestEntries=one)

    def test_an_entry_with_an_empty_message_fails_alone(self):
        # AWS: "The result of publishing each message is reported individually in the response", the
        # failed ones in Failed (BatchResultErrorEntry: Id, Code, Message, SenderFault). That an empty
        # Message is such a per-entry failure (and not a failed request, as a bad message attribute is)
        # is not in AWS's documentation: it follows Publish's "Invalid parameter: Empty message".
        # (moto publishes the empty entry.)
        topic = self.create_topic("batchmixed")
        r = self.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "good1", "Message": "fine"}, {"Id": "empty", "Message": ""},
            {"Id": "good2", "Message": "also fine"}])
        self.assertEqual(http_status(r), 200)
        self.assertEqual(sorted(e["Id"] for e in r["Successful"]), ["good1", "good2"])
        self.assertEqual(len(r["Failed"]), 1, r["Failed"])
        failed = r["Failed"][0]
        self.assertEqual((failed["Id"], failed["Code"], failed["SenderFault"]), ("empty", "InvalidParameter", True))
        self.assertTrue(failed.get("Message"), failed)

    def test_fifo_batch(self):
        # (moto answers no SequenceNumber.)
        fifo = self.create_topic("batchfifo", fifo=True)
        r = self.sns.publish_batch(TopicArn=fifo, PublishBatchRequestEntries=[
            {"Id": str(i), "Message": f"m{i}", "MessageGroupId": "g", "MessageDeduplicationId": f"d{i}"}
            for i in range(3)])
        self.assertEqual(r.get("Failed", []), [])
        by_id = {e["Id"]: e for e in r["Successful"]}
        self.assertEqual(set(by_id), {"0", "1", "2"})
        numbers = [int(by_id[str(i)]["SequenceNumber"]) for i in range(3)]
        self.assertEqual(numbers, sorted(set(numbers)), "increasing within the group, in entry order")
        self.assert_sns_error(self.sns.publish_batch, "InvalidParameterException", TopicArn=fifo,
                              PublishBatchRequestEntries=[{"Id": "a", "Message": "no group",
                                                           "MessageDeduplicationId": "d"}])
        self.assert_sns_error(self.sns.publish_batch, "InvalidParameterException", TopicArn=fifo,
                              PublishBatchRequestEntries=[{"Id": "a", "Message": "no dedup", "MessageGroupId": "g"}])


# ==== tags, SMS =======================================================================================
class TagsAndSmsTest(SnsTestCase):
    def test_tags(self):
        arn = self.create_topic("tags", tags={"team": "core", "env": "test"})
        self.assertEqual(tag_dict(self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"]),
                         {"team": "core", "env": "test"})
        self.sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "cost", "Value": "42"}])
        self.assertEqual(tag_dict(self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"]),
                         {"team": "core", "env": "prod", "cost": "42"})
        self.sns.untag_resource(ResourceArn=arn, TagKeys=["team", "cost", "never-set"])
        self.assertEqual(self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"], [{"Key": "env", "Value": "prod"}])
        self.sns.untag_resource(ResourceArn=arn, TagKeys=["env"])
        self.assertEqual(self.sns.list_tags_for_resource(ResourceArn=arn).get("Tags", []), [])
        # "Invalid parameter: Duplicated keys are not allowed." (recorded); moto keeps the last one.
        self.assert_sns_error(self.sns.tag_resource, "InvalidParameterException", ResourceArn=arn,
                              Tags=[{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}])
        self.assertEqual(self.sns.list_tags_for_resource(ResourceArn=arn).get("Tags", []), [])

    def test_tags_of_a_missing_topic(self):
        ghost = topic_arn(unique_topic("ghost"))
        self.assert_sns_error(self.sns.list_tags_for_resource, "ResourceNotFoundException", ResourceArn=ghost)
        self.assert_sns_error(self.sns.tag_resource, "ResourceNotFoundException", ResourceArn=ghost,
                              Tags=[{"Key": "k", "Value": "v"}])
        self.assert_sns_error(self.sns.untag_resource, "ResourceNotFoundException", ResourceArn=ghost, TagKeys=["k"])

    def test_sms_attributes(self):
        settings = {"DefaultSMSType": "Transactional", "DefaultSenderID": "LocalTest"}
        self.assertEqual(http_status(self.sns.set_sms_attributes(attributes=settings)), 200)
        got = self.sns.get_sms_attributes(attributes=list(settings))["attributes"]  # moto: only the first
        self.assertEqual(got, settings)
        everything = self.sns.get_sms_attributes().get("attributes", {})
        self.assertEqual({k: everything.get(k) for k in settings}, settings)

    def test_check_if_phone_number_is_opted_out(self):
        r = self.sns.check_if_phone_number_is_opted_out(phoneNumber=PHONE)
        self.assertIs(r["isOptedOut"], False)


# ==== the wire: unsigned query requests =================================================================
class RawQueryTest(SnsTestCase):
    """Hand-made form POSTs (no signature) and the XML that comes back. (moto's single-port server
    routes an unsigned request to S3; with a fake SigV4 Authorization header it answers these shapes.)"""

    def query(self, **params) -> tuple[int, dict, ET.Element]:
        body = urllib.parse.urlencode(dict(params, Version="2010-03-31"))
        status, headers, raw = self.emu.post("/", body, {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        self.assertTrue(headers.get("Content-Type", "").startswith("text/xml"),
                        f"{headers.get('Content-Type')}: {raw[:300]!r}")
        return status, headers, ET.fromstring(raw)

    def child(self, element: ET.Element, *path: str) -> ET.Element:
        for name in path:
            found = element.find(f"{{{SNS_NS}}}{name}")
            self.assertIsNotNone(found, f"no <{name}> in <{element.tag}>: {ET.tostring(element)[:500]!r}")
            element = found
        return element

    def test_publish_response(self):
        topic = self.create_topic("raw")
        status, _, root = self.query(Action="Publish", TopicArn=topic, Message="raw ✓ & <xml>")
        self.assertEqual(status, 200)
        self.assertEqual(root.tag, f"{{{SNS_NS}}}PublishResponse")
        self.assertRegex(self.child(root, "PublishResult", "MessageId").text, UUID)
        self.assertTrue(self.child(root, "ResponseMetadata", "RequestId").text)

    def test_create_and_list_topics_responses(self):
        name = unique_topic("rawcreate")
        status, _, root = self.query(Action="CreateTopic", Name=name)
        self.addCleanup(self._quietly, self.sns.delete_topic, TopicArn=topic_arn(name))
        self.assertEqual(status, 200)
        self.assertEqual(root.tag, f"{{{SNS_NS}}}CreateTopicResponse")
        self.assertEqual(self.child(root, "CreateTopicResult", "TopicArn").text, topic_arn(name))
        self.assertTrue(self.child(root, "ResponseMetadata", "RequestId").text)

        status, _, root = self.query(Action="ListTopics")
        self.assertEqual(status, 200)
        members = self.child(root, "ListTopicsResult", "Topics").findall(f"{{{SNS_NS}}}member")
        self.assertIn(topic_arn(name), [self.child(m, "TopicArn").text for m in members])

    def test_error_responses(self):
        ghost = topic_arn(unique_topic("ghost"))
        topic = self.create_topic("rawerr")
        for params, status, code in ((dict(Action="GetTopicAttributes", TopicArn=ghost), 404, "NotFound"),
                                     (dict(Action="Publish", TopicArn=topic, Message=""), 400, "InvalidParameter")):
            with self.subTest(action=params["Action"]):
                got, _, root = self.query(**params)
                self.assertEqual(got, status)
                self.assertEqual(root.tag, f"{{{SNS_NS}}}ErrorResponse")
                self.assertEqual(self.child(root, "Error", "Type").text, "Sender")
                self.assertEqual(self.child(root, "Error", "Code").text, code)
                self.assertTrue(self.child(root, "Error", "Message").text)
                self.assertTrue(self.child(root, "RequestId").text)


# ==== the aws CLI =======================================================================================
class AwsCliTest(SnsTestCase):
    def cli(self, *args, ok=True):
        r = self.emu.aws("sns", *args, "--output", "json")
        if ok:
            self.assertEqual(r.returncode, 0, f"aws sns {' '.join(args)} failed:\n{r.stderr}")
            return json.loads(r.stdout) if r.stdout.strip() else {}
        return r

    def test_topic_subscribe_publish_delete(self):
        name = unique_topic("cli")
        arn = self.cli("create-topic", "--name", name, "--attributes", "DisplayName=From the CLI",
                       "--tags", "Key=via,Value=cli")["TopicArn"]
        self.addCleanup(self._quietly, self.sns.delete_topic, TopicArn=arn)
        self.assertEqual(arn, topic_arn(name))
        self.assertIn(arn, [t["TopicArn"] for t in self.cli("list-topics")["Topics"]])
        attrs = self.cli("get-topic-attributes", "--topic-arn", arn)["Attributes"]
        self.assertEqual((attrs["DisplayName"], attrs["Owner"]), ("From the CLI", ACCOUNT))
        self.assertEqual(self.cli("list-tags-for-resource", "--resource-arn", arn)["Tags"],
                         [{"Key": "via", "Value": "cli"}])

        queue = self.create_queue()[1]
        sub = self.cli("subscribe", "--topic-arn", arn, "--protocol", "sqs", "--notification-endpoint", queue,
                       "--attributes", "RawMessageDelivery=true", "--return-subscription-arn")["SubscriptionArn"]
        self.assertTrue(sub.startswith(arn + ":"), sub)
        listed = self.cli("list-subscriptions-by-topic", "--topic-arn", arn)["Subscriptions"]
        self.assertEqual(listed, [{"SubscriptionArn": sub, "Owner": ACCOUNT, "Protocol": "sqs", "Endpoint": queue,
                                   "TopicArn": arn}])
        self.assertEqual(self.cli("get-subscription-attributes", "--subscription-arn", sub)
                         ["Attributes"]["RawMessageDelivery"], "true")

        published = self.cli("publish", "--topic-arn", arn, "--message", "from the cli ✓", "--subject", "CLI",
                             "--message-attributes", json.dumps({"kind": {"DataType": "String", "StringValue": "cli"}}))
        self.assertRegex(published["MessageId"], UUID)

        self.cli("unsubscribe", "--subscription-arn", sub)
        self.assertEqual(self.cli("list-subscriptions-by-topic", "--topic-arn", arn).get("Subscriptions", []), [])
        self.cli("delete-topic", "--topic-arn", arn)
        self.assertNotIn(arn, self.all_topics())

    def test_error_from_the_cli(self):
        r = self.cli("get-topic-attributes", "--topic-arn", topic_arn(unique_topic("nope")), ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("NotFound", r.stderr)
        self.assertIn("GetTopicAttributes", r.stderr)
        self.assertIn("Topic does not exist", r.stderr)


# ==== state across restarts ============================================================================
def list_everything(call, key: str, **kwargs) -> list:
    """Every item of a NextToken-paged listing (for clients outside a SnsTestCase)."""
    items, token = [], None
    for _ in range(1000):
        page = call(**kwargs, **({"NextToken": token} if token else {}))
        items.extend(page.get(key, []))
        token = page.get("NextToken")
        if not token:
            return items
    raise AssertionError(f"{call.__name__} never stopped returning a NextToken")


class SnsStateTest(unittest.TestCase):
    """Topics and subscriptions survive a restart with the same state folder; --ephemeral keeps nothing."""

    def setUp(self):
        self.project = Project("Resources: {}\n")
        self.addCleanup(self.project.cleanup)
        self.state_dir = tempfile.mkdtemp(prefix="lambda-local-it-sns-state-")
        self.addCleanup(shutil.rmtree, self.state_dir, True)

    def start(self, *args):
        emu = Emulator(self.project, args).start()
        self.addCleanup(emu.kill)
        return emu, emu.client("sns"), emu.client("sqs")

    def snapshot(self, sns, topics) -> dict:
        """Everything SNS answers about `topics`: attributes, tags, subscriptions and their attributes."""
        out = {}
        for arn in topics:
            subs = sorted(list_everything(sns.list_subscriptions_by_topic, "Subscriptions", TopicArn=arn),
                          key=lambda s: (s["Protocol"], s["Endpoint"]))
            attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
            attributes.pop("SubscriptionsDeleted", None)  # a count of recent unsubscribes, not the topic's state
            out[arn] = {
                "attributes": attributes,
                "tags": sorted(sns.list_tags_for_resource(ResourceArn=arn).get("Tags", []), key=lambda t: t["Key"]),
                "subscriptions": subs,
                "subscription_attributes": {
                    s["SubscriptionArn"]: sns.get_subscription_attributes(SubscriptionArn=s["SubscriptionArn"])
                    ["Attributes"] for s in subs if s["SubscriptionArn"].startswith("arn:")},
            }
        return out

    def test_topics_and_subscriptions_survive_a_restart(self):
        emu, sns, sqs = self.start("--state-dir", self.state_dir)
        queue_url = sqs.create_queue(QueueName=f"kept-{uuid.uuid4().hex[:8]}")["QueueUrl"]
        queue = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        kept = sns.create_topic(Name=unique_topic("kept"), Attributes={"DisplayName": "Kept ✓"},
                                Tags=[{"Key": "team", "Value": "core"}])["TopicArn"]
        fifo = sns.create_topic(Name=unique_topic("kept", fifo=True),
                                Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
        doomed = sns.create_topic(Name=unique_topic("doomed"))["TopicArn"]
        sqs_sub = sns.subscribe(TopicArn=kept, Protocol="sqs", Endpoint=queue,
                                Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
        sns.set_subscription_attributes(SubscriptionArn=sqs_sub, AttributeName="FilterPolicy",
                                        AttributeValue=json.dumps({"kind": ["kept"]}))
        sns.subscribe(TopicArn=kept, Protocol="lambda", Endpoint=function_arn("kept-fn"))
        pending = sns.subscribe(TopicArn=kept, Protocol="http", Endpoint=f"http://127.0.0.1:{free_port()}/hook",
                                ReturnSubscriptionArn=True)["SubscriptionArn"]
        gone = sns.subscribe(TopicArn=kept, Protocol="sqs", Endpoint=fake_queue_arn())["SubscriptionArn"]
        sns.unsubscribe(SubscriptionArn=gone)
        sns.subscribe(TopicArn=doomed, Protocol="sqs", Endpoint=queue)
        sns.delete_topic(TopicArn=doomed)
        before_sequence = int(sns.publish(TopicArn=fifo, Message="before", MessageGroupId="g")["SequenceNumber"])
        before = self.snapshot(sns, [kept, fifo])
        self.assertEqual(len(before[kept]["subscriptions"]), 3)
        emu.stop_and_check(self)

        emu, sns, sqs = self.start("--state-dir", self.state_dir)
        topics = list_everything(sns.list_topics, "Topics")
        self.assertEqual(sorted(t["TopicArn"] for t in topics), sorted([kept, fifo]), "topics lost or brought back")
        self.assertEqual(self.snapshot(sns, [kept, fifo]), before)
        self.assertEqual(sns.get_subscription_attributes(SubscriptionArn=pending)["Attributes"]["PendingConfirmation"],
                         "true")
        everything = list_everything(sns.list_subscriptions, "Subscriptions")
        self.assertEqual({s["TopicArn"] for s in everything}, {kept})
        with self.assertRaises(sns.exceptions.NotFoundException):
            sns.get_subscription_attributes(SubscriptionArn=gone)
        # Still usable: FIFO sequence numbers keep increasing, subscribing again finds the kept subscription.
        after_sequence = int(sns.publish(TopicArn=fifo, Message="after", MessageGroupId="g")["SequenceNumber"])
        self.assertGreater(after_sequence, before_sequence)
        self.assertEqual(sns.subscribe(TopicArn=kept, Protocol="sqs", Endpoint=queue,
                                       Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"], sqs_sub)
        emu.stop_and_check(self)

    def test_ephemeral_keeps_nothing(self):
        emu, sns, _ = self.start("--ephemeral")
        arn = sns.create_topic(Name=unique_topic("ephemeral"))["TopicArn"]
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=fake_queue_arn())
        emu.stop_and_check(self)
        self.assertFalse(os.path.exists(self.project.path(".lambda-local")),
                         "--ephemeral left a state folder in the project")
        emu, sns, _ = self.start("--ephemeral")
        self.assertEqual(list_everything(sns.list_topics, "Topics"), [])
        self.assertEqual(list_everything(sns.list_subscriptions, "Subscriptions"), [])
        with self.assertRaises(sns.exceptions.NotFoundException):
            sns.get_topic_attributes(TopicArn=arn)
        emu.stop_and_check(self)


# ==== the AWS SDK for JavaScript v3 ================================================================
TESTS_DIR = os.path.join(REPO_ROOT, "tests")
SNS_SDK_VERSION = "3.1164.0"  # the same release as test_sqs_api's @aws-sdk/client-sqs
SNS_SDK_DIR = os.environ.get("LAMBDA_LOCAL_SNSSDK_DIR", os.path.join(TESTS_DIR, ".cache", "snssdk"))
JS_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js", "sns_roundtrip.mjs")


def install_sns_sdk():
    """Installs @aws-sdk/client-sns into tests/.cache/snssdk (idempotent). Skips only when npm/node
    are missing."""
    pkg = os.path.join(SNS_SDK_DIR, "node_modules", "@aws-sdk", "client-sns", "package.json")
    if os.path.exists(pkg):
        with open(pkg) as f:
            if json.load(f).get("version") == SNS_SDK_VERSION:
                return
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise unittest.SkipTest("npm/node are not on PATH: cannot install @aws-sdk/client-sns")
    os.makedirs(SNS_SDK_DIR, exist_ok=True)
    package_json = os.path.join(SNS_SDK_DIR, "package.json")
    if not os.path.exists(package_json):
        with open(package_json, "w") as f:
            json.dump({"name": "lambda-local-test-snssdk", "private": True,
                       "description": "Test-only install of @aws-sdk/client-sns for lambda-local's integration tests"},
                      f, indent=2)
    r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--save-exact",
                        f"@aws-sdk/client-sns@{SNS_SDK_VERSION}"], cwd=SNS_SDK_DIR, capture_output=True, text=True,
                       timeout=600)
    if r.returncode != 0:
        raise AssertionError(f"npm install @aws-sdk/client-sns failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")


class JsSdkSnsTest(SnsTestCase):
    @classmethod
    def setUpClass(cls):
        install_sns_sdk()  # before the emulator starts, so a skip leaves nothing running
        super().setUpClass()

    def test_js_sdk_roundtrip(self):
        run_dir = tempfile.mkdtemp(prefix="run-", dir=SNS_SDK_DIR)
        self.addCleanup(shutil.rmtree, run_dir, True)
        script = os.path.join(run_dir, "sns_roundtrip.mjs")
        shutil.copyfile(JS_SCRIPT, script)
        name = unique_topic("js")
        queue = self.create_queue("js")[1]
        self.addCleanup(self._quietly, self.sns.delete_topic, TopicArn=topic_arn(name))
        r = subprocess.run(["node", script], cwd=run_dir, capture_output=True, text=True, timeout=120,
                           env=fake_credentials_env(LL_ENDPOINT=self.emu.url, LL_TOPIC=name, LL_QUEUE_ARN=queue))
        self.assertEqual(r.returncode, 0, f"node script failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}\n"
                                          + self.emu.describe_output(20))
        out = json.loads(r.stdout.strip().splitlines()[-1])
        arn = topic_arn(name)
        self.assertEqual(out["topicArn"], arn)
        self.assertTrue(out["subscriptionArn"].startswith(arn + ":"), out)
        self.assertRegex(out["messageId"], UUID)
        self.assertEqual(out["batch"], {"successful": ["a", "b"], "failed": 0})
        self.assertTrue(out["listed"], "ListTopics did not show the topic")
        self.assertEqual(out["subscriptions"], [{"arn": out["subscriptionArn"], "protocol": "sqs", "endpoint": queue,
                                                 "owner": ACCOUNT, "topicArn": arn}])
        # (moto answers SubscriptionsConfirmed 0.)
        self.assertEqual(out["attributes"], {"DisplayName": "From JS", "SubscriptionsConfirmed": "1",
                                             "RawMessageDelivery": "true"})
        self.assertEqual(out["tags"], [{"Key": "sdk", "Value": "js"}])
        self.assertEqual(out["afterDelete"], {"name": "NotFoundException", "isModelledClass": True, "status": 404})
        # What the SDK did, seen from boto3: the topic and its subscription are gone.
        self.assertNotIn(arn, self.all_topics())
        self.assertNotIn(out["subscriptionArn"],
                         [s["SubscriptionArn"] for s in self.all_pages(self.sns.list_subscriptions, "Subscriptions")])


if __name__ == "__main__":
    unittest.main()
