"""CORS in front of functions: SAM's `Cors` on REST APIs (AWS::Serverless::Api, and the implicit
ServerlessRestApi through Globals.Api) and `CorsConfiguration` on HTTP APIs
(AWS::Serverless::HttpApi, and the implicit ServerlessHttpApi through Globals.HttpApi), over the API
port (`--api-port`), `/restapis/{id}/{stage}/_user_request_/...` and the `{id}.execute-api` Host;
then a real browser (headless Chromium) calling an API from a page of another origin.

Expected values come from AWS's documentation and SAM's own source, not from lambda-local's:
* REST APIs: samtranslator `SwaggerEditor.add_cors` / `_options_method_response_for_cors` /
  `_make_cors_allowed_methods_for_path` and `ApiGenerator._add_cors`: SAM adds an OPTIONS method (a
  MOCK integration answering 200) on every path without one of its own; Access-Control-Allow-Origin
  always, -Allow-Methods as given or else the path's methods and OPTIONS (upper-case, sorted; all of
  DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT for ANY), -Allow-Headers and -Max-Age when given,
  -Allow-Credentials: true when AllowCredentials is true; the values are quoted strings in the
  template ("'*'"). SAM does not touch the functions' proxy responses ("customers have to implement
  [that] themselves"). A path the API does not have stays 403 Missing Authentication Token.
* HTTP APIs: API Gateway Developer Guide, "Configuring CORS for an HTTP API": API Gateway answers
  preflight OPTIONS requests (with Origin and Access-Control-Request-Method) itself, even without an
  OPTIONS route; it adds the configured CORS headers to the integration's response and ignores the
  CORS headers the integration returns; AllowOrigins may hold "*", an origin, or "https://*" /
  "http://*" (any origin of that scheme). SAM's `CorsConfiguration: true` is AllowOrigins ["*"]
  alone (samtranslator `HttpApiGenerator._add_cors`). Preflights answer 204 with no body, and with no
  CORS headers for an origin not allowed (so the browser refuses the call); HTTP APIs send
  lower-case header names.
* Browsers (the Fetch standard): a PUT with Content-Type: application/json and a custom header is
  not "simple", so Chromium sends a preflight first and makes the call only if the preflight allows
  the origin, the method and the headers; a refused call rejects with "TypeError: Failed to fetch".

Clients: http.client (through test_api_gateway's `request`), and Chromium (`--headless --dump-dom`,
an argument list, never a shell) loading a page from a local http.server. Chromium is installed by
scripts/setup.sh; the browser test skips, saying so, only when no chromium is on PATH (as the npm
tests do when npm is missing), and any failure to run it is an error. No sleeps and no timing
assertions."""
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import unittest
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from .harness import EmulatorTestCase, free_port
from .test_api_gateway import Reply, request

API_ID = re.compile(r"^[a-z0-9]{10}$")
ALL_METHODS = "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"  # SAM's list for a path with ANY
APP_ORIGIN = "https://app.example.com"
EVIL_ORIGIN = "https://evil.example"

# echo: the event back as JSON, X-Function naming the function. own_cors: a function that sets
# CORS headers of its own. origin_echo: a REST function answering with Access-Control-Allow-Origin
# = the caller's Origin (REST APIs leave that to the function). environment: the API ids.
APP = r'''
import json, os


def echo(event, context):
    return {"statusCode": 200,
            "headers": {"Content-Type": "application/json", "X-Function": context.function_name},
            "body": json.dumps(event)}


def own_cors(event, context):
    return {"statusCode": 200,
            "headers": {"Content-Type": "text/plain", "X-Function": context.function_name,
                        "Access-Control-Allow-Origin": "*",
                        "access-control-allow-methods": "DELETE",
                        "Access-Control-Expose-Headers": "x-secret"},
            "body": "own headers"}


def origin_echo(event, context):
    origin = next((v for k, v in (event.get("headers") or {}).items() if k.lower() == "origin"), "")
    return {"statusCode": 200,
            "headers": {"Content-Type": "application/json", "X-Function": context.function_name,
                        "Access-Control-Allow-Origin": origin},
            "body": json.dumps({"from": "rest", "method": event["httpMethod"]})}


def environment(event, context):
    return {k: v for k, v in os.environ.items() if k.startswith("API_")}
'''
FILES = {"py/app.py": APP}

