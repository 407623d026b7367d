"""SNS benchmark: lambda-local against moto's server, side by side on this machine, same client.

Rows (markdown, for bench/run.py's report or on their own):
  - Publish of a 256-byte message to a topic with one SQS subscription, 1 and 8 connections
    (wrk + bench/sns_publish.lua), each run on a fresh topic and queue; the ratio is
    lambda-local's rate over moto's (the target is >= 30x). After each run the queue's depth is
    read until it stops growing, so that a publish answered 200 but never delivered shows up;
  - Publish -> SQS receive: a client records time.time_ns() just before it publishes (the
    message carries it); a receiver thread long-polling the subscribed queue (WaitTimeSeconds=20,
    its own connection) records time.time_ns() when the ReceiveMessage answer is read, deletes
    the message, then lets the client publish the next one 20 ms later: one in flight, both
    servers;
  - Publish -> function start: a python3.12 function subscribed to the topic (template
    `Events: Type: SNS`) records time.time_ns() first thing in its handler; the client records
    it just before the Publish. No moto figure: moto's server runs functions only in Docker.

Both servers get byte-identical requests apart from ARNs and queue URLs: SNS as query-protocol
form POSTs, SQS as JSON 1.0, each with an unsigned SigV4-shaped Authorization header naming its
service (moto's server routes on the credential scope; lambda-local does too).
Every server this starts is stopped on the way out, failures included.

Standalone: python3 bench/sns_bench.py [--build-dir build-release] [--duration 5] [--repeats 3]
(prints the table and saves it to bench/results/<date>-sns.md).
"""
import argparse
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from xml.sax.saxutils import unescape

import sqs_bench as common

ROOT = common.ROOT
BENCH = common.BENCH
MESSAGE_BYTES = 256
AUTH = ("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sns/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, Signature=0")

LATENCY_TEMPLATE = """Resources:
  Fanout:
    Type: AWS::SNS::Topic
    Properties: {TopicName: latency-fanout}
  Stamp:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: py/
      Timeout: 30
      Events:
        Fanout:
          Type: SNS
          Properties: {Topic: !Ref Fanout}
"""

# time.time_ns() is the handler's first statement; the file write comes after it.
LATENCY_APP = """import time

def handler(event, context):
    t = time.time_ns()
    with open({path!r}, "a") as f:
        for r in event["Records"]:
            f.write(r["Sns"]["Message"] + " " + str(t) + "\\n")
    return {{}}
"""


class Sns:
    """A keep-alive query-protocol client for setup and the latency probes (not for throughput)."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, action, params):
        body = urllib.parse.urlencode({"Action": action, "Version": "2010-03-31", **params})
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                   "Authorization": AUTH, "X-Amz-Date": "20240101T000000Z"}
        for attempt in range(2):
            try:
                self.conn.request("POST", "/", body, headers)
                r = self.conn.getresponse()
                data = r.read().decode()
                break
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()  # moto's server closes every connection; see sqs_bench.Sqs
                if attempt:
                    raise
        if r.status != 200:
            raise RuntimeError(f"{action}: HTTP {r.status}: {data[:300]!r}")
        return data

    @staticmethod
    def field(xml, name):
        m = re.search(rf"<{name}>(.*?)</{name}>", xml, re.S)
        if not m:
            raise RuntimeError(f"no <{name}> in {xml[:300]!r}")
        return unescape(m.group(1))

    def create_topic(self, name):
        return self.field(self.call("CreateTopic", {"Name": name}), "TopicArn")

    def subscribe_queue(self, topic_arn, queue_arn):
        return self.field(self.call("Subscribe", {"TopicArn": topic_arn, "Protocol": "sqs",
                                                  "Endpoint": queue_arn}), "SubscriptionArn")

    def publish(self, topic_arn, message):
        return self.field(self.call("Publish", {"TopicArn": topic_arn, "Message": message}), "MessageId")

    def delete_topic(self, arn):
        self.call("DeleteTopic", {"TopicArn": arn})

    def close(self):
        self.conn.close()


def queue_arn(sqs, url):
    a = sqs.call("GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["QueueArn"]})
    return a["Attributes"]["QueueArn"]


def fanout(sns, sqs, name):
    """A fresh topic with one fresh SQS queue subscribed (envelope delivery, as by default)."""
    url = sqs.create_queue(name)
    topic = sns.create_topic(name)
    sns.subscribe_queue(topic, queue_arn(sqs, url))
    return topic, url


def settled_depth(sqs, url, expected, quiet_s=1.0, cap_s=60.0):
    """The queue's depth once it reaches `expected` or stops growing for quiet_s (deliveries
    may trail the publishes' answers)."""
    deadline = time.monotonic() + cap_s
    last, since = -1, time.monotonic()
    while True:
        d = sqs.depth(url)
        if d >= expected:
            return d
        if d != last:
            last, since = d, time.monotonic()
        elif time.monotonic() - since >= quiet_s or time.monotonic() > deadline:
            return d
        time.sleep(0.1)


