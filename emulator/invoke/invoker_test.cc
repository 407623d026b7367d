// The Invoker on the fakes: environments are real, their processes are FakeSupervisor
// entries served by an echo runtime on a thread of the test, and time is a FakeClock.
#include "invoke/invoker.h"

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "base/fake_clock.h"
#include "model/error_names.h"
#include "process/fake_supervisor.h"
#include "runtime_api/fake_runtime.h"

using namespace ll;
using namespace std::chrono_literals;

namespace {

constexpr char kHold[] = "\"hold\"";  // an event the runtime keeps until the test releases it

// Lets the test hold runtimes in the middle of an event.
class Gate {
 public:
  // In a runtime: counts the event as held and waits until the test releases it.
  void Hold() {
    std::unique_lock<std::mutex> lock(mu_);
    const int mine = ++held_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_ || released_ >= mine; });
  }
  void AwaitHeld(int count) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return held_ >= count; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    ++released_;
    cv_.notify_all();
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int held_ = 0;
  int released_ = 0;
  bool open_ = false;
};

// Answers every event with its own payload until its connection closes.
void EchoRuntime(const std::string& api, Gate* gate) {
  FakeRuntime rt(api);
  while (true) {
    FakeRuntime::Reply ev = rt.Next();
    if (ev.status != 200) return;
    if (ev.body == kHold) gate->Hold();
    rt.Respond(ev.Header("lambda-runtime-aws-request-id"), ev.body);
  }
}

class InvokerRig {
 public:
  explicit InvokerRig(InvokerOptions options = {}) {
    supervisor.on_launch = [this](pid_t, const SpawnSpec& spec) {
      std::lock_guard<std::mutex> lock(runtimes_mu_);
      runtimes_.emplace_back(EchoRuntime, RuntimeApiOf(spec), &gate);
    };
    EnvironmentDeps deps;
    deps.supervisor = &supervisor;
    deps.clock = &clock;
    invoker = std::make_unique<Invoker>(&catalog, deps, options);
  }
  ~InvokerRig() {
    gate.Open();
    invoker->Stop();  // kills every environment: each runtime's connection closes
    std::lock_guard<std::mutex> lock(runtimes_mu_);
    for (auto& t : runtimes_) t.join();
  }

  ResolvedFunction Function(const std::string& name, std::optional<int> reserved = std::nullopt,
                            const std::string& revision = "rev-1") {
    auto config = std::make_shared<FunctionConfig>();
    config->name = name;
    config->runtime = "provided.al2023";
    config->code_dir = "/nonexistent/" + name;
    config->revision_id = revision;
    ResolvedFunction fn;
    fn.config = config;
    fn.executed_version = "$LATEST";
    fn.reserved_concurrency = reserved;
    return fn;
  }
  InvokeResult Invoke(const ResolvedFunction& fn, const std::string& payload) {
    Invocation inv;
    inv.request_id = "req-" + std::to_string(++next_id_);
    inv.payload = payload;
    return invoker->Invoke(fn, inv);
  }
  std::future<InvokeResult> InvokeAsync(const ResolvedFunction& fn, const std::string& payload) {
    return std::async(std::launch::async, [this, fn, payload] { return Invoke(fn, payload); });
  }

  FakeClock clock;
  FakeSupervisor supervisor;
  RuntimeCatalog catalog;  // provided runtimes only: nothing to resolve
  Gate gate;
  std::unique_ptr<Invoker> invoker;

 private:
  std::atomic<int> next_id_{0};
  std::mutex runtimes_mu_;
  std::vector<std::thread> runtimes_;
};

}  // namespace

TEST_CASE("invoker: a warm environment is reused", "[invoker]") {
  InvokerRig rig;
  ResolvedFunction fn = rig.Function("Fn");
  InvokeResult first = rig.Invoke(fn, R"({"n":1})");
  REQUIRE(first.status.ok());
  CHECK(first.outcome.payload == R"({"n":1})");
  CHECK(first.outcome.log.find("Init Duration") != std::string::npos);
  InvokeResult second = rig.Invoke(fn, R"({"n":2})");
  CHECK(second.outcome.payload == R"({"n":2})");
  CHECK(second.outcome.log.find("Init Duration") == std::string::npos);
  CHECK(rig.supervisor.launches() == 1);
  CHECK(rig.invoker->functions_tracked() == 1);
}

