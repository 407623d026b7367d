"""API Gateway benchmark: a function through lambda-local's API port against a direct Invoke of it.

Rows (markdown, for bench/run.py's report or on their own), for two functions: the `provided`
C++ echo of the first table (bench/cpp_runtime.cc, its result is its event) and a python3.12
function returning {"statusCode":200,"body":"ok"}; each behind an HttpApi route (payload 2.0)
and an Api (REST) route (payload 1.0), POST, on `--api-port`:
  - requests per second, p50 and p99 at 1 and 4 connections (wrk + bench/apigw.lua) through the
    route, each run next to a direct Invoke (POST /2015-03-31/functions/<name>/invocations on
    the main port) of the same function, in the same server, runs alternating;
  - the same at 1 connection with the closed-loop client (bench/latency_client.cc: one
    keep-alive connection, one request at a time, no load generator's event loop in the tail);
  - the gateway's own added latency: p50 through the route minus p50 of the direct Invoke,
    from the closed-loop client (the median of the paired runs' differences), in microseconds;
    the target is <= 30 us.
The direct Invoke carries, as its payload, the very proxy event the gateway builds for that
route (captured once through the route by a function that answers with its event), so that the
function and the runtime API move the same bytes both ways and the difference is the gateway's
own work: the request on the API port, route matching, the event, the result's parsing, the
answer and its access line. A direct Invoke with the 23-byte body of the first table is also
timed (closed-loop), to show how much of the gap to that table is the event's size.
No moto figure: moto's API Gateway reaches functions through its Lambda, which runs them only
in Docker. Every server this starts is stopped on the way out, failures included.

Standalone: python3 bench/apigw_bench.py [--build-dir build-release] [--duration 5] [--repeats 3]
(prints the table and saves it to bench/results/<date>-apigw.md).
"""
import argparse
import datetime
import http.client
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sqs_bench as common  # noqa: E402  (free_port, parse_wrk, pct)

ROOT = common.ROOT
BENCH = common.BENCH
SMALL_BODY = '{"hello":"world","n":1}'  # bench/invoke.lua's and the closed-loop client's body
TARGET_US = 30

TEMPLATE = """Resources:
  BenchCpp:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      CodeUri: cpp/
      Timeout: 30
      Events:
        V2: {Type: HttpApi, Properties: {Path: /cpp/v2, Method: POST, PayloadFormatVersion: "2.0"}}
        V1: {Type: Api, Properties: {Path: /cpp/v1, Method: POST}}
  BenchPython:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: py/
      Timeout: 30
      Events:
        V2: {Type: HttpApi, Properties: {Path: /py/v2, Method: POST, PayloadFormatVersion: "2.0"}}
        V1: {Type: Api, Properties: {Path: /py/v1, Method: POST}}
  BenchCapture:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: capture/
      Timeout: 30
      Events:
        V2: {Type: HttpApi, Properties: {Path: /capture/v2, Method: POST, PayloadFormatVersion: "2.0"}}
        V1: {Type: Api, Properties: {Path: /capture/v1, Method: POST}}
"""
PY_APP = 'def handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n'
# Answers with its event, compact as the gateway writes it, to be replayed as a direct Invoke.
CAPTURE_APP = ('import json\n\ndef handler(event, context):\n'
               '    return {"statusCode": 200, "body": json.dumps(event, separators=(",", ":"))}\n')

FUNCTIONS = [  # (function, route prefix, label)
    ("BenchCpp", "cpp", "provided (C++ echo)"),
    ("BenchPython", "py", 'python3.12, returns {"statusCode":200,"body":"ok"}'),
]
ROUTES = {"v2": "HttpApi route, payload 2.0", "v1": "Api (REST) route, payload 1.0"}
WRK_ORDER = [("direct", "v2"), ("gw", "v2"), ("direct", "v1"), ("gw", "v1")]
CLOSED_ORDER = WRK_ORDER + [("direct", "small")]


