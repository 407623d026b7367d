"""Restart: SQS queues come back when lambda-local starts again with the same `--state-dir`, after
a clean stop (SIGTERM) or a crash (SIGKILL), with their settings, tags and every message that was
accepted and not deleted: messages in flight come back (after their visibility timeout) with their
receive counts, FIFO groups keep their order and sequence numbers, dead-letter moves stay made,
receipt handles stay valid. With `--ephemeral` nothing is kept.

No test asserts how long anything takes: a message in flight at the restart is waited for with
long polls until it appears."""
import os
import shutil
import signal
import tempfile
import threading
import time
import unittest
from collections import Counter

from .harness import Emulator, Project

EMPTY = "Resources: {}\n"
FIND_TIMEOUT = 60  # a bound on the waits only
IN_FLIGHT_VISIBILITY = 2  # seconds: the in-flight messages come back this long after their receive


def redrive(arn, count):
    return '{"deadLetterTargetArn":"%s","maxReceiveCount":%d}' % (arn, count)


class RestartTestCase(unittest.TestCase):
    TEMPLATE = EMPTY

    def setUp(self):
        self.project = Project(self.TEMPLATE)
        self.addCleanup(self.project.cleanup)
        self.state_dir = tempfile.mkdtemp(prefix="lambda-local-it-state-")
        self.addCleanup(shutil.rmtree, self.state_dir, True)

    def start(self, *args, state=True):
        emu = Emulator(self.project, (["--state-dir", self.state_dir] if state else []) + list(args))
        emu.start()
        self.addCleanup(emu.kill)
        return emu, emu.client("sqs", read_timeout=60)

    def stop(self, emu, how):
        if how == "kill":
            emu.close_clients()
            emu.kill()  # SIGKILL: nothing is flushed on the way out
        else:
            emu.stop_and_check(self, signal.SIGTERM)

    def url(self, sqs, name):
        return sqs.get_queue_url(QueueName=name)["QueueUrl"]

    def arn(self, sqs, url):
        return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def receive(self, sqs, url, **kwargs):
        kwargs.setdefault("MaxNumberOfMessages", 10)
        return sqs.receive_message(QueueUrl=url, AttributeNames=["All"], MessageAttributeNames=["All"],
                                   **kwargs).get("Messages", [])

    def collect(self, sqs, url, wanted, visibility=300):
        """Receives (long polls) until every id in `wanted` has been seen; returns the messages
        in the order received. Fails on a duplicate or on the wait's bound."""
        seen = []
        deadline = time.monotonic() + FIND_TIMEOUT
        while not set(wanted) <= {m["MessageId"] for m in seen}:
            self.assertLess(time.monotonic(), deadline,
                            f"never received {set(wanted) - {m['MessageId'] for m in seen}}")
            seen.extend(self.receive(sqs, url, WaitTimeSeconds=1, VisibilityTimeout=visibility))
        counts = Counter(m["MessageId"] for m in seen)
        self.assertEqual([i for i, n in counts.items() if n > 1], [], "a message came back twice")
        return seen

    def assert_empty(self, sqs, url):
        self.assertEqual(self.receive(sqs, url, WaitTimeSeconds=1), [])


