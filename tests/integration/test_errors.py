"""Errors: Invoke API errors with boto3's modelled exceptions, and function errors (handler
exceptions, init errors, crashes) with the payloads AWS's runtimes produce."""
import json
import re

import botocore.exceptions

from .harness import (ACCOUNT, BASH_BOOTSTRAP, NODE_CALLBACK, NODE_CJS, NODE_ESM, PY_APP, REGION,
                      EmulatorTestCase, decode_tail, request_id)

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 10
Resources:
  PyEcho:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.echo, CodeUri: py/}
  PyFail:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.fail, CodeUri: py/}
  PyCrash:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.crash, CodeUri: py/}
  PyMissingModule:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: nosuchmodule.handler, CodeUri: py/}
  PyMissingHandler:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.nothere, CodeUri: py/}
  PySyntaxError:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: broken.handler, CodeUri: py/}
  PyMarshal:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: unmarshallable.handler, CodeUri: py/}
  NodeCjs:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: node-cjs/}
  NodeEsm:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: node-esm/}
  NodeCallback:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: node-cb/}
  NodeMissingModule:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs20.x, Handler: nosuchmodule.handler, CodeUri: node-cjs/}
  NodeMissingHandler:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs20.x, Handler: index.nothere, CodeUri: node-cjs/}
  ProvidedCrash:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      Handler: unused
      CodeUri: bash/
      Environment: {Variables: {MODE: crash}}
  ProvidedNoBootstrap:
    Type: AWS::Serverless::Function
    Properties: {Runtime: provided.al2023, Handler: unused, CodeUri: empty/}
