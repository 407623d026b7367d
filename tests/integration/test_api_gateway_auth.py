"""Authorization in front of functions: SAM's `Auth` on REST APIs (AWS::Serverless::Api with Lambda
TOKEN and REQUEST authorizers, DefaultAuthorizer, per-event Authorizer NONE / AWS_IAM,
ApiKeyRequired, UsagePlan) and on HTTP APIs (AWS::Serverless::HttpApi with Lambda authorizers of
payload format 2.0 with simple responses and 1.0 with IAM policies, and a JWT authorizer that
lambda-local does not enforce yet), plus AWS::ApiGateway::ApiKey; over the API port
(`--api-port`) and the main port's `/restapis/{id}/{stage}/_user_request_/...`.

Expected values come from AWS's documentation, not from lambda-local's implementation:
* API Gateway Developer Guide, "Input to an API Gateway Lambda authorizer" (TOKEN:
  {"type": "TOKEN", "authorizationToken", "methodArn"}; REQUEST: the request's headers, query
  string, path and stage variables and requestContext, "type": "REQUEST", "methodArn"), "Output
  from an API Gateway Lambda authorizer" (principalId, policyDocument, context; the context's
  values reach the integration stringified as `requestContext.authorizer.<key>`), "Control
  access to HTTP APIs with AWS Lambda authorizers" (the 2.0 event's "routeArn" and
  "identitySource" list, the 1.0 event's "identitySource" string; simple responses
  {"isAuthorized", "context"}; the context at `requestContext.authorizer.lambda`; identity
  sources missing -> 401 without calling the function; results cached per identity source for
  the TTL), "Choose an API key source" / "Require an API key on a method" (x-api-key).
* AWS Knowledge Center, "Why do I get API Gateway 401 Unauthorized errors after I create a
  Lambda authorizer?" and "How do I troubleshoot HTTP 403 errors ... Lambda authorizer": a
  missing or invalid token is 401 {"message":"Unauthorized"}, an authorizer failing with
  "Unauthorized" too; a Deny is 403 "User is not authorized to access this resource with an
  explicit deny" (clients receive it under "Message"), a policy that does not cover the method
  403 "User is not authorized to access this resource"; any other authorizer failure is 500
  (AuthorizerConfigurationException, body {"message":null}). A cached policy is judged against
  each request's method ARN. HTTP APIs answer 401 {"message":"Unauthorized"} and 403
  {"message":"Forbidden"}; a method that requires an API key answers 403 {"message":"Forbidden"}
  without a valid one; AWS_IAM without a signature answers 403 Missing Authentication Token.
* SAM: ApiAuth (DefaultAuthorizer, AddDefaultAuthorizerToCorsPreflight default true, so SAM's CORS
  OPTIONS method carries the default authorizer; ApiKeyRequired; UsagePlan CreateUsagePlan
  PER_API creates `<Api>ApiKey`), LambdaTokenAuthorizer (Identity.Header default Authorization,
  ValidationExpression, ReauthorizeEvery default 300), LambdaRequestAuthorizer, HttpApiAuth,
  LambdaAuthorizer (AuthorizerPayloadFormatVersion, EnableSimpleResponses), ApiFunctionAuth
  (Authorizer: NONE / AWS_IAM, ApiKeyRequired).

lambda-local's own output is read for two things AWS shows elsewhere: the value of the key SAM's
UsagePlan generates ("API key PlanApiApiKey: <value>"; AWS shows it in the console) and the route
listing with each route's authorizer. Authorizer calls are counted from a file the authorizer
functions append to before they answer, so a cache hit is observed, never timed. No sleeps and no
timing assertions."""
import json
import os
import re
import shutil
import tempfile
import unittest
import uuid

from .harness import ACCOUNT, EmulatorTestCase, wait_until
from .test_api_gateway import Reply, request

CALLS_DIR = tempfile.mkdtemp(prefix="apigw-auth-calls-")
CALLS_FILE = os.path.join(CALLS_DIR, "calls.log")
GIVEN_KEY = "given-key-0123456789abcdefghij"
UNAUTHORIZED = {"message": "Unauthorized"}
FORBIDDEN = {"message": "Forbidden"}
EXPLICIT_DENY = {"Message": "User is not authorized to access this resource with an explicit deny"}
IMPLICIT_DENY = {"Message": "User is not authorized to access this resource"}

