"""S3 benchmark: lambda-local against moto's server, side by side on this machine, same client.

Rows (markdown, for bench/run.py's report or on their own):
  - PutObject and GetObject of 1 KiB and 1 MiB, 1 and 8 connections (wrk + bench/s3_object.lua),
    on both servers; the ratio is lambda-local's rate over moto's;
  - 1 GiB: PUT then GET of one file with the aws CLI's low-level put-object / get-object (one
    request each) against `cp` of the same file on the same disk, with the emulator's peak RSS
    during them (read from /proc every 50 ms by a sampling thread);
  - PUT -> function start: a python3.12 function behind an S3 notification records
    time.time_ns() first thing; the client records it just before the PutObject. No moto
    figure: moto's server runs functions only in Docker.
Every server this starts is stopped on the way out, failures included.

Standalone: python3 bench/s3_bench.py [--build-dir build-release] [--duration 5] [--repeats 3]
(prints the table and saves it to bench/results/<date>-s3.md).
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import sqs_bench as common

ROOT = common.ROOT
BENCH = common.BENCH
AUTH = ("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0")

LATENCY_TEMPLATE = """Resources:
  Drops:
    Type: AWS::S3::Bucket
    Properties: {BucketName: latency-drops}
  Stamp:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: py/
      Timeout: 30
      Events:
        Put:
          Type: S3
          Properties: {Bucket: !Ref Drops, Events: "s3:ObjectCreated:*"}
"""
LATENCY_HANDLER = """import time
def handler(event, context):
    now = time.time_ns()
    key = event["Records"][0]["s3"]["object"]["key"]
    with open(%r, "a") as f:
        f.write(f"{key} {now}\\n")
