"""lambda-local's Python runtime client.

Speaks the Lambda Runtime API (2018-06-01) the way AWS's official client
(awslambdaric) does: same handler loading, context object, log format, error
bodies and marshalling rules, but standard library only and one keep-alive
connection, so it can run thousands of invokes per second.
"""
import decimal
import http.client
import importlib
import json
import logging
import math
import os
import socket
import sys
import time
import traceback

API = "/2018-06-01/runtime"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
XRAY_CAUSE_HEADER = "Lambda-Runtime-Function-XRay-Error-Cause"
NBSP = "\u00a0"  # awslambdaric indents traceback lines with NO-BREAK SPACE
UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function change, "
    "or can be applied automatically. To determine if the runtime has been updated, check the "
    "runtime version in the INIT_START log entry. If this error correlates with a change in the "
    "runtime version, you may be able to mitigate this error by temporarily rolling back to the "
    "previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)

_request_id = None  # read by the logging filter
_tenant_id = None


class Fault(Exception):
    """A runtime-detected error (awslambdaric's FaultException): fixed errorType, no user traceback."""

    def __init__(self, error_type, msg, trace=None):
        super().__init__(msg)
        self.error_type, self.msg, self.trace = error_type, msg, trace


# ---- JSON: stdlib json, with awslambdaric's (simplejson) rules for Decimal and unicode.
class _Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, decimal.Decimal):  # DynamoDB hands out Decimals; AWS emits them as numbers
            if not o.is_finite():
                return math.nan if o.is_nan() else float(o)
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)  # TypeError "Object of type X is not JSON serializable"


# Python 3.12+ runtimes return raw UTF-8; older ones \u-escape non-ASCII characters.
_OLD_ENVS = {"AWS_Lambda_python3.%d" % v for v in range(6, 12)}
_to_json = _Encoder(ensure_ascii=os.environ.get("AWS_EXECUTION_ENV") in _OLD_ENVS).encode


# ---- Runtime API client: one persistent connection, Nagle off.
class _Response(http.client.HTTPResponse):
    """http.client parses headers with the email package, about half of the per-invoke cost.
    The Runtime API sends plain headers, so read them into a dict keyed by lower-case name.
    Values are decoded as UTF-8, like AWS's C++ client does (http.client would use latin-1)."""

    def begin(self):
        if self.headers is not None:
            return
        version, self.status, reason = self._read_status()  # we never send Expect: no 100 responses
        self.code, self.reason, self.version = self.status, reason.strip(), 11 if version == "HTTP/1.1" else 10
        headers = {}
        while True:
            line = self.fp.readline(65537)
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("utf-8", "replace").partition(":")
            headers[name.strip().lower()] = value.strip()
        self.headers = self.msg = headers
        self.chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        self.chunk_left = None
        length = headers.get("content-length")
        self.length = int(length) if length and not self.chunked else None
        if self.status in (204, 304) or 100 <= self.status < 200:
            self.length = 0
        self.will_close = (self.version != 11 or "close" in headers.get("connection", "").lower()
                           or (not self.chunked and self.length is None))


class RuntimeClient:
    def __init__(self, address):
        self.conn = http.client.HTTPConnection(address)
        self.conn.response_class = _Response

    def call(self, method, path, body=None, headers={}):
        for attempt in (0, 1):  # the emulator may have dropped an idle connection: reconnect once
            try:
                if self.conn.sock is None:
                    self.conn.connect()
                    self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.conn.request(method, path, body, headers)
                resp = self.conn.getresponse()
                return resp, resp.read()  # read fully so the connection can be reused
            except (http.client.HTTPException, OSError):
                self.conn.close()
                if attempt:
                    raise

    def post_error(self, path, error, xray=None):
        headers = {"Content-Type": "application/json", ERROR_TYPE_HEADER: error["errorType"].encode("utf-8")}
        cause = xray and json.dumps(xray)  # ASCII-escaped: header values must be latin-1 safe
        if cause and len(cause) < 1024 * 1024:  # awslambdaric's header size cap
            headers[XRAY_CAUSE_HEADER] = cause
        self.call("POST", path, _to_json(error).encode("utf-8"), headers)


# ---- Context object, attribute for attribute like awslambdaric's LambdaContext.
class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext:
    __slots__ = ["custom", "env", "client"]


def _obj_from_dict(cls, d):
    if d is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, d.get(field))
    return obj


_ENV = tuple(os.environ.get(k) for k in (
    "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION"))


class LambdaContext:
    def __init__(self, invoke_id, client_context, cognito_identity, deadline_ms, invoked_function_arn, tenant_id):
        self.aws_request_id = invoke_id
        # Environment-derived fields are read once at startup (_ENV). memory_limit_in_mb
        # stays a str, exactly as awslambdaric copies it from the environment.
        (self.log_group_name, self.log_stream_name, self.function_name,
         self.memory_limit_in_mb, self.function_version) = _ENV
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = _obj_from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _obj_from_dict(Client, self.client_context.client)
        self.identity = _obj_from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))


def _parse_json_header(value, name):
    if not value:
        return None
    try:
        return json.loads(value)
    except Exception as e:
        raise Fault("Runtime.LambdaContextUnmarshalError", "Unable to parse {} JSON: {}".format(name, e))


# ---- Logging: AWS's text format on stdout, request id injected by a filter.
class _StdoutHandler(logging.Handler):
    def emit(self, record):
        try:
            sys.stdout.write(self.format(record))  # the format string already ends in \n
        except Exception:
            self.handleError(record)


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id or ""
        record.tenant_id = _tenant_id
        return True


