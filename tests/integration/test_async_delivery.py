"""Asynchronous invocation: event-invoke configs (Put/Get/Update/List/Delete), retries of a
failing `Event` invocation (1 + MaximumRetryAttempts attempts), and delivery of AWS's
invocation record to Lambda OnFailure / OnSuccess destinations.

The emulator runs with `--async-retry-delay 0.2`, so retries wait 0.2 s then 0.4 s instead of
AWS's 1 and 2 minutes."""
import json
import re
import time
import uuid

from .harness import (ControlPlaneTestCase, error_code, function_arn, http_status, request_id, unique_name,
                      wait_for_lines)

RETRY_DELAY = 0.2
DELIVERY_TIMEOUT = 30  # generous: only a bound on the polling, not a performance claim

# Every attempt of `fail` / `succeed` appends a line to $ATTEMPTS_FILE; `record` (a destination)
# appends the invocation record it receives to $DEST_FILE.
ASYNC_APP = r'''
import json, os, time


def _note(context):
    path = os.environ.get("ATTEMPTS_FILE")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"requestId": context.aws_request_id, "time": time.time(),
                                "version": context.function_version}) + "\n")


def fail(event, context):
    _note(context)
    raise ValueError("async failure " + json.dumps(event, sort_keys=True))


def succeed(event, context):
    _note(context)
    return {"ok": True, "echo": event}


def record(event, context):
    with open(os.environ["DEST_FILE"], "a") as f:
        f.write(json.dumps({"record": event, "requestId": context.aws_request_id}) + "\n")
    return {"recorded": True}
'''
FILES = {"app.py": ASYNC_APP}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