"""


def request(port, method, path, body=b""):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/{path}", data=body or None, method=method,
                                 headers={"Authorization": AUTH, "X-Amz-Date": "20240101T000000Z",
                                          "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.read()


def wrk(port, method, path, size, connections, duration):
    threads = min(connections, 2)
    args = [method, path] + ([str(size)] if method == "PUT" else [])
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
                          "-s", os.path.join(BENCH, "s3_object.lua"), f"http://127.0.0.1:{port}/",
                          "--"] + args, capture_output=True, text=True, check=True).stdout
    return common.parse_wrk(out, duration)


def throughput(port, duration, repeats, log):
    bucket = f"bench-{int(time.time() * 1000)}"
    request(port, "PUT", bucket)
    res = {}
    for size in (1024, 1 << 20):
        request(port, "PUT", f"{bucket}/get-{size}", b"x" * size)
        for conns in (1, 8):
            for method in ("PUT", "GET"):
                key = f"{bucket}/{method.lower()}-{size}"
                runs = [wrk(port, method, key, size, conns, duration) for _ in range(repeats)]
                res[(method, size, conns)] = runs
                log(f"  {method} {size} B c{conns}: " + ", ".join(f"{r['rps']:,.0f}/s" for r in runs))
    return res


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def big_file(binary, proc, port, log, size_mib=1024):
    """1 GiB PUT then GET with the aws CLI (one request each), against cp on the same disk."""
    work = tempfile.mkdtemp(prefix="ll-s3-big-", dir=os.path.expanduser("~"))
    try:
        src = os.path.join(work, "src.bin")
        with open(src, "wb") as f:
            chunk = os.urandom(1 << 20)
            for _ in range(size_mib):
                f.write(chunk)
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                   AWS_DEFAULT_REGION="us-east-1")
        aws = ["aws", "--endpoint-url", f"http://127.0.0.1:{port}", "s3api"]
        subprocess.run(aws + ["create-bucket", "--bucket", "big"], env=env, check=True, capture_output=True)
        base = rss_kb(proc.pid)
        peak = [base]
        stop = threading.Event()

        def sample():
            while not stop.wait(0.05):
                peak[0] = max(peak[0], rss_kb(proc.pid))
        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            t0 = time.perf_counter()
            subprocess.run(aws + ["put-object", "--bucket", "big", "--key", "src.bin", "--body", src],
                           env=env, check=True, capture_output=True)
            t1 = time.perf_counter()
            out = os.path.join(work, "back.bin")
            subprocess.run(aws + ["get-object", "--bucket", "big", "--key", "src.bin", out],
                           env=env, check=True, capture_output=True)
            t2 = time.perf_counter()
        finally:
            stop.set()
            sampler.join()
        same = subprocess.run(["cmp", src, out]).returncode == 0
        t3 = time.perf_counter()
        subprocess.run(["cp", src, os.path.join(work, "copy.bin")], check=True)
        subprocess.run(["sync", "-f", work], check=False)
        t4 = time.perf_counter()
        r = {"put_s": t1 - t0, "get_s": t2 - t1, "cp_s": t4 - t3, "size_mib": size_mib,
             "rss_base_mb": base / 1024, "rss_peak_mb": peak[0] / 1024, "same": same}
        log(f"  1 GiB: put {r['put_s']:.2f} s, get {r['get_s']:.2f} s, cp {r['cp_s']:.2f} s, "
            f"RSS {r['rss_base_mb']:.1f} -> peak {r['rss_peak_mb']:.1f} MB, bytes equal: {same}")
        return r
    finally:
        shutil.rmtree(work, ignore_errors=True)


def latency(servers, binary, puts, log):
    project = tempfile.mkdtemp(prefix="ll-s3-latency-")
    try:
        stamps = os.path.join(project, "stamps.txt")
        os.makedirs(os.path.join(project, "py"))
        with open(os.path.join(project, "py", "app.py"), "w") as f:
            f.write(LATENCY_HANDLER % stamps)
        with open(os.path.join(project, "template.yaml"), "w") as f:
            f.write(LATENCY_TEMPLATE)
        proc, port = servers.lambda_local(binary, project)
        sent = {}
        request(port, "PUT", "latency-drops/warm", b"w")  # starts the function once
        deadline = time.time() + 60
        while (not os.path.exists(stamps) or "warm" not in open(stamps).read()) and time.time() < deadline:
            time.sleep(0.05)
        for i in range(puts):
            key = f"k{i}"
            sent[key] = time.time_ns()
            request(port, "PUT", f"latency-drops/{key}", b"x")
            time.sleep(0.02)
        deadline = time.time() + 60
        got = {}
        while len(got) < puts and time.time() < deadline:
            with open(stamps) as f:
                got = {k: int(v) for k, v in (l.split() for l in f if l.strip()) if k in sent}
            time.sleep(0.05)
        servers.stop(proc)
        lat = sorted((got[k] - sent[k]) / 1e6 for k in got)
        log(f"  PUT -> function start: {len(lat)} of {puts}, p50 {common.pct(lat, 50):.3f} ms")
        return lat
    finally:
        shutil.rmtree(project, ignore_errors=True)


def run(binary, duration=5, repeats=3, big=True, latency_puts=200, log=None):
    log = log or (lambda s: print(s, file=sys.stderr, flush=True))
    servers = common.Servers()
    ll, mt = {}, {}
    empty = tempfile.mkdtemp(prefix="ll-s3-bench-")
    try:
        with open(os.path.join(empty, "template.yaml"), "w") as f:
            f.write("Resources: {}\n")
        log("S3: lambda-local")
        proc, port = servers.lambda_local(binary, empty)
        ll["tp"] = throughput(port, duration, repeats, log)
        if big:
            ll["big"] = big_file(binary, proc, port, log)
        servers.stop(proc)
        if common.moto_version():
            log(f"S3: moto {common.moto_version()}")
            proc, port = servers.moto()
            mt["tp"] = throughput(port, duration, repeats, log)
            servers.stop(proc)
        log("S3: PUT -> function start")
        ll["latency"] = latency(servers, binary, latency_puts, log)
    finally:
        servers.stop_all()
        shutil.rmtree(empty, ignore_errors=True)
    return table(ll, mt, duration, repeats, latency_puts)


def table(ll, mt, duration, repeats, latency_puts):
    med = lambda runs, k: statistics.median(r[k] for r in runs)
    lines = ["", f"## S3: lambda-local and moto's server (moto {common.moto_version() or 'not installed'}), "
             f"wrk {duration} s runs, median of {repeats}", "",
             "| what | lambda-local | moto's server | ratio |", "|---|---|---|---|"]
    for (method, size, conns), runs in ll["tp"].items():
        what = f"{'PutObject' if method == 'PUT' else 'GetObject'} {'1 KiB' if size == 1024 else '1 MiB'}, {conns} connection{'s' if conns > 1 else ''}"
        a = f"{med(runs, 'rps'):,.0f}/s (p50 {med(runs, 'p50'):.3f} ms, p99 {med(runs, 'p99'):.3f} ms)"
        m = mt.get("tp", {}).get((method, size, conns))
        b = f"{med(m, 'rps'):,.0f}/s (p50 {med(m, 'p50'):.3f} ms, p99 {med(m, 'p99'):.3f} ms)" if m else "not run"
        ratio = f"{med(runs, 'rps') / med(m, 'rps'):.1f}x" if m and med(m, 'rps') > 0 else ""
        lines.append(f"| {what} | {a} | {b} | {ratio} |")
    if "big" in ll:
        r = ll["big"]
        mib = r["size_mib"]
        lines.append(f"| 1 GiB PutObject (aws s3api put-object) | {mib / r['put_s']:,.0f} MiB/s "
                     f"({r['put_s']:.2f} s); `cp` of the file on the same disk: {mib / r['cp_s']:,.0f} MiB/s "
                     f"({r['cp_s']:.2f} s) | | {r['cp_s'] / r['put_s']:.0%} of cp |")
        lines.append(f"| 1 GiB GetObject (aws s3api get-object) | {mib / r['get_s']:,.0f} MiB/s "
                     f"({r['get_s']:.2f} s), bytes equal: {r['same']} | | {r['cp_s'] / r['get_s']:.0%} of cp |")
        lines.append(f"| emulator RSS during the 1 GiB PUT and GET | {r['rss_base_mb']:.1f} MB before, "
                     f"peak {r['rss_peak_mb']:.1f} MB (+{r['rss_peak_mb'] - r['rss_base_mb']:.1f} MB) | | |")
    lat = ll.get("latency") or []
    if lat:
        lines.append(f"| S3 PUT -> function start, python3.12 handler ({len(lat)} of {latency_puts} puts, 20 ms apart) | "
                     f"p50 {common.pct(lat, 50):.3f} ms, p99 {common.pct(lat, 99):.3f} ms | n/a: moto's server runs "
                     f"functions only in Docker | |")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default="build-release")
    ap.add_argument("--binary")
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-big", action="store_true", help="leave out the 1 GiB rows")
    ap.add_argument("--latency-puts", type=int, default=200)
    args = ap.parse_args()
    binary = args.binary or os.path.join(ROOT, args.build_dir, "cli", "lambda-local")
    load = os.getloadavg()
    lines = run(binary, args.duration, args.repeats, not args.skip_big, args.latency_puts)
    head = [f"# lambda-local S3 benchmark, {datetime.date.today().isoformat()}", "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Linux {platform.release()}, "
            f"load average {load[0]:.2f} at start. Binary: `{os.path.relpath(binary, ROOT)}`. "
            f"Command: `python3 bench/s3_bench.py {' '.join(sys.argv[1:])}`."]
    report = "\n".join(head + lines) + "\n"
    print(report)
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", f"{datetime.date.today().isoformat()}-s3.md"), "w") as f:
        f.write(report)


if __name__ == "__main__":
    sys.exit(main())
