"""The Invoke API with every kind of runtime: invocation types, Tail logs, names/ARNs/qualifiers,
unsigned requests, client context and function-to-function calls through the SDK."""
import base64
import json
import os
import re
import shutil
import tempfile
import time

from .harness import (ACCOUNT, BASH_BOOTSTRAP, CPP_ECHO_RUNTIME, NODE_CALLBACK, NODE_CJS, NODE_ESM,
                      NODE_ESM_PACKAGE_JSON, PY_APP, REGION, EmulatorTestCase, FileFrom, decode_tail,
                      payload_json, request_id, wait_until)

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 10
    MemorySize: 256
Resources:
  PyEcho:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.echo, CodeUri: py/}
  PyInfo:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.11, Handler: app.info, CodeUri: py/}
  PyWrite:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.write_file, CodeUri: py/}
  PyNoisy:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.noisy, CodeUri: py/}
  PyCaller:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: caller.handler, CodeUri: caller/}
  NodeCjs:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs18.x, Handler: index.handler, CodeUri: node-cjs/}
  NodeEsm:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: node-esm/}
  NodeEsmPackage:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs22.x, Handler: index.handler, CodeUri: node-esm-pkg/}
  NodeCallback:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: node-cb/}
  ProvidedBash:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      Handler: unused
      CodeUri: bash/
      Environment:
        Variables:
          OUT_DIR: !Ref OutDir
  ProvidedCpp:
    Type: AWS::Serverless::Function
    Properties: {Runtime: provided.al2, Handler: echo, CodeUri: cpp/}
Parameters:
  OutDir:
    Type: String
    Default: OUT_DIR_PLACEHOLDER
