"""AWS's official Node.js runtime interface client (npm `aws-lambda-ric`), unmodified, as the
bootstrap of a `provided` function: proves lambda-local's Runtime API speaks what AWS's own
client expects (long-poll /next, headers, /response, /error, /init/error).

The package is installed once into tests/.cache/ric by tests/install_test_deps.sh (it builds a
native addon, so the first run takes a minute or two)."""
import base64
import json
import os
import shutil
import subprocess
import unittest
from concurrent.futures import ThreadPoolExecutor

from .harness import (ACCOUNT, NODE_CALLBACK, NODE_CJS, NODE_ESM, REGION, REPO_ROOT, EmulatorTestCase,
                      decode_tail, request_id, wait_until)

TESTS_DIR = os.path.join(REPO_ROOT, "tests")
INSTALL_SCRIPT = os.path.join(TESTS_DIR, "install_test_deps.sh")
RIC_DIR = os.environ.get("LAMBDA_LOCAL_RIC_DIR", os.path.join(TESTS_DIR, ".cache", "ric"))
RIC_PACKAGE = os.path.join(RIC_DIR, "node_modules", "aws-lambda-ric")

_install_outcome = []  # [entry point path] once installed


def install_ric() -> str:
    """Installs aws-lambda-ric (idempotent) and returns the path of its bin entry point.

    Raises unittest.SkipTest only when npm itself is missing; any install failure is an error."""
    if _install_outcome:
        return _install_outcome[0]
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise unittest.SkipTest("npm/node are not on PATH: cannot install aws-lambda-ric")
    env = dict(os.environ, LAMBDA_LOCAL_RIC_DIR=RIC_DIR)
    r = subprocess.run(["bash", INSTALL_SCRIPT], cwd=TESTS_DIR, env=env, capture_output=True, text=True,
                       timeout=1200)
    if r.returncode != 0:
        raise AssertionError(f"installing aws-lambda-ric failed (exit {r.returncode}):\n"
                             f"{r.stdout[-4000:]}\n{r.stderr[-4000:]}")
    with open(os.path.join(RIC_PACKAGE, "package.json")) as f:
        bin_field = json.load(f)["bin"]
    entry = bin_field if isinstance(bin_field, str) else (
        bin_field.get("aws-lambda-ric") or next(iter(bin_field.values())))
    path = os.path.normpath(os.path.join(RIC_PACKAGE, entry))
    if not os.path.isfile(path):
        raise AssertionError(f"aws-lambda-ric's bin entry point {path} does not exist")
    _install_outcome.append(path)
    return path


BOOTSTRAP = """#!/bin/sh
# AWS's Node.js runtime interface client, unmodified: node <its bin entry point> <handler>,
# run from the function's code folder.
cd "$LAMBDA_TASK_ROOT" || exit 1
exec node "{entry}" "$_HANDLER"
"""


def ric_function(name, handler, code_uri, extra=""):
    return f"""
  {name}:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      Handler: {handler}
      CodeUri: {code_uri}
      MemorySize: 256
      Timeout: 10{extra}"""


TEMPLATE = "Resources:" + "".join([
    ric_function("RicCjs", "index.handler", "cjs/"),
    ric_function("RicEsm", "index.handler", "esm/"),
    ric_function("RicCallback", "index.handler", "cb/"),
    ric_function("RicMissingHandler", "index.nothere", "cjs/"),
    ric_function("RicMissingModule", "nosuchmodule.handler", "cjs/"),
])