FUNCTION_GLOBALS = '''
  Function:
    Runtime: python3.12
    CodeUri: py/
    Timeout: 30
'''


def cors_headers(reply: Reply) -> dict:
    """Every Access-Control-* header of a reply, by lower-case name (each must appear once)."""
    found = {}
    for name, value in reply.headers:
        if name.lower().startswith("access-control-"):
            if name.lower() in found:
                raise AssertionError(f"{name} twice in {reply!r}")
            found[name.lower()] = value
    return found


def preflight_headers(origin: str, method: str, request_headers: str | None = None) -> dict:
    h = {"Origin": origin, "Access-Control-Request-Method": method}
    if request_headers:
        h["Access-Control-Request-Headers"] = request_headers
    return h


class CorsTestCase(EmulatorTestCase):
    """An emulator (with a free --api-port, emu.api_port) and the API ids its Ids function gives."""

    FILES = FILES

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.ids = cls.invoke_ids()
        except BaseException:
            cls.tearDownClass()  # unittest does not call it when setUpClass fails
            raise

    @classmethod
    def invoke_ids(cls) -> dict:
        r = cls.lam.invoke(FunctionName="Ids")
        payload = r["Payload"].read()
        if "FunctionError" in r:
            raise AssertionError(f"Ids failed: {payload!r}\n" + cls.emu.describe_output(40))
        return json.loads(payload)

    def api(self, method: str, path: str, headers: dict | None = None, body: bytes | None = None) -> Reply:
        return request(self.emu.api_port, method, path, body, headers)

    def listed_id(self, function: str, kind: str) -> str:
        """The API id lambda-local's start-up listing gives for a function's routes (an implicit API)."""
        rx = re.compile(rf"->\s+{function}\s+\({kind} API ([a-z0-9]{{10}}), stage ")
        ids = {m.group(1) for line in self.emu.output().splitlines() if (m := rx.search(line))}
        self.assertEqual(len(ids), 1, self.emu.describe_output(40))
        return ids.pop()

    def assert_mock(self, reply: Reply):
        """A REST API's CORS MOCK answered: 200, JSON, a request id, and no function ran."""
        self.assertEqual(reply.status, 200, f"{reply!r}\n" + self.emu.describe_output(30))
        self.assertEqual(reply.header("Content-Type"), "application/json", reply)
        self.assertIsNone(reply.header("X-Function"), f"a function answered: {reply!r}")
        self.assertTrue(reply.header("x-amzn-RequestId"), reply)

    def assert_http_preflight(self, reply: Reply):
        """An HTTP API answered a preflight itself: 204, no body, no Content-Type, no function."""
        self.assertEqual(reply.status, 204, f"{reply!r}\n" + self.emu.describe_output(30))
        self.assertEqual(reply.body, b"", reply)
        self.assertIsNone(reply.header("Content-Type"), reply)
        self.assertIsNone(reply.header("X-Function"), f"a function answered: {reply!r}")
        self.assertTrue(reply.header("apigw-requestid"), reply)


# ==== REST APIs ======================================================================================
REST_TEMPLATE = '''
Globals:''' + FUNCTION_GLOBALS + '''
Resources:
  StringApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Cors: "'https://app.example.com'"
  MapApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Cors:
        AllowMethods: "'GET,PUT'"
        AllowHeaders: "'Content-Type,X-Custom'"
        AllowOrigin: "'https://app.example.com'"
        MaxAge: "'600'"
        AllowCredentials: true
  Ids:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.environment
      Environment:
        Variables:
          API_STRING: !Ref StringApi
          API_MAP: !Ref MapApi
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      Events:
        ItemsGet:
          Type: Api
          Properties: {Path: /items, Method: get, RestApiId: !Ref StringApi}
        ItemsDelete:
          Type: Api
          Properties: {Path: /items, Method: delete, RestApiId: !Ref StringApi}
        Item:
          Type: Api
          Properties: {Path: "/items/{id}", Method: get, RestApiId: !Ref StringApi}
        Files:
          Type: Api
          Properties: {Path: "/files/{proxy+}", Method: any, RestApiId: !Ref StringApi}
        OwnOptions:
          Type: Api
          Properties: {Path: /own, Method: options, RestApiId: !Ref StringApi}
        OwnGet:
          Type: Api
          Properties: {Path: /own, Method: get, RestApiId: !Ref StringApi}
        Things:
          Type: Api
          Properties: {Path: /things, Method: get, RestApiId: !Ref MapApi}
        Plain:
          Type: Api
          Properties: {Path: /plain, Method: get}
'''