"""

FILES = {
    "py/app.py": PY_APP,
    "py/broken.py": "def handler(event, context)\n    return 1\n",
    "py/unmarshallable.py": "def handler(event, context):\n    return {'a set': {1, 2}}\n",
    "node-cjs/index.js": NODE_CJS,
    "node-esm/index.mjs": NODE_ESM,
    "node-cb/index.js": NODE_CALLBACK,
    "bash/bootstrap": BASH_BOOTSTRAP,
    "empty/README": "no bootstrap here\n",
}

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


class ApiErrorsTest(EmulatorTestCase):
    TEMPLATE = TEMPLATE
    FILES = FILES

    def assert_client_error(self, cm, code, status):
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status, err)
        return err

    # ---- 404 ------------------------------------------------------------------------------
    def test_unknown_function_is_resource_not_found(self):
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException) as cm:
            self.lam.invoke(FunctionName="NoSuchFunction", Payload=b"{}")
        err = self.assert_client_error(cm, "ResourceNotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:NoSuchFunction")
        self.assertEqual(err["Type"], "User")

    def test_unknown_function_by_arn_and_event_type(self):
        for kwargs in ({"FunctionName": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:Nope"},
                       {"FunctionName": "Nope", "InvocationType": "Event"}):
            with self.subTest(**kwargs):
                with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
                    self.lam.invoke(Payload=b"{}", **kwargs)

    def test_unknown_qualifier_is_resource_not_found(self):
        for qualifier in ("prod", "1"):
            with self.subTest(qualifier=qualifier):
                with self.assertRaises(self.lam.exceptions.ResourceNotFoundException) as cm:
                    self.lam.invoke(FunctionName="PyEcho", Qualifier=qualifier, Payload=b"{}")
                self.assertIn(f"function:PyEcho:{qualifier}", cm.exception.response["Error"]["Message"])
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.invoke(FunctionName="PyEcho:prod", Payload=b"{}")

    def test_arn_of_another_account_is_resource_not_found(self):
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.invoke(FunctionName=f"arn:aws:lambda:{REGION}:123456789012:function:PyEcho", Payload=b"{}")
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.invoke(FunctionName="123456789012:function:PyEcho", Payload=b"{}")

    def test_arn_of_another_region_is_resource_not_found(self):
        # AWS: "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')".
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.invoke(FunctionName=f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:PyEcho", Payload=b"{}")

    # ---- 400 ------------------------------------------------------------------------------
    def test_payload_that_is_not_json(self):
        for payload in (b"not json", b'{"a": 1', b"{} {}", b"\xff\xfe"):
            with self.subTest(payload=payload):
                with self.assertRaises(self.lam.exceptions.InvalidRequestContentException) as cm:
                    self.lam.invoke(FunctionName="PyEcho", Payload=payload)
                err = self.assert_client_error(cm, "InvalidRequestContentException", 400)
                self.assertIn("Could not parse request body into json", err["Error"]["Message"])

    def test_payload_that_is_not_json_for_event_invokes(self):
        with self.assertRaises(self.lam.exceptions.InvalidRequestContentException):
            self.lam.invoke(FunctionName="PyEcho", InvocationType="Event", Payload=b"nope")

    def test_invalid_client_context(self):
        with self.assertRaises(self.lam.exceptions.InvalidRequestContentException):
            self.lam.invoke(FunctionName="PyEcho", Payload=b"{}", ClientContext="***not base64***")

    def test_invalid_invocation_type_header(self):
        status, headers, body = self.emu.post(self.emu.invoke_path("PyEcho"), b"{}",
                                              {"X-Amz-Invocation-Type": "Sometimes"})
        self.assertEqual(status, 400, body)
        self.assertEqual(headers["x-amzn-ErrorType"], "ValidationException")

    def test_unsigned_error_shape(self):
        status, headers, body = self.emu.post(self.emu.invoke_path("Missing"), b"{}")
        self.assertEqual(status, 404)
        self.assertEqual(headers["x-amzn-ErrorType"], "ResourceNotFoundException")
        self.assertEqual(headers["Content-Type"], "application/json")
        data = json.loads(body)
        self.assertEqual(data["Type"], "User")
        self.assertTrue(data["Message"].startswith("Function not found: "), data)

    def raw_exchange(self, data: bytes) -> bytes:
        """Sends raw bytes to the front port and returns everything read until it closes."""
        import socket
        with socket.create_connection(("127.0.0.1", self.emu.port), timeout=10) as s:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            out = b""
            while chunk := s.recv(65536):
                out += chunk
        return out

    def test_malformed_http_is_400_in_lambda_shape(self):
        out = self.raw_exchange(b"POST /2015-03-31/functions HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello")
        head, _, body = out.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 400 "), out)
        self.assertIn(b"x-amzn-ErrorType: InvalidRequestContentException", head)
        self.assertIn(b"Connection: close", head)
        self.assertEqual(json.loads(body)["Type"], "User")

    def test_http_1_0_keep_alive_and_head(self):
        out = self.raw_exchange(b"GET /2015-03-31/functions/PyEcho HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                                b"HEAD /2015-03-31/functions/PyEcho HTTP/1.1\r\nConnection: close\r\n\r\n")
        first, _, rest = out.partition(b"\r\n\r\n")
        self.assertTrue(first.startswith(b"HTTP/1.1 200 "), out)
        self.assertIn(b"Connection: keep-alive", first)
        length = int(re.search(rb"Content-Length: (\d+)", first).group(1))
        self.assertEqual(json.loads(rest[:length])["Configuration"]["FunctionName"], "PyEcho")
        second = rest[length:]
        # HEAD reaches the service its path names (Lambda), which has no HEAD operation. (An
        # unsigned HEAD of any other path is S3's, as a GET of it is: "not served", 501.)
        self.assertTrue(second.startswith(b"HTTP/1.1 404 "), second)
        self.assertTrue(second.endswith(b"\r\n\r\n"), "a HEAD answer carries no body")

    def test_emulator_still_healthy_after_errors(self):
        for _ in range(3):
            with self.assertRaises(botocore.exceptions.ClientError):
                self.lam.invoke(FunctionName="PyEcho", Payload=b"{")
        self.assertEqual(self.invoke_json("PyEcho", {"ok": 1})["event"], {"ok": 1})


class FunctionErrorsTest(EmulatorTestCase):
    TEMPLATE = TEMPLATE
    FILES = FILES

    # ---- handler exceptions ---------------------------------------------------------------
    def test_python_handler_exception(self):
        body, r = self.invoke_error("PyFail", {"why": "because"}, LogType="Tail")
        self.assertEqual(set(body), {"errorMessage", "errorType", "requestId", "stackTrace"})
        self.assertEqual(body["errorMessage"], "something went wrong: because")
        self.assertEqual(body["errorType"], "ValueError")
        self.assertEqual(body["requestId"], request_id(r))
        self.assertIsInstance(body["stackTrace"], list)
        self.assertTrue(body["stackTrace"], "empty stackTrace")
        trace = "".join(body["stackTrace"])
        self.assertRegex(trace, r'File ".*app\.py", line \d+, in fail')
        self.assertIn('raise ValueError("something went wrong: "', trace)
        self.assertNotIn("bootstrap", trace, "runtime frames leaked into the user's stack trace")
        log = decode_tail(r)
        self.assertIn("[ERROR] ValueError: something went wrong: because", log)
        self.assertIn(f"END RequestId: {request_id(r)}", log)

    def test_python_function_error_then_success_keeps_environment(self):
        first, _ = self.invoke_error("PyFail", {"why": "once"})
        self.assertEqual(first["errorType"], "ValueError")
        # A handled exception does not end the process: a second error comes from the same env.
        second, _ = self.invoke_error("PyFail", {"why": "twice"})
        self.assertEqual(second["errorMessage"], "something went wrong: twice")

    def test_node_handler_exception(self):
        for name in ("NodeCjs", "NodeEsm", "NodeCallback"):
            with self.subTest(function=name):
                body, r = self.invoke_error(name, {"fail": "bad input"}, LogType="Tail")
                self.assertEqual(set(body), {"errorType", "errorMessage", "trace"})
                self.assertEqual(body["errorType"], "TypeError")
                self.assertEqual(body["errorMessage"], "node failure: bad input")
                self.assertIsInstance(body["trace"], list)
                self.assertEqual(body["trace"][0], "TypeError: node failure: bad input")
                self.assertTrue(any("describe" in line for line in body["trace"][1:]), body["trace"])
                log = decode_tail(r)
                self.assertRegex(log, request_id(r) + r"\tERROR\tInvoke Error \t")
                # the environment survives a handler error
                self.assertEqual(self.invoke_json(name, {"after": "error"})["event"], {"after": "error"})

    def test_python_unserializable_result(self):
        body, _ = self.invoke_error("PyMarshal", {})
        self.assertEqual(body["errorType"], "Runtime.MarshalError")
        self.assertTrue(body["errorMessage"].startswith("Unable to marshal response:"), body)

    # ---- init errors ----------------------------------------------------------------------
    def test_python_import_error(self):
        body, r = self.invoke_error("PyMissingModule", {}, LogType="Tail")
        self.assertEqual(body["errorType"], "Runtime.ImportModuleError")
        self.assertEqual(body["errorMessage"],
                         "Unable to import module 'nosuchmodule': No module named 'nosuchmodule'")
        self.assertIn("Runtime.ImportModuleError", decode_tail(r))
        # every invoke retries init and fails the same way
        again, _ = self.invoke_error("PyMissingModule", {})
        self.assertEqual(again["errorType"], "Runtime.ImportModuleError")

    def test_python_missing_handler(self):
        body, _ = self.invoke_error("PyMissingHandler", {})
        self.assertEqual(body["errorType"], "Runtime.HandlerNotFound")
        self.assertEqual(body["errorMessage"], "Handler 'nothere' missing on module 'app'")

    def test_python_syntax_error(self):
        body, _ = self.invoke_error("PySyntaxError", {})
        self.assertEqual(body["errorType"], "Runtime.UserCodeSyntaxError")
        self.assertIn("Syntax error in module 'broken'", body["errorMessage"])

    def test_node_import_error(self):
        body, _ = self.invoke_error("NodeMissingModule", {})
        self.assertEqual(body["errorType"], "Runtime.ImportModuleError")
        self.assertIn("nosuchmodule", body["errorMessage"])

    def test_node_missing_handler(self):
        body, _ = self.invoke_error("NodeMissingHandler", {})
        self.assertEqual(body["errorType"], "Runtime.HandlerNotFound")
        self.assertEqual(body["errorMessage"], "index.nothere is undefined or not exported")

    def test_provided_without_bootstrap(self):
        body, r = self.invoke_error("ProvidedNoBootstrap", {})
        self.assertEqual(body["errorType"], "Runtime.InvalidEntrypoint")
        self.assertTrue(body["errorMessage"].startswith(f"RequestId: {request_id(r)} Error: "), body)
        self.assertIn("Couldn't find valid bootstrap(s)", body["errorMessage"])

    # ---- crashes --------------------------------------------------------------------------
    def assert_exit_error(self, name, event, how):
        body, r = self.invoke_error(name, event, LogType="Tail")
        rid = request_id(r)
        self.assertEqual(body, {"errorType": "Runtime.ExitError",
                                "errorMessage": f"RequestId: {rid} Error: Runtime exited with error: {how}"})
        log = decode_tail(r)
        self.assertIn(f"START RequestId: {rid}", log)
        self.assertRegex(log, rf"REPORT RequestId: {rid}\t.*Status: error\tError Type: Runtime.ExitError")
        return log

    def test_python_process_exit(self):
        log = self.assert_exit_error("PyCrash", {"status": 3}, "exit status 3")
        self.assertIn("about to exit with status 3", log)
        # the next invoke gets a new process (and crashes the same way)
        self.assert_exit_error("PyCrash", {"status": 3}, "exit status 3")

    def test_node_process_exit(self):
        first = self.invoke_json("NodeCjs", {})["pid"]
        self.assert_exit_error("NodeCjs", {"exitCode": 3}, "exit status 3")
        after = self.invoke_json("NodeCjs", {})
        self.assertNotEqual(after["pid"], first, "a crashed environment was reused")
        self.assertEqual(after["invocations"], 1)

    def test_provided_process_exit(self):
        log = self.assert_exit_error("ProvidedCrash", {"boom": True}, "exit status 3")
        self.assertIn("bash runtime exiting with status 3", log)

    def test_function_error_header_on_raw_request(self):
        status, headers, body = self.emu.post(self.emu.invoke_path("PyFail"), b'{"why": "raw"}')
        self.assertEqual(status, 200)
        self.assertEqual(headers["X-Amz-Function-Error"], "Unhandled")
        self.assertEqual(json.loads(body)["errorType"], "ValueError")
