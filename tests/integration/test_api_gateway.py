"""API Gateway in front of functions: SAM `Events: Type: Api` (REST APIs, the implicit
ServerlessRestApi and an AWS::Serverless::Api with a stage, stage variables and binary media types)
and `Type: HttpApi` (the implicit ServerlessHttpApi with its `$default` stage and a `$default`
route, an AWS::Serverless::HttpApi with a named stage, payload format 1.0 and 2.0 routes).

Requests go to the API port (`--api-port`, every API's routes at the root, as
`sam local start-api`), to the main port as `/restapis/{apiId}/{stage}/_user_request_/{path}`, and
to the main port by Host, `{apiId}.execute-api.localhost:{port}` (`/{stage}/path`, or `/path` for
an HTTP API's `$default` stage). Clients: http.client for most requests, curl (argument list, no
shell) where repeated headers and cookies matter, and Node's global fetch once. The functions either
echo the event they got (the response body is the event as JSON, `X-Function` names the function)
or return crafted results (errors, malformed results, multi-value headers, cookies, base64 bodies).

API ids: an explicit API's id is read with `!Ref` in a function's environment; the implicit APIs'
ids from the console lines `-> Fn (REST API <id>, stage Prod)` (lambda-local's own output, not
AWS's); every event's requestContext.apiId is checked against them.

Expected values come from AWS's documentation, not from lambda-local's implementation:
* API Gateway Developer Guide: "Set up Lambda proxy integrations in API Gateway" (the proxy
  integration's input format: resource, path without the stage, headers / multiValueHeaders,
  queryStringParameters with the last value of a repeated parameter, multiValue...,
  pathParameters, stageVariables, requestContext; the output format: headers merged with
  multiValueHeaders, a result of another format -> 502 Bad Gateway), "Working with AWS Lambda
  proxy integrations for HTTP APIs" (payload format 2.0: version, routeKey, rawPath,
  rawQueryString, cookies, headers and query parameters combined with commas, no multiValue
  fields; the 1.0 example's `"Header2": "value2"` for two values; the 2.0 response: cookies become
  Set-Cookie headers, a result without statusCode is a 200 application/json body),
  "Content type conversions in API Gateway" and "Return binary media from a Lambda proxy
  integration" (binary media types; the first Accept type decides a binary response), "Working
  with routes for HTTP APIs" / "Routing API requests" (a method beats ANY, then a greedy
  `{proxy+}`, then `$default`; no route -> 404 {"message":"Not Found"}; no matching stage and no
  `$default` stage -> Not Found), REST resources (`{proxy+}` greedy, most specific resource first).
* Lambda Developer Guide: "Handling Lambda errors with an API Gateway API" (a function error or a
  result in the wrong format -> 502 `{"message": "Internal server error"}` for REST APIs).
* HTTP APIs answer a function error with 500 and `{"message":"Internal Server Error"}` (35 bytes):
  AWS's own response quoted in aws/aws-sam-cli#2590 (fixed in SAM CLI by PR #5749), and AWS
  Knowledge Center "How do I map the status codes returned by HTTP APIs" (a 1.0 result that is not
  in the required format -> 500).
* A REST API answers a path without a resource with 403 {"message":"Missing Authentication Token"}.
* SAM: AWS::Serverless::Function `Api` (Path, Method, RestApiId) and `HttpApi` (ApiId, Path,
  Method, none of them for `$default`, PayloadFormatVersion, TimeoutInMillis) events;
  AWS::Serverless::Api (StageName, Variables, BinaryMediaTypes with `~1` for `/`) and
  AWS::Serverless::HttpApi (StageName, StageVariables); the implicit APIs ServerlessRestApi (stage
  Prod) and ServerlessHttpApi (stage $default); `Ref` of an API is its id (10 characters, [a-z0-9]).

No sleeps and no timing assertions: every request is synchronous; requestTimeEpoch / timeEpoch are
only checked to be the request's own wall-clock time (a bound of a few seconds either side) and to
agree with requestTime / time."""
import base64
import calendar
import http.client
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time
import unittest
import zlib

from .harness import ACCOUNT, EmulatorTestCase, fake_credentials_env, free_port, wait_until