class RestCorsTest(CorsTestCase):
    """StringApi (Cors: "'https://app.example.com'"), MapApi (every Cors property) and the
    implicit ServerlessRestApi without Cors."""

    TEMPLATE = REST_TEMPLATE

    def test_string_cors_answers_options_with_the_paths_methods(self):
        reply = self.api("OPTIONS", "/items", preflight_headers(APP_ORIGIN, "DELETE"))
        self.assert_mock(reply)
        self.assertEqual(cors_headers(reply), {
            "access-control-allow-origin": "https://app.example.com",
            "access-control-allow-methods": "DELETE,GET,OPTIONS",
        })
        # The names as SAM's method response declares them.
        self.assertIn("Access-Control-Allow-Origin", [k for k, _ in reply.headers])
        self.assertEqual(cors_headers(self.api("OPTIONS", "/items/42"))["access-control-allow-methods"], "GET,OPTIONS")
        self.assertEqual(cors_headers(self.api("OPTIONS", "/files/a/b.txt"))["access-control-allow-methods"],
                         ALL_METHODS)

    def test_the_mock_answers_whatever_the_origin(self):
        # The MOCK's headers are fixed values: the browser, not API Gateway, compares origins.
        for headers in ({}, {"Origin": EVIL_ORIGIN}, preflight_headers(EVIL_ORIGIN, "GET")):
            reply = self.api("OPTIONS", "/items", headers)
            self.assert_mock(reply)
            self.assertEqual(cors_headers(reply)["access-control-allow-origin"], APP_ORIGIN)

    def test_a_paths_own_options_method_is_kept(self):
        reply = self.api("OPTIONS", "/own", preflight_headers(APP_ORIGIN, "GET"))
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.header("X-Function"), "Echo", reply)
        self.assertEqual(reply.json()["httpMethod"], "OPTIONS")
        self.assertEqual(cors_headers(reply), {}, "SAM adds nothing to a function's response")

    def test_function_responses_are_left_to_the_function(self):
        reply = self.api("GET", "/items", {"Origin": APP_ORIGIN})
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.header("X-Function"), "Echo", reply)
        self.assertEqual(cors_headers(reply), {})

    def test_map_cors_sets_every_header(self):
        expected = {
            "access-control-allow-origin": "https://app.example.com",
            "access-control-allow-methods": "GET,PUT",
            "access-control-allow-headers": "Content-Type,X-Custom",
            "access-control-max-age": "600",
            "access-control-allow-credentials": "true",
        }
        reply = self.api("OPTIONS", "/things", preflight_headers(APP_ORIGIN, "PUT", "content-type,x-custom"))
        self.assert_mock(reply)
        self.assertEqual(cors_headers(reply), expected)
        # The same API on the main port, by id and stage.
        self.assertRegex(self.ids["API_MAP"], API_ID)
        reply = request(self.emu.port, "OPTIONS", f"/restapis/{self.ids['API_MAP']}/v1/_user_request_/things",
                        headers=preflight_headers(APP_ORIGIN, "PUT"))
        self.assert_mock(reply)
        self.assertEqual(cors_headers(reply), expected)
        # By Host, with the stage in the path.
        reply = request(self.emu.port, "OPTIONS", "/dev/items",
                        headers={"Host": f"{self.ids['API_STRING']}.execute-api.localhost:{self.emu.port}"})
        self.assert_mock(reply)
        self.assertEqual(cors_headers(reply)["access-control-allow-methods"], "DELETE,GET,OPTIONS")

    def test_no_cors_no_options(self):
        missing = {"message": "Missing Authentication Token"}
        reply = self.api("OPTIONS", "/plain", preflight_headers(APP_ORIGIN, "GET"))
        self.assertEqual((reply.status, reply.json()), (403, missing), reply)
        self.assertEqual(cors_headers(reply), {})
        # A path the API with Cors does not have.
        reply = request(self.emu.port, "OPTIONS", f"/restapis/{self.ids['API_STRING']}/dev/_user_request_/nowhere",
                        headers=preflight_headers(APP_ORIGIN, "GET"))
        self.assertEqual((reply.status, reply.json()), (403, missing), reply)