def _setup_logging():
    logging.Formatter.converter = time.gmtime  # timestamps are UTC ("...Z")
    handler = _StdoutHandler()
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    level = {None: "", "TRACE": "DEBUG"}.get(level, level).upper()
    if level in logging._nameToLevel:  # otherwise Python's default (WARNING) stays
        root.setLevel(level)
    root.addHandler(handler)


def _flush():
    # The emulator attributes output to an invoke by timing: flush before every post.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


# ---- Errors: bodies, log records and X-Ray causes as awslambdaric builds them.
def make_error(message, error_type, stack_trace, request_id=""):
    return {"errorMessage": message or "", "errorType": error_type or "",
            "requestId": request_id, "stackTrace": stack_trace or []}


def log_error(error):
    line = "[ERROR]"
    if error["errorType"]:
        line += " " + error["errorType"]
    if error["errorMessage"]:
        line += (":" if error["errorType"] else "") + " " + error["errorMessage"]
    lines = [line, "Traceback (most recent call last):"]
    for element in error["stackTrace"]:
        for text in element.splitlines() or [""]:
            stripped = text.lstrip(" ")
            lines.append(NBSP * (len(text) - len(stripped)) + stripped)
    # One record = one stdout line: awslambdaric joins lines with \r when not using the telemetry fd.
    sys.stdout.write("\r".join(lines) + "\n")


def _user_frames(tb):
    """Traceback as (file, line, name, text) tuples minus our own leading frames, like awslambdaric.
    Plain tuples also keep Python 3.11+ from adding ^^^ marker lines that AWS does not show."""
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    for i, frame in enumerate(frames):
        if frame[0] != _THIS_FILE:
            return frames[i:]
    return frames


def _error_from_exception(exc, request_id=""):
    if isinstance(exc, Fault):
        return (make_error(exc.msg, exc.error_type, exc.trace, request_id),
                _xray("LambdaValidationError", exc.msg, []))
    frames = _user_frames(exc.__traceback__)
    name = type(exc).__name__
    return make_error(str(exc), name, traceback.format_list(frames), request_id), _xray(name, str(exc), frames)


def _xray(error_type, message, frames):
    return {"working_directory": os.getcwd(),
            "exceptions": [{"message": message, "type": error_type,
                            "stack": [{"label": f[2], "path": f[0], "line": f[1]} for f in frames]}],
            "paths": list({f[0] for f in frames})}


# ---- Handler loading, with awslambdaric's error types and messages.
def get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, e))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise Fault("Runtime.BuiltInModuleConflict",
                        "Cannot use built-in module {} as a handler module".format(modname))
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(modname, e))
    except SyntaxError as e:
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(modname, e),
                    ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)])
    try:
        return getattr(module, fname)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(fname, modname))


# ---- One invocation.
def handle(client, handler, headers, body):
    invoke_id = headers.get("lambda-runtime-aws-request-id")
    try:
        context = LambdaContext(
            invoke_id,
            _parse_json_header(headers.get("lambda-runtime-client-context"), "Client Context"),
            _parse_json_header(headers.get("lambda-runtime-cognito-identity"), "Cognito Identity"),
            int(headers.get("lambda-runtime-deadline-ms") or 0),
            headers.get("lambda-runtime-invoked-function-arn"),
            headers.get("lambda-runtime-aws-tenant-id"))
        content_type = headers.get("content-type")
        if content_type is None or content_type == "application/json":
            try:
                event = json.loads(body) if body else {}
            except Exception as e:
                raise Fault("Runtime.UnmarshalError", "Unable to unmarshal input: {}".format(e))
        else:
            event = body  # awslambdaric hands non-JSON payloads over as raw bytes
        result = handler(event, context)  # SystemExit/KeyboardInterrupt propagate: the process ends
        if isinstance(result, bytes):
            payload, result_type = result, "application/unknown"
        else:
            try:
                payload, result_type = _to_json(result).encode("utf-8"), "application/json"
            except Exception as e:
                raise Fault("Runtime.MarshalError", "Unable to marshal response: {}".format(e))
    except Exception as exc:
        error, xray = _error_from_exception(exc, invoke_id)
        log_error(error)
        _flush()
        client.post_error("{}/invocation/{}/error".format(API, invoke_id), error, xray)
        return
    _flush()
    client.call("POST", "{}/invocation/{}/response".format(API, invoke_id), payload, {"Content-Type": result_type})


def main():
    global _request_id, _tenant_id
    for stream in (sys.stdout, sys.stderr):  # print() output must reach the emulator promptly
        stream.reconfigure(line_buffering=True)
    # Put the code folder first; drop this script's own folder so it cannot shadow user modules.
    if sys.path and os.path.realpath(sys.path[0]) == os.path.dirname(os.path.realpath(__file__)):
        del sys.path[0]
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd())
    client = RuntimeClient(os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"))
    _setup_logging()

    try:
        handler = get_handler(os.environ.get("_HANDLER", ""))
    except Exception as exc:
        error, _ = _error_from_exception(exc)
        logging.warning(UNHANDLED_WARNING)
        log_error(error)
        _flush()
        try:
            client.post_error(API + "/init/error", error)
        except Exception:
            pass  # nothing more to do: the emulator sees the exit either way
        sys.exit(1)  # like AWS: a failed init ends the runtime process

    next_path = API + "/invocation/next"
    while True:
        resp, body = client.call("GET", next_path)
        if resp.status != 200:
            raise RuntimeError("Runtime API {} returned {}: {!r}".format(next_path, resp.status, body[:200]))
        headers = resp.headers
        _request_id = headers.get("lambda-runtime-aws-request-id")
        _tenant_id = headers.get("lambda-runtime-aws-tenant-id")
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        handle(client, handler, headers, body)


_THIS_FILE = main.__code__.co_filename  # frames from this file are stripped from user tracebacks

if __name__ == "__main__":
    main()