APP = r'''
import json, os

CALLS = os.environ["AUTH_CALLS"]


def record(kind, key):
    # Written before the authorizer answers: the test counts calls, never waits for them.
    with open(CALLS, "a") as f:
        f.write(f"{kind} {key}\n")


def header(event, name):
    for k, v in (event.get("headers") or {}).items():
        if k.lower() == name.lower():
            return v
    return None


def policy(principal, effect, resource, context=None):
    out = {"principalId": principal,
           "policyDocument": {"Version": "2012-10-17",
                              "Statement": [{"Action": "execute-api:Invoke", "Effect": effect,
                                             "Resource": resource}]}}
    if context is not None:
        out["context"] = context
    return out


def echo(event, context):
    return {"statusCode": 200,
            "headers": {"Content-Type": "application/json", "X-Function": context.function_name},
            "body": json.dumps(event)}


def environment(event, context):
    return {k: v for k, v in os.environ.items() if k.startswith("API_")}


def token(event, context):
    tok = event["authorizationToken"]
    record("token", tok)
    arn = event["methodArn"]
    api = arn.split("/")[0]  # arn:aws:execute-api:region:account:apiId
    if tok.startswith("allow"):
        return policy("user-" + tok, "Allow", api + "/*",
                      {"tier": "gold", "n": 42, "ok": True, "eventType": event["type"], "methodArn": arn,
                       "eventKeys": ",".join(sorted(event))})
    if tok.startswith("get-only"):
        return policy("reader", "Allow", api + "/*/GET/*")
    if tok == "deny":
        return policy("user", "Deny", arn)
    if tok == "unauthorized":
        raise Exception("Unauthorized")
    if tok == "crash":
        raise RuntimeError("the authorizer broke")
    if tok == "malformed":
        return {"principalId": "user"}
    return policy("user", "Allow", "arn:aws:execute-api:us-east-1:000000000000:elsewhere/*")


def request_auth(event, context):
    user = header(event, "X-User")
    record("request", user)
    query = event.get("queryStringParameters") or {}
    return policy(user, "Allow" if user == "ann" else "Deny", event["methodArn"],
                  {"user": user, "tenant": query.get("tenant"), "eventType": event["type"],
                   "resource": event["resource"], "hasBody": "body" in event})


def simple(event, context):
    tok = event["identitySource"][0]
    record("simple", tok)
    return {"isAuthorized": tok.startswith("letmein"),
            "context": {"user": "u2", "level": 3, "routeArn": event["routeArn"], "version": event["version"],
                        "type": event["type"]}}


def http_policy(event, context):
    key = event["identitySource"]
    record("http_policy", key)
    return policy("p", "Allow" if key == "good" else "Deny", event["methodArn"],
                  {"k": "v", "version": event["version"]})
'''

