"""SQS benchmark: lambda-local against moto's server, side by side on this machine, same client.

Rows (markdown, for bench/run.py's report or on their own):
  - SendMessage, 1 KiB body, 1 and 8 connections (wrk + bench/sqs_send.lua), each run on a
    fresh queue;
  - ReceiveMessage + DeleteMessage, 1 KiB, 1 and 8 connections (wrk + bench/sqs_receive_delete.lua:
    each connection deletes what it received, one message a receive), on the queue the send run
    just filled; the figure is messages received and deleted per second;
  - the same two at 1 connection on a queue pre-filled (SendMessageBatch, bench/sqs_fill.lua) to
    100,000 and 1,000,000 messages: flat as the queue grows? moto is filled only as deep as it
    gets within --moto-fill-cap seconds, and the row says how deep that was;
  - send -> function start: a python3.12 function behind an idle SQS event source mapping
    records time.time_ns() first thing in its handler; the client records it just before it
    sends. No moto figure: moto's server runs Lambda functions only through Docker.

Both servers get byte-identical requests apart from the queue URL (JSON 1.0, X-Amz-Target, an
unsigned SigV4-shaped Authorization header naming sqs, which moto's server needs to route).
Every server this starts is stopped on the way out, failures included.

Standalone: python3 bench/sqs_bench.py [--build-dir build] [--duration 5] [--repeats 3]
(prints the table and saves it to bench/results/<date>-sqs.md).
"""
import argparse
import datetime
import http.client
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
BODY_BYTES = 1024
AUTH = ("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0")

LATENCY_TEMPLATE = """Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties: {QueueName: latency}
  Stamp:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: py/
      Timeout: 30
      Events:
        Jobs:
          Type: SQS
          Properties: {Queue: !GetAtt Jobs.Arn}
"""

# time.time_ns() is the handler's first statement; the file write comes after it.
LATENCY_APP = """import time

def handler(event, context):
    t = time.time_ns()
    with open({path!r}, "a") as f:
        for r in event["Records"]:
            f.write(r["body"] + " " + str(t) + "\\n")
    return {{}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sqs:
    """A keep-alive JSON 1.0 client for setup and the latency probe (not for throughput)."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, op, payload):
        body = json.dumps(payload)
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS." + op,
                   "Authorization": AUTH, "X-Amz-Date": "20240101T000000Z"}
        for attempt in range(2):
            try:
                self.conn.request("POST", "/", body, headers)
                r = self.conn.getresponse()
                data = r.read()
                break
            except (ConnectionError, http.client.HTTPException):
                # moto's server closes every connection; http.client reconnects on the next
                # request, but a close racing the request needs one retry.
                self.conn.close()
                if attempt:
                    raise
        if r.status != 200:
            raise RuntimeError(f"{op}: HTTP {r.status}: {data[:300]!r}")
        return json.loads(data or b"{}")

    def create_queue(self, name):
        return self.call("CreateQueue", {"QueueName": name})["QueueUrl"]

    def delete_queue(self, url):
        self.call("DeleteQueue", {"QueueUrl": url})

    def depth(self, url):
        a = self.call("GetQueueAttributes", {"QueueUrl": url,
                                             "AttributeNames": ["ApproximateNumberOfMessages"]})
        return int(a["Attributes"]["ApproximateNumberOfMessages"])

    def close(self):
        self.conn.close()


class Servers:
    """Starts servers and stops every one of them (SIGTERM, then SIGKILL) in stop_all()."""

    def __init__(self):
        self.procs = []

    def _drain(self, proc):
        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()

    def lambda_local(self, binary, project):
        port = free_port()
        proc = subprocess.Popen([binary, "start", "--port", str(port)], cwd=project,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.procs.append(proc)
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "lambda-local ready on" in line:
                self._drain(proc)
                return proc, port
        raise RuntimeError("lambda-local exited before it was ready:\n" + "".join(lines[-20:]))

    def moto(self):
        port = free_port()
        # Its per-request log lines go to /dev/null (a pipe nobody reads would stall it).
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"moto's server exited with {proc.returncode}")
            try:
                c = Sqs(port)
                c.call("ListQueues", {})
                c.close()
                return proc, port
            except (OSError, RuntimeError, http.client.HTTPException):
                time.sleep(0.2)
        raise RuntimeError("moto's server did not answer within 60 s")

    def stop(self, proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self):
        for proc in list(self.procs):
            self.stop(proc)