class EventInvokeConfigTest(ControlPlaneTestCase):
    ARGS = ("--async-retry-delay", str(RETRY_DELAY))

    def setUp(self):
        self.name = unique_name("eic")
        self.create(self.name, FILES, handler="app.succeed")
        self.success_name = unique_name("eic-ok")
        self.failure_name = unique_name("eic-ko")
        for dest in (self.success_name, self.failure_name):
            self.create(dest, FILES, handler="app.record",
                        Environment={"Variables": {"DEST_FILE": self.project.path(dest + ".jsonl")}})
        self.destinations = {"OnSuccess": {"Destination": function_arn(self.success_name)},
                             "OnFailure": {"Destination": function_arn(self.failure_name)}}

    def destination(self, config, which):
        return config.get("DestinationConfig", {}).get(which, {}).get("Destination")

    def test_put_get_list_delete(self):
        put = self.lam.put_function_event_invoke_config(
            FunctionName=self.name, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=3600,
            DestinationConfig=self.destinations)
        self.assertEqual(http_status(put), 200)
        self.assertEqual(put["FunctionArn"], function_arn(self.name, "$LATEST"))
        self.assertEqual(put["MaximumRetryAttempts"], 1)
        self.assertEqual(put["MaximumEventAgeInSeconds"], 3600)
        self.assertEqual(put["DestinationConfig"], self.destinations)
        self.assertIn("LastModified", put)  # a timestamp (epoch seconds on the wire)

        got = self.lam.get_function_event_invoke_config(FunctionName=self.name)
        self.assertEqual(http_status(got), 200)
        for key in ("FunctionArn", "MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"):
            self.assertEqual(got[key], put[key], key)

        listed = self.lam.list_function_event_invoke_configs(FunctionName=self.name)
        self.assertEqual(http_status(listed), 200)
        self.assertEqual([c["FunctionArn"] for c in listed["FunctionEventInvokeConfigs"]],
                         [function_arn(self.name, "$LATEST")])
        self.assertEqual(listed["FunctionEventInvokeConfigs"][0]["MaximumRetryAttempts"], 1)

        deleted = self.lam.delete_function_event_invoke_config(FunctionName=self.name)
        self.assertEqual(http_status(deleted), 204)
        self.assert_not_found(self.lam.get_function_event_invoke_config, FunctionName=self.name)
        self.assertEqual(self.lam.list_function_event_invoke_configs(FunctionName=self.name)
                         ["FunctionEventInvokeConfigs"], [])

    def test_update_merges_put_replaces(self):
        self.lam.put_function_event_invoke_config(
            FunctionName=self.name, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=3600,
            DestinationConfig=self.destinations)
        updated = self.lam.update_function_event_invoke_config(FunctionName=self.name, MaximumRetryAttempts=0)
        self.assertEqual(http_status(updated), 200)
        self.assertEqual(updated["MaximumRetryAttempts"], 0)
        self.assertEqual(updated["MaximumEventAgeInSeconds"], 3600, "UpdateFunctionEventInvokeConfig is partial")
        self.assertEqual(updated["DestinationConfig"], self.destinations)
        self.assertEqual(self.lam.get_function_event_invoke_config(FunctionName=self.name)["MaximumRetryAttempts"], 0)

        replaced = self.lam.put_function_event_invoke_config(FunctionName=self.name, MaximumRetryAttempts=2)
        self.assertEqual(replaced["MaximumRetryAttempts"], 2)
        self.assertIsNone(self.destination(replaced, "OnSuccess"), "PutFunctionEventInvokeConfig replaces all")
        self.assertIsNone(self.destination(replaced, "OnFailure"))
        self.assertNotEqual(replaced.get("MaximumEventAgeInSeconds"), 3600)

    def test_update_without_config_is_not_found(self):
        self.assert_not_found(self.lam.update_function_event_invoke_config, FunctionName=self.name,
                              MaximumRetryAttempts=0)
        self.assert_not_found(self.lam.get_function_event_invoke_config, FunctionName=self.name)

    def test_unknown_function(self):
        ghost = unique_name("ghost")
        self.assert_not_found(self.lam.put_function_event_invoke_config, FunctionName=ghost, MaximumRetryAttempts=0)
        self.assert_not_found(self.lam.list_function_event_invoke_configs, FunctionName=ghost)

    def test_config_per_qualifier(self):
        self.lam.publish_version(FunctionName=self.name)
        self.lam.put_function_event_invoke_config(FunctionName=self.name, Qualifier="1", MaximumRetryAttempts=0)
        self.lam.put_function_event_invoke_config(FunctionName=self.name, MaximumRetryAttempts=1)
        got = self.lam.get_function_event_invoke_config(FunctionName=self.name, Qualifier="1")
        self.assertEqual(got["FunctionArn"], function_arn(self.name, "1"))
        self.assertEqual(got["MaximumRetryAttempts"], 0)
        arns = sorted(c["FunctionArn"] for c in
                      self.lam.list_function_event_invoke_configs(FunctionName=self.name)["FunctionEventInvokeConfigs"])
        self.assertEqual(arns, sorted([function_arn(self.name, "1"), function_arn(self.name, "$LATEST")]))

    def test_out_of_range_values(self):
        raw = self.emu.lambda_client(parameter_validation=False)  # so the emulator, not botocore, checks
        for kwargs in ({"MaximumRetryAttempts": 3}, {"MaximumRetryAttempts": -1},
                       {"MaximumEventAgeInSeconds": 59}, {"MaximumEventAgeInSeconds": 21601}):
            with self.subTest(**kwargs):
                with self.assertRaises(raw.exceptions.ClientError) as cm:
                    raw.put_function_event_invoke_config(FunctionName=self.name, **kwargs)
                self.assertEqual(error_code(cm.exception), "ValidationException")
                self.assertEqual(http_status(cm.exception), 400)
        self.assert_not_found(self.lam.get_function_event_invoke_config, FunctionName=self.name)

    def test_destination_of_an_unsupported_service(self):
        # Well-formed, but not an SQS queue, SNS topic, Lambda function, event bus or S3 bucket.
        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException) as cm:
            self.lam.put_function_event_invoke_config(
                FunctionName=self.name,
                DestinationConfig={"OnFailure": {"Destination": "arn:aws:ec2:us-east-1:000000000000:instance/i-1"}})
        self.assertEqual(http_status(cm.exception), 400)