TEST_CASE("invoker: reserved concurrency throttles with its reason", "[invoker]") {
  InvokerRig rig;
  ResolvedFunction fn = rig.Function("Fn", /*reserved=*/1);
  auto held = rig.InvokeAsync(fn, kHold);
  rig.gate.AwaitHeld(1);
  InvokeResult throttled = rig.Invoke(fn, "{}");
  CHECK(throttled.status.code() == errors::kTooManyRequests);
  CHECK(throttled.throttle_reason == errors::kReasonReservedLimit);
  // Another function is not limited by this one's reservation.
  CHECK(rig.Invoke(rig.Function("Other"), R"("other")").outcome.payload == R"("other")");
  rig.gate.Release();
  CHECK(held.get().outcome.payload == kHold);
  CHECK(rig.Invoke(fn, R"("after")").outcome.payload == R"("after")");
  CHECK(rig.supervisor.launches() == 2);  // one environment each
}

TEST_CASE("invoker: reserved concurrency 0 throttles every invocation", "[invoker]") {
  InvokerRig rig;
  InvokeResult throttled = rig.Invoke(rig.Function("Fn", 0), "{}");
  CHECK(throttled.throttle_reason == errors::kReasonReservedLimit);
  CHECK(rig.supervisor.launches() == 0);
  CHECK(rig.invoker->functions_tracked() == 0);
}

TEST_CASE("invoker: the account limit throttles with its reason", "[invoker]") {
  InvokerOptions options;
  options.max_concurrency = 1;
  InvokerRig rig(options);
  auto held = rig.InvokeAsync(rig.Function("A"), kHold);
  rig.gate.AwaitHeld(1);
  InvokeResult throttled = rig.Invoke(rig.Function("B"), "{}");
  CHECK(throttled.status.code() == errors::kTooManyRequests);
  CHECK(throttled.throttle_reason == errors::kReasonConcurrentLimit);
  rig.gate.Release();
  CHECK(held.get().status.ok());
  CHECK(rig.Invoke(rig.Function("B"), "{}").status.ok());
}

TEST_CASE("invoker: two invocations at once get two environments", "[invoker]") {
  InvokerRig rig;
  ResolvedFunction fn = rig.Function("Fn");
  auto a = rig.InvokeAsync(fn, kHold);
  auto b = rig.InvokeAsync(fn, kHold);
  rig.gate.AwaitHeld(2);
  rig.gate.Release();
  rig.gate.Release();
  CHECK(a.get().outcome.payload == kHold);
  CHECK(b.get().outcome.payload == kHold);
  CHECK(rig.supervisor.launches() == 2);
  // Both are warm now.
  auto c = rig.InvokeAsync(fn, kHold);
  auto d = rig.InvokeAsync(fn, kHold);
  rig.gate.AwaitHeld(4);
  rig.gate.Release();
  rig.gate.Release();
  c.get();
  d.get();
  CHECK(rig.supervisor.launches() == 2);
}

TEST_CASE("invoker: an environment of another revision is not reused", "[invoker]") {
  InvokerRig rig;
  CHECK(rig.Invoke(rig.Function("Fn", std::nullopt, "rev-1"), "1").status.ok());
  const pid_t old_pid = rig.supervisor.AwaitLaunches(1);
  CHECK(rig.Invoke(rig.Function("Fn", std::nullopt, "rev-2"), "2").outcome.payload == "2");
  CHECK(rig.supervisor.launches() == 2);
  rig.supervisor.AwaitExit(old_pid);  // shut down when it was found stale
  CHECK(rig.supervisor.running() == 1);
}

