"""The command line: --version, `lambda-local invoke`, start-up errors, template discovery, and the
`aws lambda invoke` CLI against the example project."""
import base64
import json
import os
import re
import socket
import subprocess
import time
import unittest

from .harness import (EXAMPLE_HELLO, PY_APP, Emulator, Project, free_port, run_cli, wait_until)

ERROR_PREFIX = "lambda-local: error:"


def one_error_line(testcase, result, *fragments):
    """Asserts a failed run printed exactly one `lambda-local: error:` line on stderr."""
    testcase.assertNotEqual(result.returncode, 0, f"expected failure, got stdout={result.stdout!r}")
    testcase.assertEqual(result.returncode, 1)
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    testcase.assertEqual(len(lines), 1, f"expected one error line, got: {result.stderr!r}")
    testcase.assertTrue(lines[0].startswith(ERROR_PREFIX), lines[0])
    for fragment in fragments:
        testcase.assertIn(fragment, lines[0])
    return lines[0]


class VersionTest(unittest.TestCase):
    def test_version(self):
        r = run_cli(["--version"], cwd="/")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout.strip(), r"^lambda-local \d+\.\d+\.\d+")


class InvokeCommandTest(unittest.TestCase):
    """`lambda-local invoke` on a copy of examples/hello."""

    @classmethod
    def setUpClass(cls):
        cls.project = Project.copy_of(EXAMPLE_HELLO)

    @classmethod
    def tearDownClass(cls):
        cls.project.cleanup()

    def invoke(self, *args, stdin=None):
        return run_cli(["invoke", *args], cwd=self.project.dir, stdin=stdin)

    def test_invoke_each_example_runtime(self):
        expected = {"HelloPython": "Hello from Python, world!", "HelloNode": "Hello from Node.js, world!",
                    "HelloProvided": "Hello from a bash custom runtime"}
        for name, message in expected.items():
            with self.subTest(function=name):
                r = self.invoke(name)
                self.assertEqual(r.returncode, 0, r.stderr)
                body = json.loads(r.stdout)
                self.assertEqual(body["message"], message)
                # logs go to stderr, the result alone to stdout
                self.assertRegex(r.stderr, r"(?m)^START RequestId: \S+ Version: \$LATEST$")
                self.assertRegex(r.stderr, r"(?m)^END RequestId: \S+$")
                self.assertRegex(r.stderr, r"(?m)^REPORT RequestId: \S+\tDuration: ")
                self.assertNotIn("START RequestId", r.stdout)

    def test_invoke_with_event_file(self):
        path = self.project.path("event.json")
        with open(path, "w") as f:
            json.dump({"name": "Ada"}, f)
        r = self.invoke("HelloPython", "--event", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["message"], "Hello from Python, Ada!")
        self.assertIn("python handler called with {'name': 'Ada'}", r.stderr)

    def test_invoke_with_event_on_stdin(self):
        r = self.invoke("HelloNode", "--event", "-", stdin='{"name": "Grace"}')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["message"], "Hello from Node.js, Grace!")
        r = self.invoke("HelloProvided", "--event", "-", stdin='{"name": "Linus"}')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["event"], {"name": "Linus"})

    def test_invoke_with_template_option_from_elsewhere(self):
        r = run_cli(["invoke", "HelloPython", "--template", self.project.template_path], cwd="/")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["message"], "Hello from Python, world!")

    def test_invoke_unknown_function(self):
        line = one_error_line(self, self.invoke("NoSuchFunction"), "NoSuchFunction")
        self.assertIn("HelloPython", line)  # lists the functions there are

    def test_invoke_missing_event_file(self):
        one_error_line(self, self.invoke("HelloPython", "--event", self.project.path("missing.json")))