class AsyncDeliveryTest(ControlPlaneTestCase):
    ARGS = ("--async-retry-delay", str(RETRY_DELAY))

    def make_function(self, handler, config=None, publish=False):
        """A function with its own attempts file, optional destinations (functions of their
        own) and event-invoke config. Returns a dict of names and files."""
        token = uuid.uuid4().hex[:8]
        fn = {"name": f"async-{handler}-{token}", "attempts": self.project.path(f"attempts-{token}.jsonl"),
              "on_success": f"dest-ok-{token}", "on_failure": f"dest-ko-{token}",
              "success_file": self.project.path(f"dest-ok-{token}.jsonl"),
              "failure_file": self.project.path(f"dest-ko-{token}.jsonl")}
        for dest, path in ((fn["on_success"], fn["success_file"]), (fn["on_failure"], fn["failure_file"])):
            self.create(dest, FILES, handler="app.record", Environment={"Variables": {"DEST_FILE": path}})
        self.create(fn["name"], FILES, handler=f"app.{handler}", Timeout=10,
                    Environment={"Variables": {"ATTEMPTS_FILE": fn["attempts"]}})
        if publish:
            self.lam.publish_version(FunctionName=fn["name"])
        if config is not None:
            if config.pop("destinations", True):
                config["DestinationConfig"] = {"OnSuccess": {"Destination": function_arn(fn["on_success"])},
                                               "OnFailure": {"Destination": function_arn(fn["on_failure"])}}
            self.lam.put_function_event_invoke_config(FunctionName=fn["name"], **config)
        return fn

    def invoke_event(self, name, event, **kwargs):
        r = self.lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event).encode(), **kwargs)
        self.assertEqual(r["StatusCode"], 202)
        self.assertEqual(r["Payload"].read(), b"")
        return request_id(r)

    def attempts(self, fn, count, timeout=DELIVERY_TIMEOUT):
        return [json.loads(l) for l in wait_for_lines(fn["attempts"], count, timeout)]

    def records(self, path, count=1, timeout=DELIVERY_TIMEOUT):
        return [json.loads(l)["record"] for l in wait_for_lines(path, count, timeout)]

    def assert_record(self, record, condition, req_id, function_qualified_arn, count, event, version="$LATEST"):
        self.assertEqual(record["version"], "1.0")
        self.assertRegex(record["timestamp"], TIMESTAMP)
        self.assertEqual(record["requestContext"], {
            "requestId": req_id, "functionArn": function_qualified_arn, "condition": condition,
            "approximateInvokeCount": count})
        self.assertEqual(record["requestPayload"], event)
        expected_response = {"statusCode": 200, "executedVersion": version}
        if condition != "Success":
            expected_response["functionError"] = "Unhandled"
        self.assertEqual(record["responseContext"], expected_response)

    def assert_stays(self, path, count, seconds=1.5):
        """Nothing more arrives in `path` for a while (the attempts stop, no extra record)."""
        time.sleep(seconds)
        self.assertEqual(len(wait_for_lines(path, 0, 0)), count)

    def test_failure_is_retried_then_sent_to_on_failure(self):
        fn = self.make_function("fail", {"MaximumRetryAttempts": 2})
        event = {"order": 17, "items": ["a", "b"]}
        req_id = self.invoke_event(fn["name"], event)
        records = self.records(fn["failure_file"])
        self.assertEqual(len(records), 1, f"no OnFailure record\n{self.emu.describe_output(40)}")
        attempts = self.attempts(fn, 3)
        self.assertEqual(len(attempts), 3, attempts)
        self.assertEqual({a["requestId"] for a in attempts}, {req_id}, "retries must keep the request id")

        record = records[0]
        self.assert_record(record, "RetriesExhausted", req_id, function_arn(fn["name"], "$LATEST"), 3, event)
        payload = record["responsePayload"]
        self.assertEqual(payload["errorType"], "ValueError")
        self.assertEqual(payload["errorMessage"], "async failure " + json.dumps(event, sort_keys=True))
        self.assertIsInstance(payload.get("stackTrace"), list)

        self.assert_stays(fn["attempts"], 3)
        self.assertEqual(wait_for_lines(fn["success_file"], 0, 0), [], "a failure reached OnSuccess")
        self.assertEqual(len(wait_for_lines(fn["failure_file"], 0, 0)), 1, "more than one OnFailure record")

    def test_retry_delays_grow(self):
        fn = self.make_function("fail", {"MaximumRetryAttempts": 2})
        self.invoke_event(fn["name"], {"delays": True})
        times = [a["time"] for a in self.attempts(fn, 3)]
        self.assertEqual(len(times), 3)
        first_gap, second_gap = times[1] - times[0], times[2] - times[1]
        # Lower bounds only: at least the configured delays (1x then 2x), with a little slack.
        self.assertGreaterEqual(first_gap, RETRY_DELAY * 0.9, times)
        self.assertGreaterEqual(second_gap, 2 * RETRY_DELAY * 0.9, times)

    def test_zero_retries(self):
        fn = self.make_function("fail", {"MaximumRetryAttempts": 0})
        req_id = self.invoke_event(fn["name"], {"once": True})
        records = self.records(fn["failure_file"])
        self.assertEqual(len(records), 1, self.emu.describe_output(40))
        self.assert_record(records[0], "RetriesExhausted", req_id, function_arn(fn["name"], "$LATEST"), 1,
                           {"once": True})
        self.assert_stays(fn["attempts"], 1)

    def test_one_retry(self):
        fn = self.make_function("fail", {"MaximumRetryAttempts": 1})
        req_id = self.invoke_event(fn["name"], {"twice": True})
        records = self.records(fn["failure_file"])
        self.assertEqual(len(records), 1, self.emu.describe_output(40))
        self.assertEqual(records[0]["requestContext"]["approximateInvokeCount"], 2)
        self.assertEqual(records[0]["requestContext"]["requestId"], req_id)
        self.assert_stays(fn["attempts"], 2)

    def test_default_is_two_retries(self):
        fn = self.make_function("fail")  # no event-invoke config at all
        req_id = self.invoke_event(fn["name"], {"default": True})
        attempts = self.attempts(fn, 3)
        self.assertEqual(len(attempts), 3, f"expected 1 + 2 default retries\n{self.emu.describe_output(40)}")
        self.assertEqual({a["requestId"] for a in attempts}, {req_id})
        self.assert_stays(fn["attempts"], 3)

    def test_success_is_sent_to_on_success(self):
        fn = self.make_function("succeed", {"MaximumRetryAttempts": 2})
        event = {"greeting": "hello", "n": [1, 2, 3]}
        req_id = self.invoke_event(fn["name"], event)
        records = self.records(fn["success_file"])
        self.assertEqual(len(records), 1, f"no OnSuccess record\n{self.emu.describe_output(40)}")
        record = records[0]
        self.assert_record(record, "Success", req_id, function_arn(fn["name"], "$LATEST"), 1, event)
        self.assertEqual(record["responsePayload"], {"ok": True, "echo": event})
        self.assert_stays(fn["attempts"], 1)
        self.assertEqual(wait_for_lines(fn["failure_file"], 0, 0), [], "a success reached OnFailure")

    def test_destination_receives_one_record_per_event(self):
        fn = self.make_function("succeed", {"MaximumRetryAttempts": 0})
        ids = [self.invoke_event(fn["name"], {"i": i}) for i in range(3)]
        records = self.records(fn["success_file"], 3)
        self.assertEqual(len(records), 3, self.emu.describe_output(40))
        self.assertEqual(sorted(r["requestContext"]["requestId"] for r in records), sorted(ids))
        self.assertEqual(sorted(r["requestPayload"]["i"] for r in records), [0, 1, 2])

    def test_only_on_failure_configured(self):
        fn = self.make_function("succeed", {"MaximumRetryAttempts": 0, "destinations": False})
        self.lam.update_function_event_invoke_config(
            FunctionName=fn["name"],
            DestinationConfig={"OnFailure": {"Destination": function_arn(fn["on_failure"])}})
        self.invoke_event(fn["name"], {"quiet": True})
        self.assertEqual(len(self.attempts(fn, 1)), 1)
        self.assert_stays(fn["failure_file"], 0)
        self.assertEqual(wait_for_lines(fn["success_file"], 0, 0), [])

    def test_version_qualifier(self):
        fn = self.make_function("fail", publish=True)
        self.lam.put_function_event_invoke_config(
            FunctionName=fn["name"], Qualifier="1", MaximumRetryAttempts=0,
            DestinationConfig={"OnFailure": {"Destination": function_arn(fn["on_failure"])}})
        req_id = self.invoke_event(fn["name"], {"v": 1}, Qualifier="1")
        records = self.records(fn["failure_file"])
        self.assertEqual(len(records), 1, self.emu.describe_output(40))
        self.assert_record(records[0], "RetriesExhausted", req_id, function_arn(fn["name"], "1"), 1, {"v": 1},
                           version="1")
        self.assertEqual([a["version"] for a in self.attempts(fn, 1)], ["1"])

    def test_qualified_destination_arn(self):
        fn = self.make_function("succeed")
        self.lam.publish_version(FunctionName=fn["on_success"])
        self.lam.put_function_event_invoke_config(
            FunctionName=fn["name"], MaximumRetryAttempts=0,
            DestinationConfig={"OnSuccess": {"Destination": function_arn(fn["on_success"], "1")}})
        req_id = self.invoke_event(fn["name"], {"to": "version 1"})
        records = self.records(fn["success_file"])
        self.assertEqual(len(records), 1, self.emu.describe_output(40))
        self.assertEqual(records[0]["requestContext"]["requestId"], req_id)