TEST_CASE("invoker: Forget erases an idle function's state and its environments", "[invoker]") {
  InvokerRig rig;
  CHECK(rig.Invoke(rig.Function("Fn"), "{}").status.ok());
  CHECK(rig.Invoke(rig.Function("Other"), "{}").status.ok());
  CHECK(rig.invoker->functions_tracked() == 2);
  rig.invoker->Forget("Fn");
  CHECK(rig.invoker->functions_tracked() == 1);
  CHECK(rig.supervisor.running() == 1);  // Fn's environment was shut down
  rig.invoker->Forget("Fn");             // twice is fine
  rig.invoker->Forget("Unknown");
  CHECK(rig.invoker->functions_tracked() == 1);
}

TEST_CASE("invoker: Forget during an invocation erases the state when it ends", "[invoker]") {
  InvokerRig rig;
  ResolvedFunction fn = rig.Function("Fn");
  auto held = rig.InvokeAsync(fn, kHold);
  rig.gate.AwaitHeld(1);
  const pid_t pid = rig.supervisor.AwaitLaunches(1);
  rig.invoker->Forget("Fn");
  CHECK(rig.invoker->functions_tracked() == 1);  // its invocation still runs
  rig.gate.Release();
  CHECK(held.get().outcome.payload == kHold);    // and finishes normally
  CHECK(rig.invoker->functions_tracked() == 0);
  rig.supervisor.AwaitExit(pid);                 // its environment is not kept
  // A function of that name later starts afresh.
  CHECK(rig.Invoke(fn, "{}").status.ok());
  CHECK(rig.supervisor.launches() == 2);
}

TEST_CASE("invoker: WaitForCapacity waits for a slot and keeps no state", "[invoker]") {
  InvokerRig rig;
  CHECK(rig.invoker->WaitForCapacity("Nobody", 1));
  CHECK(rig.invoker->functions_tracked() == 0);
  ResolvedFunction fn = rig.Function("Fn", 1);
  auto held = rig.InvokeAsync(fn, kHold);
  rig.gate.AwaitHeld(1);
  auto waited = std::async(std::launch::async, [&] { return rig.invoker->WaitForCapacity("Fn", 1); });
  rig.gate.Release();
  CHECK(waited.get());
  held.get();
}

TEST_CASE("invoker: idle environments are shut down after the idle timeout", "[invoker]") {
  InvokerOptions options;
  options.idle_timeout = 60s;
  InvokerRig rig(options);
  rig.clock.AwaitWaiters(1);  // the janitor waits for its first round
  CHECK(rig.Invoke(rig.Function("Fn"), "{}").status.ok());
  const pid_t pid = rig.supervisor.AwaitLaunches(1);
  rig.clock.Advance(61s);
  rig.supervisor.AwaitExit(pid);
  CHECK(rig.supervisor.kills() == 1);
  CHECK(rig.Invoke(rig.Function("Fn"), "{}").status.ok());  // a new one starts
  CHECK(rig.supervisor.launches() == 2);
}

TEST_CASE("invoker: Stop ends running invocations as killed and refuses new ones", "[invoker]") {
  InvokerRig rig;
  auto held = rig.InvokeAsync(rig.Function("Fn"), kHold);
  rig.gate.AwaitHeld(1);
  rig.invoker->Stop();
  InvokeResult killed = held.get();
  CHECK(killed.outcome.function_error);
  CHECK(killed.outcome.payload.find("Runtime exited with error: signal: killed") != std::string::npos);
  InvokeResult refused = rig.Invoke(rig.Function("Fn"), "{}");
  CHECK(refused.status.code() == errors::kService);
  CHECK(rig.supervisor.running() == 0);
}

TEST_CASE("invoker: a runtime that cannot start is a function error", "[invoker]") {
  InvokerRig rig;
  rig.supervisor.FailNextLaunch(Status::Error(errors::kRuntimeInvalidEntrypoint, "cannot execute"));
  InvokeResult r = rig.Invoke(rig.Function("Fn"), "{}");
  REQUIRE(r.status.ok());
  CHECK(r.outcome.function_error);
  CHECK(r.outcome.payload.find(errors::kRuntimeInvalidEntrypoint) != std::string::npos);
  CHECK(r.outcome.payload.find("Couldn't find valid bootstrap(s): [/nonexistent/Fn/bootstrap]") !=
        std::string::npos);
  CHECK(rig.Invoke(rig.Function("Fn"), "{}").status.ok());  // the next one starts
}