class InvokeCommandErrorTest(unittest.TestCase):
    def setUp(self):
        self.project = Project("""
Resources:
  Fails:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.fail, CodeUri: py/}
  Crashes:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.crash, CodeUri: py/}
""", {"py/app.py": PY_APP})
        self.addCleanup(self.project.cleanup)

    def test_function_error_exits_1_with_error_json(self):
        r = run_cli(["invoke", "Fails", "--event", "-"], cwd=self.project.dir, stdin='{"why": "cli"}')
        self.assertEqual(r.returncode, 1, r.stderr)
        body = json.loads(r.stdout)
        self.assertEqual(body["errorType"], "ValueError")
        self.assertEqual(body["errorMessage"], "something went wrong: cli")
        self.assertIn("[ERROR] ValueError: something went wrong: cli", r.stderr)

    def test_crash_exits_1(self):
        r = run_cli(["invoke", "Crashes"], cwd=self.project.dir)
        self.assertEqual(r.returncode, 1, r.stderr)
        body = json.loads(r.stdout)
        self.assertEqual(body["errorType"], "Runtime.ExitError")
        self.assertTrue(body["errorMessage"].endswith("Error: Runtime exited with error: exit status 3"), body)


class StartErrorsTest(unittest.TestCase):
    """`lambda-local start` refuses bad set-ups with one error line and exit code 1."""

    def start(self, project_dir, *args, port=None):
        return run_cli(["start", "--port", str(port or free_port()), *args], cwd=project_dir, timeout=20)

    def project(self, template, files=None, name="template.yaml"):
        p = Project(template, files or {}, template_name=name)
        self.addCleanup(p.cleanup)
        return p

    def test_missing_template(self):
        p = self.project("")
        os.remove(p.template_path)
        one_error_line(self, self.start(p.dir), "template")

    def test_missing_template_option(self):
        p = self.project("")
        one_error_line(self, self.start(p.dir, "--template", p.path("nope.yaml")), "nope.yaml")

    def test_invalid_yaml(self):
        p = self.project("Resources:\n  Fn: [unclosed\n    Type: {\n")
        one_error_line(self, self.start(p.dir), "template.yaml")

    def test_unknown_runtime(self):
        p = self.project("""
Resources:
  JavaFn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: java21, Handler: example.Handler::handleRequest, CodeUri: src/}
""", {"src/README": "x"})
        one_error_line(self, self.start(p.dir), "java21")

    def test_code_uri_that_is_not_a_folder(self):
        p = self.project("""
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: missing/}
""")
        one_error_line(self, self.start(p.dir), "missing")

    def test_busy_port(self):
        p = self.project("""
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.echo, CodeUri: py/}
""", {"py/app.py": PY_APP})
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            port = s.getsockname()[1]
            started = time.monotonic()
            r = self.start(p.dir, port=port)
            self.assertLess(time.monotonic() - started, 15)
        one_error_line(self, r, str(port))
        self.assertNotIn("ready on", r.stdout)

    def test_busy_port_taken_by_another_lambda_local(self):
        p = self.project("""
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.echo, CodeUri: py/}
""", {"py/app.py": PY_APP})
        with Emulator(p) as emu:
            one_error_line(self, self.start(p.dir, port=emu.port), str(emu.port))
            # the first one is unaffected
            self.assertEqual(emu.post(emu.invoke_path("Fn"), b"{}")[0], 200)


class TemplateDiscoveryTest(unittest.TestCase):
    JSON_TEMPLATE = json.dumps({"Resources": {"JsonFn": {
        "Type": "AWS::Serverless::Function",
        "Properties": {"Runtime": "python3.12", "Handler": "app.echo", "CodeUri": "py/"}}}})
    CFN_TEMPLATE = """
Resources:
  CfnFn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: plain-cloudformation
      Runtime: python3.12
      Handler: app.echo
      Code: py/
  Queue:
    Type: AWS::SQS::Queue
"""

    def check(self, template, function, template_name):
        p = Project(template, {"py/app.py": PY_APP}, template_name=template_name)
        self.addCleanup(p.cleanup)
        with Emulator(p) as emu:
            status, _, body = emu.post(emu.invoke_path(function), b'{"k": "v"}')
            self.assertEqual(status, 200, body)
            self.assertEqual(json.loads(body)["event"], {"k": "v"})

    def test_template_json(self):
        self.check(self.JSON_TEMPLATE, "JsonFn", "template.json")

    def test_template_yml(self):
        self.check(self.CFN_TEMPLATE, "plain-cloudformation", "template.yml")


_AWS_CLI_MAJOR = []


