"""Runs lambda-local's benchmarks and prints a markdown table.

Rows: warm sync invoke of a `provided` C++ function at 1 and 4 connections (wrk), and at 1
connection with a closed-loop client of our own (bench/latency_client.cc: no load generator's
event loop in the tail), the same through the bundled Python and Node.js runtimes, the floor
(a bare cpp-httplib echo server, measured with both clients),
cold starts against the same runtime process started by hand, `lambda-local start` to ready
for 1 and 1,000 functions, and idle RSS. Every figure is measured in this run.
Then a second table from bench/sqs_bench.py: SQS throughput against moto's server and
send-to-function latency (skip it with --skip-sqs), and a third from bench/s3_bench.py: S3
PutObject/GetObject against moto's server, a 1 GiB PUT+GET against `cp`, and PUT-to-function
latency (skip it with --skip-s3), and a fourth from bench/sns_bench.py: SNS Publish to a topic
with an SQS subscription against moto's server, Publish-to-SQS-receive latency on both, and
Publish-to-function latency (skip it with --skip-sns), and a fifth from bench/apigw_bench.py: the
C++ and a Python function through API Gateway routes (HttpApi payload 2.0, Api payload 1.0) on
the API port against a direct Invoke of the same function, and the gateway's added latency
(skip it with --skip-apigw).
"""
import argparse
import datetime
import json
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
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TEMPLATE = """Resources:
  BenchCpp:
    Type: AWS::Serverless::Function
    Properties: {Runtime: provided.al2023, CodeUri: cpp/, Timeout: 30}
  BenchPython:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: py/, Timeout: 30}
  BenchNode:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: node/, Timeout: 30}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_project(build_dir):
    d = tempfile.mkdtemp(prefix="ll-bench-")
    for sub in ("cpp", "py", "node"):
        os.mkdir(os.path.join(d, sub))
    shutil.copy(os.path.join(build_dir, "bench", "lambda-local-cpp-runtime"), os.path.join(d, "cpp", "bootstrap"))
    with open(os.path.join(d, "py", "app.py"), "w") as f:
        f.write("def handler(event, context):\n    return event\n")
    with open(os.path.join(d, "node", "index.js"), "w") as f:
        f.write("exports.handler = async (event) => event;\n")
    with open(os.path.join(d, "template.yaml"), "w") as f:
        f.write(TEMPLATE)
    return d


def start_quiet(binary, project, port):
    """Starts lambda-local with its output going to a file, as in a CI job, so that printing
    function logs costs the emulator a write but wakes no reader on this 2-core machine."""
    log = tempfile.NamedTemporaryFile(prefix="ll-bench-log-", delete=False)
    proc = subprocess.Popen([binary, "start", "--port", str(port)], cwd=project,
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the bench's own wait, not the emulator's
        with open(log.name) as f:
            if "lambda-local ready on" in f.read():
                return proc, log.name
        if proc.poll() is not None:
            break
        time.sleep(0.01)
    raise RuntimeError("lambda-local did not become ready")


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def to_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, connections, duration):
    threads = min(connections, 2)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
                          "-s", os.path.join(ROOT, "bench", "invoke.lua"), url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"\s50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50": to_ms(*p50.groups()),
        "p99": to_ms(*p99.groups()),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def closed_loop(build_dir, port, path, requests):
    """One connection, one request at a time (bench/latency_client.cc): latency without
    wrk's own event loop in the tail. Returns the same keys as wrk(), in ms."""
    out = subprocess.run([os.path.join(build_dir, "bench", "lambda-local-latency-client"), str(port), path,
                          str(requests)], capture_output=True, text=True, check=True).stdout
    r = json.loads(out)
    return {"rps": r["rps"], "p50": r["p50_us"] / 1000, "p99": r["p99_us"] / 1000,
            "p999": r["p999_us"] / 1000, "errors": r["errors"], "socket_errors": ""}