TEMPLATE = f'''
Globals:
  Function:
    Runtime: python3.12
    CodeUri: py/
    Timeout: 30
    Environment:
      Variables:
        AUTH_CALLS: {CALLS_FILE}
Resources:
  TokenAuthFn:
    Type: AWS::Serverless::Function
    Properties: {{Handler: app.token}}
  RequestAuthFn:
    Type: AWS::Serverless::Function
    Properties: {{Handler: app.request_auth}}
  SimpleAuthFn:
    Type: AWS::Serverless::Function
    Properties: {{Handler: app.simple}}
  PolicyAuthFn:
    Type: AWS::Serverless::Function
    Properties: {{Handler: app.http_policy}}
  AuthApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Cors: "'*'"
      Auth:
        DefaultAuthorizer: TokenAuth
        Authorizers:
          TokenAuth:
            FunctionArn: !GetAtt TokenAuthFn.Arn
            Identity:
              ValidationExpression: "^[a-z0-9-]+$"
          RequestAuth:
            FunctionArn: !GetAtt RequestAuthFn.Arn
            FunctionPayloadType: REQUEST
            Identity:
              Headers: [X-User]
              QueryStrings: [tenant]
              ReauthorizeEvery: 0
  PlanApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: PER_API
  GivenKey:
    Type: AWS::ApiGateway::ApiKey
    Properties:
      Enabled: true
      Value: {GIVEN_KEY}
  HttpAuthApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Simple
        Authorizers:
          Simple:
            FunctionArn: !GetAtt SimpleAuthFn.Arn
            AuthorizerPayloadFormatVersion: "2.0"
            EnableSimpleResponses: true
            Identity:
              Headers: [Authorization]
              ReauthorizeEvery: 300
          Policy:
            FunctionArn: !GetAtt PolicyAuthFn.Arn
            AuthorizerPayloadFormatVersion: "1.0"
            Identity:
              Headers: [X-Key]
          Jwt:
            IdentitySource: $request.header.Authorization
            JwtConfiguration:
              issuer: http://127.0.0.1:9/nobody  # nothing listens: no keys (test_api_gateway_jwt has an issuer)
              audience: [lambda-local]
  Ids:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.environment
      Environment:
        Variables:
          AUTH_CALLS: {CALLS_FILE}
          API_REST: !Ref AuthApi
          API_PLAN: !Ref PlanApi
          API_HTTP: !Ref HttpAuthApi
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      Events:
        Items:
          Type: Api
          Properties: {{Path: /items, Method: get, RestApiId: !Ref AuthApi}}
        ItemsDelete:
          Type: Api
          Properties: {{Path: /items, Method: delete, RestApiId: !Ref AuthApi}}
        Item:
          Type: Api
          Properties: {{Path: "/items/{{id}}", Method: get, RestApiId: !Ref AuthApi}}
        Public:
          Type: Api
          Properties:
            Path: /public
            Method: get
            RestApiId: !Ref AuthApi
            Auth: {{Authorizer: NONE}}
        Request:
          Type: Api
          Properties:
            Path: /request
            Method: get
            RestApiId: !Ref AuthApi
            Auth: {{Authorizer: RequestAuth}}
        Keyed:
          Type: Api
          Properties:
            Path: /keyed
            Method: get
            RestApiId: !Ref AuthApi
            Auth: {{Authorizer: NONE, ApiKeyRequired: true}}
        Iam:
          Type: Api
          Properties:
            Path: /iam
            Method: get
            RestApiId: !Ref AuthApi
            Auth: {{Authorizer: AWS_IAM}}
        Planned:
          Type: Api
          Properties: {{Path: /planned, Method: get, RestApiId: !Ref PlanApi}}
        Pets:
          Type: HttpApi
          Properties: {{Path: /pets, Method: get, ApiId: !Ref HttpAuthApi}}
        V1Pets:
          Type: HttpApi
          Properties:
            Path: /v1pets
            Method: get
            ApiId: !Ref HttpAuthApi
            Auth: {{Authorizer: Policy}}
        JwtPets:
          Type: HttpApi
          Properties:
            Path: /jwtpets
            Method: get
            ApiId: !Ref HttpAuthApi
            Auth: {{Authorizer: Jwt}}
'''

def calls(kind: str, key: str) -> int:
    """How many times the `kind` authorizer ran for `key` (its token, user or identity)."""
    if not os.path.exists(CALLS_FILE):
        return 0
    with open(CALLS_FILE) as f:
        return sum(1 for line in f if line.rstrip("\n") == f"{kind} {key}")