class SqsDestinationTest(AsyncDeliveryTest):
    """OnFailure / OnSuccess destinations and DeadLetterConfig that are SQS queues."""

    def sqs(self):
        import boto3
        return boto3.client("sqs", endpoint_url=self.emu.url, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")

    def queue(self, sqs, name):
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def receive(self, sqs, url, timeout=DELIVERY_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2).get("Messages", [])
            if msgs:
                return msgs
        return []

    def test_on_failure_and_on_success_queues_receive_the_record(self):
        sqs = self.sqs()
        token = uuid.uuid4().hex[:8]
        ko_url, ko_arn = self.queue(sqs, f"ko-{token}")
        ok_url, ok_arn = self.queue(sqs, f"ok-{token}")
        for handler in ("fail", "succeed"):
            fn = self.make_function(handler)
            self.lam.put_function_event_invoke_config(
                FunctionName=fn["name"], MaximumRetryAttempts=0,
                DestinationConfig={"OnSuccess": {"Destination": ok_arn}, "OnFailure": {"Destination": ko_arn}})
            event = {"handler": handler}
            req_id = self.invoke_event(fn["name"], event)
            msgs = self.receive(sqs, ko_url if handler == "fail" else ok_url)
            self.assertEqual(len(msgs), 1, self.emu.describe_output(40))
            record = json.loads(msgs[0]["Body"])
            self.assertEqual(record["requestContext"]["requestId"], req_id)
            self.assertEqual(record["requestContext"]["condition"],
                             "RetriesExhausted" if handler == "fail" else "Success")
            self.assertEqual(record["requestPayload"], event)

    def test_dead_letter_queue_receives_the_event(self):
        sqs = self.sqs()
        dlq_url, dlq_arn = self.queue(sqs, f"dlq-{uuid.uuid4().hex[:8]}")
        fn = self.make_function("fail", {"MaximumRetryAttempts": 1, "destinations": False})
        self.lam.update_function_configuration(FunctionName=fn["name"], DeadLetterConfig={"TargetArn": dlq_arn})
        event = {"dead": "letter"}
        self.invoke_event(fn["name"], event)
        msgs = self.receive(sqs, dlq_url)
        self.assertEqual(len(msgs), 1, self.emu.describe_output(40))
        self.assertEqual(json.loads(msgs[0]["Body"]), event)
        self.assertEqual(len(self.attempts(fn, 2)), 2)


# Only the SQS tests run in this class; the inherited ones already ran in AsyncDeliveryTest.
for _name in dir(AsyncDeliveryTest):
    if _name.startswith("test_") and _name not in SqsDestinationTest.__dict__:
        setattr(SqsDestinationTest, _name, None)