REST_GLOBALS_TEMPLATE = '''
Globals:''' + FUNCTION_GLOBALS + '''
  Api:
    Cors:
      AllowOrigin: "'*'"
      AllowHeaders: "'Content-Type'"
Resources:
  Ids:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.environment
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      Events:
        Hello:
          Type: Api
          Properties: {Path: /hello, Method: get}
        Any:
          Type: Api
          Properties: {Path: /any, Method: any}
'''


class RestGlobalsCorsTest(CorsTestCase):
    """Globals.Api.Cors on the implicit ServerlessRestApi."""

    TEMPLATE = REST_GLOBALS_TEMPLATE

    def test_globals_cors_reaches_the_implicit_api(self):
        expected = {"access-control-allow-origin": "*", "access-control-allow-methods": "GET,OPTIONS",
                    "access-control-allow-headers": "Content-Type"}
        reply = self.api("OPTIONS", "/hello", preflight_headers("http://localhost:8080", "GET"))
        self.assert_mock(reply)
        self.assertEqual(cors_headers(reply), expected)
        implicit = self.listed_id("Echo", "REST")
        reply = request(self.emu.port, "OPTIONS", f"/restapis/{implicit}/Prod/_user_request_/hello")
        self.assert_mock(reply)
        self.assertEqual(cors_headers(reply), expected)

    def test_any_method_path_lists_every_method_and_keeps_its_other_methods(self):
        reply = self.api("OPTIONS", "/any", preflight_headers("http://localhost:8080", "PATCH"))
        self.assert_mock(reply)
        self.assertEqual(cors_headers(reply)["access-control-allow-methods"], ALL_METHODS)
        reply = self.api("PATCH", "/any", {"Origin": "http://localhost:8080"})
        self.assertEqual(reply.header("X-Function"), "Echo", reply)
        self.assertEqual(cors_headers(reply), {})


# ==== HTTP APIs ======================================================================================
HTTP_TEMPLATE = '''
Globals:''' + FUNCTION_GLOBALS + '''
Resources:
  WebApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowOrigins: ["https://app.example.com", "http://*"]
        AllowMethods: [GET, PUT]
        AllowHeaders: [content-type, x-custom]
        ExposeHeaders: [x-function]
        MaxAge: 300
        AllowCredentials: true
  Ids:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.environment
      Environment:
        Variables:
          API_WEB: !Ref WebApi
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      Events:
        Get:
          Type: HttpApi
          Properties: {ApiId: !Ref WebApi, Path: /hello, Method: get}
        Put:
          Type: HttpApi
          Properties: {ApiId: !Ref WebApi, Path: /hello, Method: put}
  OwnCors:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.own_cors
      Events:
        Get:
          Type: HttpApi
          Properties: {ApiId: !Ref WebApi, Path: /own-cors, Method: get}
'''

HTTP_PREFLIGHT = {
    "access-control-allow-origin": APP_ORIGIN,
    "access-control-allow-methods": "GET,PUT",
    "access-control-allow-headers": "content-type,x-custom",
    "access-control-max-age": "300",
    "access-control-allow-credentials": "true",
}