API_ID = re.compile(r"^[a-z0-9]{10}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# "04/Mar/2020:19:15:17 +0000" (requestTime, 1.0) and "12/Mar/2020:19:03:58 +0000" (time, 2.0)
CLF_TIME = re.compile(r"^(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) \+0000$")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
# lambda-local's start-up listing: "  GET     /items/{id}   -> Echo (REST API abcdefghij, stage Prod)"
ROUTE_LINE = re.compile(r"->\s+(\S+)\s+\((REST|HTTP) API ([a-z0-9]{10}), stage ([^)]+)\)")
UA = "lambda-local-apigw-test/1.0"
CLOCK_SLACK_MS = 5000  # a bound for "this request's own time", never a performance claim

REST_FUNCTION_ERROR = b'{"message": "Internal server error"}'   # Lambda DG, REST APIs
HTTP_FUNCTION_ERROR = b'{"message":"Internal Server Error"}'     # AWS's answer in aws-sam-cli#2590
MISSING_TOKEN = {"message": "Missing Authentication Token"}
NOT_FOUND = b'{"message":"Not Found"}'


def tiny_png() -> bytes:
    """A valid 1x1 PNG: starts with 0x89, so it is not UTF-8 text."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


PNG = tiny_png()

# echo: answers 200 with the event as its JSON body and X-Function = the function's name.
# crafted: the result named by the {case} path parameter. environment: the API ids it was given.
APP = r'''
import json, os

PNG_B64 = "%s"


def echo(event, context):
    return {"statusCode": 200,
            "headers": {"Content-Type": "application/json", "X-Function": context.function_name},
            "body": json.dumps(event)}


def environment(event, context):
    return {k: v for k, v in os.environ.items() if k.startswith("API_")}


def crafted(event, context):
    case = (event.get("pathParameters") or {}).get("case")
    if case == "raise":
        raise RuntimeError("a crafted failure")
    if case == "no-status":
        return {"headers": {"Content-Type": "text/plain"}, "body": "no status code"}
    if case == "body-not-string":
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": {"not": "a string"}}
    if case == "not-an-object":
        return "just a string"
    if case == "headers":
        return {"statusCode": 201,
                "headers": {"Content-Type": "text/plain", "X-Single": "one", "X-Both": "m1"},
                "multiValueHeaders": {"X-Multi": ["a", "b"], "X-Both": ["m1", "m2"]},
                "body": "created"}
    if case == "png":
        return {"statusCode": 200, "headers": {"Content-Type": "image/png"}, "body": PNG_B64,
                "isBase64Encoded": True}
    if case == "simple":
        return {"hello": "world", "n": 1}
    if case == "cookies":
        return {"statusCode": 201, "cookies": ["a=1; Path=/", "b=2; HttpOnly"],
                "headers": {"Content-Type": "text/plain", "X-Single": "one"}, "body": "with cookies"}
    return {"statusCode": 400, "body": "unknown case " + str(case)}
''' % base64.b64encode(PNG).decode()
FILES = {"py/app.py": APP}


# ---- HTTP clients ---------------------------------------------------------------------------------
class Reply:
    """Status, every header line as sent (name, value) and the body bytes."""

    def __init__(self, status: int, headers: list, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def header(self, name: str):
        values = self.all(name)
        return values[0] if values else None

    def values(self, name: str) -> list[str]:
        """Every value of a header, whether sent as several lines or one comma-joined line."""
        return [part.strip() for v in self.all(name) for part in v.split(",")]

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"Reply({self.status}, {self.headers!r}, {self.body[:2000]!r})"


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
            timeout: float = 60) -> Reply:
    """One request over http.client to 127.0.0.1:port (a Host in `headers` replaces the default)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return Reply(resp.status, resp.getheaders(), resp.read())
    finally:
        conn.close()


def curl(*args, timeout: float = 60) -> Reply:
    """Runs curl (an argument list, never a shell); keeps repeated header lines apart."""
    if shutil.which("curl") is None:
        raise unittest.SkipTest("curl is not on PATH")
    with tempfile.TemporaryDirectory(prefix="apigw-curl-") as tmp:
        head, out = os.path.join(tmp, "head"), os.path.join(tmp, "body")
        proc = subprocess.run(["curl", "-sS", "-D", head, "-o", out, "-w", "%{http_code}", *args],
                              capture_output=True, timeout=timeout)
        if proc.returncode != 0:
            raise AssertionError(f"curl {args} failed ({proc.returncode}): {proc.stderr.decode()}")
        with open(head, "rb") as f:
            blocks = [b for b in f.read().decode("latin-1").split("\r\n\r\n") if b.strip()]
        headers = []
        for line in blocks[-1].split("\r\n")[1:]:  # the last block: after any 100 Continue
            if ":" in line:
                k, v = line.split(":", 1)
                headers.append((k.strip(), v.strip()))
        body = b""
        if os.path.exists(out):
            with open(out, "rb") as f:
                body = f.read()
        return Reply(int(proc.stdout.decode().strip() or 0), headers, body)


def event_body(event: dict) -> bytes:
    """The request body a function got, base64-decoded when the event says so."""
    if event.get("body") is None:
        return b""
    return base64.b64decode(event["body"]) if event.get("isBase64Encoded") else event["body"].encode()


def ci_get(mapping: dict, name: str):
    """A header from an event's headers, whatever the case of its name."""
    for k, v in (mapping or {}).items():
        if k.lower() == name.lower():
            return v
    return None


def clf_epoch(text: str) -> int:
    """Seconds since the epoch of a "dd/Mon/yyyy:HH:MM:SS +0000" time."""
    m = CLF_TIME.match(text)
    if not m:
        raise AssertionError(f"not a dd/Mon/yyyy:HH:MM:SS +0000 time: {text!r}")
    day, mon, year, hh, mm, ss = m.groups()
    return calendar.timegm((int(year), MONTHS.index(mon) + 1, int(day), int(hh), int(mm), int(ss)))


class ApiGatewayTestCase(EmulatorTestCase):
    """An emulator with a free --api-port; the routes it listed at start-up; request helpers for
    the three addressings. Subclasses set TEMPLATE and ROUTE_COUNT (lines expected)."""

    FILES = FILES
    ROUTE_COUNT = 0

    @classmethod
    def setUpClass(cls):
        cls.api_port = free_port()
        cls.ARGS = ("--api-port", str(cls.api_port))
        super().setUpClass()
        try:
            r = cls.lam.invoke(FunctionName="Ids")
            payload = r["Payload"].read()
            if "FunctionError" in r:
                raise AssertionError(f"Ids failed: {payload!r}\n" + cls.emu.describe_output(40))
            cls.ids = json.loads(payload)  # the API ids the template's !Ref gave the function
            cls.route_lines = wait_until(
                lambda: (r if len(r := cls.parse_routes()) >= cls.ROUTE_COUNT else None), 10) or cls.parse_routes()
        except BaseException:
            cls.tearDownClass()  # unittest does not call it when setUpClass fails
            raise

    @classmethod
    def parse_routes(cls) -> list[tuple]:
        """(function, "REST" | "HTTP", api id, stage) for every route line printed so far."""
        return [m.groups() for line in cls.emu.output().splitlines() if (m := ROUTE_LINE.search(line))]

    @classmethod
    def listed_id(cls, kind: str, stage: str) -> str:
        """The one API id listed with this kind and stage (an implicit API's id)."""
        ids = {api for _, k, api, s in cls.route_lines if k == kind and s == stage}
        if len(ids) != 1:
            raise AssertionError(f"expected one {kind} API with stage {stage}, got {ids}\n"
                                 + cls.emu.describe_output(60))
        return ids.pop()

    # ---- the three addressings -------------------------------------------------------------
    def via_api_port(self, method: str, path: str, body=None, headers=None) -> Reply:
        return request(self.api_port, method, path, body, headers)

    def via_restapis(self, api_id: str, stage: str, method: str, path: str, body=None, headers=None) -> Reply:
        return request(self.emu.port, method, f"/restapis/{api_id}/{stage}/_user_request_{path}", body, headers)

    def via_host(self, api_id: str, method: str, path: str, body=None, headers=None) -> Reply:
        """`path` includes the stage (`/Prod/items/1`), except for an HTTP API's $default stage."""
        hdrs = {"Host": f"{api_id}.execute-api.localhost:{self.emu.port}"}
        hdrs.update(headers or {})
        return request(self.emu.port, method, path, body, hdrs)

    def echoed(self, reply: Reply, function: str | None = None) -> dict:
        """Asserts an echo function answered (200, JSON, X-Function) and returns the event."""
        self.assertEqual(reply.status, 200, f"{reply!r}\n" + self.emu.describe_output(30))
        self.assertEqual(reply.header("Content-Type"), "application/json", reply)
        if function is not None:
            self.assertEqual(reply.header("X-Function"), function, reply)
        return reply.json()

    def assert_clock(self, epoch_ms, time_text: str, before_ms: int, after_ms: int):
        self.assertIsInstance(epoch_ms, int)
        self.assertGreaterEqual(epoch_ms, before_ms - CLOCK_SLACK_MS)
        self.assertLessEqual(epoch_ms, after_ms + CLOCK_SLACK_MS)
        self.assertLessEqual(abs(clf_epoch(time_text) - epoch_ms // 1000), 1, (time_text, epoch_ms))


# ==== REST APIs ======================================================================================
REST_TEMPLATE = '''
Globals:
  Function:
    Runtime: python3.12
    CodeUri: py/
    Timeout: 30
Resources:
  ShopApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: beta
      Variables:
        color: blue
        size: large
      BinaryMediaTypes:
        - image~1png
  Ids:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.environment
      Environment:
        Variables:
          API_SHOP: !Ref ShopApi
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      Events:
        Item:
          Type: Api
          Properties: {Path: "/items/{id}", Method: get}
        Files:
          Type: Api
          Properties: {Path: "/files/{proxy+}", Method: any}
        Methods:
          Type: Api
          Properties: {Path: /methods, Method: ANY}
        Shop:
          Type: Api
          Properties: {Path: "/shop/{id}", Method: get, RestApiId: !Ref ShopApi}
        Upload:
          Type: Api
          Properties: {Path: /upload, Method: post, RestApiId: !Ref ShopApi}
  Special:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      Events:
        Literal:
          Type: Api
          Properties: {Path: /items/special, Method: get}
        PostOnly:
          Type: Api
          Properties: {Path: /methods, Method: post}
  Crafted:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.crafted
      Events:
        Crafted:
          Type: Api
          Properties: {Path: "/crafted/{case}", Method: get}
        Image:
          Type: Api
          Properties: {Path: "/image/{case}", Method: get, RestApiId: !Ref ShopApi}
'''


class RestApiTest(ApiGatewayTestCase):
    """REST APIs (payload 1.0): the implicit ServerlessRestApi (stage Prod) and ShopApi (stage
    beta, stage variables, image/png binary)."""

    TEMPLATE = REST_TEMPLATE
    ROUTE_COUNT = 9  # 6 on ServerlessRestApi, 3 on ShopApi

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.shop = cls.ids["API_SHOP"]
            cls.implicit = cls.listed_id("REST", "Prod")
        except BaseException:
            cls.tearDownClass()
            raise

    def test_console_lists_every_route_with_its_api_id(self):
        self.assertIsNotNone(self.emu.wait_for_line(rf"API Gateway on http://127\.0\.0\.1:{self.api_port}\b", 10),
                             self.emu.describe_output(40))
        self.assertRegex(self.shop, API_ID, "Ref of an AWS::Serverless::Api is its 10-character id")
        self.assertRegex(self.implicit, API_ID)
        self.assertNotEqual(self.shop, self.implicit)
        by_api = {}
        for function, kind, api, stage in self.route_lines:
            by_api.setdefault((kind, api, stage), []).append(function)
        self.assertEqual({k: sorted(v) for k, v in by_api.items()}, {
            ("REST", self.implicit, "Prod"): ["Crafted", "Echo", "Echo", "Echo", "Special", "Special"],
            ("REST", self.shop, "beta"): ["Crafted", "Echo", "Echo"],
        }, self.emu.describe_output(40))

    def test_event_field_by_field(self):
        before = int(time.time() * 1000)
        reply = self.via_api_port("GET", "/items/42?color=red&color=blue&single=x",
                                  headers={"X-Custom-Header": "Mixed-Case", "User-Agent": UA})
        after = int(time.time() * 1000)
        event = self.echoed(reply, "Echo")
        self.assertEqual(event["resource"], "/items/{id}")
        self.assertEqual(event["path"], "/items/42")
        self.assertEqual(event["httpMethod"], "GET")
        # Headers keep the case the client sent them in.
        self.assertEqual(event["headers"].get("X-Custom-Header"), "Mixed-Case", event["headers"])
        self.assertNotIn("x-custom-header", event["headers"])
        self.assertEqual(event["headers"].get("User-Agent"), UA)
        self.assertEqual(event["headers"].get("Host"), f"127.0.0.1:{self.api_port}")
        self.assertEqual(event["multiValueHeaders"].get("X-Custom-Header"), ["Mixed-Case"], event["multiValueHeaders"])
        self.assertEqual(event["multiValueHeaders"].get("User-Agent"), [UA])
        # A repeated parameter: its last value in queryStringParameters, all in multiValue...
        self.assertEqual(event["queryStringParameters"], {"color": "blue", "single": "x"})
        self.assertEqual(event["multiValueQueryStringParameters"], {"color": ["red", "blue"], "single": ["x"]})
        self.assertEqual(event["pathParameters"], {"id": "42"})
        self.assertIsNone(event["stageVariables"], "ServerlessRestApi has no stage variables")
        self.assertIn("body", event)
        self.assertIsNone(event["body"], "a GET without a body")
        self.assertIs(event["isBase64Encoded"], False)

        ctx = event["requestContext"]
        self.assertEqual(ctx["stage"], "Prod")
        self.assertEqual(ctx["resourcePath"], "/items/{id}")
        self.assertEqual(ctx["httpMethod"], "GET")
        self.assertEqual(ctx["apiId"], self.implicit)
        self.assertEqual(ctx["accountId"], ACCOUNT)
        self.assertEqual(ctx["protocol"], "HTTP/1.1")
        self.assertRegex(ctx["requestId"], UUID)
        self.assertEqual(ctx["identity"]["sourceIp"], "127.0.0.1")
        self.assertEqual(ctx["identity"]["userAgent"], UA)
        self.assert_clock(ctx["requestTimeEpoch"], ctx["requestTime"], before, after)

        again = self.echoed(self.via_api_port("GET", "/items/42", headers={"User-Agent": UA}))
        self.assertNotEqual(again["requestContext"]["requestId"], ctx["requestId"], "one request id per request")
        self.assertIsNone(again["queryStringParameters"], "no query string")
        self.assertIsNone(again["multiValueQueryStringParameters"])

    def test_repeated_headers_greedy_path_and_body_with_curl(self):
        text = "plain text body ✓\nsecond line"
        reply = curl("-X", "POST", "-H", "X-Multi: one", "-H", "X-Multi: two", "-H", "Content-Type: text/plain",
                     "--data-binary", text, f"http://127.0.0.1:{self.api_port}/files/a/b/c.txt?tag=1&tag=2")
        event = self.echoed(reply, "Echo")
        self.assertEqual(event["resource"], "/files/{proxy+}")
        self.assertEqual(event["path"], "/files/a/b/c.txt")
        self.assertEqual(event["httpMethod"], "POST")
        self.assertEqual(event["pathParameters"], {"proxy": "a/b/c.txt"})
        self.assertEqual(event["multiValueHeaders"].get("X-Multi"), ["one", "two"], event["multiValueHeaders"])
        self.assertEqual(event["headers"].get("X-Multi"), "two", "headers holds the last value")
        self.assertEqual(event["headers"].get("User-Agent"), f"curl/{curl_version()}")
        self.assertEqual(event["queryStringParameters"], {"tag": "2"})
        self.assertEqual(event["multiValueQueryStringParameters"], {"tag": ["1", "2"]})
        self.assertIs(event["isBase64Encoded"], False, "no binary media types on ServerlessRestApi")
        self.assertEqual(event["body"], text)
        self.assertEqual(event["requestContext"]["resourcePath"], "/files/{proxy+}")

    def test_routing_precedence(self):
        with self.subTest("a literal resource beats a path parameter"):
            event = self.echoed(self.via_api_port("GET", "/items/special"), "Special")
            self.assertEqual((event["resource"], event["pathParameters"]), ("/items/special", None))
        with self.subTest("a path parameter is one segment"):
            event = self.echoed(self.via_api_port("GET", "/items/7"), "Echo")
            self.assertEqual((event["resource"], event["pathParameters"]), ("/items/{id}", {"id": "7"}))
            reply = self.via_api_port("GET", "/items/7/more")
            self.assertEqual(reply.status, 403, reply)
        with self.subTest("a greedy parameter takes several segments, any method"):
            event = self.echoed(self.via_api_port("DELETE", "/files/x/y"), "Echo")
            self.assertEqual((event["resource"], event["httpMethod"], event["pathParameters"]),
                             ("/files/{proxy+}", "DELETE", {"proxy": "x/y"}))
        with self.subTest("a method beats ANY on the same resource"):
            event = self.echoed(self.via_api_port("POST", "/methods", b"{}", {"Content-Type": "application/json"}),
                                "Special")
            self.assertEqual((event["resource"], event["httpMethod"]), ("/methods", "POST"))
            for method in ("GET", "PUT", "PATCH", "DELETE"):
                event = self.echoed(self.via_api_port(method, "/methods"), "Echo")
                self.assertEqual((event["resource"], event["httpMethod"]), ("/methods", method))

    def test_no_route_is_403_missing_authentication_token(self):
        for name, reply in (("API port", self.via_api_port("GET", "/nowhere")),
                            ("API port, wrong method", self.via_api_port("DELETE", "/items/1")),
                            ("/restapis/", self.via_restapis(self.implicit, "Prod", "GET", "/nowhere")),
                            ("Host", self.via_host(self.implicit, "GET", "/Prod/nowhere"))):
            with self.subTest(name):
                self.assertEqual(reply.status, 403, reply)
                self.assertEqual(reply.json(), MISSING_TOKEN)

    def test_explicit_api_stage_and_stage_variables(self):
        event = self.echoed(self.via_api_port("GET", "/shop/5"), "Echo")
        self.assertEqual(event["resource"], "/shop/{id}")
        self.assertEqual(event["pathParameters"], {"id": "5"})
        self.assertEqual(event["stageVariables"], {"color": "blue", "size": "large"})
        self.assertEqual(event["requestContext"]["stage"], "beta")
        self.assertEqual(event["requestContext"]["apiId"], self.shop)

    def test_three_addressings_reach_the_same_route(self):
        replies = {
            "API port": self.via_api_port("GET", "/shop/9?q=1", headers={"User-Agent": UA}),
            "/restapis/": self.via_restapis(self.shop, "beta", "GET", "/shop/9?q=1", headers={"User-Agent": UA}),
            "Host": self.via_host(self.shop, "GET", "/beta/shop/9?q=1", headers={"User-Agent": UA}),
        }
        request_ids = set()
        for name, reply in replies.items():
            with self.subTest(name):
                event = self.echoed(reply, "Echo")
                # The stage is not part of `path` (AWS's example: POST /testStage/hello/world -> "/hello/world").
                self.assertEqual((event["resource"], event["path"], event["httpMethod"]), ("/shop/{id}", "/shop/9", "GET"))
                self.assertEqual(event["pathParameters"], {"id": "9"})
                self.assertEqual(event["queryStringParameters"], {"q": "1"})
                self.assertEqual(event["stageVariables"], {"color": "blue", "size": "large"})
                ctx = event["requestContext"]
                self.assertEqual((ctx["apiId"], ctx["stage"], ctx["resourcePath"]), (self.shop, "beta", "/shop/{id}"))
                self.assertEqual(ctx["identity"]["userAgent"], UA)
                request_ids.add(ctx["requestId"])
                if name == "Host":
                    self.assertEqual(event["headers"].get("Host"), f"{self.shop}.execute-api.localhost:{self.emu.port}")
                    # On the execute-api domain, requestContext.path carries the stage ("/test/" for stage test).
                    self.assertEqual(ctx["path"], "/beta/shop/9")
        self.assertEqual(len(request_ids), 3)

    def test_stage_mismatch_is_403(self):
        for name, reply in (
                ("/restapis/, ShopApi with Prod", self.via_restapis(self.shop, "Prod", "GET", "/shop/1")),
                ("Host, ShopApi with Prod", self.via_host(self.shop, "GET", "/Prod/shop/1")),
                ("/restapis/, ServerlessRestApi with beta", self.via_restapis(self.implicit, "beta", "GET", "/items/1")),
                ("Host, ServerlessRestApi with beta", self.via_host(self.implicit, "GET", "/beta/items/1"))):
            with self.subTest(name):
                self.assertEqual(reply.status, 403, reply)
                self.assertIsInstance(reply.json().get("message"), str, reply)

    def test_two_apis_told_apart_by_id(self):
        event = self.echoed(self.via_restapis(self.implicit, "Prod", "GET", "/items/3"), "Echo")
        self.assertEqual((event["requestContext"]["apiId"], event["requestContext"]["stage"]), (self.implicit, "Prod"))
        event = self.echoed(self.via_host(self.shop, "GET", "/beta/shop/3"), "Echo")
        self.assertEqual((event["requestContext"]["apiId"], event["requestContext"]["stage"]), (self.shop, "beta"))
        # Each API serves only its own resources.
        for name, reply in (("/items on ShopApi", self.via_restapis(self.shop, "beta", "GET", "/items/3")),
                            ("/shop on ServerlessRestApi", self.via_restapis(self.implicit, "Prod", "GET", "/shop/3")),
                            ("/items on ShopApi by Host", self.via_host(self.shop, "GET", "/beta/items/3")),
                            ("/upload on ServerlessRestApi by Host", self.via_host(self.implicit, "POST", "/Prod/upload", b"x"))):
            with self.subTest(name):
                self.assertEqual(reply.status, 403, reply)
                self.assertEqual(reply.json(), MISSING_TOKEN)

    def test_function_error_is_502(self):
        reply = self.via_api_port("GET", "/crafted/raise")
        self.assertEqual(reply.status, 502, reply)
        self.assertEqual(reply.body, REST_FUNCTION_ERROR)
        self.assertEqual(reply.header("Content-Type"), "application/json")
        # The function did run and fail: its error is in its log, not in the answer.
        self.assertNotIn(b"crafted failure", reply.body)

    def test_malformed_results_are_502(self):
        for case in ("no-status", "body-not-string", "not-an-object", "simple"):
            with self.subTest(case):
                reply = self.via_api_port("GET", f"/crafted/{case}")
                self.assertEqual(reply.status, 502, reply)
                self.assertEqual(reply.body, REST_FUNCTION_ERROR)

    def test_result_headers_merge_with_multi_value_headers(self):
        reply = curl(f"http://127.0.0.1:{self.api_port}/crafted/headers")
        self.assertEqual(reply.status, 201, reply)
        self.assertEqual(reply.body, b"created")
        self.assertEqual(reply.header("Content-Type"), "text/plain")
        self.assertEqual(reply.values("X-Single"), ["one"])
        self.assertEqual(reply.values("X-Multi"), ["a", "b"])
        # "If the same key-value pair is specified in both, only the values from multiValueHeaders
        # will appear in the merged list."
        self.assertEqual(reply.values("X-Both"), ["m1", "m2"])

    def test_binary_request_reaches_the_function_base64_encoded(self):
        event = self.echoed(self.via_api_port("POST", "/upload", PNG, {"Content-Type": "image/png"}), "Echo")
        self.assertIs(event["isBase64Encoded"], True)
        self.assertEqual(event["body"], base64.b64encode(PNG).decode())
        self.assertEqual(event["requestContext"]["apiId"], self.shop)
        # A text type on the same API stays text.
        event = self.echoed(self.via_api_port("POST", "/upload", b"just text", {"Content-Type": "text/plain"}))
        self.assertIs(event["isBase64Encoded"], False)
        self.assertEqual(event["body"], "just text")

    def test_base64_result_is_decoded_for_a_binary_accept(self):
        for name, reply in (("API port", self.via_api_port("GET", "/image/png", headers={"Accept": "image/png"})),
                            ("Host", self.via_host(self.shop, "GET", "/beta/image/png", headers={"Accept": "image/png"}))):
            with self.subTest(name):
                self.assertEqual(reply.status, 200, reply)
                self.assertEqual(reply.header("Content-Type"), "image/png")
                self.assertEqual(reply.body, PNG)


def curl_version() -> str:
    """curl's version, as it puts it in its User-Agent (curl/7.88.1)."""
    out = subprocess.run(["curl", "--version"], capture_output=True, text=True, timeout=30).stdout
    return out.split()[1]


# ==== HTTP APIs ======================================================================================
HTTP_TEMPLATE = '''
Globals:
  Function:
    Runtime: python3.12
    CodeUri: py/
    Timeout: 30
Resources:
  NamedHttp:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: v1
      StageVariables:
        mode: test
  Ids:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.environment
      Environment:
        Variables:
          API_NAMED: !Ref NamedHttp
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      Events:
        Hello:
          Type: HttpApi
          Properties: {Path: "/hello/{name}", Method: GET}
        Greedy:
          Type: HttpApi
          Properties: {Path: "/hello/{proxy+}", Method: ANY}
        Things:
          Type: HttpApi
          Properties: {Path: /things, Method: ANY}
        Legacy:
          Type: HttpApi
          Properties: {Path: /legacy, Method: POST, PayloadFormatVersion: "1.0", TimeoutInMillis: 29000}
        Named:
          Type: HttpApi
          Properties: {ApiId: !Ref NamedHttp, Path: "/named/{id}", Method: GET}
  Special:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      Events:
        World:
          Type: HttpApi
          Properties: {Path: /hello/world, Method: GET}
        GetThings:
          Type: HttpApi
          Properties: {Path: /things, Method: GET}
  Fallback:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      Events:
        Default:
          Type: HttpApi
  Crafted:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.crafted
      Events:
        V2:
          Type: HttpApi
          Properties: {Path: "/crafted/{case}", Method: GET, PayloadFormatVersion: "2.0"}
        V1:
          Type: HttpApi
          Properties: {Path: "/crafted1/{case}", Method: GET, PayloadFormatVersion: "1.0"}
'''

NODE_FETCH = r'''
const res = await fetch(process.env.LL_URL, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', 'X-From': 'node-fetch', 'User-Agent': 'lambda-local-node-test' },
  body: JSON.stringify({ hello: 'from node', n: 1 }),
});
const text = await res.text();
console.log(JSON.stringify({
  status: res.status, contentType: res.headers.get('content-type'), fn: res.headers.get('x-function'), body: text,
}));
'''


class HttpApiTest(ApiGatewayTestCase):
    """HTTP APIs: the implicit ServerlessHttpApi ($default stage, a $default route, 2.0 and 1.0
    routes) and NamedHttp (stage v1 with stage variables, no $default stage)."""

    TEMPLATE = HTTP_TEMPLATE
    ROUTE_COUNT = 10  # 9 on ServerlessHttpApi, 1 on NamedHttp

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.named = cls.ids["API_NAMED"]
            cls.implicit = cls.listed_id("HTTP", "$default")
        except BaseException:
            cls.tearDownClass()
            raise

    def test_console_lists_every_route_with_its_api_id(self):
        self.assertIsNotNone(self.emu.wait_for_line(rf"API Gateway on http://127\.0\.0\.1:{self.api_port}\b", 10),
                             self.emu.describe_output(40))
        self.assertRegex(self.named, API_ID, "Ref of an AWS::Serverless::HttpApi is its 10-character id")
        self.assertRegex(self.implicit, API_ID)
        by_api = {}
        for function, kind, api, stage in self.route_lines:
            by_api.setdefault((kind, api, stage), []).append(function)
        self.assertEqual({k: sorted(v) for k, v in by_api.items()}, {
            ("HTTP", self.implicit, "$default"): ["Crafted", "Crafted", "Echo", "Echo", "Echo", "Echo",
                                                  "Fallback", "Special", "Special"],
            ("HTTP", self.named, "v1"): ["Echo"],
        }, self.emu.describe_output(40))

    def test_v2_event_field_by_field(self):
        before = int(time.time() * 1000)
        reply = self.via_api_port("GET", "/hello/ada?x=1&x=2&y=z",
                                  headers={"X-Custom-Header": "Mixed-Case", "User-Agent": UA, "Cookie": "a=1; b=2"})
        after = int(time.time() * 1000)
        event = self.echoed(reply, "Echo")
        self.assertEqual(event["version"], "2.0")
        self.assertEqual(event["routeKey"], "GET /hello/{name}")
        self.assertEqual(event["rawPath"], "/hello/ada")
        self.assertEqual(event["rawQueryString"], "x=1&x=2&y=z")
        self.assertEqual(event.get("cookies"), ["a=1", "b=2"])
        # Header names lower-cased; repeated parameters joined with commas; no multiValue fields.
        self.assertEqual(event["headers"].get("x-custom-header"), "Mixed-Case", event["headers"])
        self.assertNotIn("X-Custom-Header", event["headers"])
        self.assertEqual(event["headers"].get("user-agent"), UA)
        self.assertEqual(event["queryStringParameters"], {"x": "1,2", "y": "z"})
        self.assertNotIn("multiValueHeaders", event)
        self.assertNotIn("multiValueQueryStringParameters", event)
        self.assertEqual(event["pathParameters"], {"name": "ada"})
        self.assertIs(event["isBase64Encoded"], False)

        ctx = event["requestContext"]
        self.assertEqual(ctx["http"], {"method": "GET", "path": "/hello/ada", "protocol": "HTTP/1.1",
                                       "sourceIp": "127.0.0.1", "userAgent": UA})
        self.assertEqual(ctx["routeKey"], "GET /hello/{name}")
        self.assertEqual(ctx["stage"], "$default")
        self.assertEqual(ctx["apiId"], self.implicit)
        self.assertEqual(ctx["accountId"], ACCOUNT)
        self.assertIsInstance(ctx["requestId"], str)
        self.assertTrue(ctx["requestId"])
        self.assert_clock(ctx["timeEpoch"], ctx["time"], before, after)
        again = self.echoed(self.via_api_port("GET", "/hello/ada"))
        self.assertNotEqual(again["requestContext"]["requestId"], ctx["requestId"], "one request id per request")
        self.assertEqual(again["rawQueryString"], "")

    def test_repeated_headers_cookies_and_body_with_curl(self):
        reply = curl("-X", "POST", "-H", "X-Dup: one", "-H", "X-Dup: two", "-b", "c1=v1; c2=v2",
                     "-H", "Content-Type: text/plain", "--data-binary", "plain text ✓",
                     f"http://127.0.0.1:{self.api_port}/hello/a/b?k=1&k=2")
        event = self.echoed(reply, "Echo")
        self.assertEqual(event["routeKey"], "ANY /hello/{proxy+}")
        self.assertEqual(event["pathParameters"], {"proxy": "a/b"})
        self.assertEqual(event["requestContext"]["http"]["method"], "POST")
        self.assertEqual(event["headers"].get("x-dup"), "one,two", "duplicate headers combined with commas")
        self.assertEqual(event["queryStringParameters"], {"k": "1,2"})
        self.assertEqual(event["rawQueryString"], "k=1&k=2")
        self.assertEqual(event.get("cookies"), ["c1=v1", "c2=v2"])
        self.assertEqual(event_body(event), "plain text ✓".encode())

    def test_routing_precedence_and_default_route(self):
        cases = [
            ("GET", "/hello/world", "Special", "GET /hello/world"),      # literal path first
            ("GET", "/hello/ada", "Echo", "GET /hello/{name}"),          # then a path parameter
            ("GET", "/hello/a/b/c", "Echo", "ANY /hello/{proxy+}"),      # then a greedy one
            ("DELETE", "/hello/ada", "Echo", "ANY /hello/{proxy+}"),     # GET /hello/{name} is GET only
            ("GET", "/things", "Special", "GET /things"),                # a method beats ANY
            ("PUT", "/things", "Echo", "ANY /things"),
            ("GET", "/no/such/route", "Fallback", "$default"),           # $default last
            ("POST", "/legacy/extra", "Fallback", "$default"),
        ]
        for method, path, function, route_key in cases:
            with self.subTest(f"{method} {path}"):
                event = self.echoed(self.via_api_port(method, path), function)
                self.assertEqual((event["routeKey"], event["requestContext"]["routeKey"]), (route_key, route_key))
                self.assertEqual(event["rawPath"], path)
        event = self.echoed(self.via_api_port("GET", "/no/such/route?q=1"), "Fallback")
        self.assertFalse(event.get("pathParameters"), "$default binds no path parameters")
        self.assertEqual(event["queryStringParameters"], {"q": "1"})

    def test_payload_format_1_0_route(self):
        reply = self.via_api_port("POST", "/legacy?a=1&a=2", b'{"legacy": true}',
                                  {"Content-Type": "application/json", "User-Agent": UA})
        event = self.echoed(reply, "Echo")
        self.assertEqual(event["version"], "1.0")
        self.assertEqual((event["resource"], event["path"], event["httpMethod"]), ("/legacy", "/legacy", "POST"))
        self.assertIn("multiValueHeaders", event)
        self.assertEqual(ci_get(event["multiValueHeaders"], "user-agent"), [UA])
        self.assertEqual(event["queryStringParameters"], {"a": "2"})
        self.assertEqual(event["multiValueQueryStringParameters"], {"a": ["1", "2"]})
        self.assertNotIn("routeKey", event)
        self.assertEqual(event_body(event), b'{"legacy": true}')
        ctx = event["requestContext"]
        self.assertEqual((ctx["apiId"], ctx["stage"], ctx["httpMethod"], ctx["resourcePath"]),
                         (self.implicit, "$default", "POST", "/legacy"))
        self.assertEqual(ctx["identity"]["sourceIp"], "127.0.0.1")
        self.assertEqual(ctx["identity"]["userAgent"], UA)

    def test_simplified_result_is_200_json(self):
        reply = self.via_api_port("GET", "/crafted/simple")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.header("Content-Type"), "application/json")
        self.assertEqual(reply.json(), {"hello": "world", "n": 1})

    def test_cookies_and_headers_of_a_full_result_with_curl(self):
        reply = curl(f"http://127.0.0.1:{self.api_port}/crafted/cookies")
        self.assertEqual(reply.status, 201, reply)
        self.assertEqual(reply.body, b"with cookies")
        self.assertEqual(reply.header("Content-Type"), "text/plain")
        self.assertEqual(reply.all("X-Single"), ["one"])
        self.assertEqual(sorted(reply.all("Set-Cookie")), ["a=1; Path=/", "b=2; HttpOnly"],
                         "each cookie becomes its own set-cookie header")

    def test_base64_result_is_decoded(self):
        reply = self.via_api_port("GET", "/crafted/png")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.header("Content-Type"), "image/png")
        self.assertEqual(reply.body, PNG)

    def test_function_error_is_500(self):
        reply = self.via_api_port("GET", "/crafted/raise")
        self.assertEqual(reply.status, 500, reply)
        self.assertEqual(reply.body, HTTP_FUNCTION_ERROR)
        self.assertEqual(reply.header("Content-Type"), "application/json")

    def test_malformed_results_are_500(self):
        for name, path in (("1.0 without statusCode", "/crafted1/no-status"),
                           ("1.0 body not a string", "/crafted1/body-not-string"),
                           ("2.0 body not a string", "/crafted/body-not-string")):
            with self.subTest(name):
                reply = self.via_api_port("GET", path)
                self.assertEqual(reply.status, 500, reply)
                self.assertEqual(reply.body, HTTP_FUNCTION_ERROR)

    def test_named_stage_three_addressings_and_stage_variables(self):
        replies = {
            "API port": self.via_api_port("GET", "/named/5"),
            "/restapis/": self.via_restapis(self.named, "v1", "GET", "/named/5"),
            "Host": self.via_host(self.named, "GET", "/v1/named/5"),
        }
        for name, reply in replies.items():
            with self.subTest(name):
                event = self.echoed(reply, "Echo")
                self.assertEqual(event["routeKey"], "GET /named/{id}")
                self.assertEqual(event["pathParameters"], {"id": "5"})
                self.assertEqual(event["stageVariables"], {"mode": "test"})
                ctx = event["requestContext"]
                self.assertEqual((ctx["apiId"], ctx["stage"], ctx["routeKey"]), (self.named, "v1", "GET /named/{id}"))
        with self.subTest("the implicit API's $default stage by Host: /path"):
            event = self.echoed(self.via_host(self.implicit, "GET", "/hello/ada"), "Echo")
            self.assertEqual((event["routeKey"], event["rawPath"]), ("GET /hello/{name}", "/hello/ada"))
            self.assertEqual((event["requestContext"]["apiId"], event["requestContext"]["stage"]),
                             (self.implicit, "$default"))
            self.assertEqual(event["headers"].get("host"), f"{self.implicit}.execute-api.localhost:{self.emu.port}")

    def test_no_route_and_stage_mismatch_are_404(self):
        for name, reply in (("no route, Host", self.via_host(self.named, "GET", "/v1/nothing")),
                            ("no route, /restapis/", self.via_restapis(self.named, "v1", "GET", "/nothing")),
                            ("wrong method", self.via_host(self.named, "POST", "/v1/named/5", b"x")),
                            ("no such stage, Host", self.via_host(self.named, "GET", "/prod/named/5")),
                            ("no such stage, /restapis/", self.via_restapis(self.named, "prod", "GET", "/named/5"))):
            with self.subTest(name):
                self.assertEqual(reply.status, 404, reply)
                self.assertEqual(reply.body, NOT_FOUND)

    def test_node_fetch(self):
        if shutil.which("node") is None:
            self.skipTest("node is not on PATH")
        with tempfile.TemporaryDirectory(prefix="apigw-node-") as tmp:
            script = os.path.join(tmp, "fetch_route.mjs")
            with open(script, "w") as f:
                f.write(NODE_FETCH)
            url = f"http://127.0.0.1:{self.api_port}/hello/node/deep?via=fetch"
            r = subprocess.run(["node", script], cwd=tmp, capture_output=True, text=True, timeout=120,
                               env=fake_credentials_env(LL_URL=url))
        self.assertEqual(r.returncode, 0, f"node failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
        out = json.loads(r.stdout.strip().splitlines()[-1])
        self.assertEqual((out["status"], out["contentType"], out["fn"]), (200, "application/json", "Echo"), out)
        event = json.loads(out["body"])
        self.assertEqual(event["routeKey"], "ANY /hello/{proxy+}")
        self.assertEqual(event["rawPath"], "/hello/node/deep")
        self.assertEqual(event["queryStringParameters"], {"via": "fetch"})
        self.assertEqual(event["headers"].get("x-from"), "node-fetch")
        self.assertEqual(event["requestContext"]["http"]["method"], "POST")
        self.assertEqual(event["requestContext"]["http"]["userAgent"], "lambda-local-node-test")
        self.assertEqual(json.loads(event_body(event)), {"hello": "from node", "n": 1})


if __name__ == "__main__":
    unittest.main()