class AwsLambdaRicTest(EmulatorTestCase):
    TEMPLATE = TEMPLATE

    @classmethod
    def setUpClass(cls):
        entry = install_ric()
        bootstrap = BOOTSTRAP.format(entry=entry)
        cls.FILES = {
            "cjs/index.js": NODE_CJS, "cjs/bootstrap": bootstrap,
            "esm/index.mjs": NODE_ESM, "esm/bootstrap": bootstrap,
            "cb/index.js": NODE_CALLBACK, "cb/bootstrap": bootstrap,
        }
        super().setUpClass()

    def arn(self, name):
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"

    def test_sync_invoke_module_styles(self):
        for name, kind in (("RicCjs", "cjs"), ("RicEsm", "esm"), ("RicCallback", "callback")):
            with self.subTest(function=name):
                r = self.invoke(name, {"hello": "ric"})
                self.assertEqual(r["StatusCode"], 200)
                body = json.loads(r["Payload"].read())
                self.assertNotIn("FunctionError", r, body)
                self.assertEqual(body["kind"], kind)
                self.assertEqual(body["event"], {"hello": "ric"})
                self.assertEqual(body["requestId"], request_id(r))

    def test_context(self):
        r = self.invoke("RicCjs", {}, Qualifier="$LATEST")
        body = json.loads(r["Payload"].read())
        self.assertEqual(body["requestId"], request_id(r))
        self.assertEqual(body["functionName"], "RicCjs")
        self.assertEqual(body["functionVersion"], "$LATEST")
        self.assertEqual(str(body["memoryLimitInMB"]), "256")
        self.assertEqual(body["invokedFunctionArn"], self.arn("RicCjs") + ":$LATEST")
        self.assertEqual(body["logGroupName"], "/aws/lambda/RicCjs")
        self.assertRegex(body["logStreamName"], r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")
        self.assertGreater(body["remainingMs"], 8000)
        self.assertLessEqual(body["remainingMs"], 10000)
        self.assertEqual(os.path.realpath(body["cwd"]), self.project.path("cjs"))
        self.assertRegex(body["env"].get("_X_AMZN_TRACE_ID", ""), r"^Root=1-")

    def test_client_context(self):
        cc = {"custom": {"k": "v"}, "env": {"e": "1"}, "client": {"app_title": "t"}}
        body = self.invoke_json("RicCjs", {}, ClientContext=base64.b64encode(json.dumps(cc).encode()).decode())
        self.assertEqual(body["clientContext"], cc)

    def test_warm_reuse(self):
        first = self.invoke_json("RicEsm", {"n": 1})
        second = self.invoke_json("RicEsm", {"n": 2})
        self.assertEqual(first["pid"], second["pid"])
        self.assertEqual(second["invocations"], first["invocations"] + 1)

    def test_parallel_invokes_scale_out(self):
        with ThreadPoolExecutor(3) as pool:
            results = list(pool.map(lambda i: self.invoke_json("RicCallback", {"i": i}), range(3)))
        self.assertEqual(sorted(r["event"]["i"] for r in results), [0, 1, 2])
        self.assertGreaterEqual(len({r["pid"] for r in results}), 2)

    def test_tail_log(self):
        r = self.invoke("RicCjs", {"tail": "ric"}, LogType="Tail")
        log, rid = decode_tail(r), request_id(r)
        self.assertIn(f"START RequestId: {rid} Version: $LATEST", log)
        self.assertIn(f"END RequestId: {rid}", log)
        self.assertIn(f"REPORT RequestId: {rid}", log)
        self.assertRegex(log, rf'(?m)^\S+Z\t{rid}\tINFO\tcjs handler got {{"tail":"ric"}}$')

    def test_handler_error(self):
        body, r = self.invoke_error("RicCjs", {"fail": "from ric"})
        self.assertEqual(body["errorType"], "TypeError")
        self.assertEqual(body["errorMessage"], "node failure: from ric")
        self.assertIsInstance(body.get("trace"), list)
        self.assertEqual(body["trace"][0], "TypeError: node failure: from ric")
        # the environment keeps serving
        self.assertEqual(self.invoke_json("RicCjs", {"ok": True})["event"], {"ok": True})

    def test_callback_error(self):
        body, _ = self.invoke_error("RicCallback", {"fail": "via callback"})
        self.assertEqual(body["errorType"], "TypeError")
        self.assertEqual(body["errorMessage"], "node failure: via callback")

    def test_init_errors(self):
        body, _ = self.invoke_error("RicMissingHandler", {})
        self.assertEqual(body["errorType"], "Runtime.HandlerNotFound")
        body, _ = self.invoke_error("RicMissingModule", {})
        self.assertEqual(body["errorType"], "Runtime.ImportModuleError")

    def test_process_exit(self):
        body, r = self.invoke_error("RicEsm", {"exitCode": 3})
        self.assertEqual(body, {"errorType": "Runtime.ExitError",
                                "errorMessage": f"RequestId: {request_id(r)} Error: Runtime exited with error: "
                                                "exit status 3"})
        self.assertEqual(self.invoke_json("RicEsm", {"after": "exit"})["invocations"], 1)

    def test_event_invoke_runs(self):
        path = self.project.path("ric-event.json")
        r = self.invoke("RicCjs", {"path": path}, InvocationType="Event")
        self.assertEqual(r["StatusCode"], 202)
        self.assertTrue(wait_until(lambda: os.path.exists(path), 20), self.emu.describe_output(30))
        with open(path) as f:
            self.assertEqual(json.load(f)["requestId"], request_id(r))
