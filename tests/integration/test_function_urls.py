"""Lambda function URLs: Create/Get/Update/Delete/ListFunctionUrlConfigs through boto3 and the
`aws` CLI, SAM's FunctionUrlConfig and AWS::Lambda::Url in the template, and the URLs served:
by their host (`<url-id>.lambda-url.<region>.localhost:<port>`, which curl resolves to this
machine by itself), and by the path form `/_lambda-url/<url-id>/...` for clients that cannot set
the Host.

Expected values come from AWS's documentation, not from lambda-local's implementation:
* Lambda API Reference (botocore's lambda model): the operations, their status codes (201, 200,
  204), FunctionUrlQualifier's pattern `((?!^\\d+$)^[0-9a-zA-Z-_]+$)` (an alias, never a version
  or $LATEST), AuthType NONE | AWS_IAM, InvokeMode BUFFERED | RESPONSE_STREAM, Cors.MaxAge 0-86400.
* Lambda Developer Guide, "Invoking Lambda function URLs": the request is payload format 2.0 with
  routeKey and stage "$default", requestContext.accountId "anonymous" for an AuthType NONE URL,
  apiId and domainPrefix the URL id; the response is read as an HTTP API's 2.0 response (a
  result without statusCode is a 200 JSON body; cookies become Set-Cookie).
* "Security and auth model for Lambda function URLs": an AWS_IAM URL needs SigV4-signed
  requests; unsigned ones get 403 {"Message":"Forbidden. For troubleshooting Function URL
  authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}.
* "Cross-origin resource sharing (CORS)" for function URLs: preflights answered by Lambda, the
  configured headers added for an allowed origin.

No sleeps and no timing assertions."""
import http.client
import json
import re
import shutil
import subprocess
import unittest

import botocore.auth
import botocore.awsrequest
import botocore.credentials

from .harness import ACCOUNT, Emulator, EmulatorTestCase, Project