def wrk(port, topic_arn, connections, duration):
    threads = min(connections, 2)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
                          "-s", os.path.join(BENCH, "sns_publish.lua"), f"http://127.0.0.1:{port}/", "--",
                          urllib.parse.quote(topic_arn, safe=""), str(MESSAGE_BYTES)],
                         capture_output=True, text=True, check=True).stdout
    r = common.parse_wrk(out, duration)
    r["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    return r


def throughput(port, duration, repeats, log):
    sns, sqs = Sns(port), common.Sqs(port)
    res = {}
    try:
        for conns in (1, 8):
            runs = []
            for i in range(repeats):
                name = f"bench-c{conns}-{i}-{int(time.time() * 1000)}"
                topic, url = fanout(sns, sqs, name)
                r = wrk(port, topic, conns, duration)
                ok = r["requests"] - r["errors"]
                r["delivered"] = settled_depth(sqs, url, ok)
                r["ok"] = ok
                runs.append(r)
                notes = (f", {r['errors']} non-2xx" if r["errors"] else "") + \
                        (f", socket errors: {r['socket_errors']}" if r["socket_errors"] else "")
                log(f"  c{conns} run {i + 1}: {r['rps']:,.0f} publishes/s, {ok:,} answered 2xx, "
                    f"{r['delivered']:,} in the queue{notes}")
                sns.delete_topic(topic)
                sqs.delete_queue(url)
            res[conns] = runs
    finally:
        sns.close()
        sqs.close()
    return res


def publish_to_receive(port, samples, spacing_s, log, warm=5):
    """Publish -> ReceiveMessage of a long-polling receiver on the subscribed queue, one in flight."""
    sns, sqs = Sns(port), common.Sqs(port)
    topic, url = fanout(sns, sqs, f"latency-{int(time.time() * 1000)}")
    got = []  # (message, receipt ns), appended by the receiver
    arrived = threading.Condition()
    stop = threading.Event()
    failure = []

    def receive():
        rx = common.Sqs(port)
        try:
            while not stop.is_set():
                r = rx.call("ReceiveMessage", {"QueueUrl": url, "WaitTimeSeconds": 20,
                                               "MaxNumberOfMessages": 1})
                t = time.time_ns()
                for m in r.get("Messages", []):
                    rx.call("DeleteMessage", {"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]})
                    with arrived:
                        got.append((json.loads(m["Body"])["Message"], t))
                        arrived.notify_all()
        except Exception as e:  # the server stopped under it, or answered badly
            if not stop.is_set():
                failure.append(e)
                with arrived:
                    arrived.notify_all()
        finally:
            rx.close()

    receiver = threading.Thread(target=receive, daemon=True)
    receiver.start()
    lat, rtt = [], []
    try:
        time.sleep(0.2)  # the receiver's first long poll is waiting
        for i in range(warm + samples):
            key = f"m-{i}"
            t0 = time.time_ns()
            sns.publish(topic, f"{key} {t0}")
            t1 = time.time_ns()
            with arrived:
                if not arrived.wait_for(lambda: len(got) > i or failure, timeout=30):
                    raise RuntimeError(f"message {key} was published but never received")
            if failure:
                raise RuntimeError(f"the receiver failed: {failure[0]}")
            body, t2 = got[i]
            if not body.startswith(key + " "):
                raise RuntimeError(f"expected {key!r}, received {body!r}")
            if i >= warm:
                lat.append((t2 - int(body.split()[1])) / 1e6)
                rtt.append((t1 - t0) / 1e6)
            time.sleep(spacing_s)
        log(f"  publish -> receive over {samples}: p50 {common.pct(lat, 50):.3f} ms, "
            f"p99 {common.pct(lat, 99):.3f} ms, max {max(lat):.3f} ms")
        return {"lat": lat, "rtt": rtt}
    finally:
        stop.set()
        # The receiver is parked in a long poll; a last message frees it (the server stopping
        # frees it too, and it is a daemon thread either way).
        try:
            sns.publish(topic, "stop 0")
        except Exception:
            pass
        receiver.join(timeout=25)
        try:
            sns.delete_topic(topic)
            sqs.delete_queue(url)
        except Exception:
            pass
        sns.close()
        sqs.close()


def function_start(servers, binary, publishes, spacing_s, log):
    """Publish -> handler start of a python3.12 function subscribed to the topic."""
    project = tempfile.mkdtemp(prefix="ll-sns-latency-")
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
        sns = Sns(port)
        topic = sns.create_topic("latency-fanout")  # exists (template): returns its ARN
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
            sns.publish(topic, f"warm-{i}")
            wait_for(f"warm-{i}", 30)
        time.sleep(0.2)
        lat, rtt = [], []
        for i in range(publishes):
            key = f"m-{i}"
            t0 = time.time_ns()
            sns.publish(topic, key)
            t1 = time.time_ns()
            lat.append((wait_for(key, 10) - t0) / 1e6)
            rtt.append((t1 - t0) / 1e6)
            time.sleep(spacing_s)
        reader.close()
        sns.close()
        log(f"  publish -> handler start over {publishes}: p50 {common.pct(lat, 50):.3f} ms, "
            f"p99 {common.pct(lat, 99):.3f} ms, max {max(lat):.3f} ms")
        return {"lat": lat, "rtt": rtt}
    finally:
        if proc is not None:
            servers.stop(proc)
        shutil.rmtree(project, ignore_errors=True)


def run(binary, duration=5, repeats=3, latency_samples=300, function_publishes=200, log=None):
    """Runs everything; returns the markdown lines of the SNS table."""
    log = log or (lambda s: print(s, file=sys.stderr, flush=True))
    servers = common.Servers()
    ll, mt = {}, {}
    empty = tempfile.mkdtemp(prefix="ll-sns-bench-")
    try:
        with open(os.path.join(empty, "template.yaml"), "w") as f:
            f.write("Resources: {}\n")
        log("SNS: lambda-local")
        proc, port = servers.lambda_local(binary, empty)
        ll["tp"] = throughput(port, duration, repeats, log)
        ll["rx"] = publish_to_receive(port, latency_samples, 0.020, log)
        servers.stop(proc)
        if common.moto_version():
            log(f"SNS: moto {common.moto_version()}")
            proc, port = servers.moto()
            mt["tp"] = throughput(port, duration, repeats, log)
            mt["rx"] = publish_to_receive(port, latency_samples, 0.020, log)
            servers.stop(proc)
        log("SNS: publish -> function start")
        ll["fn"] = function_start(servers, binary, function_publishes, 0.020, log)
    finally:
        servers.stop_all()
        shutil.rmtree(empty, ignore_errors=True)
    return table(ll, mt, duration, repeats, latency_samples, function_publishes)


def table(ll, mt, duration, repeats, latency_samples, function_publishes):
    med = common.med
    pct = common.pct

    def cell(runs):
        if not runs:
            return "not run"
        ok = sum(r["ok"] for r in runs)
        delivered = sum(r["delivered"] for r in runs)
        s = (f"{med(runs, 'rps'):,.0f}/s (p50 {med(runs, 'p50'):.3f} ms, p99 {med(runs, 'p99'):.3f} ms); "
             f"in the queue: {delivered:,} for {ok:,} 2xx publishes")
        errs = sum(r["errors"] for r in runs)
        sock = "; ".join(r["socket_errors"] for r in runs if r["socket_errors"])
        if errs:
            s += f", {errs} non-2xx"
        if sock:
            s += f", socket errors: {sock}"
        return s

    def lat_cell(r):
        if not r:
            return "not run"
        return (f"p50 {pct(r['lat'], 50):.3f} ms, p99 {pct(r['lat'], 99):.3f} ms, max {max(r['lat']):.3f} ms "
                f"(Publish round trip p50 {pct(r['rtt'], 50):.3f} ms)")

    lines = ["", f"## SNS: lambda-local and moto's server (moto {common.moto_version() or 'not installed'}), "
             "same machine, same client", "",
             f"wrk, {duration} s per run, median of {repeats} runs, each on a fresh topic with one fresh "
             f"SQS queue subscribed (envelope delivery); Publish of a {MESSAGE_BYTES}-byte message as a "
             "query-protocol form POST; wrk's p50/p99 are per request. \"In the queue\": the subscribed "
             "queues' depth after the runs (read until it stops growing), summed over the runs, against "
             "the publishes wrk saw answered 2xx (a publish still in flight when wrk stops may be "
             "delivered without being counted). Publish -> receive: one message in flight, a receiver "
             "long-polling the queue (WaitTimeSeconds=20) on its own connection, publishes 20 ms apart "
             "after the previous one was received and deleted; the time runs from just before the "
             "Publish to the ReceiveMessage answer read. moto's server answers every request with "
             "`Connection: close` (wrk reconnects), and its SNS delivery to SQS reads the queue's "
             "attributes, which counts every message, so its Publish slows as the subscribed queue "
             "grows, within a run too (sequential publishes on this machine: about 6 ms each on an "
             "empty queue, 20 ms with 500 messages in it): its rate depends on the run's length.", "",
             "| what | lambda-local | moto's server | ratio |", "|---|---|---|---|"]
    for conns in (1, 8):
        a = ll.get("tp", {}).get(conns)
        b = mt.get("tp", {}).get(conns)
        ratio = (f"{med(a, 'rps') / med(b, 'rps'):.1f}x (target >= 30x)"
                 if a and b and med(b, "rps") > 0 else "")
        lines.append(f"| Publish {MESSAGE_BYTES} B, topic with one SQS subscription, {conns} "
                     f"connection{'s' if conns > 1 else ''} | {cell(a)} | {cell(b)} | {ratio} |")
    a, b = ll.get("rx"), mt.get("rx")
    ratio = f"p50 {pct(b['lat'], 50) / pct(a['lat'], 50):.1f}x lower" if a and b else ""
    lines.append(f"| SNS Publish -> SQS ReceiveMessage (long poll), {latency_samples} publishes, one in flight | "
                 f"{lat_cell(a)} | {lat_cell(b)} | {ratio} |")
    fn = ll.get("fn")
    if fn:
        lines.append(f"| SNS Publish -> function start, python3.12 handler subscribed to the topic "
                     f"({function_publishes} publishes, one in flight, 20 ms apart) | "
                     f"{lat_cell(fn)}; target p50 <= 3 ms | n/a: moto's server runs functions only in "
                     "Docker | |")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default="build-release")
    ap.add_argument("--binary", help="lambda-local binary (default: <build-dir>/cli/lambda-local)")
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--latency-samples", type=int, default=300, help="publish -> receive samples per server")
    ap.add_argument("--function-publishes", type=int, default=200)
    args = ap.parse_args()
    binary = args.binary or os.path.join(ROOT, args.build_dir, "cli", "lambda-local")
    load = os.getloadavg()
    lines = run(binary, args.duration, args.repeats, args.latency_samples, args.function_publishes)
    head = [f"# lambda-local SNS benchmark, {datetime.date.today().isoformat()}", "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Linux {platform.release()}, "
            f"load average {load[0]:.2f} at start. Binary: `{os.path.relpath(binary, ROOT)}`. "
            f"Command: `python3 bench/sns_bench.py {' '.join(sys.argv[1:])}`."]
    report = "\n".join(head + lines) + "\n"
    print(report)
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", f"{datetime.date.today().isoformat()}-sns.md"), "w") as f:
        f.write(report)


if __name__ == "__main__":
    sys.exit(main())