class HttpCorsTest(CorsTestCase):
    """WebApi: an HTTP API with every CorsConfiguration property, AllowOrigins an origin and http://*."""

    TEMPLATE = HTTP_TEMPLATE

    def test_preflight_from_an_allowed_origin(self):
        reply = self.api("OPTIONS", "/hello", preflight_headers(APP_ORIGIN, "PUT", "content-type,x-custom"))
        self.assert_http_preflight(reply)
        self.assertEqual(cors_headers(reply), HTTP_PREFLIGHT)
        names = [k for k, _ in reply.headers if k.lower().startswith("access-control-")]
        self.assertEqual(names, [n.lower() for n in names], "HTTP APIs send lower-case names")

    def test_preflight_on_any_path(self):
        reply = self.api("OPTIONS", "/no/such/route", preflight_headers(APP_ORIGIN, "GET"))
        self.assert_http_preflight(reply)
        self.assertEqual(cors_headers(reply), HTTP_PREFLIGHT)

    def test_scheme_wildcard_origin(self):
        origin = "http://127.0.0.1:5173"
        reply = self.api("OPTIONS", "/hello", preflight_headers(origin, "PUT"))
        self.assert_http_preflight(reply)
        self.assertEqual(cors_headers(reply), dict(HTTP_PREFLIGHT, **{"access-control-allow-origin": origin}))

    def test_preflight_from_another_origin_gets_no_cors_headers(self):
        for origin in (EVIL_ORIGIN, "https://app.example.com.evil.example", "null"):
            reply = self.api("OPTIONS", "/hello", preflight_headers(origin, "PUT", "content-type"))
            self.assert_http_preflight(reply)
            self.assertEqual(cors_headers(reply), {}, origin)

    def test_options_that_is_no_preflight_is_routed(self):
        # Without Access-Control-Request-Method it is a plain OPTIONS: WebApi has no such route.
        reply = self.api("OPTIONS", "/hello", {"Origin": APP_ORIGIN})
        self.assertEqual((reply.status, reply.body), (404, b'{"message":"Not Found"}'), reply)

    def test_response_gets_the_configured_headers(self):
        reply = self.api("GET", "/hello", {"Origin": APP_ORIGIN})
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.header("X-Function"), "Echo", reply)
        self.assertEqual(cors_headers(reply), {
            "access-control-allow-origin": APP_ORIGIN,
            "access-control-allow-credentials": "true",
            "access-control-expose-headers": "x-function",
        })
        put = self.api("PUT", "/hello", {"Origin": "http://localhost:3000", "Content-Type": "application/json"}, b"{}")
        self.assertEqual(put.status, 200, put)
        self.assertEqual(cors_headers(put)["access-control-allow-origin"], "http://localhost:3000")

    def test_no_origin_or_another_origin_gets_none(self):
        self.assertEqual(cors_headers(self.api("GET", "/hello")), {})
        reply = self.api("GET", "/hello", {"Origin": EVIL_ORIGIN})
        self.assertEqual(reply.status, 200, reply)  # API Gateway answers; the browser refuses
        self.assertEqual(cors_headers(reply), {})

    def test_the_functions_own_cors_headers_are_replaced(self):
        reply = self.api("GET", "/own-cors", {"Origin": APP_ORIGIN})
        self.assertEqual((reply.status, reply.body), (200, b"own headers"), reply)
        self.assertEqual(reply.header("X-Function"), "OwnCors", reply)
        self.assertEqual(cors_headers(reply), {
            "access-control-allow-origin": APP_ORIGIN,  # not the function's "*"
            "access-control-allow-credentials": "true",
            "access-control-expose-headers": "x-function",  # not the function's x-secret
        })
        reply = self.api("GET", "/own-cors", {"Origin": EVIL_ORIGIN})
        self.assertEqual(reply.header("X-Function"), "OwnCors", reply)
        self.assertEqual(cors_headers(reply), {}, "the function's CORS headers are ignored")

    def test_main_port_by_host(self):
        self.assertRegex(self.ids["API_WEB"], API_ID)
        host = {"Host": f"{self.ids['API_WEB']}.execute-api.localhost:{self.emu.port}"}
        reply = request(self.emu.port, "OPTIONS", "/hello", headers=dict(host, **preflight_headers(APP_ORIGIN, "PUT")))
        self.assert_http_preflight(reply)
        self.assertEqual(cors_headers(reply), HTTP_PREFLIGHT)
        reply = request(self.emu.port, "GET", "/own-cors", headers=dict(host, Origin=APP_ORIGIN))
        self.assertEqual(reply.header("X-Function"), "OwnCors", reply)
        self.assertEqual(cors_headers(reply)["access-control-allow-origin"], APP_ORIGIN)


