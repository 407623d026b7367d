"""API Gateway's integration timeout: a route whose timeout (TimeoutInMillis of an HttpApi event)
is shorter than its function's Timeout answers 504 {"message": "Endpoint request timed out"} when
the function is still running at it, and the function runs on to its own end (its REPORT line
comes later); a function that answers in time is answered as usual through the same mechanism.

Expected values come from AWS's documentation: API Gateway Developer Guide, "Amazon API Gateway
quotas" (integration timeout 50 ms - 29 s for REST APIs, 30 s for HTTP APIs), AWS Knowledge
Center "How can I troubleshoot API HTTP 504 timeout errors with API Gateway?" (a 504 when the
integration takes longer than the timeout; the backend may still be running), and the response
body `{"message": "Endpoint request timed out"}` that API Gateway sends with it.

No timing assertions: the slow function sleeps far longer (25 s) than its route's timeout (2 s),
and the fast route allows 20 s for a function that answers at once."""
import http.client
import json

from .harness import EmulatorTestCase

TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Slow:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: slow
      Runtime: python3.12
      Handler: app.slow
      CodeUri: .
      Timeout: 60
      Events:
        Get:
          Type: HttpApi
          Properties:
            Path: /slow
            Method: GET
            TimeoutInMillis: 2000
  Fast:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: fast
      Runtime: python3.12
      Handler: app.fast
      CodeUri: .
      Timeout: 60
      Events:
        Get:
          Type: HttpApi
          Properties:
            Path: /fast
            Method: GET
            TimeoutInMillis: 20000
"""

HANDLERS = '''
import time

def slow(event, context):
    time.sleep(25)
    return {"statusCode": 200, "body": "late"}

def fast(event, context):
    return {"statusCode": 200, "body": "in time"}
'''


class IntegrationTimeoutTest(EmulatorTestCase):
    TEMPLATE = TEMPLATE
    FILES = {"app.py": HANDLERS}

    def get(self, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.api_port, timeout=120)
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        return r.status, body

    def test_slow_function_is_504_and_runs_on(self):
        status, body = self.get("/slow")
        self.assertEqual(status, 504, body)
        self.assertEqual(json.loads(body), {"message": "Endpoint request timed out"})
        # The function was not cut short: it is still running (no REPORT yet is not asserted, as
        # that would be timing); its START line is there, and it ends with its own REPORT.
        self.assertIsNotNone(self.emu.wait_for_line(r"\[slow\] START RequestId", timeout=60))
        self.assertIsNotNone(self.emu.wait_for_line(r"\[slow\] REPORT RequestId", timeout=120),
                             self.emu.describe_output())
        self.assertNotIn("Task timed out", self.emu.output())

    def test_fast_function_through_a_shorter_timeout_is_answered(self):
        status, body = self.get("/fast")
        self.assertEqual((status, body), (200, b"in time"))
