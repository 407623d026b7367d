"""Tests for bootstrap.py against a fake Lambda Runtime API (standard library only).

Run from the repository root:  python3 -m unittest emulator/runtimes/python/bootstrap_test.py
"""
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest

BOOTSTRAP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bootstrap.py")
NBSP = "\u00a0"
LOG_LINE = r"\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t%s\t%s"


class FakeRuntimeAPI:
    """Hands out queued invocations on /next and records every request it gets.

    Each queued invocation is (request_id, body_bytes, extra_headers, close_after_post).
    Once the queue is empty, /next blocks until stop() so the runtime just idles.
    """

    def __init__(self, invocations, stdout_path):
        self.queue = list(invocations)
        self.requests = []
        self.clients = set()  # distinct client (host, port) pairs = TCP connections used
        self.idle = threading.Event()
        self.stopping = threading.Event()
        self.stdout_path = stdout_path
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like the emulator

            def log_message(self, *args):
                pass

            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with open(api.stdout_path, "rb") as f:  # what the runtime had flushed by now
                    stdout_so_far = f.read().decode("utf-8", "replace")
                api.clients.add(self.client_address)
                api.requests.append({"method": self.command, "path": self.path, "headers": self.headers,
                                     "body": body, "stdout": stdout_so_far})

            def _reply(self, status, body=b"", headers=()):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self._record()
                if not api.queue:
                    api.idle.set()
                    api.stopping.wait(30)
                    self.close_connection = True
                    return
                req_id, body, extra, _ = api.queue[0]
                headers = [("Lambda-Runtime-Aws-Request-Id", req_id),
                           ("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000)),
                           ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:fn"),
                           ("Content-Type", "application/json")]
                headers = [(k, v) for k, v in headers if k not in extra] + [(k, v) for k, v in extra.items() if v]
                self._reply(200, body, headers)

            def do_POST(self):
                self._record()
                close = False
                if "/invocation/" in self.path and api.queue:
                    close = api.queue.pop(0)[3]
                self._reply(202, b'{"status":"OK"}')
                if close:  # drop the keep-alive connection without warning the client
                    self.close_connection = True

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.address = "127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def posts(self):
        return [r for r in self.requests if r["method"] == "POST"]


class BootstrapTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.task = os.path.join(self.tmp.name, "task")
        os.mkdir(self.task)
        self.stdout_path = os.path.join(self.tmp.name, "stdout.txt")
        open(self.stdout_path, "wb").close()

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, relpath, source):
        path = os.path.join(self.task, relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(source))
        return path

    def run_runtime(self, handler, invocations=(), env=None, expect_exit=False):
        """Runs bootstrap.py until it exits or idles on /next; returns (api, exit_code, stdout, stderr)."""
        api = FakeRuntimeAPI(invocations, self.stdout_path)
        child_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "_X_AMZN", "PYTHON"))}
        child_env.update({
            "_HANDLER": handler, "AWS_LAMBDA_RUNTIME_API": api.address, "LAMBDA_TASK_ROOT": self.task,
            "AWS_LAMBDA_FUNCTION_NAME": "fn", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$LATEST]abc", "AWS_REGION": "us-east-1",
            "_X_AMZN_TRACE_ID": "stale-trace"})
        child_env.update(env or {})
        with open(self.stdout_path, "wb") as out:
            proc = subprocess.Popen([sys.executable, BOOTSTRAP], cwd=self.task, env=child_env,
                                    stdout=out, stderr=subprocess.PIPE)
        try:
            if expect_exit:
                code = proc.wait(timeout=20)
            else:
                deadline = time.time() + 20
                while not api.idle.is_set() and proc.poll() is None and time.time() < deadline:
                    time.sleep(0.01)
                if proc.poll() is not None:
                    self.fail("runtime exited early: %s" % proc.stderr.read().decode())
                self.assertTrue(api.idle.is_set(), "runtime never came back to /next")
                proc.kill()
                code = proc.wait(timeout=20)
            stderr = proc.stderr.read().decode()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stderr.close()
            api.stop()
        with open(self.stdout_path, "rb") as f:
            stdout = f.read().decode()
        return api, code, stdout, stderr

    # ---- invocations -------------------------------------------------------------------------

    def test_invocations_context_logging_and_errors(self):
        app = self.write("app.py", """\
            import decimal, logging, os, sys
            logger = logging.getLogger()

            def helper():
                raise ValueError("boom")

            def handler(event, context):
                mode = event["mode"]
                print("print from", context.aws_request_id)
                print("partial line", end="")
                logger.warning("warn %s", mode)
                logger.info("info is below the default level")
                if mode == "raise":
                    helper()
                if mode == "marshal":
                    return {"s": {1, 2}}
                if mode == "none":
                    return None
                if mode == "bytes":
                    return b"raw\\x00bytes"
                if mode == "decimal":
                    return {"i": decimal.Decimal("3"), "f": decimal.Decimal("1.5"), "u": "h\\u00e9 \\u2603"}
                cc, ident = context.client_context, context.identity
                return {
                    "event": event, "request_id": context.aws_request_id,
                    "function_name": context.function_name, "function_version": context.function_version,
                    "arn": context.invoked_function_arn, "memory": context.memory_limit_in_mb,
                    "log_group": context.log_group_name, "log_stream": context.log_stream_name,
                    "remaining": context.get_remaining_time_in_millis(), "tenant": context.tenant_id,
                    "identity": [ident.cognito_identity_id, ident.cognito_identity_pool_id],
                    "client_context": cc and [cc.custom, cc.env, cc.client.installation_id],
                    "trace": os.environ.get("_X_AMZN_TRACE_ID"), "path0": sys.path[0],
                    "bootstrap_dir_on_path": any(p.endswith("runtimes/python") for p in sys.path),
                }
            """)
        client_context = {"client": {"installation_id": "inst-1"}, "custom": {"k": "v\u00e9"}, "env": {"os": "x"}}
        cognito = {"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}
        invocations = [
            ("req-1", b'{"mode": "ctx", "n": 1}', {
                "Lambda-Runtime-Trace-Id": "Root=1-abc;Sampled=1",
                # Raw UTF-8 on the wire (send_header writes latin-1, so pre-encode).
                "Lambda-Runtime-Client-Context": json.dumps(client_context, ensure_ascii=False).encode().decode("latin-1"),
                "Lambda-Runtime-Cognito-Identity": json.dumps(cognito),
                "Lambda-Runtime-Aws-Tenant-Id": "tenant-a"}, True),  # server drops the connection after
            ("req-2", b'{"mode": "ctx"}', {"Lambda-Runtime-Deadline-Ms": "1000"}, False),
            ("req-3", b'{"mode": "raise"}', {}, False),
            ("req-4", b'{"mode": "marshal"}', {}, False),
            ("req-5", b'{"mode": "none"}', {}, False),
            ("req-6", b'{"mode": "bytes"}', {}, False),
            ("req-7", b'{"mode": "decimal"}', {}, False),
        ]
        api, _, stdout, stderr = self.run_runtime("app.handler", invocations)
        self.assertEqual(stderr, "")
        posts = api.posts()
        self.assertEqual([p["path"] for p in posts], [
            "/2018-06-01/runtime/invocation/req-1/response", "/2018-06-01/runtime/invocation/req-2/response",
            "/2018-06-01/runtime/invocation/req-3/error", "/2018-06-01/runtime/invocation/req-4/error",
            "/2018-06-01/runtime/invocation/req-5/response", "/2018-06-01/runtime/invocation/req-6/response",
            "/2018-06-01/runtime/invocation/req-7/response"])
        # One keep-alive connection, plus exactly one reconnect after the server dropped it.
        self.assertEqual(len(api.clients), 2)

        # req-1: every context field.
        first = json.loads(posts[0]["body"])
        self.assertEqual(posts[0]["headers"]["Content-Type"], "application/json")
        self.assertGreater(first.pop("remaining"), 25000)
        self.assertEqual(first, {
            "event": {"mode": "ctx", "n": 1}, "request_id": "req-1", "function_name": "fn",
            "function_version": "$LATEST", "arn": "arn:aws:lambda:us-east-1:000000000000:function:fn",
            "memory": "256", "log_group": "/aws/lambda/fn", "log_stream": "2024/01/01/[$LATEST]abc",
            "tenant": "tenant-a", "identity": ["id-1", "pool-1"],
            "client_context": [{"k": "v\u00e9"}, {"os": "x"}, "inst-1"], "trace": "Root=1-abc;Sampled=1",
            "path0": self.task, "bootstrap_dir_on_path": False})
        # Output printed by the handler was flushed before the response was posted.
        self.assertIn("print from req-1\npartial line", posts[0]["stdout"])
        self.assertRegex(posts[0]["stdout"], LOG_LINE % ("req-1", "warn ctx"))

        # req-2: expired deadline, no optional headers -> trace id removed, empty identity.
        second = json.loads(posts[1]["body"])
        self.assertEqual((second["remaining"], second["trace"], second["tenant"]), (0, None, None))
        self.assertEqual((second["identity"], second["client_context"]), ([None, None], None))

        # req-3: handler exception.
        with open(app) as f:
            lines = f.read().splitlines()
        raise_line = lines.index('    raise ValueError("boom")') + 1
        call_line = lines.index("        helper()") + 1
        frames = ['  File "%s", line %d, in handler\n    helper()\n' % (app, call_line),
                  '  File "%s", line %d, in helper\n    raise ValueError("boom")\n' % (app, raise_line)]
        self.assertEqual(posts[2]["headers"]["Lambda-Runtime-Function-Error-Type"], "ValueError")
        self.assertEqual(json.loads(posts[2]["body"]), {
            "errorMessage": "boom", "errorType": "ValueError", "requestId": "req-3", "stackTrace": frames})
        cause = json.loads(posts[2]["headers"]["Lambda-Runtime-Function-XRay-Error-Cause"])
        self.assertEqual(cause["exceptions"][0]["type"], "ValueError")
        self.assertEqual(cause["exceptions"][0]["stack"][1], {"label": "helper", "path": app, "line": raise_line})
        record = "\r".join([
            "[ERROR] ValueError: boom", "Traceback (most recent call last):",
            NBSP * 2 + 'File "%s", line %d, in handler' % (app, call_line), NBSP * 4 + "helper()",
            NBSP * 2 + 'File "%s", line %d, in helper' % (app, raise_line), NBSP * 4 + 'raise ValueError("boom")'])
        self.assertIn(record + "\n", posts[2]["stdout"])

        # req-4: result that JSON cannot represent.
        self.assertEqual(posts[3]["headers"]["Lambda-Runtime-Function-Error-Type"], "Runtime.MarshalError")
        self.assertEqual(json.loads(posts[3]["body"]), {
            "errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
            "errorType": "Runtime.MarshalError", "requestId": "req-4", "stackTrace": []})
        self.assertIn("[ERROR] Runtime.MarshalError: Unable to marshal response: Object of type set is not "
                      "JSON serializable\rTraceback (most recent call last):\n", stdout)

        # req-5..7: None, bytes, Decimal and non-ASCII text.
        self.assertEqual(posts[4]["body"], b"null")
        self.assertEqual((posts[5]["body"], posts[5]["headers"]["Content-Type"]), (b"raw\x00bytes", "application/unknown"))
        self.assertEqual(posts[6]["body"].decode("utf-8"), '{"i": 3, "f": 1.5, "u": "h\u00e9 \u2603"}')

        # Logging: AWS's tab-separated format, WARNING by default, request id of the current invoke.
        self.assertRegex(stdout, LOG_LINE % ("req-7", "warn decimal"))
        self.assertNotIn("info is below", stdout)

    def test_nested_handler_paths_log_level_and_old_runtime_escaping(self):
        self.write("pkg/__init__.py", "")
        self.write("pkg/mod.py", """\
            import logging
            def fn(event, context):
                logging.getLogger("x").info("info %s", context.aws_request_id)
                return "\\u00e9"
            """)
        env = {"AWS_LAMBDA_LOG_LEVEL": "INFO", "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11"}
        for handler in ("pkg/mod.fn", "pkg.mod.fn"):
            api, _, stdout, _ = self.run_runtime(handler, [("r1", b"{}", {}, False)], env)
            self.assertEqual(api.posts()[0]["body"], b'"\\u00e9"')
            self.assertRegex(stdout, r"\[INFO\]\t\S+Z\tr1\tinfo r1\n")

    def test_sys_exit_in_handler_ends_the_process(self):
        self.write("app.py", "import sys\ndef handler(event, context):\n    sys.exit(3)\n")
        api, code, _, _ = self.run_runtime("app.handler", [("r1", b"{}", {}, False)], expect_exit=True)
        self.assertEqual(code, 3)
        self.assertEqual(api.posts(), [])

    # ---- init errors -------------------------------------------------------------------------

    def assert_init_error(self, handler, error_type, message, stack_trace=None):
        api, code, stdout, _ = self.run_runtime(handler, expect_exit=True)
        self.assertEqual(code, 1)
        self.assertEqual([(r["method"], r["path"]) for r in api.requests], [("POST", "/2018-06-01/runtime/init/error")])
        post = api.requests[0]
        self.assertEqual(post["headers"]["Lambda-Runtime-Function-Error-Type"], error_type)
        body = json.loads(post["body"])
        self.assertEqual({k: v for k, v in body.items() if k != "stackTrace"},
                         {"errorMessage": message, "errorType": error_type, "requestId": ""})
        if stack_trace is not None:
            self.assertEqual(body["stackTrace"], stack_trace)
        self.assertIn("[ERROR] %s: %s\rTraceback (most recent call last):" % (error_type, message), stdout)
        self.assertRegex(stdout, r"^\[WARNING\]\t\S+Z\t\tLAMBDA_WARNING: Unhandled exception\.")
        return post["body"], body

    def test_import_error(self):
        raw, _ = self.assert_init_error(
            "app.handler", "Runtime.ImportModuleError", "Unable to import module 'app': No module named 'app'", [])
        self.assertEqual(raw.decode(), '{"errorMessage": "Unable to import module \'app\': No module named \'app\'", '
                               '"errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}')

    def test_missing_handler(self):
        self.write("app.py", "x = 1\n")
        self.assert_init_error("app.nope", "Runtime.HandlerNotFound", "Handler 'nope' missing on module 'app'", [])

    def test_malformed_handler(self):
        self.assert_init_error("app", "Runtime.MalformedHandlerName",
                               "Bad handler 'app': not enough values to unpack (expected 2, got 1)", [])

    def test_syntax_error(self):
        path = self.write("app.py", "def handler(event, context):\n    return (\n")
        _, body = self.assert_init_error("app.handler", "Runtime.UserCodeSyntaxError",
                                         "Syntax error in module 'app': '(' was never closed (app.py, line 2)")
        self.assertEqual(body["stackTrace"], ['  File "%s" Line 2\n        return (\n' % path])

    def test_exception_at_import_time(self):
        path = self.write("app.py", "raise KeyError('missing config')\n")
        _, body = self.assert_init_error("app.handler", "KeyError", "'missing config'")
        # Our own frames are cut; importlib's stay, exactly like AWS shows them.
        self.assertIn("importlib", body["stackTrace"][0])
        self.assertEqual(body["stackTrace"][-1], '  File "%s", line 1, in <module>\n'
                                                 '    raise KeyError(\'missing config\')\n' % path)


if __name__ == "__main__":
    unittest.main()