def unique(prefix: str) -> str:
    """A token no other test sends, so each test sees its own cache entries and calls."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class AuthTestCase(EmulatorTestCase):
    TEMPLATE = TEMPLATE
    FILES = {"py/app.py": APP}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            r = cls.lam.invoke(FunctionName="Ids")
            payload = r["Payload"].read()
            if "FunctionError" in r:
                raise AssertionError(f"Ids failed: {payload!r}\n" + cls.emu.describe_output(40))
            cls.ids = json.loads(payload)
            # The listing follows "ready"; wait for its last route (bounded, not timed).
            wait_until(lambda: any("/jwtpets" in line for line in cls.emu.output().splitlines()), 10)
        except BaseException:
            cls.tearDownClass()
            raise

    def api(self, method: str, path: str, headers: dict | None = None) -> Reply:
        return request(self.emu.api_port, method, path, None, headers)

    def echoed(self, reply: Reply) -> dict:
        self.assertEqual(reply.status, 200, f"{reply!r}\n" + self.emu.describe_output(30))
        self.assertEqual(reply.header("X-Function"), "Echo", reply)
        return reply.json()

    def refused(self, reply: Reply, status: int, body: dict, error_type: str | None = None):
        self.assertEqual(reply.status, status, f"{reply!r}\n" + self.emu.describe_output(20))
        self.assertIsNone(reply.header("X-Function"), f"the function ran: {reply!r}")
        self.assertEqual(reply.json(), body, reply)
        self.assertEqual(reply.header("x-amzn-ErrorType"), error_type, reply)

    def rest_arn(self, method: str, path: str) -> str:
        return f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{self.ids['API_REST']}/Prod/{method}/{path.lstrip('/')}"

    def route_auth(self) -> dict:
        """(method, path) -> the listing's suffix after the stage (", auth X", "")."""
        found = {}
        for line in self.emu.output().splitlines():
            m = re.search(r"(\S+)\s+(/\S*)\s+->\s+.+?\((?:REST|HTTP) API [a-z0-9]{10}, stage [^,)]+(.*)\)\s*$", line)
            if m:
                found[(m.group(1), m.group(2))] = m.group(3)
        return found


