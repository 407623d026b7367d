// Environment against a fake runtime: a FakeRuntime speaks the Runtime API over loopback to
// the environment's real Runtime API server, the FakeSupervisor stands for the process, and a
// FakeClock for time, so timeouts happen the moment the test advances the clock.
#include "sandbox/environment.h"

#include <signal.h>

#include <future>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "base/fake_clock.h"
#include "model/error_names.h"
#include "model/log_lines.h"
#include "process/fake_supervisor.h"
#include "runtime_api/fake_runtime.h"

using namespace ll;
using namespace std::chrono_literals;

namespace {

Invocation Inv(const std::string& id, const std::string& payload = "{}") {
  Invocation inv;
  inv.request_id = id;
  inv.payload = payload;
  inv.invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:Fn";
  inv.trace_id = "Root=1-abc";
  inv.client_context = R"({"custom":{"k":"v"}})";
  return inv;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// One environment on the fakes. Invocations run on a thread of their own, as a lease's
// holder would run them, while the test thread plays the runtime.
class Rig {
 public:
  explicit Rig(int timeout_s = 3) {
    fn.name = "Fn";
    fn.runtime = "provided.al2023";
    fn.code_dir = "/nonexistent";
    fn.timeout_s = timeout_s;
    fn.revision_id = "rev-1";
    LaunchSpec launch;
    launch.executable = "/nonexistent/bootstrap";
    launch.argv = {launch.executable};
    EnvironmentDeps deps;
    deps.supervisor = &supervisor;
    deps.clock = &clock;
    deps.sink = [this](const std::string& function, std::string_view line) {
      std::lock_guard<std::mutex> lock(sink_mu);
      sunk += std::string(line) + "\n";
    };
    auto started = Environment::Start(fn, launch, deps);
    REQUIRE(started.ok());
    env = std::move(started.value());
    pid = supervisor.AwaitLaunches(1);
    api = RuntimeApiOf(supervisor.spec(pid));
    REQUIRE(!api.empty());
  }
  ~Rig() {
    env->Kill();  // ends an invocation a failed test left waiting
    if (pending.valid()) pending.wait();
  }

  void StartInvoke(const Invocation& inv) {
    pending = std::async(std::launch::async, [this, inv] { return env->Invoke(inv); });
  }
  InvokeOutcome Outcome() { return pending.get(); }
  std::string Sunk() {
    std::lock_guard<std::mutex> lock(sink_mu);
    return sunk;
  }

  FakeClock clock;
  FakeSupervisor supervisor;
  FunctionConfig fn;
  std::mutex sink_mu;
  std::string sunk;
  std::unique_ptr<Environment> env;
  pid_t pid = -1;
  std::string api;
  std::future<InvokeOutcome> pending;
};

}  // namespace

TEST_CASE("environment: a cold then a warm invocation on one connection", "[environment]") {
  Rig rig;
  CHECK(rig.env->state() == EnvState::kStarting);
  rig.StartInvoke(Inv("req-1", R"({"n":1})"));
  FakeRuntime rt(rig.api);
  rig.clock.Advance(250ms);  // init takes 250 ms
  FakeRuntime::Reply ev = rt.Next();
  REQUIRE(ev.status == 200);
  CHECK(ev.body == R"({"n":1})");
  CHECK(ev.Header("lambda-runtime-aws-request-id") == "req-1");
  CHECK(ev.Header("lambda-runtime-invoked-function-arn") ==
        "arn:aws:lambda:us-east-1:000000000000:function:Fn");
  CHECK(ev.Header("lambda-runtime-trace-id") == "Root=1-abc");
  CHECK(ev.Header("lambda-runtime-client-context") == R"({"custom":{"k":"v"}})");
  CHECK(std::stoll(ev.Header("lambda-runtime-deadline-ms")) > 0);
  CHECK(rig.env->state() == EnvState::kInvoking);
  rig.clock.Advance(40ms);  // the handler takes 40 ms
  CHECK(rt.Respond("req-1", R"("one")").status == 202);
  InvokeOutcome first = rig.Outcome();
  CHECK_FALSE(first.function_error);
  CHECK(first.payload == R"("one")");
  CHECK(Contains(first.log, "START RequestId: req-1 Version: $LATEST\n"));
  CHECK(Contains(first.log, "END RequestId: req-1\n"));
  CHECK(Contains(first.log, "Duration: 40.00 ms\t"));
  CHECK(Contains(first.log, "Init Duration: 250.00 ms\t"));
  CHECK(rig.env->state() == EnvState::kResponded);  // its next GET /next is not read yet
  CHECK(rig.env->reusable());

  // The runtime asks again on the same connection; the next invoke reads that request itself.
  rig.StartInvoke(Inv("req-2", R"({"n":2})"));
  ev = rt.Next();
  REQUIRE(ev.status == 200);
  CHECK(ev.Header("lambda-runtime-aws-request-id") == "req-2");
  CHECK(rt.Respond("req-2", R"("two")").status == 202);
  InvokeOutcome second = rig.Outcome();
  CHECK(second.payload == R"("two")");
  CHECK_FALSE(Contains(second.log, "Init Duration"));
  CHECK(Contains(rig.Sunk(), "END RequestId: req-2\nREPORT RequestId: req-2\t"));
  CHECK(rig.supervisor.launches() == 1);
  CHECK(rig.supervisor.kills() == 0);
}

TEST_CASE("environment: the function's output goes to the sink and the invocation's log",
          "[environment]") {
  Rig rig;
  rig.supervisor.WriteOutput(rig.pid, "loading\n");
  rig.StartInvoke(Inv("req-1"));
  FakeRuntime rt(rig.api);
  REQUIRE(rt.Next().status == 200);
  rig.supervisor.WriteOutput(rig.pid, "in handler\nno newline");
  CHECK(rt.Respond("req-1", "{}").status == 202);
  InvokeOutcome out = rig.Outcome();
  const size_t start = out.log.find("START RequestId: req-1");
  const size_t line = out.log.find("in handler\n");
  const size_t partial = out.log.find("no newline\n");
  const size_t end = out.log.find("END RequestId: req-1");
  REQUIRE(start != std::string::npos);
  REQUIRE(line != std::string::npos);
  REQUIRE(partial != std::string::npos);
  CHECK(start < line);
  CHECK(line < partial);
  CHECK(partial < end);
  CHECK(Contains(rig.Sunk(), "loading\n"));
}

TEST_CASE("environment: POST error is a function error with the runtime's body", "[environment]") {
  Rig rig;
  rig.StartInvoke(Inv("req-1"));
  FakeRuntime rt(rig.api);
  REQUIRE(rt.Next().status == 200);
  const std::string body = R"({"errorMessage":"boom","errorType":"ValueError"})";
  CHECK(rt.Error("req-1", "ValueError", body).status == 202);
  InvokeOutcome out = rig.Outcome();
  CHECK(out.function_error);
  CHECK(out.payload == body);
  CHECK(rig.env->reusable());

  // An error without a body is described by its type alone.
  rig.StartInvoke(Inv("req-2"));
  REQUIRE(rt.Next().status == 200);
  CHECK(rt.Error("req-2", "", "").status == 202);
  out = rig.Outcome();
  CHECK(out.payload == PlatformErrorJson(errors::kRuntimeUnknown, ""));
}

TEST_CASE("environment: the request id is checked before the lifecycle moves", "[environment]") {
  Rig rig;
  rig.StartInvoke(Inv("req-1"));
  FakeRuntime rt(rig.api);
  REQUIRE(rt.Next().status == 200);
  FakeRuntime::Reply wrong = rt.Respond("not-this-one", "{}");
  CHECK(wrong.status == 400);
  CHECK(Contains(wrong.body, errors::kInvalidRequestId));
  CHECK(rt.Error("not-this-one", "X", "{}").status == 400);
  CHECK(rig.env->state() == EnvState::kInvoking);  // nothing moved
  CHECK(rt.Respond("req-1", R"("right")").status == 202);
  CHECK(rig.Outcome().payload == R"("right")");
  // Answering the same invocation twice is refused too. (On another connection: the one the
  // event went out on is read again only by the next invocation.)
  FakeRuntime other(rig.api);
  FakeRuntime::Reply again = other.Respond("req-1", R"("again")");
  CHECK(again.status == 400);
  CHECK(Contains(again.body, errors::kInvalidRequestId));
}

TEST_CASE("environment: a response over 6 MB is refused with 413 and fails the invocation",
          "[environment]") {
  Rig rig;
  rig.StartInvoke(Inv("req-1"));
  FakeRuntime rt(rig.api);
  REQUIRE(rt.Next().status == 200);
  FakeRuntime::Reply reply = rt.Respond("req-1", std::string(6291556 + 1, 'x'));
  CHECK(reply.status == 413);
  CHECK(Contains(reply.body, errors::kRuntimeTooLarge));
  InvokeOutcome out = rig.Outcome();
  CHECK(out.function_error);
  CHECK(Contains(out.payload, errors::kResponseSizeTooLarge));
  CHECK(Contains(out.log, "Status: error\tError Type: Function.ResponseSizeTooLarge\t"));
}

TEST_CASE("environment: a response of exactly 6 MB + 100 bytes is taken", "[environment]") {
  Rig rig;
  rig.StartInvoke(Inv("req-1"));
  FakeRuntime rt(rig.api);
  REQUIRE(rt.Next().status == 200);
  CHECK(rt.Respond("req-1", std::string(6291556, 'x')).status == 202);
  CHECK_FALSE(rig.Outcome().function_error);
}

TEST_CASE("environment: GET /next during an invocation is an invalid state transition",
          "[environment]") {
  Rig rig;
  rig.StartInvoke(Inv("req-1"));
  FakeRuntime a(rig.api);
  REQUIRE(a.Next().status == 200);
  FakeRuntime b(rig.api);
  FakeRuntime::Reply refused = b.Next();
  CHECK(refused.status == 403);
  CHECK(Contains(refused.body, errors::kInvalidStateTransition));
  // The answer may come on another connection than the event went out on.
  CHECK(b.Respond("req-1", R"("from b")").status == 202);
  CHECK(rig.Outcome().payload == R"("from b")");
}

TEST_CASE("environment: an event for a GET /next that asked to close", "[environment]") {
  Rig rig;
  rig.StartInvoke(Inv("req-1"));
  FakeRuntime a(rig.api);
  FakeRuntime::Reply ev = a.Call("GET", "/2018-06-01/runtime/invocation/next", "", {{"Connection", "close"}});
  REQUIRE(ev.status == 200);
  CHECK(a.PeerClosed());
  FakeRuntime b(rig.api);
  CHECK(b.Respond("req-1", R"("ok")").status == 202);
  CHECK(rig.Outcome().payload == R"("ok")");
}

TEST_CASE("environment: an init error fails the invocation and the environment", "[environment]") {
  Rig rig;
  FakeRuntime rt(rig.api);
  const std::string body = R"({"errorMessage":"no module","errorType":"Runtime.ImportModuleError"})";
  CHECK(rt.InitError("Runtime.ImportModuleError", body).status == 202);
  CHECK(rig.env->state() == EnvState::kInitFailed);
  CHECK_FALSE(rig.env->reusable());
  rig.StartInvoke(Inv("req-1"));
  InvokeOutcome out = rig.Outcome();
  CHECK(out.function_error);
  CHECK(out.payload == body);
  CHECK(Contains(out.log, "Status: error\tError Type: Runtime.ImportModuleError\t"));
  CHECK(rig.env->state() == EnvState::kDead);
}

TEST_CASE("environment: an init error after init is refused", "[environment]") {
  Rig rig;
  rig.StartInvoke(Inv("req-1"));
  FakeRuntime rt(rig.api);
  REQUIRE(rt.Next().status == 200);
  FakeRuntime other(rig.api);
  FakeRuntime::Reply refused = other.InitError("X", "{}");
  CHECK(refused.status == 403);
  CHECK(Contains(refused.body, errors::kInvalidStateTransition));
  CHECK(rt.Respond("req-1", "{}").status == 202);
  CHECK_FALSE(rig.Outcome().function_error);
}

TEST_CASE("environment: the process exits during an invocation", "[environment]") {
  Rig rig;
  rig.StartInvoke(Inv("req-1"));
  FakeRuntime rt(rig.api);
  REQUIRE(rt.Next().status == 200);
  rig.supervisor.WriteOutput(rig.pid, "about to crash\n");
  rig.supervisor.Exit(rig.pid, 3 << 8);  // exit status 3
  InvokeOutcome out = rig.Outcome();
  CHECK(out.function_error);
  CHECK(out.payload == PlatformErrorJson(errors::kRuntimeExitError,
                                         "RequestId: req-1 Error: Runtime exited with error: exit status 3"));
  CHECK(Contains(out.log, "about to crash\n"));
  CHECK(Contains(out.log, "Status: error\tError Type: Runtime.ExitError\t"));
  CHECK(rig.env->state() == EnvState::kDead);
  CHECK_FALSE(rig.env->reusable());
  CHECK(rig.supervisor.kills() == 0);
}

TEST_CASE("environment: the process dies during init", "[environment]") {
  Rig rig;
  rig.StartInvoke(Inv("req-1"));
  rig.supervisor.Exit(rig.pid, SIGSEGV);
  InvokeOutcome out = rig.Outcome();
  CHECK(Contains(out.payload, "Runtime exited with error: signal: segmentation fault"));
  CHECK(Contains(out.log, "Init Duration"));
}

TEST_CASE("environment: a timeout kills the process, without real waiting", "[environment]") {
  Rig rig(/*timeout_s=*/3);
  rig.StartInvoke(Inv("req-1"));
  FakeRuntime rt(rig.api);
  REQUIRE(rt.Next().status == 200);
  rig.clock.Advance(3s);
  InvokeOutcome out = rig.Outcome();
  CHECK(out.function_error);
  CHECK(out.payload ==
        PlatformErrorJson(errors::kSandboxTimedout, "RequestId: req-1 Error: Task timed out after 3.00 seconds"));
  CHECK(Contains(out.log, "req-1 Task timed out after 3.00 seconds\n"));
  CHECK(Contains(out.log, "Duration: 3000.00 ms\t"));
  CHECK(Contains(out.log, "Status: timeout\t"));
  CHECK(rig.supervisor.kills() == 1);
  CHECK(rig.env->state() == EnvState::kDead);
  // Its owner drops it; the runtime's connection goes with it.
  rig.env->Kill();
  CHECK(rt.PeerClosed());
  CHECK(rig.supervisor.kills() == 1);
}

TEST_CASE("environment: init gets 10 s before the timeout starts", "[environment]") {
  Rig rig(/*timeout_s=*/3);
  rig.StartInvoke(Inv("req-1"));
  rig.clock.AwaitWaiters(1);  // the invoke has taken its deadline
  rig.clock.Advance(12s);     // past the timeout, within init's allowance
  FakeRuntime rt(rig.api);
  REQUIRE(rt.Next().status == 200);
  CHECK(rt.Respond("req-1", R"("late but fine")").status == 202);
  CHECK(rig.Outcome().payload == R"("late but fine")");
}

TEST_CASE("environment: a runtime that never asks for its event times out", "[environment]") {
  Rig rig(/*timeout_s=*/3);
  rig.StartInvoke(Inv("req-1"));
  rig.clock.AwaitWaiters(1);
  rig.clock.Advance(13s);
  InvokeOutcome out = rig.Outcome();
  CHECK(Contains(out.payload, errors::kSandboxTimedout));
  CHECK(rig.supervisor.kills() == 1);
}

TEST_CASE("environment: a warm runtime that does not come back for its event times out",
          "[environment]") {
  Rig rig(/*timeout_s=*/3);
  rig.StartInvoke(Inv("req-1"));
  FakeRuntime rt(rig.api);
  REQUIRE(rt.Next().status == 200);
  CHECK(rt.Respond("req-1", "{}").status == 202);
  rig.Outcome();
  rig.StartInvoke(Inv("req-2"));  // waits on the held connection, where no GET /next comes
  rig.clock.AwaitWaiters(1);
  rig.clock.Advance(3s);
  CHECK(Contains(rig.Outcome().payload, errors::kSandboxTimedout));
}

TEST_CASE("environment: Kill ends an invocation in progress as killed", "[environment]") {
  Rig rig;
  rig.StartInvoke(Inv("req-1"));
  FakeRuntime rt(rig.api);
  REQUIRE(rt.Next().status == 200);
  rig.env->Kill();  // the fake supervisor reports the exit inside KillGroup: no lock may be held
  InvokeOutcome out = rig.Outcome();
  CHECK(Contains(out.payload, "Runtime exited with error: signal: killed"));
  CHECK(rig.supervisor.kills() == 1);
  CHECK(rig.env->state() == EnvState::kDead);
  CHECK(rt.PeerClosed());
  rig.env->Kill();  // idempotent
  CHECK(rig.supervisor.kills() == 1);
}

TEST_CASE("environment: a runtime is told to stop after the environment died", "[environment]") {
  Rig rig;
  FakeRuntime rt(rig.api);
  rig.supervisor.Exit(rig.pid, 0);
  FakeRuntime::Reply refused = rt.Next();
  CHECK(refused.status == 500);
  CHECK(Contains(refused.body, errors::kRuntimeShutdown));
}

TEST_CASE("environment: a launch that fails starts nothing", "[environment]") {
  FakeSupervisor supervisor;
  FakeClock clock;
  supervisor.FailNextLaunch(Status::Error(errors::kService, "no processes left"));
  FunctionConfig fn;
  fn.name = "Fn";
  fn.code_dir = "/nonexistent";
  EnvironmentDeps deps;
  deps.supervisor = &supervisor;
  deps.clock = &clock;
  auto started = Environment::Start(fn, LaunchSpec{}, deps);
  REQUIRE_FALSE(started.ok());
  CHECK(started.status().message() == "no processes left");
}