class QueuesSurviveRestartTest(RestartTestCase):
    def populate(self, sqs):
        """Queues in every state a restart must keep; returns what the checks need."""
        s = {}
        dlq = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
        work = sqs.create_queue(QueueName="work", Attributes={
            "VisibilityTimeout": "30", "MessageRetentionPeriod": "86400",
            "RedrivePolicy": redrive(self.arn(sqs, dlq), 2)}, tags={"team": "core"})["QueueUrl"]
        sqs.tag_queue(QueueUrl=work, Tags={"env": "dev"})
        entries = []
        for i in range(20):
            e = {"Id": f"m{i}", "MessageBody": f"work-{i} " + "x" * i}
            if i % 3 == 0:
                e["MessageAttributes"] = {
                    "kind": {"DataType": "String", "StringValue": f"k{i}"},
                    "blob": {"DataType": "Binary", "BinaryValue": bytes([i, 0, 255])},
                    "n": {"DataType": "Number.int", "StringValue": str(i)}}
            entries.append(e)
        sent = {}
        for start in range(0, 20, 10):
            r = sqs.send_message_batch(QueueUrl=work, Entries=entries[start:start + 10])
            self.assertEqual(r.get("Failed", []), [])
            for ok in r["Successful"]:
                sent[ok["MessageId"]] = ok
        s["sent"] = sent
        # Three deleted; five received once and given back (visible again); five received once
        # and in flight at the restart (their visibility is shortened last); seven never received.
        deleted = self.receive(sqs, work, MaxNumberOfMessages=3)
        self.assertEqual(len(deleted), 3)
        for m in deleted:
            sqs.delete_message(QueueUrl=work, ReceiptHandle=m["ReceiptHandle"])
        s["deleted"] = {m["MessageId"] for m in deleted}
        received = self.receive(sqs, work, VisibilityTimeout=300)
        self.assertEqual(len(received), 10)
        for m in received[5:]:
            sqs.change_message_visibility(QueueUrl=work, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        s["in_flight"] = {m["MessageId"]: m for m in received[:5]}
        s["given_back"] = {m["MessageId"] for m in received[5:]}

        # Dead-letter moves: two made before the restart, one due after it.
        src_dlq = sqs.create_queue(QueueName="src-dlq")["QueueUrl"]
        src = sqs.create_queue(QueueName="src", Attributes={
            "RedrivePolicy": redrive(self.arn(sqs, src_dlq), 1)})["QueueUrl"]
        s["poison"] = {}
        for body in ("poison-1", "poison-2"):
            s["poison"][sqs.send_message(QueueUrl=src, MessageBody=body)["MessageId"]] = body
        got = self.receive(sqs, src, VisibilityTimeout=0)
        self.assertEqual(len(got), 2)
        self.assertEqual(self.receive(sqs, src), [])  # both moved to src-dlq by this receive
        late = sqs.send_message(QueueUrl=src, MessageBody="poison-3")["MessageId"]
        self.assertEqual(len(self.receive(sqs, src, VisibilityTimeout=IN_FLIGHT_VISIBILITY)), 1)
        s["late_poison"] = late

        # FIFO: group g1 locked behind its in-flight head, group g2 free.
        fifo = sqs.create_queue(QueueName="jobs.fifo", Attributes={
            "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
        s["fifo"] = {}
        for group, bodies in (("g1", ["a1", "a2", "a3"]), ("g2", ["b1", "b2"])):
            for body in bodies:
                r = sqs.send_message(QueueUrl=fifo, MessageBody=body, MessageGroupId=group)
                s["fifo"][body] = (r["MessageId"], r["SequenceNumber"])
        got = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=1,
                                  VisibilityTimeout=IN_FLIGHT_VISIBILITY)["Messages"]
        self.assertEqual(got[0]["Body"], "a1")

        # In flight for a moment more, so they come back soon after the restart.
        for m in s["in_flight"].values():
            sqs.change_message_visibility(QueueUrl=work, ReceiptHandle=m["ReceiptHandle"],
                                          VisibilityTimeout=IN_FLIGHT_VISIBILITY)

        s["attributes"] = {}
        for name in ("work", "work-dlq", "src", "src-dlq", "jobs.fifo"):
            attrs = sqs.get_queue_attributes(QueueUrl=self.url(sqs, name), AttributeNames=["All"])["Attributes"]
            s["attributes"][name] = {k: v for k, v in attrs.items() if not k.startswith("ApproximateNumber")}
        s["tags"] = sqs.list_queue_tags(QueueUrl=work)["Tags"]
        return s

    def check(self, sqs, s):
        names = sorted(u.rsplit("/", 1)[1] for u in sqs.list_queues()["QueueUrls"])
        self.assertEqual(names, ["jobs.fifo", "src", "src-dlq", "work", "work-dlq"])
        for name, before in s["attributes"].items():
            attrs = sqs.get_queue_attributes(QueueUrl=self.url(sqs, name), AttributeNames=["All"])["Attributes"]
            after = {k: v for k, v in attrs.items() if not k.startswith("ApproximateNumber")}
            self.assertEqual(after, before, name)
        work = self.url(sqs, "work")
        self.assertEqual(sqs.list_queue_tags(QueueUrl=work)["Tags"], s["tags"])

        # A receipt handle from before the restart still deletes its message.
        kept_handle_id, m = next(iter(s["in_flight"].items()))
        sqs.delete_message(QueueUrl=work, ReceiptHandle=m["ReceiptHandle"])

        expected = set(s["sent"]) - s["deleted"] - {kept_handle_id}
        got = self.collect(sqs, work, expected)
        self.assertEqual({m["MessageId"] for m in got}, expected)
        for m in got:
            sent = s["sent"][m["MessageId"]]
            self.assertEqual(m["MD5OfBody"], sent["MD5OfMessageBody"])
            self.assertEqual(m.get("MD5OfMessageAttributes"), sent.get("MD5OfMessageAttributes"))
            if "MD5OfMessageAttributes" in sent:
                i = int(m["Body"].split()[0].split("-")[1])
                self.assertEqual(m["MessageAttributes"]["blob"]["BinaryValue"], bytes([i, 0, 255]))
                self.assertEqual(m["MessageAttributes"]["n"], {"DataType": "Number.int", "StringValue": str(i)})
            # Receive counts: one before the restart for the in-flight and given-back ones.
            before = m["MessageId"] in s["in_flight"] or m["MessageId"] in s["given_back"]
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "2" if before else "1", m["Body"])
        self.assert_empty(sqs, work)
        self.assert_empty(sqs, self.url(sqs, "work-dlq"))

        # Dead-letter queue: the two moved before, and the third once its receive is due.
        src, src_dlq = self.url(sqs, "src"), self.url(sqs, "src-dlq")
        moved = self.collect(sqs, src_dlq, set(s["poison"]))
        self.assertEqual(sorted(m["Body"] for m in moved), ["poison-1", "poison-2"])
        for m in moved:
            self.assertEqual(m["Attributes"]["DeadLetterQueueSourceArn"], s["attributes"]["src"]["QueueArn"])
        deadline = time.monotonic() + FIND_TIMEOUT
        late = []
        while not late:
            self.assertLess(time.monotonic(), deadline, "poison-3 never reached the dead-letter queue")
            self.assertEqual(self.receive(sqs, src, WaitTimeSeconds=1), [], "a message past maxReceiveCount was delivered")
            late = self.receive(sqs, src_dlq, WaitTimeSeconds=1, VisibilityTimeout=300)
        self.assertEqual([m["MessageId"] for m in late], [s["late_poison"]])

        # FIFO: per-group order, the same sequence numbers, a1's receive counted; then the
        # sequence goes on and the deduplication window still holds.
        fifo = self.url(sqs, "jobs.fifo")
        ids = {body: mid for body, (mid, _) in s["fifo"].items()}
        got = self.collect(sqs, fifo, set(ids.values()))
        by_group = {}
        for m in got:
            by_group.setdefault(m["Attributes"]["MessageGroupId"], []).append(m["Body"])
            self.assertEqual(m["Attributes"]["SequenceNumber"], s["fifo"][m["Body"]][1])
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "2" if m["Body"] == "a1" else "1")
        self.assertEqual(by_group, {"g1": ["a1", "a2", "a3"], "g2": ["b1", "b2"]})
        newest = max(seq for _, seq in s["fifo"].values())
        r = sqs.send_message(QueueUrl=fifo, MessageBody="a4", MessageGroupId="g1")
        self.assertGreater(int(r["SequenceNumber"]), int(newest))
        again = sqs.send_message(QueueUrl=fifo, MessageBody="b1", MessageGroupId="g2")
        self.assertEqual(again["MessageId"], ids["b1"], "the deduplication window was lost")

    def restart_keeps_everything(self, how):
        emu, sqs = self.start()
        state = self.populate(sqs)
        self.stop(emu, how)
        emu, sqs = self.start()
        self.check(sqs, state)
        emu.stop_and_check(self)

    def test_queues_and_messages_survive_kill_9(self):
        self.restart_keeps_everything("kill")

    def test_queues_and_messages_survive_sigterm(self):
        self.restart_keeps_everything("term")

    def test_every_acknowledged_send_survives_kill_9(self):
        emu, sqs = self.start()
        url = sqs.create_queue(QueueName="acked")["QueueUrl"]
        acked, lock = [], threading.Lock()

        def sender(n):
            client = emu.client("sqs")
            for i in range(100):
                if i % 10 == 0:
                    entries = [{"Id": str(j), "MessageBody": f"{n}-{i}-{j}"} for j in range(10)]
                    ids = [ok["MessageId"] for ok in client.send_message_batch(QueueUrl=url, Entries=entries)["Successful"]]
                else:
                    ids = [client.send_message(QueueUrl=url, MessageBody=f"{n}-{i}")["MessageId"]]
                with lock:
                    acked.extend(ids)

        threads = [threading.Thread(target=sender, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(acked), 4 * (90 + 10 * 10))
        self.stop(emu, "kill")  # right after the last answer
        emu, sqs = self.start()
        got = self.collect(sqs, self.url(sqs, "acked"), set(acked))
        self.assertEqual(len(got), len(acked))
        emu.stop_and_check(self)

    def test_deleted_queue_stays_deleted(self):
        emu, sqs = self.start()
        url = sqs.create_queue(QueueName="short-lived")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="gone with it")
        sqs.delete_queue(QueueUrl=url)
        url = sqs.create_queue(QueueName="reborn")["QueueUrl"]
        sqs.purge_queue(QueueUrl=url)
        self.stop(emu, "kill")
        emu, sqs = self.start()
        with self.assertRaises(sqs.exceptions.QueueDoesNotExist):
            sqs.get_queue_url(QueueName="short-lived")
        self.assert_empty(sqs, self.url(sqs, "reborn"))
        emu.stop_and_check(self)

    def test_ephemeral_keeps_nothing(self):
        emu, sqs = self.start("--ephemeral", state=False)
        url = sqs.create_queue(QueueName="passing")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="forgotten")
        self.stop(emu, "term")
        self.assertFalse(os.path.exists(self.project.path(".lambda-local")),
                         "--ephemeral left a state folder in the project")
        for args, state in ((("--ephemeral",), False), ((), True)):
            emu, sqs = self.start(*args, state=state)
            with self.assertRaises(sqs.exceptions.QueueDoesNotExist):
                sqs.get_queue_url(QueueName="passing")
            emu.stop_and_check(self)


TEMPLATE_QUEUE = """
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: template-jobs
      VisibilityTimeout: {visibility}
"""


class TemplateQueueRestartTest(RestartTestCase):
    TEMPLATE = TEMPLATE_QUEUE.format(visibility=40)

    def test_template_queue_keeps_messages_and_takes_new_settings(self):
        emu, sqs = self.start()
        url = self.url(sqs, "template-jobs")
        mid = sqs.send_message(QueueUrl=url, MessageBody="kept")["MessageId"]
        self.stop(emu, "kill")
        with open(self.project.template_path, "w") as f:
            f.write(TEMPLATE_QUEUE.format(visibility=50))
        emu, sqs = self.start()
        url = self.url(sqs, "template-jobs")
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "50")
        got = self.collect(sqs, url, {mid})
        self.assertEqual([m["Body"] for m in got], ["kept"])
        emu.stop_and_check(self)


if __name__ == "__main__":
    unittest.main()
