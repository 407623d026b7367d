"""Restart: event source mappings created through the API come back after a crash (kill -9) or
a clean stop, with their UUIDs and settings, and deliver again; template mappings are made anew
from the template, never twice. No test asserts how long anything takes."""
import json
import os
import shutil
import signal
import tempfile
import unittest

from .harness import Emulator, Project, wait_until

TEMPLATE = """Resources:
  Seen:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: py/
      Timeout: 5
      Environment: {Variables: {OUT: %(out)s}}
  TemplateQueue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: from-template, VisibilityTimeout: 30}
  TemplateMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Seen
      EventSourceArn: !GetAtt TemplateQueue.Arn
"""

CODE = """import json, os
def handler(event, context):
    with open(os.environ["OUT"], "a") as f:
        for r in event["Records"]:
            f.write(json.dumps({"queue": r["eventSourceARN"], "body": r["body"]}) + "\\n")
"""


class MappingRestartTest(unittest.TestCase):
    def setUp(self):
        self.out = os.path.join(tempfile.mkdtemp(prefix="lambda-local-it-out-"), "seen.jsonl")
        self.addCleanup(shutil.rmtree, os.path.dirname(self.out), True)
        self.project = Project(TEMPLATE % {"out": self.out}, {"py/app.py": CODE})
        self.addCleanup(self.project.cleanup)
        self.state_dir = tempfile.mkdtemp(prefix="lambda-local-it-state-")
        self.addCleanup(shutil.rmtree, self.state_dir, True)

    def start(self):
        emu = Emulator(self.project, ["--state-dir", self.state_dir, "--no-watch"])
        emu.start()
        self.addCleanup(emu.kill)
        return emu, emu.lambda_client(), emu.client("sqs")

    def seen(self):
        if not os.path.exists(self.out):
            return []
        with open(self.out) as f:
            return [json.loads(line) for line in f if line.strip()]

    def restart_keeps_mappings(self, how):
        emu, lam, sqs = self.start()
        url = sqs.create_queue(QueueName="api-queue", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        enabled = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="Seen", BatchSize=5,
                                                  FilterCriteria={"Filters": [{"Pattern": '{"body":["go"]}'}]})
        other = sqs.create_queue(QueueName="paused", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
        other_arn = sqs.get_queue_attributes(QueueUrl=other, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        disabled = lam.create_event_source_mapping(EventSourceArn=other_arn, FunctionName="Seen", Enabled=False)
        deleted = lam.create_event_source_mapping(EventSourceArn=other_arn, FunctionName="Seen:$LATEST")
        lam.delete_event_source_mapping(UUID=deleted["UUID"])
        before = {m["UUID"]: m for m in lam.list_event_source_mappings()["EventSourceMappings"]}
        self.assertEqual(len(before), 3)  # two from the API, one from the template
        if how == "kill":
            emu.close_clients()
            emu.kill()
        else:
            emu.stop_and_check(self, signal.SIGTERM)

        emu, lam, sqs = self.start()
        after = {m["UUID"]: m for m in lam.list_event_source_mappings()["EventSourceMappings"]}
        self.assertEqual(len(after), 3, after)  # the template one is made anew, not kept as well
        for uuid in (enabled["UUID"], disabled["UUID"]):
            self.assertIn(uuid, after)
            for key in ("EventSourceArn", "FunctionArn", "BatchSize", "FilterCriteria"):
                self.assertEqual(after[uuid].get(key), before[uuid].get(key), key)
        self.assertEqual(after[enabled["UUID"]]["State"], "Enabled")
        self.assertEqual(after[disabled["UUID"]]["State"], "Disabled")
        self.assertNotIn(deleted["UUID"], after)

        # The kept mapping delivers again, with its filter; so does the template's.
        sqs.send_message(QueueUrl=url, MessageBody="skip")
        sqs.send_message(QueueUrl=url, MessageBody="go")
        template_url = sqs.get_queue_url(QueueName="from-template")["QueueUrl"]
        sqs.send_message(QueueUrl=template_url, MessageBody="template")
        got = wait_until(lambda: len(self.seen()) >= 2 and self.seen(), 60)
        self.assertTrue(got, emu.describe_output(30))
        self.assertEqual(sorted(r["body"] for r in got), ["go", "template"])
        sqs.send_message(QueueUrl=other, MessageBody="waits")  # the disabled mapping stays off
        self.assertEqual(lam.get_event_source_mapping(UUID=disabled["UUID"])["State"], "Disabled")

    def test_api_mappings_survive_kill_9(self):
        self.restart_keeps_mappings("kill")

    def test_api_mappings_survive_sigterm(self):
        self.restart_keeps_mappings("term")


if __name__ == "__main__":
    unittest.main()