def make_project(build_dir):
    d = tempfile.mkdtemp(prefix="ll-apigw-bench-")
    for sub in ("cpp", "py", "capture"):
        os.mkdir(os.path.join(d, sub))
    shutil.copy(os.path.join(build_dir, "bench", "lambda-local-cpp-runtime"), os.path.join(d, "cpp", "bootstrap"))
    with open(os.path.join(d, "py", "app.py"), "w") as f:
        f.write(PY_APP)
    with open(os.path.join(d, "capture", "app.py"), "w") as f:
        f.write(CAPTURE_APP)
    with open(os.path.join(d, "template.yaml"), "w") as f:
        f.write(TEMPLATE)
    return d


class Server:
    """lambda-local with its output (function logs, one access line per gateway request) going
    to a file, as in bench/run.py: a write for the emulator, no reader to wake on this machine."""

    def __init__(self, binary, project):
        self.port = common.free_port()
        self.api_port = common.free_port()
        while self.api_port == self.port:
            self.api_port = common.free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="ll-apigw-log-", delete=False)
        self.proc = subprocess.Popen([binary, "start", "--port", str(self.port), "--api-port", str(self.api_port)],
                                     cwd=project, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = self.text()
            if "lambda-local ready on" in text:
                if f"API Gateway on http://127.0.0.1:{self.api_port}" not in text:
                    raise RuntimeError("lambda-local is ready but does not serve the API port:\n" + text[-3000:])
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.01)
        raise RuntimeError("lambda-local did not become ready:\n" + self.text()[-3000:])

    def text(self):
        with open(self.log.name, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        os.unlink(self.log.name)


class Target:
    def __init__(self, port, path, body, body_file=None):
        self.port, self.path, self.body, self.body_file = port, path, body, body_file


def post(conn, path, body):
    """One POST with the closed-loop client's headers (Host, Content-Type, Content-Length)."""
    data = body.encode()
    conn.putrequest("POST", path, skip_accept_encoding=True)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(len(data)))
    conn.endheaders(data)
    r = conn.getresponse()
    return r.status, r.read()


def capture(api_port, route, prefix):
    """The proxy event the gateway builds for POST /<prefix>/<route> with the small body."""
    conn = http.client.HTTPConnection("127.0.0.1", api_port, timeout=60)
    try:
        status, body = post(conn, f"/capture/{route}", SMALL_BODY)
    finally:
        conn.close()
    if status != 200:
        raise RuntimeError(f"capture through /capture/{route}: HTTP {status}: {body[:300]!r}")
    event = body.decode()
    json.loads(event)  # a whole event, or fail here
    return event.replace(f"/capture/{route}", f"/{prefix}/{route}")


def warm(target, n=50):
    """n sequential requests on one connection; returns the last answer's status and body."""
    conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
    try:
        for _ in range(n):
            status, body = post(conn, target.path, target.body)
    finally:
        conn.close()
    return status, body


def wrk(target, connections, duration):
    threads = min(connections, 2)
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
            "-s", os.path.join(BENCH, "apigw.lua"), f"http://127.0.0.1:{target.port}{target.path}"]
    if target.body_file:
        args += ["--", target.body_file]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return common.parse_wrk(out, duration)


def closed_loop(client, target, requests):
    """One connection, one request at a time (bench/latency_client.cc); same keys as wrk(), in ms."""
    out = subprocess.run([client, str(target.port), target.path, str(requests), target.body],
                         capture_output=True, text=True, check=True).stdout
    r = json.loads(out)
    return {"rps": r["rps"], "p50": r["p50_us"] / 1000, "p99": r["p99_us"] / 1000,
            "p999": r["p999_us"] / 1000, "errors": r["errors"], "socket_errors": ""}


