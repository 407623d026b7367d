"""Limits: function timeout, memory size (a memory cgroup kills the process), and payload sizes."""
import json
import os
import re
import time

from .harness import PY_APP, EmulatorTestCase, decode_tail, request_id

MAX_SYNC = 6291456  # bytes, AWS's synchronous request limit
MAX_ASYNC = 1048576  # bytes, AWS's Event request limit (1 MB since October 2025)

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  ShortTimeout:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.sleep, CodeUri: py/, Timeout: 1}
  NodeShortTimeout:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: node/, Timeout: 1}
  SmallMemory:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.hog, CodeUri: py/, MemorySize: 128, Timeout: 30}
  BigMemory:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.hog, CodeUri: py/, MemorySize: 1024, Timeout: 30}
  Sleeper:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.sleep, CodeUri: py/, Timeout: 10}
  BigResponse:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.big_response, CodeUri: py/, Timeout: 30}
"""

NODE_SLEEP = r'''
exports.handler = async (event, context) => {
  if (event.seconds) await new Promise((resolve) => setTimeout(resolve, event.seconds * 1000));
  return { pid: process.pid };
};
'''


def padded_event(total_bytes):
    """A JSON object of exactly total_bytes bytes."""
    skeleton = json.dumps({"seconds": 0, "pad": ""})
    event = json.dumps({"seconds": 0, "pad": "x" * (total_bytes - len(skeleton))})
    assert len(event) == total_bytes
    return event.encode()


class TimeoutTest(EmulatorTestCase):
    TEMPLATE = TEMPLATE
    FILES = {"py/app.py": PY_APP, "node/index.js": NODE_SLEEP}

    def test_timeout_payload_report_and_fresh_environment(self):
        pidfile = os.path.join(self.project.dir, "timeout.pid")
        warm = self.invoke_json("ShortTimeout", {"seconds": 0})["pid"]
        started = time.monotonic()
        body, r = self.invoke_error("ShortTimeout", {"seconds": 10, "pidfile": pidfile}, LogType="Tail")
        elapsed = time.monotonic() - started
        rid = request_id(r)
        self.assertEqual(body, {"errorMessage": f"RequestId: {rid} Error: Task timed out after 1.00 seconds",
                                "errorType": "Sandbox.Timedout"})
        self.assertLess(elapsed, 8.0, "the invoke waited for the function instead of timing it out")
        log = decode_tail(r)
        self.assertRegex(log, rf"REPORT RequestId: {rid}\t.*Status: timeout", log)
        self.assertIn("Task timed out after 1.00 seconds", log)
        with open(pidfile) as f:
            timed_out_pid = int(f.read())
        self.assertEqual(timed_out_pid, warm, "the timed-out invoke should have used the warm environment")
        after = self.invoke_json("ShortTimeout", {"seconds": 0})
        self.assertNotEqual(after["pid"], timed_out_pid, "a timed-out environment was reused")

    def test_node_timeout(self):
        body, r = self.invoke_error("NodeShortTimeout", {"seconds": 10})
        self.assertEqual(body["errorType"], "Sandbox.Timedout")
        self.assertEqual(body["errorMessage"],
                         f"RequestId: {request_id(r)} Error: Task timed out after 1.00 seconds")
        self.assertIn("pid", self.invoke_json("NodeShortTimeout", {"seconds": 0}))

    def test_within_timeout_succeeds(self):
        body = self.invoke_json("Sleeper", {"seconds": 1.5})
        self.assertGreaterEqual(body["ended"] - body["started"], 1.4)


class MemoryTest(EmulatorTestCase):
    TEMPLATE = TEMPLATE
    FILES = {"py/app.py": PY_APP, "node/index.js": NODE_SLEEP}

    def test_allocating_past_memory_size_kills_the_process(self):
        body, r = self.invoke_error("SmallMemory", {"mb": 400}, LogType="Tail")
        rid = request_id(r)
        self.assertEqual(body, {"errorType": "Runtime.ExitError",
                                "errorMessage": f"RequestId: {rid} Error: Runtime exited with error: signal: killed"})
        log = decode_tail(r)
        self.assertRegex(log, rf"REPORT RequestId: {rid}\t.*Memory Size: 128 MB\tMax Memory Used: \d+ MB", log)
        self.assertRegex(log, r"Status: error\tError Type: Runtime.ExitError")
        # a fresh environment serves the next invoke
        self.assertEqual(self.invoke_json("SmallMemory", {"mb": 16}), {"allocated_mb": 16})

    def test_allocation_within_memory_size(self):
        self.assertEqual(self.invoke_json("BigMemory", {"mb": 400}), {"allocated_mb": 400})
        r = self.invoke("BigMemory", {"mb": 64}, LogType="Tail")
        used = int(re.search(r"Max Memory Used: (\d+) MB", decode_tail(r)).group(1))
        # The same process ran both invokes, so its peak includes the 400 MB.
        self.assertGreaterEqual(used, 400)
        self.assertLessEqual(used, 1024)


class PayloadSizeTest(EmulatorTestCase):
    TEMPLATE = TEMPLATE
    FILES = {"py/app.py": PY_APP, "node/index.js": NODE_SLEEP}

    def test_request_over_6_mb_is_413(self):
        with self.assertRaises(self.lam.exceptions.ClientError) as cm:
            self.lam.invoke(FunctionName="Sleeper", Payload=padded_event(MAX_SYNC + 1))
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], "RequestEntityTooLargeException", err)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 413)
        self.assertIn("6291456", err["Error"]["Message"])

    def test_request_of_exactly_6_mb_is_accepted(self):
        r = self.lam.invoke(FunctionName="Sleeper", Payload=padded_event(MAX_SYNC))
        self.assertEqual(r["StatusCode"], 200)
        self.assertNotIn("FunctionError", r, r["Payload"].read())

    def test_much_larger_request_is_413(self):
        with self.assertRaises(self.lam.exceptions.ClientError) as cm:
            self.lam.invoke(FunctionName="Sleeper", Payload=padded_event(20 * 1024 * 1024))
        self.assertEqual(cm.exception.response["Error"]["Code"], "RequestEntityTooLargeException")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 413)

    def test_event_request_over_async_limit_is_413(self):
        with self.assertRaises(self.lam.exceptions.ClientError) as cm:
            self.lam.invoke(FunctionName="Sleeper", InvocationType="Event", Payload=padded_event(MAX_ASYNC + 1))
        self.assertEqual(cm.exception.response["Error"]["Code"], "RequestEntityTooLargeException")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 413)
        r = self.lam.invoke(FunctionName="Sleeper", InvocationType="Event", Payload=padded_event(MAX_ASYNC))
        self.assertEqual(r["StatusCode"], 202)

    def test_response_over_6_mb_is_a_function_error(self):
        body, _ = self.invoke_error("BigResponse", {})
        self.assertEqual(body["errorType"], "Function.ResponseSizeTooLarge")
        self.assertRegex(body["errorMessage"],
                         r"^Response payload size \(\d+ bytes\) exceeded maximum allowed payload size "
                         r"\(6291556 bytes\)\.$")