"""

CALLER = r'''
import json
import boto3

def handler(event, context):
    # The SDK finds lambda-local through AWS_ENDPOINT_URL, set in the function's environment.
    client = boto3.client("lambda")
    r = client.invoke(FunctionName=event["target"], Payload=json.dumps({"from": context.function_name}))
    return {"status": r["StatusCode"], "payload": json.loads(r["Payload"].read())}
'''

FILES = {
    "py/app.py": PY_APP,
    "caller/caller.py": CALLER,
    "node-cjs/index.js": NODE_CJS,
    "node-esm/index.mjs": NODE_ESM,
    "node-esm-pkg/index.js": NODE_ESM,
    "node-esm-pkg/package.json": NODE_ESM_PACKAGE_JSON,
    "node-cb/index.js": NODE_CALLBACK,
    "bash/bootstrap": BASH_BOOTSTRAP,
    "cpp/bootstrap": FileFrom(CPP_ECHO_RUNTIME),
}

# name -> what its answer to {"hello": "world"} must contain
NODE_KINDS = {"NodeCjs": "cjs", "NodeEsm": "esm", "NodeEsmPackage": "esm", "NodeCallback": "callback"}
ALL_FUNCTIONS = ["PyEcho", *NODE_KINDS, "ProvidedBash", "ProvidedCpp"]


OUT_DIR = ""  # set by InvokeTest.setUpClass: where functions write what they saw


class InvokeTest(EmulatorTestCase):
    FILES = FILES

    @classmethod
    def setUpClass(cls):
        global OUT_DIR
        OUT_DIR = tempfile.mkdtemp(prefix="lambda-local-it-out-")
        cls.TEMPLATE = TEMPLATE.replace("OUT_DIR_PLACEHOLDER", OUT_DIR)
        try:
            super().setUpClass()
        except BaseException:
            shutil.rmtree(OUT_DIR, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            shutil.rmtree(OUT_DIR, ignore_errors=True)

    # ---- RequestResponse ------------------------------------------------------------------
    def test_sync_invoke_python(self):
        r = self.invoke("PyEcho", {"hello": "world"})
        self.assertEqual(r["StatusCode"], 200)
        self.assertEqual(r["ExecutedVersion"], "$LATEST")
        self.assertNotIn("FunctionError", r)
        body = payload_json(r)
        self.assertEqual(body["event"], {"hello": "world"})
        self.assertEqual(body["requestId"], request_id(r))

    def test_sync_invoke_node_module_styles(self):
        for name, kind in NODE_KINDS.items():
            with self.subTest(function=name):
                r = self.invoke(name, {"hello": "world"})
                self.assertEqual(r["StatusCode"], 200)
                self.assertEqual(r["ExecutedVersion"], "$LATEST")
                self.assertNotIn("FunctionError", r)
                body = payload_json(r)
                self.assertEqual(body["kind"], kind)
                self.assertEqual(body["event"], {"hello": "world"})
                self.assertEqual(body["requestId"], request_id(r))

    def test_sync_invoke_provided_bash(self):
        body = self.invoke_json("ProvidedBash", {"hello": "world"})
        self.assertEqual(body["kind"], "bash")
        self.assertEqual(body["event"], {"hello": "world"})

    def test_sync_invoke_provided_cpp_echo(self):
        event = {"hello": "world", "nested": {"list": [1, 2, 3]}, "unicode": "h\u00e9llo \u2603"}
        self.assertEqual(self.invoke_json("ProvidedCpp", event), event)

    def test_empty_payload_is_an_empty_object(self):
        r = self.lam.invoke(FunctionName="PyEcho")
        self.assertEqual(payload_json(r)["event"], {})

    def test_non_object_json_payloads(self):
        for event in ([1, 2, 3], "a string", 42, None, True):
            with self.subTest(event=event):
                self.assertEqual(self.invoke_json("PyEcho", Payload=json.dumps(event))["event"], event)

    def test_response_request_id_is_the_functions_request_id(self):
        for name in ["PyEcho", "NodeCjs", "ProvidedBash"]:
            with self.subTest(function=name):
                r = self.invoke(name, {})
                rid = request_id(r)
                self.assertRegex(rid, r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
                self.assertEqual(payload_json(r)["requestId"], rid)

    # ---- Event / DryRun -------------------------------------------------------------------
    def test_event_invoke_returns_202_for_every_runtime(self):
        for name in ALL_FUNCTIONS:
            with self.subTest(function=name):
                r = self.invoke(name, {"async": True}, InvocationType="Event")
                self.assertEqual(r["StatusCode"], 202)
                self.assertEqual(r["Payload"].read(), b"")
                self.assertNotIn("FunctionError", r)

    def test_event_invoke_actually_runs_the_function(self):
        for name in ["PyWrite", "NodeCjs", "NodeEsm", "NodeCallback"]:
            with self.subTest(function=name):
                path = os.path.join(OUT_DIR, f"event-{name}.json")
                r = self.invoke(name, {"path": path, "marker": name}, InvocationType="Event")
                self.assertEqual(r["StatusCode"], 202)
                self.assertTrue(wait_until(lambda: os.path.exists(path), 15),
                                f"{name} did not run for an Event invoke\n" + self.emu.describe_output(40))
                with open(path) as f:
                    written = json.load(f)
                self.assertEqual(written["event"]["marker"], name)
                # The 202's request id is the one the function sees, as in AWS.
                self.assertEqual(written["requestId"], request_id(r))

    def test_event_invoke_runs_provided_function(self):
        r = self.invoke("ProvidedBash", {"marker": "bash-async"}, InvocationType="Event")
        self.assertEqual(r["StatusCode"], 202)
        path = os.path.join(OUT_DIR, request_id(r) + ".json")
        self.assertTrue(wait_until(lambda: os.path.exists(path), 15),
                        "the bash runtime never got the Event invoke\n" + self.emu.describe_output(40))
        with open(path) as f:
            self.assertEqual(json.load(f), {"marker": "bash-async"})

    def test_dry_run_returns_204_and_does_not_run(self):
        path = os.path.join(OUT_DIR, "dry-run.json")
        for name in ALL_FUNCTIONS + ["PyWrite"]:
            with self.subTest(function=name):
                r = self.invoke(name, {"path": path}, InvocationType="DryRun")
                self.assertEqual(r["StatusCode"], 204)
                self.assertEqual(r["Payload"].read(), b"")
        time.sleep(1.0)
        self.assertFalse(os.path.exists(path), "a DryRun invoke ran the function")

    def test_dry_run_of_unknown_function_is_404(self):
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.invoke(FunctionName="NoSuchFunction", InvocationType="DryRun")

    # ---- Tail logs ------------------------------------------------------------------------
    def assert_tail(self, r, function_line_regex):
        self.assertIn("LogResult", r)
        log = decode_tail(r)
        rid = request_id(r)
        lines = log.splitlines()
        start = [i for i, l in enumerate(lines) if l == f"START RequestId: {rid} Version: $LATEST"]
        end = [i for i, l in enumerate(lines) if l == f"END RequestId: {rid}"]
        report = [i for i, l in enumerate(lines) if l.startswith(f"REPORT RequestId: {rid}\t")]
        printed = [i for i, l in enumerate(lines) if re.search(function_line_regex, l)]
        self.assertTrue(start and end and report and printed, f"incomplete tail log:\n{log}")
        self.assertLess(start[0], printed[0], log)
        self.assertLess(printed[-1], end[0], log)
        self.assertLess(end[0], report[0], log)
        self.assertRegex(lines[report[0]], r"\tDuration: [0-9.]+ ms\tBilled Duration: \d+ ms\t"
                                           r"Memory Size: 256 MB\tMax Memory Used: \d+ MB", log)
        return log

    def test_tail_log_python(self):
        r = self.invoke("PyEcho", {"tail": "python"}, LogType="Tail")
        self.assert_tail(r, r'^echo handler got \{"tail": "python"\}$')

    def test_tail_log_node(self):
        r = self.invoke("NodeEsm", {"tail": "node"}, LogType="Tail")
        log = self.assert_tail(r, r'esm handler got \{"tail":"node"\}')
        rid = request_id(r)
        self.assertRegex(log, r"(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t" + rid +
                         r'\tINFO\tesm handler got \{"tail":"node"\}$')

    def test_tail_log_provided(self):
        r = self.invoke("ProvidedBash", {"tail": "bash"}, LogType="Tail")
        self.assert_tail(r, r'^bash handler got \{"tail": "bash"\}$')  # the raw payload boto3 sent

    def test_tail_log_is_the_last_4_kb(self):
        r = self.invoke("PyNoisy", {}, LogType="Tail")
        raw = base64.b64decode(r["LogResult"])
        self.assertLessEqual(len(raw), 4096)
        self.assertGreater(len(raw), 3000)
        log = raw.decode()
        self.assertIn("LAST-FUNCTION-LINE", log)
        self.assertIn(f"REPORT RequestId: {request_id(r)}", log)
        self.assertNotIn("noise line 000", log)

    def test_no_log_result_without_tail(self):
        r = self.invoke("PyEcho", {})
        self.assertNotIn("LogResult", r)
        r = self.invoke("PyEcho", {}, LogType="None")
        self.assertNotIn("LogResult", r)

    def test_function_output_goes_to_emulator_stdout(self):
        marker = "stdout-marker-%d" % time.time_ns()
        r = self.invoke("PyEcho", {"m": marker})
        rid = request_id(r)
        self.assertTrue(self.emu.wait_for_line(r"^\[PyEcho\] echo handler got .*" + marker, 5),
                        self.emu.describe_output(20))
        self.assertTrue(self.emu.wait_for_line(r"^\[PyEcho\] START RequestId: " + rid + r" Version: \$LATEST$", 5))
        self.assertTrue(self.emu.wait_for_line(r"^\[PyEcho\] END RequestId: " + rid + "$", 5))
        self.assertTrue(self.emu.wait_for_line(r"^\[PyEcho\] REPORT RequestId: " + rid + "\t", 5))

    # ---- names, ARNs, qualifiers ----------------------------------------------------------
    def arn(self, name):
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"

    def test_invoke_by_full_arn(self):
        body = self.invoke_json(self.arn("PyInfo"), {})
        self.assertEqual(body["context"]["function_name"], "PyInfo")
        self.assertEqual(body["context"]["invoked_function_arn"], self.arn("PyInfo"))

    def test_invoke_by_partial_arn(self):
        body = self.invoke_json(f"{ACCOUNT}:function:PyInfo", {})
        self.assertEqual(body["context"]["function_name"], "PyInfo")

    def test_invoke_with_qualifier_latest(self):
        r = self.invoke("PyInfo", {}, Qualifier="$LATEST")
        self.assertEqual(r["ExecutedVersion"], "$LATEST")
        body = payload_json(r)
        self.assertEqual(body["context"]["invoked_function_arn"], self.arn("PyInfo") + ":$LATEST")

    def test_invoke_with_qualified_name_and_arn(self):
        for ref in ["PyInfo:$LATEST", self.arn("PyInfo") + ":$LATEST"]:
            with self.subTest(ref=ref):
                body = self.invoke_json(ref, {})
                self.assertEqual(body["context"]["function_name"], "PyInfo")
                self.assertEqual(body["context"]["invoked_function_arn"], self.arn("PyInfo") + ":$LATEST")

    def test_invoke_by_name_gives_unqualified_invoked_arn(self):
        body = self.invoke_json("PyInfo", {})
        self.assertEqual(body["context"]["invoked_function_arn"], self.arn("PyInfo"))

    def test_node_and_provided_by_arn(self):
        self.assertEqual(self.invoke_json(self.arn("NodeCjs"), {})["invokedFunctionArn"], self.arn("NodeCjs"))
        self.assertEqual(self.invoke_json(self.arn("ProvidedCpp"), {"x": 1}), {"x": 1})

    # ---- unsigned (curl-style) requests ---------------------------------------------------
    def test_unsigned_post(self):
        status, headers, body = self.emu.post(self.emu.invoke_path("PyEcho"), b'{"via": "curl"}')
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["X-Amz-Executed-Version"], "$LATEST")
        self.assertIsNone(headers.get("X-Amz-Function-Error"))
        data = json.loads(body)
        self.assertEqual(data["event"], {"via": "curl"})
        self.assertEqual(data["requestId"], headers["x-amzn-RequestId"])

    def test_unsigned_post_with_headers(self):
        status, _, body = self.emu.post(self.emu.invoke_path("PyEcho"), b"{}",
                                        {"X-Amz-Invocation-Type": "Event"})
        self.assertEqual(status, 202)
        self.assertEqual(body, b"")
        status, _, body = self.emu.post(self.emu.invoke_path("PyEcho"), b"{}",
                                        {"X-Amz-Invocation-Type": "DryRun"})
        self.assertEqual(status, 204)
        status, headers, body = self.emu.post(self.emu.invoke_path("NodeCjs"), b'{"a":1}',
                                              {"X-Amz-Log-Type": "Tail", "Content-Type": "application/json"})
        self.assertEqual(status, 200)
        self.assertIn("START RequestId:", base64.b64decode(headers["X-Amz-Log-Result"]).decode())

    def test_unsigned_post_by_url_encoded_arn(self):
        arn = self.arn("PyEcho").replace(":", "%3A")
        status, _, body = self.emu.post(self.emu.invoke_path(arn), b'{"arn": true}')
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["event"], {"arn": True})

    # ---- client context -------------------------------------------------------------------
    CLIENT_CONTEXT = {
        "custom": {"tenant": "acme", "n": 7},
        "env": {"platform": "it-tests"},
        "client": {"installation_id": "inst-1", "app_title": "lambda-local tests"},
    }

    def encoded_client_context(self):
        return base64.b64encode(json.dumps(self.CLIENT_CONTEXT).encode()).decode()

    def test_client_context_python(self):
        body = self.invoke_json("PyInfo", {}, ClientContext=self.encoded_client_context())
        cc = body["client_context"]
        self.assertIsNotNone(cc, "context.client_context is None")
        self.assertEqual(cc["custom"], {"tenant": "acme", "n": 7})
        self.assertEqual(cc["env"], {"platform": "it-tests"})
        self.assertEqual(cc["client"], {"installation_id": "inst-1", "app_title": "lambda-local tests"})

    def test_client_context_node(self):
        body = self.invoke_json("NodeCjs", {}, ClientContext=self.encoded_client_context())
        self.assertEqual(body["clientContext"], self.CLIENT_CONTEXT)

    def test_no_client_context(self):
        self.assertIsNone(self.invoke_json("PyInfo", {})["client_context"])

    # ---- function-to-function and control plane reads -------------------------------------
    def test_function_invokes_another_function_through_the_sdk(self):
        body = self.invoke_json("PyCaller", {"target": "PyEcho"})
        self.assertEqual(body["status"], 200)
        self.assertEqual(body["payload"]["event"], {"from": "PyCaller"})

    def test_list_and_get_functions(self):
        names = sorted(f["FunctionName"] for f in self.lam.list_functions()["Functions"])
        self.assertEqual(names, sorted(["PyEcho", "PyInfo", "PyWrite", "PyNoisy", "PyCaller", "NodeCjs",
                                        "NodeEsm", "NodeEsmPackage", "NodeCallback", "ProvidedBash",
                                        "ProvidedCpp"]))
        cfg = self.lam.get_function(FunctionName="PyEcho")["Configuration"]
        self.assertEqual(cfg["FunctionArn"], self.arn("PyEcho"))
        self.assertEqual(cfg["Runtime"], "python3.12")
        self.assertEqual(cfg["MemorySize"], 256)
        self.assertEqual(cfg["Timeout"], 10)