def run(binary, duration=5, repeats=3, build_dir=None, log=None):
    """Runs everything; returns the markdown lines of the API Gateway table."""
    log = log or (lambda s: print(s, file=sys.stderr, flush=True))
    build_dir = build_dir or os.path.dirname(os.path.dirname(os.path.abspath(binary)))
    client = os.path.join(build_dir, "bench", "lambda-local-latency-client")
    has_client = os.access(client, os.X_OK)
    if not has_client:
        log(f"API Gateway: no {client}: the added latency comes from wrk's p50 at 1 connection")
    requests = 10000 * duration
    project = make_project(build_dir)
    server = None
    res, info = {}, {}
    try:
        server = Server(binary, project)
        log(f"API Gateway: lambda-local on {server.port}, API port {server.api_port}")
        for fn, prefix, _ in FUNCTIONS:
            invoke = f"/2015-03-31/functions/{fn}/invocations"
            targets = {}
            for route in ROUTES:
                event = capture(server.api_port, route, prefix)
                path = os.path.join(project, f"{prefix}-{route}-event.json")
                with open(path, "w") as f:
                    f.write(event)
                targets[("direct", route)] = Target(server.port, invoke, event, path)
                targets[("gw", route)] = Target(server.api_port, f"/{prefix}/{route}", SMALL_BODY)
            targets[("direct", "small")] = Target(server.port, invoke, SMALL_BODY)
            for key, t in targets.items():
                status, body = warm(t)
                info[(fn, key)] = {"status": status, "answer_bytes": len(body), "payload_bytes": len(t.body)}
                log(f"  {fn} {key[0]} {key[1]}: HTTP {status}, {len(t.body)} B in, {len(body)} B out"
                    + ("" if 200 <= status < 300 else f": {body[:200]!r}"))
            for conns in (1, 4):
                if conns == 4:  # the function's 4 environments exist before the first timed run
                    wrk(targets[("direct", "v2")], 4, 2)
                for _ in range(repeats):
                    for key in WRK_ORDER:
                        res.setdefault((fn, key, conns, "wrk"), []).append(wrk(targets[key], conns, duration))
                log(f"  {fn} c{conns} (wrk): " + ", ".join(
                    f"{k[0]} {k[1]} {statistics.median(r['rps'] for r in res[(fn, k, conns, 'wrk')]):,.0f}/s"
                    for k in WRK_ORDER))
            if has_client:
                for _ in range(repeats):
                    for key in CLOSED_ORDER:
                        res.setdefault((fn, key, 1, "closed"), []).append(closed_loop(client, targets[key], requests))
                log(f"  {fn} closed-loop p50: " + ", ".join(
                    f"{k[0]} {k[1]} {statistics.median(r['p50'] for r in res[(fn, k, 1, 'closed')]) * 1000:.1f} us"
                    for k in CLOSED_ORDER))
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(project, ignore_errors=True)
    return table(res, info, duration, repeats, requests, has_client)


