"""Start-up and shut-down: SIGTERM/SIGINT stop the emulator with exit 0 and leave no function
process behind; idle environments are reclaimed; requests for services lambda-local does not
serve fail fast with an AWS-shaped error."""
import json
import os
import re
import signal
import threading
import time
import unittest

import botocore.exceptions

from .harness import (BASH_BOOTSTRAP, NODE_CJS, PY_APP, Emulator, Project, payload_json, pid_alive,
                      wait_until)

TEMPLATE = """
Resources:
  PySpawn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.spawn, CodeUri: py/}
  PySleep:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.sleep, CodeUri: py/, Timeout: 60}
  PyEcho:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.echo, CodeUri: py/}
  NodeEcho:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: node/}
  BashEcho:
    Type: AWS::Serverless::Function
    Properties: {Runtime: provided.al2023, Handler: unused, CodeUri: bash/}
"""
FILES = {"py/app.py": PY_APP, "node/index.js": NODE_CJS, "bash/bootstrap": BASH_BOOTSTRAP}


class ShutdownTest(unittest.TestCase):
    def setUp(self):
        self.project = Project(TEMPLATE, FILES)
        self.addCleanup(self.project.cleanup)
        self.emu = Emulator(self.project).start()
        self.addCleanup(self.emu.kill)

    def post_json(self, function, event, timeout=60):
        # urllib sends Connection: close, so no idle keep-alive connection stays behind.
        status, _, body = self.emu.post(self.emu.invoke_path(function), json.dumps(event), timeout=timeout)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def memory_cgroup(self):
        line = self.emu.wait_for_line(r"^memory limit: memory cgroup", 0)
        m = re.search(r"\((/sys/fs/cgroup/[^)]+)\)", line or "")
        return m.group(1) if m else None

    def assert_all_gone(self, pids):
        leftover = wait_until(lambda: not any(pid_alive(p) for p in pids), 5) is None
        alive = [p for p in pids if pid_alive(p)]
        details = {p: open(f"/proc/{p}/cmdline").read().replace("\0", " ") for p in alive
                   if os.path.exists(f"/proc/{p}/cmdline")}
        self.assertFalse(leftover, f"function processes left after stop: {details}")

    def test_sigterm_stops_everything(self):
        spawned = self.post_json("PySpawn", {"pidfile": self.project.path("spawn.json")})
        pids = {"python": spawned["pid"], "grandchild": spawned["child"],
                "node": self.post_json("NodeEcho", {})["pid"],
                "bash": self.post_json("BashEcho", {})["pid"]}
        for what, pid in pids.items():
            self.assertTrue(pid_alive(pid), f"{what} process {pid} is not running before the stop")

        # One invoke in flight when the signal arrives.
        in_flight = {}
        sleep_pidfile = self.project.path("sleep.pid")

        def call():
            try:
                in_flight["result"] = self.emu.post(self.emu.invoke_path("PySleep"),
                                                    json.dumps({"seconds": 30, "pidfile": sleep_pidfile}),
                                                    timeout=60)
            except Exception as e:  # a dropped connection is an acceptable answer too
                in_flight["result"] = e
        t = threading.Thread(target=call, daemon=True)
        t.start()
        self.assertTrue(wait_until(lambda: os.path.exists(sleep_pidfile), 15), "in-flight invoke never started")
        with open(sleep_pidfile) as f:
            pids["busy"] = int(f.read())

        cgroup = self.memory_cgroup()
        started = time.monotonic()
        self.emu.stop_and_check(self)
        self.assertLess(time.monotonic() - started, 15)
        self.assertIn("lambda-local: Terminated received, stopping", self.emu.output())
        t.join(10)
        self.assertFalse(t.is_alive(), "the in-flight request never got an answer")
        result = in_flight["result"]
        if isinstance(result, tuple):  # answered (rather than dropped): not as a success
            status, headers, body = result
            self.assertTrue(status >= 500 or headers.get("X-Amz-Function-Error"),
                            f"killed invoke answered as a success: {status} {body!r}")
        self.assert_all_gone(list(pids.values()))
        if cgroup:
            self.assertFalse(os.path.exists(cgroup), f"memory cgroup {cgroup} left behind")

    def test_sigint_stops_everything(self):
        pids = [self.post_json("PyEcho", {})["pid"], self.post_json("NodeEcho", {})["pid"]]
        self.emu.stop_and_check(self, sig=signal.SIGINT)
        self.assert_all_gone(pids)

    def test_sigterm_with_an_idle_sdk_connection_is_prompt(self):
        # A boto3 client keeps its connection open between calls, as any SDK user's does.
        lam = self.emu.lambda_client()
        pid = payload_json(lam.invoke(FunctionName="PyEcho", Payload=b"{}"))["pid"]
        started = time.monotonic()
        rc = self.emu.stop(timeout=10, close_clients=False)
        elapsed = time.monotonic() - started
        self.assertEqual(rc, 0, f"lambda-local had not exited 10 s after SIGTERM while an SDK client "
                                f"held an idle keep-alive connection\n" + self.emu.describe_output(10))
        self.assertLess(elapsed, 10)
        self.assert_all_gone([pid])

    def test_stop_right_after_start(self):
        self.emu.stop_and_check(self)


class IdleTimeoutTest(unittest.TestCase):
    def test_idle_environment_is_reclaimed(self):
        project = Project(TEMPLATE, FILES)
        self.addCleanup(project.cleanup)
        with Emulator(project, ["--idle-timeout", "1"]) as emu:
            def pid_of(fn):
                status, _, body = emu.post(emu.invoke_path(fn), b"{}")
                self.assertEqual(status, 200, body)
                return json.loads(body)["pid"]
            first = pid_of("PyEcho")
            self.assertTrue(wait_until(lambda: not pid_alive(first), 15),
                            "an environment idle past --idle-timeout was not shut down")
            second = pid_of("PyEcho")
            self.assertNotEqual(first, second)
            self.assertTrue(pid_alive(second) or wait_until(lambda: not pid_alive(second), 15))


class UnservedServicesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.project = Project(TEMPLATE, FILES)
        cls.emu = Emulator(cls.project).start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.emu.stop_and_check()
        finally:
            cls.emu.kill()
            cls.project.cleanup()

    def check_not_implemented(self, service, call):
        # A request that hung would end in a read timeout, not a ClientError.
        client = self.emu.client(service, read_timeout=20)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            call(client)
        err = cm.exception.response
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 501, err)
        self.assertEqual(err["Error"]["Code"], "NotImplemented", err)

    def test_kinesis(self):
        self.check_not_implemented("kinesis", lambda c: c.list_streams())

    def test_dynamodb(self):
        self.check_not_implemented("dynamodb", lambda c: c.list_tables())

    def test_a_query_protocol_service(self):
        self.check_not_implemented("cloudformation", lambda c: c.list_stacks())

    def test_lambda_still_served_afterwards(self):
        self.check_not_implemented("cloudformation", lambda c: c.list_stacks())
        status, _, body = self.emu.post(self.emu.invoke_path("PyEcho"), b'{"still": "here"}')
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["event"], {"still": "here"})
