"""Start-up figures: `lambda-local start` to ready for templates of 1 and 1,000 functions,
idle RSS, and cold starts (spawn to first GET /next) against the same process started by hand.

Used by bench/run.py; every figure is measured in the run that prints it."""
import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time


def _project(functions, runtime_files):
    """A folder with a template of `functions` [(name, runtime, code_dir, handler)] and files."""
    d = tempfile.mkdtemp(prefix="ll-bench-start-")
    for rel, (content, mode) in runtime_files.items():
        path = os.path.join(d, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, bytes):
            with open(path, "wb") as f:
                f.write(content)
        else:
            with open(path, "w") as f:
                f.write(content)
        os.chmod(path, mode)
    lines = ["Resources:"]
    for name, runtime, code, handler in functions:
        props = f"Runtime: {runtime}, CodeUri: {code}/, Timeout: 30"
        if handler:
            props += f", Handler: {handler}"
        lines.append(f"  {name}:\n    Type: AWS::Serverless::Function\n    Properties: {{{props}}}")
    with open(os.path.join(d, "template.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return d


def _start(binary, project, port, extra=(), lines=None):
    """Starts lambda-local; returns (process, ms to ready). Output lines go to `lines` if given."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary, "start", "--port", str(port), "--ephemeral", *extra], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        if "lambda-local ready on" in line:
            ms = (time.perf_counter() - t0) * 1000
            import threading

            def drain():
                for rest in proc.stdout:
                    if lines is not None:
                        lines.append(rest)
            threading.Thread(target=drain, daemon=True).start()
            return proc, ms
    raise RuntimeError("lambda-local exited before it was ready")


def _stop(proc):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def _rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _private_kb(pid):
    """Memory of `pid` not shared with any other process (Private_Clean + Private_Dirty)."""
    total = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total


def waiting_child_kb(binary, free_port):
    """Private memory of the child lambda-local keeps forked for the next cold start (0 if none)."""
    files = {"py/app.py": ("def handler(event, context):\n    return event\n", 0o644)}
    project = _project([("Fn", "python3.12", "py", "app.handler")], files)
    try:
        proc, _ = _start(binary, project, free_port())
        time.sleep(0.2)
        kids = _children(proc.pid)
        kb = _private_kb(kids[0]) if kids else 0
        _stop(proc)
        return kb
    finally:
        shutil.rmtree(project, ignore_errors=True)


def start_to_ready(binary, free_port, runs=5):
    """{1: (median ms, max ms, median idle RSS KB), 1000: (...)} for python functions."""
    files = {"py/app.py": ("def handler(event, context):\n    return event\n", 0o644)}
    out = {}
    for count in (1, 1000):
        fns = [(f"Fn{i:04d}", "python3.12", "py", "app.handler") for i in range(count)]
        project = _project(fns, files)
        try:
            times, rss = [], []
            for _ in range(runs):
                proc, ms = _start(binary, project, free_port())
                time.sleep(0.2)  # let start-up allocations settle before reading RSS
                rss.append(_rss_kb(proc.pid))
                times.append(ms)
                _stop(proc)
            out[count] = (statistics.median(times), max(times), statistics.median(rss))
        finally:
            shutil.rmtree(project, ignore_errors=True)
    return out


def _children(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                kids.append(int(entry))
        except OSError:
            pass
    return kids


def _launch_of(pid):
    """(argv, env, cwd) of a running process."""
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        argv = [a.decode() for a in f.read().split(b"\0") if a]
    with open(f"/proc/{pid}/environ", "rb") as f:
        env = dict(e.decode().split("=", 1) for e in f.read().split(b"\0") if b"=" in e)
    return argv, env, os.readlink(f"/proc/{pid}/cwd")


def _invoke_ms(port, name, conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", port)
    t0 = time.perf_counter()
    c.request("POST", f"/2015-03-31/functions/{name}/invocations", body=b"{}")
    r = c.getresponse()
    r.read()
    ms = (time.perf_counter() - t0) * 1000
    if r.status != 200 or r.getheader("X-Amz-Function-Error"):
        raise RuntimeError(f"invoke of {name} failed: {r.status}")
    return ms


def cold_starts(binary, build_dir, free_port, samples=21):
    """{label: (cold invoke, by hand, added, outside the runtime's start)} in ms, medians.

    Each of `samples` functions per runtime is invoked once: a cold start, timed by the
    client. Right after each, the same process (argv, environment, folder of the environment
    the emulator just started) is started by hand with bench/spawn_probe.cc, which answers its
    first GET /next with {} and waits for the response. Added = the median of the paired
    differences. Outside = the client's cold invoke minus the Init Duration the emulator
    reports (spawn to first GET /next) and minus the runtime's own first event as timed by
    hand (first GET /next to response), i.e. the emulator's own share of a cold start."""
    cpp = os.path.join(build_dir, "bench", "lambda-local-cpp-runtime")
    probe = os.path.join(build_dir, "bench", "lambda-local-spawn-probe")
    files = {
        "cpp/bootstrap": (open(cpp, "rb").read(), 0o755),
        "py/app.py": ("def handler(event, context):\n    return event\n", 0o644),
        "node/index.js": ("exports.handler = async (event) => event;\n", 0o644),
    }
    kinds = [("provided (C++)", "provided.al2023", "cpp", None),
             ("python3.12", "python3.12", "py", "app.handler"),
             ("nodejs20.x", "nodejs20.x", "node", "index.handler")]
    fns = [(f"Cold{k}{i:02d}", runtime, code, handler)
           for k, (_, runtime, code, handler) in enumerate(kinds) for i in range(samples)]
    project = _project(fns, files)
    port = free_port()
    lines = []
    proc, _ = _start(binary, project, port, lines=lines)
    results = {}
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        for k, (label, _, _, _) in enumerate(kinds):
            cold, by_hand, first_event = [], [], []
            for i in range(samples):
                name = f"Cold{k}{i:02d}"
                # Apart, as a developer's cold starts are: the kernel's cost of moving a process
                # into a cgroup (an RCU grace period) is waived when another move just happened.
                time.sleep(0.2)
                cold.append(_invoke_ms(port, name, conn))
                pid = next(p for p in _children(proc.pid)
                           if _launch_of(p)[1].get("AWS_LAMBDA_FUNCTION_NAME") == name)
                argv, env, cwd = _launch_of(pid)
                out = subprocess.run([probe, "1", cwd, *argv], env=env, capture_output=True,
                                     text=True, check=True, timeout=60).stdout
                to_next, to_response = map(float, out.split()[:2])
                by_hand.append(to_response)
                first_event.append(to_response - to_next)  # the runtime's own first event
            time.sleep(0.2)  # the REPORT lines reach the drain thread
            init = {}
            for line in lines:
                m = re.search(r"\[(Cold\d+)\] REPORT .*Init Duration: ([\d.]+) ms", line)
                if m:
                    init[m.group(1)] = float(m.group(2))
            outside = [cold[i] - init[f"Cold{k}{i:02d}"] - first_event[i] for i in range(samples)
                       if f"Cold{k}{i:02d}" in init]
            added = statistics.median(c - h for c, h in zip(cold, by_hand))
            results[label] = (statistics.median(cold), statistics.median(by_hand), added,
                              statistics.median(outside) if outside else float("nan"))
    finally:
        _stop(proc)
        shutil.rmtree(project, ignore_errors=True)
    return results
