"""The Runtime API as a misbehaving or unusual runtime uses it: raw HTTP on sockets.

The function's bootstrap is a Python script speaking HTTP by hand. It probes the API during
its first invocation and returns what it saw, so each assertion is about real wire bytes."""
import json

from .harness import EmulatorTestCase

TEMPLATE = """
Resources:
  Prober:
    Type: AWS::Serverless::Function
    Properties: {Runtime: provided.al2023, CodeUri: prober/, Timeout: 20}
  Garbage:
    Type: AWS::Serverless::Function
    Properties: {Runtime: provided.al2023, CodeUri: garbage/, Timeout: 2}
  Pipelined:
    Type: AWS::Serverless::Function
    Properties: {Runtime: provided.al2023, CodeUri: pipelined/, Timeout: 10}
  CloseEach:
    Type: AWS::Serverless::Function
    Properties: {Runtime: provided.al2023, CodeUri: closeeach/, Timeout: 10}
"""

HTTP = r'''#!/usr/bin/env python3
import json, os, socket

HOST, PORT = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")


def connect():
    s = socket.create_connection((HOST, int(PORT)))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_response(s, buf=b""):
    """Returns (status, headers, body, rest). Handles 100 Continue as its own response."""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            return None, {}, b"", buf
        buf += chunk
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(buf) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return status, headers, buf[:length], buf[length:]


def request(s, method, path, body=b"", headers=()):
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers)
    s.sendall(head.encode() + b"\r\n" + body)
    return read_response(s)[:3]


NEXT = "/2018-06-01/runtime/invocation/next"


def respond(s, rid, body):
    return request(s, "POST", f"/2018-06-01/runtime/invocation/{rid}/response", body)
'''

PROBER = HTTP + r'''
seen = {}
# Garbage on its own connection: 400, and the connection is closed.
g = connect()
g.sendall(b"THIS IS NOT HTTP\r\n\r\n")
status, _, _, _ = read_response(g)
seen["garbage_status"] = status
seen["garbage_closed"] = g.recv(10) == b""
p = connect()
status, _, body = request(p, "GET", "/2018-06-01/ping")
seen["ping"] = [status, body.decode()]
seen["unknown"] = json.loads(request(p, "GET", "/2018-06-01/nowhere")[2])
seen["wrong_method"] = request(p, "POST", NEXT)[0]

a = connect()
status, headers, event = request(a, "GET", NEXT)
rid = headers["lambda-runtime-aws-request-id"]
seen["event"] = json.loads(event)
seen["has_deadline"] = int(headers["lambda-runtime-deadline-ms"]) > 0
seen["arn"] = headers["lambda-runtime-invoked-function-arn"]
# A second GET /next while this invocation runs is refused.
b = connect()
status, _, body = request(b, "GET", NEXT)
seen["second_next"] = [status, json.loads(body)["errorType"]]
# A response for an unknown request id is refused and changes nothing.
status, _, body = request(b, "POST", "/2018-06-01/runtime/invocation/not-a-request/response", b"{}")
seen["wrong_id"] = [status, json.loads(body)["errorType"]]
# The real answer, on another connection, chunked, after asking for 100 Continue.
result = json.dumps(seen).encode()
chunks = b"".join(b"%x\r\n%s\r\n" % (len(result[i:i + 7]), result[i:i + 7]) for i in range(0, len(result), 7))
b.sendall(f"POST /2018-06-01/runtime/invocation/{rid}/response HTTP/1.1\r\nHost: x\r\n"
          "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n".encode())
status, _, _, rest = read_response(b)
assert status == 100, status
b.sendall(chunks + b"0\r\n\r\n")
status, _, _, _ = read_response(b, rest)
assert status == 202, status
# Then serve plainly on the first connection; answering twice is refused.
while True:
    status, headers, event = request(a, "GET", NEXT)
    rid = headers["lambda-runtime-aws-request-id"]
    first = respond(a, rid, event)
    again = respond(a, rid, b"{}")
    print(f"answers {first[0]} {again[0]}", flush=True)
'''