def table(res, info, duration, repeats, requests, has_client):
    med = common.med

    def cell(runs, closed):
        if not runs:
            return "not run"
        s = f"{med(runs, 'rps'):,.0f}/s, p50 {med(runs, 'p50'):.3f} ms, p99 {med(runs, 'p99'):.3f} ms"
        if closed:
            s += f" (p99.9 {med(runs, 'p999'):.3f} ms)"
        errs = sum(r["errors"] for r in runs)
        sock = "; ".join(r["socket_errors"] for r in runs if r["socket_errors"])
        if errs:
            s += f", {errs:,} non-2xx"
        if sock:
            s += f", socket errors: {sock}"
        return s

    def added_us(gw, direct, paired):
        if not gw or not direct:
            return None
        if paired:  # runs alternate: the median of each pair's difference
            return statistics.median((g["p50"] - d["p50"]) * 1000 for g, d in zip(gw, direct))
        return (med(gw, "p50") - med(direct, "p50")) * 1000

    sizes = {route: info.get(("BenchCpp", ("direct", route)), {}).get("payload_bytes", 0) for route in ROUTES}
    source = ("the closed-loop client (`bench/latency_client.cc`), median of the paired runs' differences"
              if has_client else "wrk's p50 at 1 connection (the closed-loop client was not built)")
    lines = ["", "## API Gateway: a function through the API port against a direct Invoke of it, same run", "",
             f"POST to an HttpApi route (payload 2.0) and an Api route (payload 1.0) on `--api-port` with a "
             f"{len(SMALL_BODY)}-byte JSON body, against a direct Invoke (`POST /2015-03-31/functions/<name>/"
             f"invocations` on the main port) of the same function whose payload is the proxy event the gateway "
             f"builds for that route ({sizes['v2']:,} B for payload 2.0, {sizes['v1']:,} B for 1.0; captured once "
             "through the route), so that the function moves the same bytes either way and the difference is "
             "the gateway's own work (the API port's request, route matching, the event, the result's parsing, "
             "the answer, one access line per request in the console, here a file). wrk "
             f"(`bench/apigw.lua`), {duration} s per run, median of {repeats} runs; closed-loop client, "
             f"{requests:,} requests per run, median of {repeats} runs; gateway and direct runs alternate. "
             f"Added at p50: p50 through the route minus p50 of the direct Invoke, from {source}; "
             f"target <= {TARGET_US} us. No moto baseline: moto's API Gateway reaches functions through its "
             "Lambda, which runs them only in Docker.", "",
             "| what | through the API port | direct Invoke, the same event as payload | added by the gateway at p50 |",
             "|---|---|---|---|"]
    for fn, _, label in FUNCTIONS:
        for route, route_label in ROUTES.items():
            gw_status = info.get((fn, ("gw", route)), {}).get("status")
            note = ""
            if gw_status is not None and not 200 <= gw_status < 300:
                note = f" (every answer {gw_status}"
                if fn == "BenchCpp" and route == "v1":
                    note += (": the echo's result is its event, which has no statusCode, and payload 1.0 "
                             "needs one; the figures are the whole path to that refusal")
                note += ")"
            rows = []
            if has_client:
                rows.append(("1 connection, closed-loop client", (fn, None, 1, "closed"), True))
            rows.append(("1 connection, wrk", (fn, None, 1, "wrk"), not has_client))
            rows.append(("4 connections, wrk", (fn, None, 4, "wrk"), False))
            for i, (what, (f, _, conns, kind), target_row) in enumerate(rows):
                gw = res.get((f, ("gw", route), conns, kind))
                direct = res.get((f, ("direct", route), conns, kind))
                a = added_us(gw, direct, kind == "closed")
                if a is None:
                    added = ""
                else:
                    added = f"{round(a):+d} us"
                    if target_row:
                        added += f" (target <= {TARGET_US} us: {'met' if a <= TARGET_US else 'missed'}"
                        added += ", answers not 2xx)" if note else ")"
                short = f" (every answer {gw_status})" if note else ""
                lines.append(f"| {label}, {route_label}, {what}{note if i == 0 else short} | "
                             f"{cell(gw, kind == 'closed')} | "
                             f"{cell(direct, kind == 'closed')} | {added} |")
        if has_client:
            small = res.get((fn, ("direct", "small"), 1, "closed"))
            lines.append(f"| {label}, direct Invoke with the {len(SMALL_BODY)}-byte body of the first table, "
                         f"1 connection, closed-loop client (for scale) | | {cell(small, True)} | |")
    lines.append("| moto's server | n/a: its API Gateway invokes functions through its Lambda, which runs "
                 "them only in Docker; no baseline | | |")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default="build-release")
    ap.add_argument("--binary", help="lambda-local binary (default: <build-dir>/cli/lambda-local)")
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    build_dir = os.path.join(ROOT, args.build_dir)
    binary = args.binary or os.path.join(build_dir, "cli", "lambda-local")
    load = os.getloadavg()
    lines = run(binary, args.duration, args.repeats, build_dir)
    head = [f"# lambda-local API Gateway benchmark, {datetime.date.today().isoformat()}", "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Linux {platform.release()}, "
            f"load average {load[0]:.2f} at start. Binary: `{os.path.relpath(binary, ROOT)}`. "
            f"Command: `python3 bench/apigw_bench.py {' '.join(sys.argv[1:])}`."]
    report = "\n".join(head + lines) + "\n"
    print(report)
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", f"{datetime.date.today().isoformat()}-apigw.md"), "w") as f:
        f.write(report)


if __name__ == "__main__":
    sys.exit(main())
