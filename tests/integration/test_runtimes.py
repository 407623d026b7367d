"""Runtime fidelity: the Python and Node.js runtime clients load handlers, log and marshal
results the way AWS's managed runtimes do; every supported runtime version name starts."""
import json
import time

from .harness import NODE_CJS, PY_APP, EmulatorTestCase, decode_tail, payload_json, request_id

PY_VERSIONS = ["python3.9", "python3.10", "python3.11", "python3.12", "python3.13"]
NODE_VERSIONS = ["nodejs18.x", "nodejs20.x", "nodejs22.x"]


def function(name, runtime, handler, code_uri, extra=""):
    return f"""
  {name}:
    Type: AWS::Serverless::Function
    Properties: {{Runtime: {runtime}, Handler: {handler}, CodeUri: {code_uri}{extra}}}"""


TEMPLATE = "Resources:" + "".join(
    [function("Py" + v.replace("python3.", "3"), v, "app.info", "py/") for v in PY_VERSIONS]
    + [function("Node" + v.replace("nodejs", "").replace(".x", ""), v, "index.handler", "node/")
       for v in NODE_VERSIONS]
    + [
        function("PyLogging", "python3.12", "logs.handler", "py/"),
        function("PyUnicode312", "python3.12", "uni.handler", "py/"),
        function("PyUnicode311", "python3.11", "uni.handler", "py/"),
        function("PyPackageDots", "python3.12", "pkg.sub.mod.handler", "py/"),
        function("PyPackageSlashes", "python3.12", "pkg/sub/mod.handler", "py/"),
        function("PyVendored", "python3.12", "uses_vendored.handler", "py/"),
        function("NodeNested", "nodejs20.x", "src/handlers/main.run", "node/"),
        function("NodeTopLevelAwait", "nodejs20.x", "tla.handler", "node/"),
        function("NodeUndefined", "nodejs20.x", "misc.returnsNothing", "node/"),
        function("NodeLevels", "nodejs20.x", "misc.levels", "node/"),
        function("NodeWaits", "nodejs20.x", "misc.waitsForTimer", "node/", ", Timeout: 10"),
        function("NodeNoWait", "nodejs20.x", "misc.doesNotWait", "node/", ", Timeout: 10"),
    ])

PY_LOGS = r'''
import logging
import sys

logger = logging.getLogger()

def handler(event, context):
    logger.warning("a warning from logging")
    logger.error("an error from logging")
    print("to stderr", file=sys.stderr)
    print("to stdout")
    return {"ok": True}
'''

PY_UNICODE = r'''
def handler(event, context):
    return {"text": "h\u00e9llo \u2603"}
'''

PY_PKG_MOD = r'''
def handler(event, context):
    return {"module": __name__}
'''

PY_USES_VENDORED = r'''
import vendored_lib

def handler(event, context):
    return {"answer": vendored_lib.ANSWER}
'''

NODE_NESTED = r'''
exports.run = async () => ({ nested: true, file: __filename });
'''

NODE_TLA = r'''
const config = await new Promise((resolve) => setTimeout(() => resolve({ loaded: 'at init' }), 10));
export const handler = async () => ({ config });
'''

NODE_MISC = r'''
exports.returnsNothing = async () => {};

exports.levels = async () => {
  console.info('info line');
  console.warn('warn line');
  console.error('error line');
  return 'ok';
};

// Default callbackWaitsForEmptyEventLoop: the response waits for the pending timer.
exports.waitsForTimer = (event, context, callback) => {
  setTimeout(() => {}, 1500);
  callback(null, { waited: true });
};

// callbackWaitsForEmptyEventLoop = false: answer at once, leave the timer pending.
exports.doesNotWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => {}, 6000);
  callback(null, { waited: false });
};
'''