class RestLambdaAuthorizerTest(AuthTestCase):
    def test_startup_lists_each_routes_authorizer(self):
        listed = self.route_auth()
        self.assertEqual(listed.get(("GET", "/items")), ", auth TokenAuth", self.emu.describe_output(60))
        self.assertEqual(listed.get(("GET", "/public")), "")
        self.assertEqual(listed.get(("GET", "/request")), ", auth RequestAuth")
        self.assertEqual(listed.get(("GET", "/iam")), ", auth AWS_IAM")
        self.assertEqual(listed.get(("GET", "/keyed")), ", API key required")
        self.assertEqual(listed.get(("GET", "/planned")), ", API key required")
        self.assertEqual(listed.get(("GET", "/pets")), ", auth Simple")
        self.assertEqual(listed.get(("GET", "/jwtpets")), ", auth Jwt")
        self.assertTrue(any("JWT authorizer Jwt" in line and "its tokens are refused" in line
                            for line in self.emu.output().splitlines()), self.emu.describe_output(60))

    def test_token_authorizer_allows_and_its_context_reaches_the_function(self):
        tok = unique("allow")
        event = self.echoed(self.api("GET", "/items", {"Authorization": tok}))
        authorizer = event["requestContext"]["authorizer"]
        self.assertEqual(authorizer["principalId"], "user-" + tok)
        # REST APIs stringify the context's numbers and booleans.
        self.assertEqual(authorizer["tier"], "gold")
        self.assertEqual(authorizer["n"], "42")
        self.assertEqual(authorizer["ok"], "true")
        self.assertIsInstance(authorizer["integrationLatency"], int)
        # What the authorizer was given: the TOKEN event, nothing else.
        self.assertEqual(authorizer["eventType"], "TOKEN")
        self.assertEqual(authorizer["eventKeys"], "authorizationToken,methodArn,type")
        self.assertEqual(authorizer["methodArn"], self.rest_arn("GET", "/items"))
        self.assertEqual(calls("token", tok), 1)

    def test_missing_or_invalid_token_is_401_without_calling_the_authorizer(self):
        self.refused(self.api("GET", "/items"), 401, UNAUTHORIZED, "UnauthorizedException")
        self.refused(self.api("GET", "/items", {"Authorization": ""}), 401, UNAUTHORIZED, "UnauthorizedException")
        # ValidationExpression ^[a-z0-9-]+$ refuses it before any call.
        self.refused(self.api("GET", "/items", {"Authorization": "Not Valid!"}), 401, UNAUTHORIZED,
                     "UnauthorizedException")
        self.assertEqual(calls("token", "Not Valid!"), 0)
        self.assertEqual(calls("token", ""), 0)

    def test_deny_and_a_policy_that_does_not_cover_the_method_are_403(self):
        self.refused(self.api("GET", "/items", {"Authorization": "deny"}), 403, EXPLICIT_DENY, "AccessDeniedException")
        self.refused(self.api("GET", "/items", {"Authorization": "elsewhere"}), 403, IMPLICIT_DENY,
                     "AccessDeniedException")

    def test_authorizer_failures(self):
        self.refused(self.api("GET", "/items", {"Authorization": "unauthorized"}), 401, UNAUTHORIZED,
                     "UnauthorizedException")
        self.refused(self.api("GET", "/items", {"Authorization": "crash"}), 500, {"message": None},
                     "AuthorizerConfigurationException")
        self.refused(self.api("GET", "/items", {"Authorization": "malformed"}), 500, {"message": None},
                     "AuthorizerConfigurationException")

    def test_a_cached_policy_is_judged_again_for_each_method(self):
        tok = unique("get-only")
        self.echoed(self.api("GET", "/items", {"Authorization": tok}))
        self.echoed(self.api("GET", "/items/7", {"Authorization": tok}))
        self.assertEqual(calls("token", tok), 1, "the second request should have used the cached policy")
        # The cached policy allows GET only: DELETE is refused without another call.
        self.refused(self.api("DELETE", "/items", {"Authorization": tok}), 403, IMPLICIT_DENY, "AccessDeniedException")
        self.assertEqual(calls("token", tok), 1)
        other = unique("get-only")
        self.echoed(self.api("GET", "/items", {"Authorization": other}))
        self.assertEqual(calls("token", other), 1)

    def test_request_authorizer(self):
        event = self.echoed(self.api("GET", "/request?tenant=t1", {"X-User": "ann"}))
        authorizer = event["requestContext"]["authorizer"]
        self.assertEqual(authorizer["principalId"], "ann")
        self.assertEqual(authorizer["user"], "ann")
        self.assertEqual(authorizer["tenant"], "t1")
        self.assertEqual(authorizer["eventType"], "REQUEST")
        self.assertEqual(authorizer["resource"], "/request")
        self.assertEqual(authorizer["hasBody"], "false")
        # ReauthorizeEvery: 0 -- every request calls the authorizer.
        before = calls("request", "ann")
        self.echoed(self.api("GET", "/request?tenant=t1", {"X-User": "ann"}))
        self.assertEqual(calls("request", "ann"), before + 1)
        self.refused(self.api("GET", "/request?tenant=t1", {"X-User": "bob"}), 403, EXPLICIT_DENY,
                     "AccessDeniedException")
        # An identity source missing: 401 and no call.
        self.refused(self.api("GET", "/request", {"X-User": "carol"}), 401, UNAUTHORIZED, "UnauthorizedException")
        self.assertEqual(calls("request", "carol"), 0)

    def test_authorizer_none_leaves_a_route_open(self):
        event = self.echoed(self.api("GET", "/public"))
        self.assertNotIn("authorizer", event["requestContext"])

    def test_sams_cors_preflight_carries_the_default_authorizer(self):
        # AddDefaultAuthorizerToCorsPreflight defaults to true: SAM's OPTIONS needs the token too.
        self.refused(self.api("OPTIONS", "/items", {"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}),
                     401, UNAUTHORIZED, "UnauthorizedException")
        reply = self.api("OPTIONS", "/items", {"Authorization": unique("allow")})
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.header("Access-Control-Allow-Origin"), "*", reply)

    def test_the_main_ports_restapis_path(self):
        path = f"/restapis/{self.ids['API_REST']}/Prod/_user_request_/items"
        self.assertEqual(request(self.emu.port, "GET", path).status, 401)
        reply = request(self.emu.port, "GET", path, None, {"Authorization": unique("allow")})
        self.assertEqual(self.echoed(reply)["requestContext"]["authorizer"]["tier"], "gold")


class ApiKeyAndIamTest(AuthTestCase):
    def generated_key(self) -> str:
        line = next((l for l in self.emu.output().splitlines() if "API key PlanApiApiKey:" in l), None)
        self.assertIsNotNone(line, self.emu.describe_output(60))
        value = line.split("API key PlanApiApiKey:", 1)[1].strip()
        self.assertRegex(value, r"^[A-Za-z0-9]{40}$")
        return value

    def test_a_method_that_requires_a_key(self):
        self.refused(self.api("GET", "/keyed"), 403, FORBIDDEN, "ForbiddenException")
        self.refused(self.api("GET", "/keyed", {"x-api-key": "not-a-key"}), 403, FORBIDDEN, "ForbiddenException")
        event = self.echoed(self.api("GET", "/keyed", {"x-api-key": GIVEN_KEY}))
        self.assertEqual(event["requestContext"]["identity"]["apiKey"], GIVEN_KEY)
        self.assertRegex(event["requestContext"]["identity"]["apiKeyId"], r"^[a-z0-9]{10}$")

    def test_the_usage_plans_generated_key(self):
        key = self.generated_key()
        self.refused(self.api("GET", "/planned"), 403, FORBIDDEN, "ForbiddenException")
        event = self.echoed(self.api("GET", "/planned", {"X-API-Key": key}))
        self.assertEqual(event["requestContext"]["identity"]["apiKey"], key)

    def test_aws_iam_takes_a_signed_request(self):
        self.refused(self.api("GET", "/iam"), 403, {"message": "Missing Authentication Token"},
                     "MissingAuthenticationTokenException")
        self.refused(self.api("GET", "/iam", {"Authorization": "Bearer abc"}), 403,
                     {"message": "Missing Authentication Token"}, "MissingAuthenticationTokenException")
        try:
            from botocore.auth import SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
        except ImportError:
            self.skipTest("botocore is not installed")
        url = f"http://127.0.0.1:{self.emu.api_port}/iam"
        signed = AWSRequest(method="GET", url=url, headers={"Host": f"127.0.0.1:{self.emu.api_port}"})
        SigV4Auth(Credentials("AKIDLOCALTEST", "secret"), "execute-api", "us-east-1").add_auth(signed)
        event = self.echoed(self.api("GET", "/iam", dict(signed.headers.items())))
        self.assertEqual(event["requestContext"]["identity"]["accessKey"], "AKIDLOCALTEST")


class HttpApiAuthorizerTest(AuthTestCase):
    def test_simple_response_authorizer(self):
        tok = unique("letmein")
        event = self.echoed(self.api("GET", "/pets", {"Authorization": tok}))
        lam = event["requestContext"]["authorizer"]["lambda"]
        # HTTP APIs keep the context's JSON types.
        self.assertEqual(lam["user"], "u2")
        self.assertEqual(lam["level"], 3)
        self.assertEqual(lam["version"], "2.0")
        self.assertEqual(lam["type"], "REQUEST")
        self.assertEqual(lam["routeArn"], f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{self.ids['API_HTTP']}/$default/GET/pets")
        # ReauthorizeEvery: 300 -- the second request is a cache hit.
        self.echoed(self.api("GET", "/pets", {"Authorization": tok}))
        self.assertEqual(calls("simple", tok), 1)

    def test_simple_response_refusals(self):
        self.refused(self.api("GET", "/pets", {"Authorization": unique("nope")}), 403, FORBIDDEN)
        self.refused(self.api("GET", "/pets"), 401, UNAUTHORIZED)

    def test_format_1_0_authorizer_with_a_policy(self):
        before = calls("http_policy", "good")
        event = self.echoed(self.api("GET", "/v1pets", {"X-Key": "good"}))
        self.assertEqual(event["requestContext"]["authorizer"]["lambda"], {"k": "v", "version": "1.0"})
        # HTTP APIs cache nothing without ReauthorizeEvery: the same key calls again.
        self.echoed(self.api("GET", "/v1pets", {"X-Key": "good"}))
        self.assertEqual(calls("http_policy", "good"), before + 2)
        self.refused(self.api("GET", "/v1pets", {"X-Key": "bad"}), 403, FORBIDDEN)
        self.refused(self.api("GET", "/v1pets"), 401, UNAUTHORIZED)

    def test_jwt_authorizer_without_keys_refuses(self):
        # Its issuer publishes no keys: every token is refused, as is a request without one.
        self.refused(self.api("GET", "/jwtpets"), 401, UNAUTHORIZED)
        self.refused(self.api("GET", "/jwtpets", {"Authorization": "Bearer a.b.c"}), 401, UNAUTHORIZED)


def tearDownModule():
    shutil.rmtree(CALLS_DIR, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