def to_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(out, duration):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"\s50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    seconds = float(total.group(2)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[total.group(3)]
    r = {"rps": rps, "p50": to_ms(*p50.groups()), "p99": to_ms(*p99.groups()),
         "errors": int(errors.group(1)) if errors else 0,
         "socket_errors": socket_errors.group(1) if socket_errors else "", "seconds": seconds}
    for key in ("deletes", "receives", "empty receives"):
        m = re.search(rf"SQS {key}: (\d+)", out)
        if m:
            r[key.replace(" ", "_")] = int(m.group(1))
    # What a client gets done per second: messages sent, or messages received and deleted.
    r["msgs"] = r["deletes"] / seconds if "deletes" in r else rps
    return r


def wrk(script, port, queue_url, connections, duration):
    threads = min(connections, 2)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
                          "-s", os.path.join(BENCH, script), f"http://127.0.0.1:{port}/", "--",
                          queue_url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(out, duration)


def fill(client, port, queue_url, target, cap_s):
    """SendMessageBatch into queue_url until `target` messages are sent or cap_s passes.
    Returns (depth reached, seconds). The server is not asked for the depth while filling
    (moto's GetQueueAttributes scans every message)."""
    threads, conns = 2, 4
    quota = math.ceil(target / threads / 10) * 10
    markers = tempfile.mkdtemp(prefix="ll-sqs-fill-")
    prefix = os.path.join(markers, "done-")
    t0 = time.monotonic()
    proc = subprocess.Popen(["wrk", f"-t{threads}", f"-c{conns}", f"-d{int(cap_s) + 5}s",
                             "-s", os.path.join(BENCH, "sqs_fill.lua"), f"http://127.0.0.1:{port}/",
                             "--", queue_url, str(quota), str(BODY_BYTES), prefix],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # wrk runs for its whole -d even after every thread stopped itself: watch the markers.
        while time.monotonic() - t0 < cap_s and proc.poll() is None:
            if all(os.path.exists(f"{prefix}{i}") for i in range(1, threads + 1)):
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(markers, ignore_errors=True)
    elapsed = time.monotonic() - t0
    return client.depth(queue_url), elapsed


def throughput(port, duration, repeats, log):
    """SendMessage then Receive+Delete on the queue the send filled, 1 and 8 connections."""
    client = Sqs(port)
    res = {}
    for conns in (1, 8):
        sends, recvs = [], []
        for i in range(repeats):
            url = client.create_queue(f"bench-c{conns}-{i}-{int(time.time() * 1000)}")
            sends.append(wrk("sqs_send.lua", port, url, conns, duration))
            start_depth = client.depth(url)
            r = wrk("sqs_receive_delete.lua", port, url, conns, duration)
            r["start_depth"] = start_depth
            recvs.append(r)
            log(f"  c{conns} run {i + 1}: send {sends[-1]['rps']:,.0f}/s, receive+delete "
                f"{r['msgs']:,.0f} msg/s (queue {start_depth:,}, {r.get('empty_receives', 0)} empty receives)")
            client.delete_queue(url)
        res[("send", conns)] = sends
        res[("recv", conns)] = recvs
    client.close()
    return res


def depth_runs(port, depths, fill_cap, duration, repeats, log):
    """Send and Receive+Delete at 1 connection on a queue pre-filled to each depth. Stops going
    deeper once a fill does not reach its depth within fill_cap seconds."""
    client = Sqs(port)
    res = []
    for target in depths:
        url = client.create_queue(f"bench-depth-{target}-{int(time.time() * 1000)}")
        reached, secs = fill(client, port, url, target, fill_cap)
        log(f"  filled to {reached:,} of {target:,} in {secs:.1f} s")
        sends = [wrk("sqs_send.lua", port, url, 1, duration) for _ in range(repeats)]
        recvs = [wrk("sqs_receive_delete.lua", port, url, 1, duration) for _ in range(repeats)]
        log(f"  at {reached:,}: send {med(sends, 'rps'):,.0f}/s, receive+delete {med(recvs, 'msgs'):,.0f} msg/s")
        res.append({"target": target, "reached": reached, "fill_s": secs, "send": sends, "recv": recvs})
        client.delete_queue(url)
        if reached < target * 0.98:
            break
    client.close()
    return res


def latency(servers, binary, sends, spacing_s, log):
    """Send -> handler start of a python3.12 function behind an idle SQS mapping."""
    project = tempfile.mkdtemp(prefix="ll-sqs-latency-")
    stamps = os.path.join(project, "stamps.txt")
    proc = None
    try:
        os.mkdir(os.path.join(project, "py"))
        with open(os.path.join(project, "py", "app.py"), "w") as f:
            f.write(LATENCY_APP.format(path=stamps))
        with open(os.path.join(project, "template.yaml"), "w") as f:
            f.write(LATENCY_TEMPLATE)
        open(stamps, "w").close()
        proc, port = servers.lambda_local(binary, project)
        client = Sqs(port)
        url = client.create_queue("latency")  # exists (template): returns its URL
        seen = {}
        reader = open(stamps)

        def wait_for(key, timeout):
            deadline = time.monotonic() + timeout
            while key not in seen:
                for line in reader.readlines():
                    body, _, t = line.strip().rpartition(" ")
                    seen[body] = int(t)
                if key in seen:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the function never saw message {key!r}")
                time.sleep(0.002)
            return seen[key]

        for i in range(3):  # the first start is cold; these are not counted
            client.call("SendMessage", {"QueueUrl": url, "MessageBody": f"warm-{i}"})
            wait_for(f"warm-{i}", 30)
        time.sleep(0.2)
        lat, rtt = [], []
        for i in range(sends):
            key = f"m-{i}"
            t0 = time.time_ns()
            client.call("SendMessage", {"QueueUrl": url, "MessageBody": key})
            t1 = time.time_ns()
            time.sleep(spacing_s)
            lat.append((wait_for(key, 10) - t0) / 1e6)
            rtt.append((t1 - t0) / 1e6)
        reader.close()
        client.close()
        log(f"  send -> handler start over {sends} sends: p50 {pct(lat, 50):.3f} ms, "
            f"p99 {pct(lat, 99):.3f} ms, max {max(lat):.3f} ms")
        return {"lat": lat, "rtt": rtt}
    finally:
        if proc is not None:
            servers.stop(proc)
        shutil.rmtree(project, ignore_errors=True)


def pct(values, p):
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def moto_version():
    try:
        import moto
        return moto.__version__
    except ImportError:
        return None


def run(binary, duration=5, repeats=3, depths=(100_000, 1_000_000), moto_depths=(100_000, 1_000_000),
        ll_fill_cap=300, moto_fill_cap=60, latency_sends=200, log=None):
    """Runs everything; returns the markdown lines of the SQS table."""
    log = log or (lambda s: print(s, file=sys.stderr, flush=True))
    servers = Servers()
    ll, mt = {}, {}
    empty = tempfile.mkdtemp(prefix="ll-sqs-bench-")
    try:
        with open(os.path.join(empty, "template.yaml"), "w") as f:
            f.write("Resources: {}\n")
        log("SQS: lambda-local")
        proc, port = servers.lambda_local(binary, empty)
        ll["tp"] = throughput(port, duration, repeats, log)
        ll["depth"] = depth_runs(port, depths, ll_fill_cap, duration, repeats, log)
        servers.stop(proc)
        if moto_version():
            log(f"SQS: moto {moto_version()}")
            proc, port = servers.moto()
            mt["tp"] = throughput(port, duration, repeats, log)
            mt["depth"] = depth_runs(port, moto_depths, moto_fill_cap, duration, repeats, log)
            servers.stop(proc)
        log("SQS: send -> function start")
        ll["latency"] = latency(servers, binary, latency_sends, 0.020, log)
    finally:
        servers.stop_all()
        shutil.rmtree(empty, ignore_errors=True)
    return table(ll, mt, duration, repeats, moto_fill_cap, latency_sends)


def table(ll, mt, duration, repeats, moto_fill_cap, latency_sends):
    def cell(runs, unit):
        if not runs:
            return "n/a"
        errs = sum(r["errors"] for r in runs)
        sock = "; ".join(r["socket_errors"] for r in runs if r["socket_errors"])
        s = (f"{med(runs, 'msgs'):,.0f} {unit} (p50 {med(runs, 'p50'):.3f} ms, "
             f"p99 {med(runs, 'p99'):.3f} ms)")
        if errs:
            s += f", {errs} non-2xx"
        if sock:
            s += f", socket errors: {sock}"
        return s

    def ratio(a, b):
        return f"{med(a, 'msgs') / med(b, 'msgs'):.0f}x" if a and b else ""

    lines = ["", f"## SQS: lambda-local and moto's server (moto {moto_version() or 'not installed'}), "
             "same machine, same client", "",
             f"wrk, {duration} s per run, median of {repeats} runs; JSON 1.0 requests with a 1 KiB "
             "body; wrk's p50/p99 are per request. Receive+Delete counts messages received and "
             "deleted per second (one ReceiveMessage of 1 message + one DeleteMessage each) and runs "
             "on the queue the send run just filled. Deep-queue rows: 1 connection, queue pre-filled "
             f"with SendMessageBatch (moto filled for at most {moto_fill_cap} s). moto's server "
             "answers every request with `Connection: close` (wrk reconnects), and each of its "
             "SendMessage calls reads its queue's attributes, which counts every message, so its "
             "rates fall as its queue grows, within a run too.", "",
             "| what | lambda-local | moto's server | ratio |", "|---|---|---|---|"]
    for op, label, unit in (("send", "SendMessage 1 KiB", "msg/s"),
                            ("recv", "ReceiveMessage+DeleteMessage 1 KiB", "msg/s")):
        for conns in (1, 8):
            a = ll.get("tp", {}).get((op, conns))
            b = mt.get("tp", {}).get((op, conns))
            what = f"{label}, {conns} connection{'s' if conns > 1 else ''}"
            lines.append(f"| {what} | {cell(a, unit)} | {cell(b, unit)} | {ratio(a, b)} |")
    base = {op: ll["tp"][(op, 1)] for op in ("send", "recv")}
    mbase = {op: mt["tp"][(op, 1)] for op in ("send", "recv")} if mt else {}
    ll_depths = ll.get("depth", [])
    m_depths = mt.get("depth", [])
    for op, label in (("send", "SendMessage"), ("recv", "ReceiveMessage+DeleteMessage")):
        for i, d in enumerate(ll_depths):
            what = f"{label} 1 KiB, 1 connection, queue at {d['reached']:,} messages"
            a = cell(d[op], "msg/s") + f", {med(d[op], 'msgs') / med(base[op], 'msgs'):.0%} of the fresh-queue rate"
            if i < len(m_depths):
                m = m_depths[i]
                b = (cell(m[op], "msg/s") + f", {med(m[op], 'msgs') / med(mbase[op], 'msgs'):.0%} of its "
                     f"fresh-queue rate; moto at {m['reached']:,} messages")
                if m["reached"] < m["target"] * 0.98:
                    b += f" (its {m['fill_s']:.0f} s fill reached only that)"
                r = ratio(d[op], m[op])
            else:
                b, r = "not run (the shallower fill did not finish in time)" if mt else "n/a", ""
            lines.append(f"| {what} | {a} | {b} | {r} |")
    lat = ll.get("latency")
    if lat:
        lines.append(f"| SQS send -> function start, idle mapping, python3.12 handler "
                     f"({latency_sends} sends 20 ms apart) | p50 {pct(lat['lat'], 50):.3f} ms, "
                     f"p99 {pct(lat['lat'], 99):.3f} ms, max {max(lat['lat']):.3f} ms "
                     f"(SendMessage round trip p50 {pct(lat['rtt'], 50):.3f} ms) | n/a: moto's server "
                     "runs Lambda functions only in Docker | |")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default="build-release")
    ap.add_argument("--binary", help="lambda-local binary (default: <build-dir>/cli/lambda-local)")
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--depths", default="100000,1000000", help="lambda-local's deep-queue rows")
    ap.add_argument("--moto-depths", default="100000,1000000")
    ap.add_argument("--moto-fill-cap", type=float, default=60)
    ap.add_argument("--latency-sends", type=int, default=200)
    args = ap.parse_args()
    binary = args.binary or os.path.join(ROOT, args.build_dir, "cli", "lambda-local")
    ints = lambda s: tuple(int(x) for x in s.split(",") if x)
    load = os.getloadavg()
    lines = run(binary, args.duration, args.repeats, ints(args.depths), ints(args.moto_depths),
                moto_fill_cap=args.moto_fill_cap, latency_sends=args.latency_sends)
    head = [f"# lambda-local SQS benchmark, {datetime.date.today().isoformat()}", "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Linux {platform.release()}, "
            f"load average {load[0]:.2f} at start. Binary: `{os.path.relpath(binary, ROOT)}`. "
            f"Command: `python3 bench/sqs_bench.py {' '.join(sys.argv[1:])}`."]
    report = "\n".join(head + lines) + "\n"
    print(report)
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", f"{datetime.date.today().isoformat()}-sqs.md"), "w") as f:
        f.write(report)


if __name__ == "__main__":
    sys.exit(main())