HTTP_GLOBALS_TEMPLATE = '''
Globals:''' + FUNCTION_GLOBALS + '''
  HttpApi:
    CorsConfiguration: true
Resources:
  Ids:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.environment
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      Events:
        Hello:
          Type: HttpApi
          Properties: {Path: /hello, Method: get}
'''


class HttpGlobalsCorsTest(CorsTestCase):
    """Globals.HttpApi.CorsConfiguration: true on the implicit ServerlessHttpApi."""

    TEMPLATE = HTTP_GLOBALS_TEMPLATE

    def test_true_allows_every_origin_and_nothing_else(self):
        reply = self.api("OPTIONS", "/hello", preflight_headers("https://anyone.example", "GET"))
        self.assert_http_preflight(reply)
        # SAM turns `true` into AllowOrigins ["*"] alone.
        self.assertEqual(cors_headers(reply), {"access-control-allow-origin": "*"})
        reply = self.api("GET", "/hello", {"Origin": "https://anyone.example"})
        self.assertEqual(reply.header("X-Function"), "Echo", reply)
        self.assertEqual(cors_headers(reply), {"access-control-allow-origin": "*"})
        implicit = self.listed_id("Echo", "HTTP")
        reply = request(self.emu.port, "OPTIONS", "/hello",
                        headers={"Host": f"{implicit}.execute-api.localhost:{self.emu.port}",
                                 **preflight_headers("https://anyone.example", "GET")})
        self.assert_http_preflight(reply)
        self.assertEqual(cors_headers(reply), {"access-control-allow-origin": "*"})


# ==== a real browser =================================================================================
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise unittest.SkipTest("chromium is not on PATH (scripts/setup.sh installs Debian's chromium)")


BROWSER_TEMPLATE = '''
Globals:''' + FUNCTION_GLOBALS + '''
Resources:
  AllowedApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowOrigins: ["{page_origin}"]
        AllowMethods: [PUT]
        AllowHeaders: [content-type, x-custom]
        ExposeHeaders: [x-function]
  OtherApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowOrigins: ["http://elsewhere.example"]
        AllowMethods: [PUT]
        AllowHeaders: [content-type, x-custom]
  ShopApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Cors:
        AllowOrigin: "'{page_origin}'"
        AllowHeaders: "'Content-Type,X-Custom'"
  Ids:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.environment
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      Events:
        Hello:
          Type: HttpApi
          Properties: {{ApiId: !Ref AllowedApi, Path: /hello, Method: put}}
        Other:
          Type: HttpApi
          Properties: {{ApiId: !Ref OtherApi, Path: /other, Method: put}}
  OriginEcho:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.origin_echo
      Events:
        Shop:
          Type: Api
          Properties: {{RestApiId: !Ref ShopApi, Path: /shop, Method: put}}
'''

# Calls each URL with a PUT that is not "simple" (JSON and a custom header), so the browser
# preflights it, and writes what happened into the page as JSON.
PAGE = '''<!doctype html>
<html><head><meta charset="utf-8"><title>cors</title></head>
<body><pre id="out">pending</pre>
<script>
const calls = %s;
async function run() {
  const results = {};
  for (const [name, url] of Object.entries(calls)) {
    try {
      const r = await fetch(url, {method: 'PUT', body: JSON.stringify({from: 'browser'}),
                                  headers: {'Content-Type': 'application/json', 'X-Custom': '1'}});
      results[name] = {ok: true, status: r.status, xFunction: r.headers.get('x-function'), body: await r.text()};
    } catch (e) {
      results[name] = {ok: false, error: String(e)};
    }
  }
  document.getElementById('out').textContent = JSON.stringify(results);
}
run();
</script></body></html>
'''


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass


