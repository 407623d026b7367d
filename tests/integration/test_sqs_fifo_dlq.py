"""FIFO queues (order per message group, one in-flight batch per group, deduplication by id or
content hash, sequence numbers) and dead-letter queues (redrive after maxReceiveCount,
ListDeadLetterSourceQueues, redrive policy validation), through both wire protocols."""
import hashlib
import json

from .sqs_support import SqsTestCase, query_sqs_client


class FifoDlqBehaviour:
    # ---- FIFO ---------------------------------------------------------------------------------
    def test_fifo_attributes(self):
        url = self.create_queue("attrs", fifo=True)
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["FifoQueue"], "true")
        self.assertEqual(attrs["ContentBasedDeduplication"], "false")
        self.assertEqual(attrs.get("DeduplicationScope", "queue"), "queue")
        self.assertEqual(attrs.get("FifoThroughputLimit", "perQueue"), "perQueue")
        self.assertTrue(attrs["QueueArn"].endswith(".fifo"))
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"ContentBasedDeduplication": "true"})
        self.assertEqual(self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ContentBasedDeduplication"])
                         ["Attributes"], {"ContentBasedDeduplication": "true"})

    def test_fifo_send_parameters(self):
        url = self.create_queue("params", fifo=True)
        self.assert_sqs_error(self.sqs.send_message, "MissingParameter", QueueUrl=url, MessageBody="x",
                              MessageDeduplicationId="d")
        # Without ContentBasedDeduplication a deduplication id is required.
        self.assert_sqs_error(self.sqs.send_message, "InvalidParameterValue", QueueUrl=url, MessageBody="x",
                              MessageGroupId="g")
        # Per-message delays are not allowed on FIFO queues.
        self.assert_sqs_error(self.sqs.send_message, "InvalidParameterValue", QueueUrl=url, MessageBody="x",
                              MessageGroupId="g", MessageDeduplicationId="d", DelaySeconds=5)
        self.assertEqual(self.counts(url), (0, 0, 0))

    def test_order_within_each_group_and_sequence_numbers(self):
        url = self.create_queue("order", {"ContentBasedDeduplication": "true"}, fifo=True)
        sent = []
        for i in range(12):
            group = "A" if i % 3 else "B"
            r = self.sqs.send_message(QueueUrl=url, MessageBody=f"{group}-{i}", MessageGroupId=group)
            self.assertRegex(r["SequenceNumber"], r"^\d+$")
            sent.append((group, f"{group}-{i}", int(r["SequenceNumber"])))
        numbers = [n for _, _, n in sent]
        self.assertEqual(numbers, sorted(numbers), "sequence numbers grow with each send")
        self.assertEqual(len(set(numbers)), len(numbers))

        received = []
        for _ in range(20):
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                           MessageSystemAttributeNames=["All"]).get("Messages", [])
            if not got and len(received) == len(sent):
                break
            received += got
            for m in got:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(len(received), len(sent), [m["Body"] for m in received])
        for group in ("A", "B"):
            in_group = [m for m in received if m["Attributes"]["MessageGroupId"] == group]
            self.assertEqual([m["Body"] for m in in_group], [b for g, b, _ in sent if g == group])
            self.assertEqual([int(m["Attributes"]["SequenceNumber"]) for m in in_group],
                             [n for g, _, n in sent if g == group])

    def test_received_fifo_attributes(self):
        url = self.create_queue("fattrs", fifo=True)
        r = self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="grp", MessageDeduplicationId="dd-1")
        m = self.sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])["Messages"][0]
        self.assertEqual(m["MessageId"], r["MessageId"])
        attrs = m["Attributes"]
        self.assertEqual(attrs["MessageGroupId"], "grp")
        self.assertEqual(attrs["MessageDeduplicationId"], "dd-1")
        self.assertEqual(attrs["SequenceNumber"], r["SequenceNumber"])
        self.assertEqual(attrs["ApproximateReceiveCount"], "1")

    def test_one_in_flight_batch_per_group(self):
        url = self.create_queue("inflight", {"ContentBasedDeduplication": "true"}, fifo=True)
        for body, group in (("g1", "g"), ("g2", "g"), ("h1", "h")):
            self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
        first = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
        self.assertEqual([m["Body"] for m in first], ["g1"])
        # Group g is locked while g1 is in flight: only group h is served.
        other = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in other], ["h1"])
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10))
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
        nxt = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in nxt], ["g2"])

    def test_failed_message_holds_its_group_then_comes_first(self):
        url = self.create_queue("retry", {"ContentBasedDeduplication": "true", "VisibilityTimeout": "1"}, fifo=True)
        for body in ("m1", "m2", "m3"):
            self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
        batch = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
        self.assertEqual([m["Body"] for m in batch], ["m1", "m2"])
        # Not deleted: nothing of the group is served until they are visible again ...
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10))
        # ... and then in the same order, before m3.
        again = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=5,
                                         MessageSystemAttributeNames=["ApproximateReceiveCount"])["Messages"]
        self.assertEqual([m["Body"] for m in again][:2], ["m1", "m2"])
        self.assertEqual([m["Attributes"]["ApproximateReceiveCount"] for m in again][:2], ["2", "2"])

    def test_deduplication_by_id(self):
        url = self.create_queue("dedupid", fifo=True)
        a = self.sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g", MessageDeduplicationId="same")
        b = self.sqs.send_message(QueueUrl=url, MessageBody="two", MessageGroupId="g", MessageDeduplicationId="same")
        self.assertEqual(b["MessageId"], a["MessageId"], "a duplicate is acknowledged with the first message's id")
        self.sqs.send_message(QueueUrl=url, MessageBody="three", MessageGroupId="g", MessageDeduplicationId="other")
        self.assertEqual(self.counts(url), (2, 0, 0))
        got = self.receive_all(url)
        self.assertEqual(sorted(m["Body"] for m in got), ["one", "three"])
        # Deduplication lasts for the 5-minute interval, even after the message was deleted.
        again = self.sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g",
                                      MessageDeduplicationId="same")
        self.assertEqual(again["MessageId"], a["MessageId"])
        self.assertEqual(self.counts(url), (0, 0, 0))

    def test_content_based_deduplication(self):
        url = self.create_queue("dedupbody", {"ContentBasedDeduplication": "true"}, fifo=True)
        a = self.sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g1")
        b = self.sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g2")
        self.assertEqual(a["MessageId"], b["MessageId"], "the deduplication scope is the queue")
        self.sqs.send_message(QueueUrl=url, MessageBody="other body", MessageGroupId="g1")
        # An explicit id overrides the content hash.
        self.sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g1",
                              MessageDeduplicationId="explicit")
        self.assertEqual(self.counts(url), (3, 0, 0))
        m = self.sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])["Messages"][0]
        self.assertEqual(m["Body"], "same body")
        self.assertEqual(m["Attributes"]["MessageDeduplicationId"], hashlib.sha256(b"same body").hexdigest())

    def test_fifo_batch(self):
        url = self.create_queue("fbatch", {"ContentBasedDeduplication": "true"}, fifo=True)
        entries = [{"Id": f"e{i}", "MessageBody": f"b{i}", "MessageGroupId": "g"} for i in range(5)]
        entries.append({"Id": "dup", "MessageBody": "b0", "MessageGroupId": "g"})
        r = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(r.get("Failed", []), [])
        by_id = {e["Id"]: e for e in r["Successful"]}
        numbers = [int(by_id[f"e{i}"]["SequenceNumber"]) for i in range(5)]
        self.assertEqual(numbers, sorted(numbers))
        self.assertEqual(by_id["dup"]["MessageId"], by_id["e0"]["MessageId"])
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in got], [f"b{i}" for i in range(5)])

    # ---- dead-letter queues -------------------------------------------------------------------
    def redrive_pair(self, max_receive_count=2, fifo=False, source_attributes=None):
        dlq = self.create_queue("dlq", fifo=fifo)
        policy = json.dumps({"deadLetterTargetArn": self.arn_of(dlq), "maxReceiveCount": max_receive_count})
        attributes = dict(source_attributes or {}, RedrivePolicy=policy)
        source = self.create_queue("src", attributes, fifo=fifo)
        return source, dlq

    def test_redrive_after_max_receive_count(self):
        source, dlq = self.redrive_pair(2)
        attributes = {"k": {"DataType": "String", "StringValue": "v"}}
        sent = self.sqs.send_message(QueueUrl=source, MessageBody="poison", MessageAttributes=attributes)
        counts = []
        for _ in range(2):
            got = self.sqs.receive_message(QueueUrl=source, VisibilityTimeout=0,
                                           MessageSystemAttributeNames=["All"])["Messages"]
            self.assertEqual([m["MessageId"] for m in got], [sent["MessageId"]])
            counts.append(got[0]["Attributes"]["ApproximateReceiveCount"])
            sent_timestamp = got[0]["Attributes"]["SentTimestamp"]
        self.assertEqual(counts, ["1", "2"])
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=source, VisibilityTimeout=0),
                         "received more than maxReceiveCount times")
        self.assertEqual(self.counts(source), (0, 0, 0))
        self.assertEqual(self.counts(dlq), (1, 0, 0))
        moved = self.sqs.receive_message(QueueUrl=dlq, MessageSystemAttributeNames=["All"],
                                         MessageAttributeNames=["All"])["Messages"]
        self.assertEqual(len(moved), 1)
        m = moved[0]
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], "poison")
        self.assertEqual(m["MessageAttributes"], attributes)
        self.assertEqual(m["Attributes"]["SentTimestamp"], sent_timestamp, "moving keeps the enqueue time")
        self.assertEqual(m["Attributes"].get("DeadLetterQueueSourceArn"), self.arn_of(source))

    def test_redrive_when_the_visibility_timeout_expires(self):
        source, dlq = self.redrive_pair(1, source_attributes={"VisibilityTimeout": "1"})
        self.sqs.send_message(QueueUrl=source, MessageBody="once")
        self.assertEqual(len(self.sqs.receive_message(QueueUrl=source)["Messages"]), 1)
        moved = self.sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages", [])
        self.assertEqual(moved, [], "moved while still in flight")
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=source, WaitTimeSeconds=2))
        moved = self.sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=3).get("Messages", [])
        self.assertEqual([m["Body"] for m in moved], ["once"])

    def test_deleted_message_is_not_redriven(self):
        source, dlq = self.redrive_pair(1)
        self.sqs.send_message(QueueUrl=source, MessageBody="handled")
        m = self.sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)["Messages"][0]
        self.sqs.delete_message(QueueUrl=source, ReceiptHandle=m["ReceiptHandle"])
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=source))
        self.assertEqual(self.counts(dlq), (0, 0, 0))

    def test_fifo_redrive_keeps_group_order(self):
        source, dlq = self.redrive_pair(1, fifo=True, source_attributes={"ContentBasedDeduplication": "true"})
        for body in ("f1", "f2"):
            self.sqs.send_message(QueueUrl=source, MessageBody=body, MessageGroupId="g")
        got = self.sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=0)["Messages"]
        self.assertEqual([m["Body"] for m in got], ["f1", "f2"])
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10))
        moved = self.sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10,
                                         MessageSystemAttributeNames=["All"])["Messages"]
        self.assertEqual([m["Body"] for m in moved], ["f1", "f2"])
        self.assertEqual({m["Attributes"]["MessageGroupId"] for m in moved}, {"g"})

    def test_redrive_policy_round_trip_and_removal(self):
        source, dlq = self.redrive_pair(5)
        policy = json.loads(self.sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])
                            ["Attributes"]["RedrivePolicy"])
        self.assertEqual(policy["deadLetterTargetArn"], self.arn_of(dlq))
        self.assertEqual(int(policy["maxReceiveCount"]), 5)
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"], [source])
        self.sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": ""})
        attrs = self.sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["All"])["Attributes"]
        self.assertNotIn("RedrivePolicy", attrs)
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq).get("queueUrls", []), [])

    def test_invalid_redrive_policies(self):
        dlq = self.create_queue("target")
        arn = self.arn_of(dlq)
        fifo_dlq = self.create_queue("ftarget", fifo=True)
        source = self.create_queue("source")
        cases = {
            "maxReceiveCount 0": {"deadLetterTargetArn": arn, "maxReceiveCount": 0},
            "maxReceiveCount 1001": {"deadLetterTargetArn": arn, "maxReceiveCount": 1001},
            "no target": {"maxReceiveCount": 3},
            "target does not exist": {"deadLetterTargetArn": arn + "-missing", "maxReceiveCount": 3},
            "FIFO target for a standard queue": {"deadLetterTargetArn": self.arn_of(fifo_dlq), "maxReceiveCount": 3},
        }
        for what, policy in cases.items():
            with self.subTest(what):
                self.assert_sqs_error(self.sqs.set_queue_attributes, "InvalidParameterValue", QueueUrl=source,
                                      Attributes={"RedrivePolicy": json.dumps(policy)})
        with self.subTest("not JSON"):
            self.assert_sqs_error(self.sqs.set_queue_attributes, "InvalidParameterValue", QueueUrl=source,
                                  Attributes={"RedrivePolicy": "{not json"})
        self.assertNotIn("RedrivePolicy", self.sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["All"])
                         ["Attributes"])


class FifoDlqJsonTest(FifoDlqBehaviour, SqsTestCase):
    pass


class FifoDlqQueryTest(FifoDlqBehaviour, SqsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sqs = query_sqs_client(cls.emu)