def aws_cli_major():
    if not _AWS_CLI_MAJOR:
        out = subprocess.run(["aws", "--version"], capture_output=True, text=True)
        m = re.search(r"aws-cli/(\d+)", out.stdout + out.stderr)
        _AWS_CLI_MAJOR.append(int(m.group(1)) if m else 1)
    return _AWS_CLI_MAJOR[0]


class AwsCliTest(unittest.TestCase):
    """The `aws` CLI (real botocore, signed requests) against examples/hello."""

    @classmethod
    def setUpClass(cls):
        cls.project = Project.copy_of(EXAMPLE_HELLO)
        cls.emu = Emulator(cls.project).start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.emu.stop_and_check()
        finally:
            cls.emu.kill()
            cls.project.cleanup()

    def cli_invoke(self, name, *args, payload=None):
        out = self.project.path(f"out-{name}-{time.monotonic_ns()}.json")
        cmd = ["lambda", "invoke", "--function-name", name, *args]
        if payload is not None:
            if aws_cli_major() >= 2:  # v2 reads blobs as base64 unless told otherwise
                cmd += ["--cli-binary-format", "raw-in-base64-out"]
            cmd += ["--payload", payload]
        r = self.emu.aws(*cmd, out)
        result = json.loads(r.stdout) if r.returncode == 0 else None
        body = None
        if os.path.exists(out):
            with open(out, "rb") as f:
                body = f.read()
        return r, result, body

    def test_invoke_each_example(self):
        for name, message in (("HelloPython", "Hello from Python, CLI!"), ("HelloNode", "Hello from Node.js, CLI!")):
            with self.subTest(function=name):
                r, result, body = self.cli_invoke(name, payload='{"name": "CLI"}')
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(result["StatusCode"], 200)
                self.assertEqual(result["ExecutedVersion"], "$LATEST")
                self.assertEqual(json.loads(body)["message"], message)
        r, result, body = self.cli_invoke("HelloProvided", payload='{"name": "CLI"}')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(body)["event"], {"name": "CLI"})

    def test_invoke_with_tail(self):
        r, result, body = self.cli_invoke("HelloPython", "--log-type", "Tail", payload="{}")
        self.assertEqual(r.returncode, 0, r.stderr)
        log = base64.b64decode(result["LogResult"]).decode()
        self.assertIn("python handler called with {}", log)
        self.assertRegex(log, r"(?m)^REPORT RequestId: ")

    def test_event_invocation(self):
        r, result, body = self.cli_invoke("HelloNode", "--invocation-type", "Event", payload="{}")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(result["StatusCode"], 202)

    def test_an_upload_to_the_example_bucket_starts_hello_python(self):
        src = self.project.path("upload.txt")
        with open(src, "w") as f:
            f.write("hello from the CLI")
        r = self.emu.aws("s3", "cp", src, "s3://hello-uploads/dir/upload.txt")
        self.assertEqual(r.returncode, 0, r.stderr)
        # The function prints the record it was invoked with (asynchronously, as S3 does).
        self.assertTrue(wait_until(lambda: "'key': 'dir/upload.txt'" in self.emu.output(), 30),
                        self.emu.describe_output(20))
        self.assertIn("'eventName': 'ObjectCreated:Put'", self.emu.output())

    def test_the_example_http_api_route(self):
        # README's curl, on the port the harness chose instead of 3000.
        r = subprocess.run(["curl", "-s", "-i", f"http://127.0.0.1:{self.emu.api_port}/hello?name=you"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        head, _, body = r.stdout.partition("\n\n")  # text mode reads CRLF as LF
        self.assertTrue(head.startswith("HTTP/1.1 200"), head)
        self.assertIn("content-type: application/json", head.lower())
        self.assertEqual(json.loads(body)["message"], "Hello from Node.js, you!")
        self.assertTrue(wait_until(lambda: "GET /hello 200" in self.emu.output(), 10), self.emu.describe_output(20))

    def test_unknown_function(self):
        r, _, _ = self.cli_invoke("Nope", payload="{}")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ResourceNotFoundException", r.stderr)

    def test_list_functions(self):
        r = self.emu.aws("lambda", "list-functions")
        self.assertEqual(r.returncode, 0, r.stderr)
        names = sorted(f["FunctionName"] for f in json.loads(r.stdout)["Functions"])
        self.assertEqual(names, ["HelloNode", "HelloProvided", "HelloPython"])
