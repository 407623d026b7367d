"""Execution environments: warm reuse, scale-out, reserved concurrency and --max-concurrency."""
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from .harness import BASH_BOOTSTRAP, NODE_CJS, PY_APP, EmulatorTestCase, payload_json, wait_until

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  PyEcho:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.echo, CodeUri: py/, Timeout: 1}
  PySleep:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.sleep, CodeUri: py/, Timeout: 10}
  NodeEcho:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: node/}
  BashEcho:
    Type: AWS::Serverless::Function
    Properties: {Runtime: provided.al2023, Handler: unused, CodeUri: bash/}
  OneAtATime:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.sleep
      CodeUri: py/
      Timeout: 10
      ReservedConcurrentExecutions: 1
  OneAtATimeWriter:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.write_file
      CodeUri: py/
      ReservedConcurrentExecutions: 1
  Disabled:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.echo
      CodeUri: py/
      ReservedConcurrentExecutions: 0
"""

FILES = {"py/app.py": PY_APP, "node/index.js": NODE_CJS, "bash/bootstrap": BASH_BOOTSTRAP}

RESERVED_REASON = "ReservedFunctionConcurrentInvocationLimitExceeded"


class WarmReuseTest(EmulatorTestCase):
    TEMPLATE = TEMPLATE
    FILES = FILES

    def test_second_invoke_reuses_the_process(self):
        for name in ("PyEcho", "NodeEcho", "BashEcho"):
            with self.subTest(function=name):
                first = self.invoke_json(name, {"n": 1})
                second = self.invoke_json(name, {"n": 2})
                self.assertEqual(first["pid"], second["pid"], "warm invoke ran in a new process")
                self.assertEqual(second["invocations"], first["invocations"] + 1,
                                 "module-level state did not survive between invokes")

    def test_warm_environment_serves_after_an_idle_period(self):
        # PyEcho has Timeout: 1. An environment that sat idle for longer than its init allowance
        # (10 s) plus the timeout must still serve the next invoke normally.
        first = self.invoke_json("PyEcho", {"idle": "before"})
        time.sleep(12)
        r = self.invoke("PyEcho", {"idle": "after"})
        body = payload_json(r)
        self.assertIsNone(r.get("FunctionError"), f"invoke after a 12 s idle period failed: {body}")
        self.assertEqual(body["event"], {"idle": "after"})
        self.assertEqual(body["pid"], first["pid"])


class ScaleOutTest(EmulatorTestCase):
    TEMPLATE = TEMPLATE
    FILES = FILES

    def parallel_sleeps(self, n, seconds):
        def one(_):
            return self.invoke_json("PySleep", {"seconds": seconds})
        started = time.monotonic()
        with ThreadPoolExecutor(n) as pool:
            results = list(pool.map(one, range(n)))
        return results, time.monotonic() - started

    def test_parallel_invokes_run_in_separate_processes(self):
        # Concurrency is shown by overlap (every invoke started before any ended), not by the
        # wall-clock time of the wave, which a busy machine stretches.
        results, _ = self.parallel_sleeps(8, 1)
        pids = {r["pid"] for r in results}
        self.assertEqual(len(pids), 8, f"8 concurrent invokes shared processes: {sorted(pids)}")
        self.assertLess(max(r["started"] for r in results), min(r["ended"] for r in results))
        # The 8 environments stay warm: a second wave reuses them.
        again, _ = self.parallel_sleeps(8, 1)
        self.assertLess(max(r["started"] for r in again), min(r["ended"] for r in again))
        self.assertTrue({r["pid"] for r in again} <= pids,
                        f"second wave started new processes: {sorted({r['pid'] for r in again} - pids)}")


class ThrottleTest(EmulatorTestCase):
    TEMPLATE = TEMPLATE
    FILES = FILES

    def test_reserved_concurrency_one_throttles_the_second_invoke(self):
        pidfile = os.path.join(self.project.dir, "one-at-a-time.pid")
        results = {}

        def first():
            results["first"] = self.invoke_json("OneAtATime", {"seconds": 3, "pidfile": pidfile})

        t = threading.Thread(target=first)
        t.start()
        try:
            self.assertTrue(wait_until(lambda: os.path.exists(pidfile), 15), "first invoke never started")
            with self.assertRaises(self.lam.exceptions.TooManyRequestsException) as cm:
                self.lam.invoke(FunctionName="OneAtATime", Payload=b'{"seconds": 0}')
            err = cm.exception.response
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 429)
            self.assertEqual(err["Error"]["Code"], "TooManyRequestsException")
            self.assertEqual(err.get("Reason"), RESERVED_REASON, err)
        finally:
            t.join(30)
        self.assertIn("pid", results.get("first", {}), "the first invoke did not succeed")
        # the slot is free again
        self.assertIn("pid", self.invoke_json("OneAtATime", {"seconds": 0}))

    def test_two_concurrent_invokes_one_429(self):
        def one(_):
            try:
                r = self.lam.invoke(FunctionName="OneAtATime", Payload=b'{"seconds": 2}')
                r["Payload"].read()
                return 200
            except self.lam.exceptions.TooManyRequestsException as e:
                return (429, e.response.get("Reason"))
        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(pool.map(one, range(2)), key=str)
        self.assertEqual(outcomes, [(429, RESERVED_REASON), 200])

    def test_reserved_concurrency_zero_throttles_everything(self):
        for _ in range(2):
            with self.assertRaises(self.lam.exceptions.TooManyRequestsException) as cm:
                self.lam.invoke(FunctionName="Disabled", Payload=b"{}")
            self.assertEqual(cm.exception.response.get("Reason"), RESERVED_REASON)
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 429)

    def test_raw_429_shape(self):
        status, headers, body = self.emu.post(self.emu.invoke_path("Disabled"), b"{}")
        self.assertEqual(status, 429)
        self.assertEqual(headers["x-amzn-ErrorType"], "TooManyRequestsException")
        data = json.loads(body)
        self.assertEqual(data["Reason"], RESERVED_REASON)
        self.assertEqual(data["Type"], "User")
        self.assertIn("message", data)

    def test_throttled_event_invokes_wait_their_turn(self):
        # Event invokes of a function with reserved concurrency 1 are queued, not dropped.
        paths = [os.path.join(self.project.dir, f"queued-{i}.json") for i in range(3)]
        for p in paths:
            r = self.lam.invoke(FunctionName="OneAtATimeWriter", InvocationType="Event",
                                Payload=json.dumps({"path": p}).encode())
            self.assertEqual(r["StatusCode"], 202)
        self.assertTrue(wait_until(lambda: all(os.path.exists(p) for p in paths), 20),
                        f"queued events did not all run: {[os.path.exists(p) for p in paths]}")


class AccountConcurrencyTest(EmulatorTestCase):
    TEMPLATE = TEMPLATE
    FILES = FILES
    ARGS = ("--max-concurrency", "1")

    def test_max_concurrency_throttles_across_functions(self):
        pidfile = os.path.join(self.project.dir, "account.pid")
        results = {}

        def first():
            results["first"] = self.invoke_json("PySleep", {"seconds": 3, "pidfile": pidfile})

        t = threading.Thread(target=first)
        t.start()
        try:
            self.assertTrue(wait_until(lambda: os.path.exists(pidfile), 15), "first invoke never started")
            with self.assertRaises(self.lam.exceptions.TooManyRequestsException) as cm:
                self.lam.invoke(FunctionName="NodeEcho", Payload=b"{}")
            self.assertEqual(cm.exception.response.get("Reason"), "ConcurrentInvocationLimitExceeded")
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 429)
        finally:
            t.join(30)
        self.assertIn("pid", results.get("first", {}))
        self.assertEqual(self.invoke_json("NodeEcho", {"x": 1})["event"], {"x": 1})