def warm_up(url, n=50):
    import urllib.request
    for _ in range(n):
        urllib.request.urlopen(urllib.request.Request(url, data=b"{}", method="POST")).read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default="build-release")
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3, help="runs per row; the median is reported")
    ap.add_argument("--skip-sqs", action="store_true", help="leave out bench/sqs_bench.py's table")
    ap.add_argument("--skip-s3", action="store_true", help="leave out bench/s3_bench.py's table")
    ap.add_argument("--skip-sns", action="store_true", help="leave out bench/sns_bench.py's table")
    ap.add_argument("--skip-apigw", action="store_true", help="leave out bench/apigw_bench.py's table")
    args = ap.parse_args()
    load = os.getloadavg()
    build_dir = os.path.join(ROOT, args.build_dir)
    binary = os.path.join(build_dir, "cli", "lambda-local")
    project = make_project(build_dir)
    try:
        # The floor (bare cpp-httplib echo server) and lambda-local run side by side, and their
        # runs alternate, so that both see the same moments of this machine's noise.
        echo = subprocess.Popen([os.path.join(build_dir, "bench", "lambda-local-echo-server")],
                                stdout=subprocess.PIPE, text=True)
        echo_port = int(echo.stdout.readline())
        floor_url = f"http://127.0.0.1:{echo_port}/echo"
        port = free_port()
        proc, log_path = start_quiet(binary, project, port)
        base = f"http://127.0.0.1:{port}/2015-03-31/functions"
        cpp_path = "/2015-03-31/functions/BenchCpp/invocations"
        warm_up(f"http://127.0.0.1:{port}{cpp_path}")
        floor = {1: [], 4: []}
        results = {("BenchCpp", 1): [], ("BenchCpp", 4): []}
        for conns in (1, 4):
            for _ in range(args.repeats):
                floor[conns].append(wrk(floor_url, conns, args.duration))
                results[("BenchCpp", conns)].append(wrk(f"{base}/BenchCpp/invocations", conns, args.duration))
        requests = 10000 * args.duration
        closed = {"floor": [], "cpp": []}
        for _ in range(args.repeats):
            closed["floor"].append(closed_loop(build_dir, echo_port, "/echo", requests))
            closed["cpp"].append(closed_loop(build_dir, port, cpp_path, requests))
        echo.terminate()
        echo.wait()
        for name in ("BenchPython", "BenchNode"):
            url = f"{base}/{name}/invocations"
            warm_up(url)
            results[(name, 1)] = [wrk(url, 1, args.duration) for _ in range(args.repeats)]
        stop(proc)
        os.unlink(log_path)
    finally:
        shutil.rmtree(project, ignore_errors=True)

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import startup
    ready = startup.start_to_ready(binary, free_port)
    waiting_kb = startup.waiting_child_kb(binary, free_port)
    cold = startup.cold_starts(binary, build_dir, free_port)

    sqs_lines = []
    if not args.skip_sqs:
        import sqs_bench
        try:
            sqs_lines = sqs_bench.run(binary, duration=args.duration, repeats=args.repeats)
        except Exception as e:  # keep the table above; sqs_bench has stopped its servers
            import traceback
            traceback.print_exc()
            sqs_lines = ["", f"SQS benchmark failed: {type(e).__name__}: {e}"]

    s3_lines = []
    if not args.skip_s3:
        import s3_bench
        try:
            s3_lines = s3_bench.run(binary, duration=args.duration, repeats=args.repeats)
        except Exception as e:  # keep the tables above; s3_bench has stopped its servers
            import traceback
            traceback.print_exc()
            s3_lines = ["", f"S3 benchmark failed: {type(e).__name__}: {e}"]

    sns_lines = []
    if not args.skip_sns:
        import sns_bench
        try:
            sns_lines = sns_bench.run(binary, duration=args.duration, repeats=args.repeats)
        except Exception as e:  # keep the tables above; sns_bench has stopped its servers
            import traceback
            traceback.print_exc()
            sns_lines = ["", f"SNS benchmark failed: {type(e).__name__}: {e}"]

    apigw_lines = []
    if not args.skip_apigw:
        import apigw_bench
        try:
            apigw_lines = apigw_bench.run(binary, duration=args.duration, repeats=args.repeats,
                                          build_dir=build_dir)
        except Exception as e:  # keep the tables above; apigw_bench has stopped its server
            import traceback
            traceback.print_exc()
            apigw_lines = ["", f"API Gateway benchmark failed: {type(e).__name__}: {e}"]

    def med(runs, key):
        return statistics.median(r[key] for r in runs)

    def errs(runs):
        return sum(r["errors"] for r in runs)

    lines = []
    lines.append(f"# lambda-local benchmark, {datetime.date.today().isoformat()}")
    lines.append("")
    lines.append(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Linux {platform.release()}; "
                 f"load average {load[0]:.2f} at start; "
                 f"wrk, {args.duration} s per run, median of {args.repeats} runs; closed-loop client "
                 f"(`bench/latency_client.cc`), {10000 * args.duration:,} requests per run, median of "
                 f"{args.repeats} runs; floor and lambda-local runs alternate. Command: `bench/run`.")
    lines.append("")
    lines.append("| what | p50 | p99 | throughput | non-2xx | floor p50 / throughput | ratio (p50 vs floor) |")
    lines.append("|---|---|---|---|---|---|---|")
    labels = {("BenchCpp", 1): "warm invoke, provided (C++), 1 connection",
              ("BenchCpp", 4): "warm invoke, provided (C++), 4 connections",
              ("BenchPython", 1): "warm invoke, python3.12, 1 connection",
              ("BenchNode", 1): "warm invoke, nodejs20.x, 1 connection"}
    for key, runs in results.items():
        c = key[1]
        f_p50, f_rps = med(floor[c], "p50"), med(floor[c], "rps")
        lines.append(f"| {labels[key]} | {med(runs, 'p50'):.3f} ms | {med(runs, 'p99'):.3f} ms | "
                     f"{med(runs, 'rps'):,.0f}/s | {errs(runs)} | {f_p50:.3f} ms / {f_rps:,.0f}/s | "
                     f"{med(runs, 'p50') / f_p50:.1f}x |")
    lines.append(f"| floor: bare cpp-httplib echo, 1 connection | {med(floor[1], 'p50'):.3f} ms | "
                 f"{med(floor[1], 'p99'):.3f} ms | {med(floor[1], 'rps'):,.0f}/s | 0 | | 1.0x |")
    cl_cpp, cl_floor = closed["cpp"], closed["floor"]
    lines.append(f"| warm invoke, provided (C++), 1 connection, closed-loop client | {med(cl_cpp, 'p50'):.3f} ms | "
                 f"{med(cl_cpp, 'p99'):.3f} ms (p99.9 {med(cl_cpp, 'p999'):.3f} ms) | {med(cl_cpp, 'rps'):,.0f}/s | "
                 f"{errs(cl_cpp)} | {med(cl_floor, 'p50'):.3f} ms / {med(cl_floor, 'rps'):,.0f}/s | "
                 f"{med(cl_cpp, 'p50') / med(cl_floor, 'p50'):.1f}x |")
    lines.append(f"| floor: bare cpp-httplib echo, 1 connection, closed-loop client | {med(cl_floor, 'p50'):.3f} ms | "
                 f"{med(cl_floor, 'p99'):.3f} ms (p99.9 {med(cl_floor, 'p999'):.3f} ms) | "
                 f"{med(cl_floor, 'rps'):,.0f}/s | {errs(cl_floor)} | | 1.0x |")
    for count in (1, 1000):
        med_ms, max_ms, _ = ready[count]
        lines.append(f"| `lambda-local start` to ready, {count:,} function(s) | {med_ms:.1f} ms | "
                     f"max {max_ms:.1f} ms | | | | |")
    rss_1, rss_1000 = ready[1][2], ready[1000][2]
    lines.append(f"| idle RSS of the emulator, 1 function | {rss_1 / 1024:.1f} MB | | | | | |")
    lines.append(f"| idle RSS per idle function (1,000 vs 1) | {(rss_1000 - rss_1) / 999:.1f} KB | | | | | |")
    lines.append(f"| the child kept forked for the next cold start: its private memory | {waiting_kb} KB | "
                 "| | | | |")
    lines.append("")
    lines.append("Cold start: a cold invoke as the client sees it (the emulator's set-up, the runtime's "
                 "start and its first event), each followed by the same process (argv, environment, "
                 "folder) started by hand with `bench/spawn_probe.cc`, which answers the first "
                 "GET /next with {} and waits for the response. Added: median of the paired "
                 "differences. Emulator's own share: the cold invoke minus the Init Duration the "
                 "emulator reports (spawn to first GET /next) and minus the runtime's own first "
                 "event as timed by hand (first GET /next to response). Cold starts are 200 ms "
                 "apart, as a developer's are (see bench/startup.py). Medians of 21.")
    lines.append("")
    lines.append("| runtime | cold invoke through lambda-local | the same process by hand | "
                 "added by the emulator | emulator's own share |")
    lines.append("|---|---|---|---|---|")
    for label, (cold_ms, hand_ms, added_ms, own_ms) in cold.items():
        lines.append(f"| {label} | {cold_ms:.2f} ms | {hand_ms:.2f} ms | {added_ms:.2f} ms | {own_ms:.2f} ms |")
    lines.extend(sqs_lines)
    lines.extend(s3_lines)
    lines.extend(sns_lines)
    lines.extend(apigw_lines)
    report = "\n".join(lines) + "\n"
    print(report)
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", f"{datetime.date.today().isoformat()}.md"), "w") as f:
        f.write(report)


if __name__ == "__main__":
    sys.exit(main())