class BrowserCorsTest(CorsTestCase):
    """Headless Chromium loads a page from http://127.0.0.1:<page port> (another origin than the
    API port) whose script calls three APIs with a preflighted PUT: an HTTP API allowing the page's
    origin, one allowing only another origin, and a REST API whose Cors allows the page's origin
    (its function adds Access-Control-Allow-Origin itself, as REST APIs require)."""

    @classmethod
    def setUpClass(cls):
        cls.browser = chromium()
        cls.page_dir = tempfile.mkdtemp(prefix="apigw-cors-page-")
        cls.page_server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=cls.page_dir))
        cls.page_thread = threading.Thread(target=cls.page_server.serve_forever, daemon=True)
        cls.page_thread.start()
        cls.page_origin = f"http://127.0.0.1:{cls.page_server.server_address[1]}"
        cls.TEMPLATE = BROWSER_TEMPLATE.format(page_origin=cls.page_origin)
        try:
            super().setUpClass()
        except BaseException:
            cls.stop_page_server()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.stop_page_server()

    @classmethod
    def stop_page_server(cls):
        cls.page_server.shutdown()
        cls.page_server.server_close()
        cls.page_thread.join(10)
        shutil.rmtree(cls.page_dir, ignore_errors=True)

    def run_page(self, calls: dict) -> dict:
        """Serves PAGE calling `calls` ({name: url}), lets Chromium run it, returns its results."""
        with open(os.path.join(self.page_dir, "index.html"), "w") as f:
            f.write(PAGE % json.dumps(calls))
        with tempfile.TemporaryDirectory(prefix="apigw-cors-chromium-") as profile:
            # --virtual-time-budget: virtual time stands still while fetches are pending, so the
            # DOM is dumped once the script has written its results (a bound, not a timing).
            args = [self.browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--no-default-browser-check", f"--user-data-dir={profile}",
                    "--virtual-time-budget=30000", "--dump-dom", f"{self.page_origin}/index.html"]
            proc = subprocess.run(args, capture_output=True, text=True, timeout=180)
        self.assertEqual(proc.returncode, 0, f"chromium failed:\n{proc.stderr[-3000:]}")
        m = re.search(r'<pre id="out">(.*?)</pre>', proc.stdout, re.S)
        self.assertIsNotNone(m, f"no results in the page:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        text = html.unescape(m.group(1))
        self.assertNotEqual(text, "pending", f"the page's script did not finish:\n{proc.stderr[-3000:]}")
        return json.loads(text)

    def api_lines(self) -> list[str]:
        """The gateway's access lines so far ("PUT /hello 200 ... Echo")."""
        return self.emu.function_lines("api")

    def test_browser_calls_only_where_cors_allows_its_origin(self):
        base = f"http://127.0.0.1:{self.emu.api_port}"
        results = self.run_page({"allowed": f"{base}/hello", "other": f"{base}/other", "rest": f"{base}/shop"})
        diagnostics = f"{results}\n" + self.emu.describe_output(40)

        allowed = results["allowed"]
        self.assertTrue(allowed["ok"], diagnostics)
        self.assertEqual(allowed["status"], 200, diagnostics)
        self.assertEqual(allowed["xFunction"], "Echo", "ExposeHeaders lets the page read x-function")
        event = json.loads(allowed["body"])
        self.assertEqual(event["requestContext"]["http"]["method"], "PUT")
        self.assertEqual(event["headers"].get("origin"), self.page_origin)
        self.assertEqual(event["headers"].get("x-custom"), "1")

        other = results["other"]
        self.assertFalse(other["ok"], diagnostics)
        self.assertEqual(other["error"], "TypeError: Failed to fetch", diagnostics)

        rest = results["rest"]
        self.assertTrue(rest["ok"], diagnostics)
        self.assertEqual(rest["status"], 200, diagnostics)
        self.assertEqual(json.loads(rest["body"]), {"from": "rest", "method": "PUT"})
        self.assertIsNone(rest["xFunction"], "nothing exposes x-function on the REST API")

        # The browser preflighted each call, and sent the refused one no further.
        lines = self.api_lines()
        for path in ("/hello", "/other", "/shop"):
            self.assertTrue(any(l.startswith(f"OPTIONS {path} ") for l in lines), f"no preflight of {path}: {lines}")
        self.assertTrue(any(l.startswith("PUT /hello 200 ") for l in lines), lines)
        self.assertTrue(any(l.startswith("PUT /shop 200 ") for l in lines), lines)
        self.assertFalse(any(l.startswith("PUT /other ") for l in lines), lines)


if __name__ == "__main__":
    unittest.main()