# Sends garbage on its /next connection in the middle of an invocation, then exits.
GARBAGE = HTTP + r'''
a = connect()
status, headers, event = request(a, "GET", NEXT)
a.sendall(b"\x00\x01garbage that is not a request\r\n\r\n")
status, _, _, _ = read_response(a)
print(f"garbage answered {status}", flush=True)
raise SystemExit(7)
'''

# Sends its response and the next GET /next in one write (HTTP pipelining).
PIPELINED = HTTP + r'''
a = connect()
status, headers, event = request(a, "GET", NEXT)
while True:
    rid = headers["lambda-runtime-aws-request-id"]
    body = event
    a.sendall(f"POST /2018-06-01/runtime/invocation/{rid}/response HTTP/1.1\r\nHost: x\r\n"
              f"Content-Length: {len(body)}\r\n\r\n".encode() + body +
              f"GET {NEXT} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    status, _, _, rest = read_response(a)
    assert status == 202, status
    status, headers, event, rest = read_response(a, rest)
'''


# A new connection per request, each asking to close (as curl-based clients may do).
CLOSE_EACH = HTTP + r'''
while True:
    a = connect()
    status, headers, event = request(a, "GET", NEXT, headers=[("Connection", "close")])
    assert a.recv(10) == b"", "the connection stays open after Connection: close"
    a.close()
    rid = headers["lambda-runtime-aws-request-id"]
    b = connect()
    status, _, _ = request(b, "POST", f"/2018-06-01/runtime/invocation/{rid}/response", event,
                           headers=[("Connection", "close")])
    assert status == 202, status
    b.close()
'''


class RuntimeApiWireTest(EmulatorTestCase):
    TEMPLATE = TEMPLATE
    FILES = {"prober/bootstrap": PROBER, "garbage/bootstrap": GARBAGE, "pipelined/bootstrap": PIPELINED,
             "closeeach/bootstrap": CLOSE_EACH}

    def test_probes_of_the_runtime_api(self):
        seen = self.invoke_json("Prober", {"probe": 1})
        self.assertEqual(seen["garbage_status"], 400)
        self.assertTrue(seen["garbage_closed"])
        self.assertEqual(seen["ping"], [200, "pong"])
        self.assertEqual(seen["unknown"]["errorType"], "NotFound")
        self.assertEqual(seen["wrong_method"], 404)
        self.assertEqual(seen["event"], {"probe": 1})
        self.assertTrue(seen["has_deadline"])
        self.assertTrue(seen["arn"].endswith(":function:Prober"))
        self.assertEqual(seen["second_next"], [403, "InvalidStateTransition"])
        self.assertEqual(seen["wrong_id"], [400, "InvalidRequestID"])
        # Warm invocations on the first connection; a second answer to one request is refused.
        for n in range(3):
            self.assertEqual(self.invoke_json("Prober", {"n": n}), {"n": n})
        self.assertIsNotNone(self.emu.wait_for_line(r"\[Prober\] answers 202 400"))

    def test_garbage_mid_invocation_is_contained(self):
        body, _ = self.invoke_error("Garbage", {})
        self.assertEqual(body["errorType"], "Runtime.ExitError")
        self.assertIsNotNone(self.emu.wait_for_line(r"\[Garbage\] garbage answered 400"))
        # The emulator still serves everything else.
        self.assertEqual(self.invoke_json("Pipelined", {"still": "up"}), {"still": "up"})

    def test_pipelined_response_and_next(self):
        for n in range(5):
            self.assertEqual(self.invoke_json("Pipelined", {"n": n}), {"n": n})

    def test_connection_close_on_every_request(self):
        for n in range(5):
            self.assertEqual(self.invoke_json("CloseEach", {"n": n}), {"n": n})