class RuntimesTest(EmulatorTestCase):
    TEMPLATE = TEMPLATE
    FILES = {
        "py/app.py": PY_APP,
        "py/logs.py": PY_LOGS,
        "py/uni.py": PY_UNICODE,
        "py/pkg/__init__.py": "",
        "py/pkg/sub/__init__.py": "",
        "py/pkg/sub/mod.py": PY_PKG_MOD,
        "py/vendored_lib/__init__.py": "ANSWER = 42\n",
        "py/uses_vendored.py": PY_USES_VENDORED,
        "node/index.js": NODE_CJS,
        "node/src/handlers/main.js": NODE_NESTED,
        "node/tla.mjs": NODE_TLA,
        "node/misc.js": NODE_MISC,
    }

    def test_every_python_version(self):
        for version in PY_VERSIONS:
            name = "Py" + version.replace("python3.", "3")
            with self.subTest(runtime=version):
                body = self.invoke_json(name, {})
                self.assertEqual(body["env"]["AWS_EXECUTION_ENV"], f"AWS_Lambda_{version}")
                self.assertEqual(body["context"]["function_name"], name)

    def test_every_node_version(self):
        for version in NODE_VERSIONS:
            name = "Node" + version.replace("nodejs", "").replace(".x", "")
            with self.subTest(runtime=version):
                body = self.invoke_json(name, {"v": version})
                self.assertEqual(body["env"]["AWS_EXECUTION_ENV"], f"AWS_Lambda_{version}")
                self.assertEqual(body["event"], {"v": version})

    def test_python_logging_and_stderr(self):
        r = self.invoke("PyLogging", {}, LogType="Tail")
        self.assertNotIn("FunctionError", r)
        log = decode_tail(r)
        rid = request_id(r)
        ts = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
        self.assertRegex(log, rf"(?m)^\[WARNING\]\t{ts}\t{rid}\ta warning from logging$")
        self.assertRegex(log, rf"(?m)^\[ERROR\]\t{ts}\t{rid}\tan error from logging$")
        self.assertRegex(log, r"(?m)^to stderr$")
        self.assertRegex(log, r"(?m)^to stdout$")

    def test_python_unicode_marshalling_by_version(self):
        # python3.12+ return raw UTF-8; older runtimes \u-escape non-ASCII characters.
        raw312 = self.lam.invoke(FunctionName="PyUnicode312")["Payload"].read()
        raw311 = self.lam.invoke(FunctionName="PyUnicode311")["Payload"].read()
        self.assertIn("h\u00e9llo \u2603".encode(), raw312)
        self.assertIn(b"h\\u00e9llo \\u2603", raw311)
        self.assertEqual(json.loads(raw312), json.loads(raw311))

    def test_python_handler_in_a_package(self):
        self.assertEqual(self.invoke_json("PyPackageDots", {}), {"module": "pkg.sub.mod"})
        self.assertEqual(self.invoke_json("PyPackageSlashes", {}), {"module": "pkg.sub.mod"})

    def test_python_imports_vendored_packages_from_code_folder(self):
        self.assertEqual(self.invoke_json("PyVendored", {}), {"answer": 42})

    def test_node_handler_in_a_subfolder(self):
        body = self.invoke_json("NodeNested", {})
        self.assertTrue(body["nested"])
        self.assertTrue(body["file"].endswith("/node/src/handlers/main.js"), body)

    def test_node_esm_top_level_await(self):
        self.assertEqual(self.invoke_json("NodeTopLevelAwait", {}), {"config": {"loaded": "at init"}})

    def test_node_undefined_result_is_null(self):
        r = self.lam.invoke(FunctionName="NodeUndefined")
        self.assertNotIn("FunctionError", r)
        self.assertEqual(r["Payload"].read(), b"null")

    def test_node_console_levels(self):
        r = self.invoke("NodeLevels", {}, LogType="Tail")
        self.assertEqual(payload_json(r), "ok")
        log, rid = decode_tail(r), request_id(r)
        for level, text in (("INFO", "info line"), ("WARN", "warn line"), ("ERROR", "error line")):
            self.assertRegex(log, rf"(?m)^\S+Z\t{rid}\t{level}\t{text}$")

    def test_node_callback_waits_for_empty_event_loop(self):
        started = time.monotonic()
        self.assertEqual(self.invoke_json("NodeWaits", {}), {"waited": True})
        self.assertGreaterEqual(time.monotonic() - started, 1.4, "responded before the event loop drained")

    def test_node_callback_without_waiting(self):
        started = time.monotonic()
        self.assertEqual(self.invoke_json("NodeNoWait", {}), {"waited": False})
        self.assertLess(time.monotonic() - started, 5.0, "waited for the event loop despite "
                                                         "callbackWaitsForEmptyEventLoop = false")
        # the environment is still usable afterwards
        self.assertEqual(self.invoke_json("NodeNoWait", {}), {"waited": False})