URL_ID = re.compile(r"^[a-z0-9]{32}$")
FORBIDDEN_IAM = {"Message": "Forbidden. For troubleshooting Function URL authorization issues, see: "
                            "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}

HANDLERS = '''
import base64, json

def echo(event, context):
    return {"statusCode": 200, "headers": {"X-Function": "echo"}, "body": json.dumps(event)}

def crafted(event, context):
    return {"statusCode": 201, "headers": {"Content-Type": "text/plain", "X-A": "b"},
            "cookies": ["c1=v1", "c2=v2; Path=/"], "body": "made"}

def bare(event, context):
    return {"plain": "object"}

def boom(event, context):
    raise RuntimeError("nope")
'''

TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    CodeUri: .
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: echo
      Handler: app.echo
  Crafted:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: crafted
      Handler: app.crafted
  Bare:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: bare
      Handler: app.bare
  Boom:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: boom
      Handler: app.boom
  Templated:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: templated
      Handler: app.echo
      FunctionUrlConfig:
        AuthType: NONE
        Cors:
          AllowOrigins: ["http://page.example"]
          AllowMethods: ["GET", "PUT"]
          AllowHeaders: ["x-custom"]
          MaxAge: 60
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: plain
      Runtime: python3.12
      Handler: app.echo
      Code: .
  PlainUrl:
    Type: AWS::Lambda::Url
    Properties:
      TargetFunctionArn: !GetAtt Plain.Arn
      AuthType: AWS_IAM
"""


def url_id_of(function_url: str) -> str:
    return function_url.split("//", 1)[1].split(".", 1)[0]


class FunctionUrlsTest(EmulatorTestCase):
    TEMPLATE = TEMPLATE
    FILES = {"app.py": HANDLERS}

    def setUp(self):
        # Each test makes the URLs it needs on the API-only functions, and removes them.
        for name in ("echo", "crafted", "bare", "boom"):
            try:
                self.lam.delete_function_url_config(FunctionName=name)
            except self.lam.exceptions.ResourceNotFoundException:
                pass

    def create(self, name, **kwargs):
        kwargs.setdefault("AuthType", "NONE")
        return self.lam.create_function_url_config(FunctionName=name, **kwargs)

    def call(self, url_id, method="GET", path="/", body=None, headers=None, by_host=True):
        """One request to a URL, by its Host header or by the path form."""
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=60)
        headers = dict(headers or {})
        if by_host:
            headers["Host"] = f"{url_id}.lambda-url.us-east-1.localhost:{self.emu.port}"
            target = path
        else:
            target = f"/_lambda-url/{url_id}{path}"
        conn.request(method, target, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, r, data

    # ---- the control plane ----------------------------------------------------------------
    def test_create_get_update_list_delete(self):
        created = self.create("echo", Cors={"AllowOrigins": ["*"], "MaxAge": 10}, InvokeMode="BUFFERED")
        self.assertEqual(created["ResponseMetadata"]["HTTPStatusCode"], 201)
        url = created["FunctionUrl"]
        self.assertRegex(url, r"^http://[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:%d/$" % self.emu.port)
        self.assertEqual(created["FunctionArn"], f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:echo")
        self.assertEqual(created["AuthType"], "NONE")
        self.assertEqual(created["Cors"], {"AllowOrigins": ["*"], "MaxAge": 10})
        self.assertEqual(created["InvokeMode"], "BUFFERED")
        self.assertIn("CreationTime", created)
        self.assertNotIn("LastModifiedTime", created)

        got = self.lam.get_function_url_config(FunctionName="echo")
        self.assertEqual(got["FunctionUrl"], url)
        self.assertEqual(got["CreationTime"], created["CreationTime"])
        self.assertIn("LastModifiedTime", got)

        with self.assertRaises(self.lam.exceptions.ResourceConflictException) as cm:
            self.create("echo")
        self.assertIn("FunctionUrlConfig exists for this Lambda function", str(cm.exception))

        updated = self.lam.update_function_url_config(FunctionName="echo", AuthType="AWS_IAM")
        self.assertEqual(updated["AuthType"], "AWS_IAM")
        self.assertEqual(updated["FunctionUrl"], url)  # a URL never changes
        self.assertEqual(updated["Cors"], {"AllowOrigins": ["*"], "MaxAge": 10})  # untouched

        listed = self.lam.list_function_url_configs(FunctionName="echo")["FunctionUrlConfigs"]
        self.assertEqual([c["FunctionUrl"] for c in listed], [url])
        self.assertEqual(listed[0]["AuthType"], "AWS_IAM")

        r = self.lam.delete_function_url_config(FunctionName="echo")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.get_function_url_config(FunctionName="echo")
        self.assertEqual(self.lam.list_function_url_configs(FunctionName="echo")["FunctionUrlConfigs"], [])
        status, _, _ = self.call(url_id_of(url))
        self.assertEqual(status, 403)  # a deleted URL serves nothing

    def test_validation(self):
        for kwargs, field in (({"AuthType": "OPEN"}, "authType"),
                              ({"InvokeMode": "STREAMED"}, "invokeMode"),
                              ({"Qualifier": "1"}, "qualifier"),
                              ({"Qualifier": "$LATEST"}, "qualifier"),
                              ({"Cors": {"MaxAge": 86401}}, "cors.maxAge")):
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(self.lam.exceptions.ClientError) as cm:
                    self.create("echo", **kwargs)
                err = cm.exception.response["Error"]
                self.assertEqual(err["Code"], "ValidationException")
                self.assertIn(f"at '{field}'", err["Message"])
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.create("no-such-function")
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.create("echo", Qualifier="no-such-alias")

    def test_alias_url(self):
        version = self.lam.publish_version(FunctionName="crafted")["Version"]
        self.lam.create_alias(FunctionName="crafted", Name="live", FunctionVersion=version)
        try:
            created = self.create("crafted", Qualifier="live")
            self.assertEqual(created["FunctionArn"], f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:crafted:live")
            self.assertEqual(self.lam.list_function_url_configs(FunctionName="crafted")["FunctionUrlConfigs"][0]
                             ["FunctionArn"], created["FunctionArn"])
            status, _, body = self.call(url_id_of(created["FunctionUrl"]))
            self.assertEqual((status, body), (201, b"made"))
            with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
                self.lam.get_function_url_config(FunctionName="crafted")  # the unqualified one has none
        finally:
            self.lam.delete_alias(FunctionName="crafted", Name="live")
        # The alias's URL went with it.
        self.assertEqual(self.lam.list_function_url_configs(FunctionName="crafted")["FunctionUrlConfigs"], [])

    def test_aws_cli(self):
        r = self.emu.aws("lambda", "create-function-url-config", "--function-name", "bare", "--auth-type", "NONE")
        self.assertEqual(r.returncode, 0, r.stderr)
        url = json.loads(r.stdout)["FunctionUrl"]
        r = self.emu.aws("lambda", "get-function-url-config", "--function-name", "bare")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["FunctionUrl"], url)

    # ---- serving ---------------------------------------------------------------------------
    def test_event_by_host_and_by_path(self):
        url = self.create("echo")["FunctionUrl"]
        url_id = url_id_of(url)
        self.assertRegex(url_id, URL_ID)
        for by_host in (True, False):
            with self.subTest(by_host=by_host):
                status, r, body = self.call(url_id, "POST", "/items/ab?x=1&x=2&y=z", body=b'{"k": 1}',
                                            headers={"Content-Type": "application/json", "Cookie": "a=1; b=2",
                                                     "User-Agent": "url-test/1", "X-Many": "v"},
                                            by_host=by_host)
                self.assertEqual(status, 200, body)
                self.assertEqual(r.getheader("X-Function"), "echo")
                self.assertTrue(r.getheader("x-amzn-RequestId"))
                event = json.loads(body)
                self.assertEqual(event["version"], "2.0")
                self.assertEqual(event["routeKey"], "$default")
                self.assertEqual(event["rawPath"], "/items/ab")
                self.assertEqual(event["rawQueryString"], "x=1&x=2&y=z")
                self.assertEqual(event["queryStringParameters"], {"x": "1,2", "y": "z"})
                self.assertEqual(event["cookies"], ["a=1", "b=2"])
                self.assertEqual(event["headers"]["x-many"], "v")
                self.assertEqual(event["headers"]["content-type"], "application/json")
                self.assertNotIn("cookie", event["headers"])
                self.assertEqual(event["body"], '{"k": 1}')
                self.assertFalse(event["isBase64Encoded"])
                ctx = event["requestContext"]
                self.assertEqual(ctx["accountId"], "anonymous")
                self.assertEqual(ctx["apiId"], url_id)
                self.assertEqual(ctx["domainPrefix"], url_id)
                self.assertEqual(ctx["domainName"], f"{url_id}.lambda-url.us-east-1.localhost")
                self.assertEqual(ctx["routeKey"], "$default")
                self.assertEqual(ctx["stage"], "$default")
                self.assertEqual(ctx["http"]["method"], "POST")
                self.assertEqual(ctx["http"]["sourceIp"], "127.0.0.1")
                self.assertEqual(ctx["http"]["userAgent"], "url-test/1")
                self.assertEqual(ctx["requestId"], r.getheader("x-amzn-RequestId"))
                self.assertNotIn("pathParameters", event)

    @unittest.skipUnless(shutil.which("curl"), "curl is not installed")
    def test_curl_reaches_the_url_as_returned(self):
        url = self.create("echo")["FunctionUrl"]
        out = subprocess.run(["curl", "-s", "--max-time", "60", url + "hello?name=you"],
                             capture_output=True, text=True, timeout=90)
        self.assertEqual(out.returncode, 0, out.stderr)
        event = json.loads(out.stdout)
        self.assertEqual(event["rawPath"], "/hello")
        self.assertEqual(event["queryStringParameters"], {"name": "you"})

    def test_responses(self):
        crafted = url_id_of(self.create("crafted")["FunctionUrl"])
        status, r, body = self.call(crafted)
        self.assertEqual((status, body), (201, b"made"))
        self.assertEqual(r.getheader("Content-Type"), "text/plain")
        self.assertEqual(r.getheader("X-A"), "b")
        self.assertEqual(r.msg.get_all("Set-Cookie"), ["c1=v1", "c2=v2; Path=/"])

        bare = url_id_of(self.create("bare")["FunctionUrl"])
        status, r, body = self.call(bare)
        self.assertEqual(status, 200)
        self.assertEqual(r.getheader("Content-Type"), "application/json")
        self.assertEqual(json.loads(body), {"plain": "object"})

        boom = url_id_of(self.create("boom")["FunctionUrl"])
        status, _, _ = self.call(boom)
        self.assertEqual(status, 502)

    def test_unknown_url_is_forbidden(self):
        status, _, _ = self.call("0" * 32)
        self.assertEqual(status, 403)
        status, _, _ = self.call("0" * 32, by_host=False)
        self.assertEqual(status, 403)

    def test_aws_iam_needs_a_signature(self):
        url = self.create("echo", AuthType="AWS_IAM")["FunctionUrl"]
        url_id = url_id_of(url)
        status, _, body = self.call(url_id)
        self.assertEqual(status, 403)
        self.assertEqual(json.loads(body), FORBIDDEN_IAM)
        # Signed as a user signs a function URL request: SigV4, service "lambda".
        host = f"{url_id}.lambda-url.us-east-1.localhost:{self.emu.port}"
        request = botocore.awsrequest.AWSRequest(method="GET", url=f"http://{host}/signed", headers={"Host": host})
        botocore.auth.SigV4Auth(botocore.credentials.Credentials("test", "test"), "lambda", "us-east-1") \
            .add_auth(request)
        status, _, body = self.call(url_id, "GET", "/signed", headers=dict(request.headers.items()))
        self.assertEqual(status, 200, body)
        event = json.loads(body)
        self.assertEqual(event["rawPath"], "/signed")
        self.assertEqual(event["requestContext"]["accountId"], ACCOUNT)

    def test_cors(self):
        url_id = url_id_of(self.create("echo", Cors={"AllowOrigins": ["http://page.example"],
                                                      "AllowMethods": ["PUT"], "ExposeHeaders": ["x-function"],
                                                      "AllowCredentials": True})["FunctionUrl"])
        status, r, _ = self.call(url_id, "OPTIONS", "/any", headers={"Origin": "http://page.example",
                                                                    "Access-Control-Request-Method": "PUT"})
        self.assertIn(status, (200, 204))
        self.assertEqual(r.getheader("Access-Control-Allow-Origin"), "http://page.example")
        self.assertEqual(r.getheader("Access-Control-Allow-Credentials"), "true")
        self.assertIn("PUT", r.getheader("Access-Control-Allow-Methods"))
        status, r, _ = self.call(url_id, "OPTIONS", "/any", headers={"Origin": "http://other.example",
                                                                    "Access-Control-Request-Method": "PUT"})
        self.assertIsNone(r.getheader("Access-Control-Allow-Origin"))
        status, r, _ = self.call(url_id, "GET", "/", headers={"Origin": "http://page.example"})
        self.assertEqual(status, 200)
        self.assertEqual(r.getheader("Access-Control-Allow-Origin"), "http://page.example")
        self.assertEqual(r.getheader("Access-Control-Expose-Headers"), "x-function")

    # ---- the template ----------------------------------------------------------------------
    def test_template_urls(self):
        got = self.lam.get_function_url_config(FunctionName="templated")
        self.assertEqual(got["AuthType"], "NONE")
        self.assertEqual(got["Cors"], {"AllowHeaders": ["x-custom"], "AllowMethods": ["GET", "PUT"],
                                       "AllowOrigins": ["http://page.example"], "MaxAge": 60})
        self.assertIn(got["FunctionUrl"], self.emu.output())  # listed at start
        status, _, body = self.call(url_id_of(got["FunctionUrl"]), "GET", "/t")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["rawPath"], "/t")

        plain = self.lam.get_function_url_config(FunctionName="plain")
        self.assertEqual(plain["AuthType"], "AWS_IAM")
        status, _, _ = self.call(url_id_of(plain["FunctionUrl"]))
        self.assertEqual(status, 403)


class FunctionUrlRestartTest(unittest.TestCase):
    def test_api_created_url_survives_a_restart(self):
        project = Project(TEMPLATE.split("  Crafted:")[0], {"app.py": HANDLERS})
        try:
            with Emulator(project) as emu:
                url = emu.lambda_client().create_function_url_config(FunctionName="echo", AuthType="NONE",
                                                                     Cors={"AllowOrigins": ["*"]})["FunctionUrl"]
            with Emulator(project) as emu:
                got = emu.lambda_client().get_function_url_config(FunctionName="echo")
                self.assertEqual(got["Cors"], {"AllowOrigins": ["*"]})
                # Same id; the port may differ between the two runs.
                self.assertEqual(url_id_of(got["FunctionUrl"]), url_id_of(url))
                status, _, body = emu.request("GET", f"/_lambda-url/{url_id_of(url)}/again")
                self.assertEqual(status, 200, body)
                self.assertEqual(json.loads(body)["rawPath"], "/again")
        finally:
            project.cleanup()


if __name__ == "__main__":
    unittest.main()
