"""Test harness for lambda-local's integration tests.

Drives the real binary exactly as a user would: a project folder with a template and function
code, `lambda-local start --port P` as a child process, and AWS clients (boto3, the `aws` CLI,
plain HTTP) pointed at it.

    project = Project(TEMPLATE, {"py/app.py": CODE})
    with Emulator(project) as emu:
        emu.lambda_client().invoke(FunctionName="Fn")

Set LAMBDA_LOCAL_BIN to test another build of the binary.
"""
from __future__ import annotations

import atexit
import base64
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
import uuid
import zipfile

import boto3
from botocore.config import Config

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("LAMBDA_LOCAL_BIN", os.path.join(REPO_ROOT, "build", "cli", "lambda-local"))
CPP_ECHO_RUNTIME = os.environ.get(
    "LAMBDA_LOCAL_CPP_RUNTIME", os.path.join(REPO_ROOT, "build", "bench", "lambda-local-cpp-runtime"))
EXAMPLE_HELLO = os.path.join(REPO_ROOT, "examples", "hello")

REGION = "us-east-1"
ACCOUNT = "000000000000"  # lambda-local's default --account-id
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0

_LIVE = set()  # emulators still running, killed at interpreter exit if a test forgot to


@atexit.register
def _kill_leftovers():
    for proc in list(_LIVE):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fake_credentials_env(**extra) -> dict:
    """The caller's environment with dummy AWS credentials and no user AWS config."""
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("AWS_"):
            del env[k]
    env.update({
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    env.update(extra)
    return env


def pid_alive(pid: int) -> bool:
    """True while /proc/<pid> exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    state = stat[stat.rfind(")") + 2:].split(" ", 1)[0]
    return state not in ("Z", "X")


def wait_until(predicate, timeout: float, interval: float = 0.05):
    """Polls predicate() until it returns a truthy value (returned) or timeout passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


class FileFrom:
    """A project file copied from an existing file (mode kept), e.g. a prebuilt bootstrap."""

    def __init__(self, source: str):
        self.source = source


class Project:
    """A temporary project folder: template text plus {relative path: str | bytes | FileFrom}.

    Files named `bootstrap` or ending in `.sh` are made executable."""

    def __init__(self, template: str, files: dict | None = None, template_name: str = "template.yaml"):
        self.dir = os.path.realpath(tempfile.mkdtemp(prefix="lambda-local-it-"))
        self.template_path = os.path.join(self.dir, template_name)
        with open(self.template_path, "w") as f:
            f.write(template)
        for rel, content in (files or {}).items():
            self.write(rel, content)

    def path(self, *parts) -> str:
        return os.path.join(self.dir, *parts)

    def write(self, rel: str, content):
        dest = self.path(rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if isinstance(content, FileFrom):
            shutil.copy2(content.source, dest)
        else:
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(dest, mode) as f:
                f.write(content)
        if os.path.basename(rel) == "bootstrap" or rel.endswith(".sh"):
            os.chmod(dest, 0o755)
        return dest

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    @classmethod
    def copy_of(cls, source_dir: str) -> "Project":
        """A temporary copy of an existing project folder (e.g. examples/hello)."""
        self = cls.__new__(cls)
        self.dir = os.path.realpath(tempfile.mkdtemp(prefix="lambda-local-it-"))
        shutil.copytree(source_dir, self.dir, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "node_modules"))
        self.template_path = os.path.join(self.dir, "template.yaml")
        return self


class EmulatorError(AssertionError):
    pass


class Emulator:
    """One `lambda-local start` process serving a Project on a free loopback port."""

    def __init__(self, project: Project, args=(), port: int | None = None, env: dict | None = None):
        self.project = project
        self.args = list(args)
        self.port = port or free_port()
        # API Gateway's own port: a free one unless the test chose (3000 may be taken).
        if "--api-port" not in self.args:
            self.api_port = free_port()
            self.args += ["--api-port", str(self.api_port)]
        else:
            self.api_port = int(self.args[self.args.index("--api-port") + 1])
        self.env = env if env is not None else fake_credentials_env()
        self.proc: subprocess.Popen | None = None
        self.lines: list[str] = []  # stdout, one entry per line
        self.err_lines: list[str] = []
        self._cond = threading.Condition()
        self._readers: list[threading.Thread] = []
        self._clients: list = []
        self.returncode: int | None = None

    # ---- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Emulator":
        cmd = [BIN, "start", "--port", str(self.port), *self.args]
        self.proc = subprocess.Popen(cmd, cwd=self.project.dir, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _LIVE.add(self.proc)
        for stream, sink in ((self.proc.stdout, self.lines), (self.proc.stderr, self.err_lines)):
            t = threading.Thread(target=self._read, args=(stream, sink), daemon=True)
            t.start()
            self._readers.append(t)
        ready = f"lambda-local ready on http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + READY_TIMEOUT
        with self._cond:
            while not any(ready in line for line in self.lines):
                if self.proc.poll() is not None:
                    self._cond.wait(0.2)  # let the readers drain what is left
                    raise EmulatorError(
                        f"lambda-local exited with {self.proc.returncode} before it was ready\n"
                        + self.describe_output())
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.kill()
                    raise EmulatorError(f"lambda-local not ready after {READY_TIMEOUT}s\n" + self.describe_output())
                self._cond.wait(min(remaining, 0.1))
        return self

    def _read(self, stream, sink):
        for raw in iter(stream.readline, b""):
            with self._cond:
                sink.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._cond.notify_all()
        stream.close()
        with self._cond:
            self._cond.notify_all()

    def send_signal(self, sig) -> None:
        self.proc.send_signal(sig)

    def close_clients(self):
        """Closes the keep-alive connections of every boto3 client made by client()."""
        for c in self._clients:
            try:
                c.close()
            except Exception:
                pass
        self._clients.clear()

    def stop(self, sig=signal.SIGTERM, timeout: float = STOP_TIMEOUT, close_clients: bool = True) -> int:
        """Stops with `sig`; returns the exit code (None on a timeout, after killing it).

        By default the harness's boto3 clients are closed first, as a test process ending would.
        (Stopping while an SDK client still holds an idle keep-alive connection is tested on its
        own in test_lifecycle.)"""
        if self.proc is None:
            return 0
        if close_clients:
            self.close_clients()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                if os.environ.get("LAMBDA_LOCAL_DEBUG_HANG"):
                    subprocess.run(["gdb", "-p", str(self.proc.pid), "-batch", "-ex", "thread apply all bt"],
                                   stdout=open(f"/tmp/hang-{self.proc.pid}.txt", "w"), stderr=subprocess.STDOUT)
                self.kill()
                self.returncode = None
                return None
        for t in self._readers:
            t.join(5)
        _LIVE.discard(self.proc)
        self.returncode = self.proc.returncode
        return self.returncode

    def stop_and_check(self, testcase: unittest.TestCase | None = None, sig=signal.SIGTERM, **kwargs):
        rc = self.stop(sig, **kwargs)
        if rc == 0 and "stopping took longer than" in self.describe_output():
            rc = "0, but only through its shutdown watchdog"
        msg = f"lambda-local did not exit 0 on {signal.Signals(sig).name} (got {rc})\n" + self.describe_output()
        if testcase is not None:
            testcase.assertEqual(rc, 0, msg)
        elif rc != 0:
            raise EmulatorError(msg)

    def kill(self):
        """SIGKILLs a process still running, then removes what it could not clean up itself."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            self._remove_memory_cgroup()
        if self.proc:
            _LIVE.discard(self.proc)

    def _remove_memory_cgroup(self):
        # lambda-local removes its memory cgroup on a normal exit; after SIGKILL it cannot.
        with self._cond:
            lines = [l for l in self.lines if l.startswith("memory limit: memory cgroup")]
        m = re.search(r"\((/sys/fs/cgroup/[^)]+)\)", lines[0]) if lines else None
        if not m or not os.path.isdir(m.group(1)):
            return
        root = m.group(1)
        for _ in range(20):  # killed function processes may take a moment to leave the groups
            for entry in os.listdir(root):
                sub = os.path.join(root, entry)
                if os.path.isdir(sub):
                    try:
                        os.rmdir(sub)
                    except OSError:
                        pass
            try:
                os.rmdir(root)
                return
            except OSError:
                time.sleep(0.1)

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.stop_and_check()
        else:
            self.stop()
            self.kill()

    # ---- output ----------------------------------------------------------------------------
    def output(self) -> str:
        with self._cond:
            return "\n".join(self.lines)

    def describe_output(self, last: int = 80) -> str:
        with self._cond:
            out = "\n".join(self.lines[-last:])
            err = "\n".join(self.err_lines[-last:])
        return f"--- stdout (last {last} lines) ---\n{out}\n--- stderr ---\n{err}\n---"

    def wait_for_line(self, pattern: str, timeout: float = 10.0, start: int = 0) -> str | None:
        """Waits for a stdout line matching regex `pattern` (searching from line index `start`)."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines[start:]:
                    if rx.search(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(min(remaining, 0.1))

    def function_lines(self, function: str) -> list[str]:
        prefix = f"[{function}] "
        with self._cond:
            return [l[len(prefix):] for l in self.lines if l.startswith(prefix)]

    # ---- clients ---------------------------------------------------------------------------
    def client(self, service: str = "lambda", read_timeout: float = 120, **kwargs):
        """A boto3 client for this emulator: dummy credentials, no retries, generous timeout."""
        c = boto3.session.Session(
            aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION,
        ).client(service, endpoint_url=self.url, config=Config(
            retries={"max_attempts": 1, "mode": "standard"}, read_timeout=read_timeout,
            connect_timeout=10, max_pool_connections=32, **kwargs))
        self._clients.append(c)
        return c

    def lambda_client(self, **kwargs):
        return self.client("lambda", **kwargs)

    def aws(self, *args, timeout: float = 120, cwd: str | None = None) -> subprocess.CompletedProcess:
        """Runs the `aws` CLI against this emulator."""
        return subprocess.run(["aws", "--endpoint-url", self.url, "--region", REGION, *args],
                              env=fake_credentials_env(), cwd=cwd or self.project.dir,
                              capture_output=True, text=True, timeout=timeout)

    def post(self, path: str, body: bytes | str = b"", headers: dict | None = None, timeout: float = 60):
        """A plain unsigned HTTP POST (curl-style). Returns (status, headers, body bytes)."""
        if isinstance(body, str):
            body = body.encode()
        req = urllib.request.Request(self.url + path, data=body, method="POST", headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def request(self, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None,
                timeout: float = 60):
        """A plain unsigned HTTP request of any method. Returns (status, headers, body bytes)."""
        if isinstance(body, str):
            body = body.encode()
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def invoke_path(self, function: str) -> str:
        return f"/2015-03-31/functions/{function}/invocations"


def run_cli(args, cwd: str, stdin: str | None = None, timeout: float = 60, env: dict | None = None):
    """Runs the lambda-local binary (not `start`) to completion."""
    return subprocess.run([BIN, *args], cwd=cwd, input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=env if env is not None else fake_credentials_env())


def payload_json(response) -> object:
    """The decoded JSON payload of a boto3 invoke response."""
    return json.loads(response["Payload"].read())


def decode_tail(response) -> str:
    """The decoded X-Amz-Log-Result of a boto3 invoke response."""
    return base64.b64decode(response["LogResult"]).decode("utf-8", "replace")


def request_id(response) -> str:
    return response["ResponseMetadata"]["RequestId"]


class EmulatorTestCase(unittest.TestCase):
    """One emulator for the whole class: set TEMPLATE, FILES and optionally ARGS."""

    TEMPLATE: str = ""
    FILES: dict = {}
    ARGS: tuple = ()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = Project(cls.TEMPLATE, cls.FILES)
        cls.emu = Emulator(cls.project, cls.ARGS)
        try:
            cls.emu.start()
        except BaseException:
            cls.project.cleanup()
            raise
        cls.lam = cls.emu.lambda_client()

    @classmethod
    def tearDownClass(cls):
        try:
            rc = cls.emu.stop()
            if rc != 0:
                raise EmulatorError(f"lambda-local exited with {rc} on SIGTERM\n" + cls.emu.describe_output())
        finally:
            cls.emu.kill()
            cls.project.cleanup()
            super().tearDownClass()

    def invoke(self, name: str, event=None, **kwargs):
        if event is not None:
            kwargs["Payload"] = json.dumps(event).encode()
        return self.lam.invoke(FunctionName=name, **kwargs)

    def invoke_json(self, name: str, event=None, **kwargs):
        """Invokes synchronously, asserts success, returns the decoded payload."""
        r = self.invoke(name, event, **kwargs)
        body = r["Payload"].read()
        self.assertEqual(r["StatusCode"], 200)
        self.assertNotIn("FunctionError", r, f"{name} failed: {body!r}\n" + self.emu.describe_output(30))
        return json.loads(body)

    def invoke_error(self, name: str, event=None, **kwargs):
        """Invokes synchronously, asserts a function error, returns (payload, response)."""
        r = self.invoke(name, event, **kwargs)
        body = r["Payload"].read()
        self.assertEqual(r["StatusCode"], 200)
        self.assertEqual(r.get("FunctionError"), "Unhandled", f"expected a function error, got {body!r}")
        return json.loads(body), r


# Python handlers shared by several modules. Functions pick one with Handler: app.<name>.
PY_APP = r'''
import json, os, sys, time, subprocess

INVOCATIONS = 0  # module-level state: survives between warm invokes


def echo(event, context):
    global INVOCATIONS
    INVOCATIONS += 1
    print("echo handler got " + json.dumps(event))
    return {"event": event, "pid": os.getpid(), "invocations": INVOCATIONS,
            "requestId": context.aws_request_id}


def info(event, context):
    cc = context.client_context
    return {
        "pid": os.getpid(),
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "context": {
            "aws_request_id": context.aws_request_id,
            "function_name": context.function_name,
            "function_version": context.function_version,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "invoked_function_arn": context.invoked_function_arn,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining_ms": context.get_remaining_time_in_millis(),
        },
        "client_context": None if cc is None else {
            "custom": cc.custom, "env": cc.env,
            "client": None if cc.client is None else {
                "installation_id": cc.client.installation_id, "app_title": cc.client.app_title},
        },
    }


def fail(event, context):
    raise ValueError("something went wrong: " + str(event.get("why", "no reason")))


def sleep(event, context):
    started = time.time()
    if event.get("pidfile"):
        with open(event["pidfile"], "w") as f:
            f.write(str(os.getpid()))
    time.sleep(event.get("seconds", 1))
    return {"pid": os.getpid(), "started": started, "ended": time.time()}


def crash(event, context):
    print("about to exit with status 3")
    sys.stdout.flush()
    os._exit(event.get("status", 3))


def hog(event, context):
    blocks = []
    for _ in range(event.get("mb", 400) // 16):
        blocks.append(b"x" * (16 << 20))  # bytes are written, so the pages are really used
    return {"allocated_mb": 16 * len(blocks)}


def write_file(event, context):
    tmp = event["path"] + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"event": event, "pid": os.getpid(), "requestId": context.aws_request_id}, f)
    os.rename(tmp, event["path"])
    return {"written": event["path"]}


def spawn(event, context):
    """Starts a long-lived child process and reports both pids to a file."""
    child = subprocess.Popen(["sleep", "300"])
    with open(event["pidfile"], "w") as f:
        json.dump({"pid": os.getpid(), "child": child.pid}, f)
    return {"pid": os.getpid(), "child": child.pid}


def noisy(event, context):
    for i in range(200):
        print("noise line %03d %s" % (i, "." * 60))
    print("LAST-FUNCTION-LINE")
    return {"ok": True}


def big_response(event, context):
    return "x" * (7 * 1024 * 1024)
'''


# Node.js handlers: one body, three module styles. `describe` records what the function saw.
_NODE_BODY = r'''
let invocations = 0;  // module-level state: survives between warm invokes
function describe(kind, event, context) {
  invocations++;
  console.log(kind + ' handler got', JSON.stringify(event));
  if (event && event.path) {
    fs.writeFileSync(event.path + '.tmp',
      JSON.stringify({ event, pid: process.pid, requestId: context.awsRequestId }));
    fs.renameSync(event.path + '.tmp', event.path);
  }
  if (event && event.fail) throw new TypeError('node failure: ' + event.fail);
  if (event && event.exitCode !== undefined) process.exit(event.exitCode);
  return {
    kind, event, pid: process.pid, invocations, cwd: process.cwd(),
    requestId: context.awsRequestId,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    memoryLimitInMB: context.memoryLimitInMB,
    invokedFunctionArn: context.invokedFunctionArn,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    remainingMs: context.getRemainingTimeInMillis(),
    clientContext: context.clientContext === undefined ? null : context.clientContext,
    env: process.env,
  };
}
'''

NODE_CJS = "const fs = require('fs');\n" + _NODE_BODY + r'''
exports.handler = async (event, context) => describe('cjs', event, context);
'''

NODE_ESM = "import fs from 'node:fs';\n" + _NODE_BODY + r'''
export const handler = async (event, context) => describe('esm', event, context);
'''

NODE_ESM_PACKAGE_JSON = '{"name": "esm-fn", "type": "module"}\n'

NODE_CALLBACK = "const fs = require('fs');\n" + _NODE_BODY + r'''
exports.handler = (event, context, callback) => {
  setTimeout(() => {
    let result;
    try {
      result = describe('callback', event, context);
    } catch (err) {
      callback(err);
      return;
    }
    callback(null, result);
  }, 20);
};
'''

# A custom runtime in bash (like examples/hello/provided): answers with its pid, the request id,
# an invocation count and the event. MODE=crash makes it exit 3 once it has an event.
# With OUT_DIR set it also writes each event to $OUT_DIR/<request id>.json.
BASH_BOOTSTRAP = r'''#!/usr/bin/env bash
set -u
export LC_ALL=C
exec 3<>"/dev/tcp/${AWS_LAMBDA_RUNTIME_API%:*}/${AWS_LAMBDA_RUNTIME_API##*:}"

request() {
  local data=${3-}
  printf '%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
    "$1" "$2" "$AWS_LAMBDA_RUNTIME_API" "${#data}" "$data" >&3
  local line length=0
  IFS=' ' read -r _ STATUS _ <&3
  REQUEST_ID=
  while IFS= read -r line <&3; do
    line=${line%$'\r'}
    [ -z "$line" ] && break
    case "${line,,}" in
      content-length:*) length=${line#*: } ;;
      lambda-runtime-aws-request-id:*) REQUEST_ID=${line#*: } ;;
    esac
  done
  BODY=
  if [ "$length" -gt 0 ]; then IFS= read -r -N "$length" BODY <&3; fi
}

n=0
while true; do
  request GET /2018-06-01/runtime/invocation/next
  event=$BODY
  n=$((n + 1))
  echo "bash handler got $event"
  if [ "${MODE:-echo}" = crash ]; then
    echo "bash runtime exiting with status 3"
    exit 3
  fi
  if [ -n "${OUT_DIR:-}" ]; then
    printf '%s' "$event" > "$OUT_DIR/$REQUEST_ID.json.tmp"
    mv "$OUT_DIR/$REQUEST_ID.json.tmp" "$OUT_DIR/$REQUEST_ID.json"
  fi
  request POST "/2018-06-01/runtime/invocation/$REQUEST_ID/response" \
    "{\"kind\":\"bash\",\"pid\":$$,\"invocations\":$n,\"requestId\":\"$REQUEST_ID\",\"event\":$event}"
done
'''


# ---- control plane (functions created through the Lambda API) -------------------------------------
EMPTY_TEMPLATE = "Resources: {}\n"  # a project with no template functions, for API-created ones
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-local-test-role"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed, so the same files always make the same zip bytes


class ZipEntry:
    """A zip member with explicit Unix mode bits (file type included), e.g. a symlink:
    ZipEntry(b"/etc", 0o120777)."""

    def __init__(self, content, mode: int):
        self.content = content
        self.mode = mode


def make_zip(files: dict) -> bytes:
    """Zip bytes for {name: str | bytes | ZipEntry}, built the way `zip` on Linux does: Unix
    create_system and the mode in the high 16 bits of external_attr. `bootstrap` and *.sh are
    0755, other files 0644. Deterministic: the same files give the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            if isinstance(content, ZipEntry):
                mode, data = content.mode, content.content
            else:
                executable = os.path.basename(name) == "bootstrap" or name.endswith(".sh")
                mode, data = (0o100755 if executable else 0o100644), content
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.create_system = 3  # Unix: external_attr carries st_mode
            info.external_attr = (mode & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data.encode() if isinstance(data, str) else data)
    return buf.getvalue()


def code_sha256(data: bytes) -> str:
    """Lambda's CodeSha256: base64 of the SHA-256 digest of the zip bytes."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def function_arn(name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def unique_name(prefix: str) -> str:
    """A function name no other test uses (<= 64 chars)."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_zip_function(lam, name: str, files: dict, runtime: str = "python3.12", handler: str = "app.echo",
                        **kwargs) -> dict:
    """CreateFunction with Code.ZipFile built from `files`; returns the response."""
    params = dict(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                  Code={"ZipFile": make_zip(files)})
    params.update(kwargs)
    return lam.create_function(**params)


def wait_for_lines(path: str, count: int, timeout: float) -> list[str]:
    """Polls a file until it has at least `count` complete lines; returns its lines (maybe fewer)."""
    def lines():
        try:
            with open(path) as f:
                text = f.read()
        except FileNotFoundError:
            return []
        return text.split("\n")[:-1]  # only newline-terminated lines
    return wait_until(lambda: (l if len(l := lines()) >= count else None), timeout) or lines()


def error_code(exc) -> str:
    return exc.response["Error"]["Code"]


def http_status(response_or_exc) -> int:
    response = getattr(response_or_exc, "response", response_or_exc)
    return response["ResponseMetadata"]["HTTPStatusCode"]


class ControlPlaneTestCase(EmulatorTestCase):
    """An emulator with no template functions (unless TEMPLATE says otherwise), for functions
    created through the Lambda API."""

    TEMPLATE = EMPTY_TEMPLATE

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.set_up_functions()
        except BaseException:
            cls.tearDownClass()  # unittest does not call it when setUpClass fails
            raise

    @classmethod
    def set_up_functions(cls):
        """Override to create functions shared by the whole class (cls.lam is ready)."""

    def create(self, name: str, files: dict, runtime: str = "python3.12", handler: str = "app.echo",
               **kwargs) -> dict:
        """CreateFunction; asserts 201 and returns the response."""
        r = create_zip_function(self.lam, name, files, runtime, handler, **kwargs)
        self.assertEqual(http_status(r), 201, r)
        return r

    def wait_active(self, name: str):
        """The FunctionActiveV2 waiter, allowed at most one retry (lambda-local is never slow)."""
        self.lam.get_waiter("function_active_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 2})

    def wait_updated(self, name: str):
        self.lam.get_waiter("function_updated_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 2})

    def assert_not_found(self, call, *args, **kwargs):
        """Asserts call(*args, **kwargs) raises ResourceNotFoundException (404); returns the error."""
        client = getattr(call, "__self__", self.lam)  # each boto3 client has its own exception classes
        with self.assertRaises(client.exceptions.ResourceNotFoundException) as cm:
            call(*args, **kwargs)
        self.assertEqual(http_status(cm.exception), 404)
        return cm.exception
