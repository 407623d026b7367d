#include "invoke/timed_invoker.h"

#include <atomic>
#include <condition_variable>
#include <mutex>

#include <catch2/catch.hpp>

using namespace ll;

namespace {

// Answers each invocation with its payload once the test opens the gate.
class GatedInvoker : public SyncInvoker {
 public:
  InvokeResult Invoke(const ResolvedFunction&, const Invocation& inv) override {
    std::unique_lock lock(mu_);
    ++started_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    ++finished_;
    InvokeResult r;
    r.outcome.payload = inv.payload;
    return r;
  }
  bool WaitForCapacity(const std::string&, std::optional<int>) override { return true; }

  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void WaitStarted(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return started_ >= n; });
  }
  int finished() {
    std::lock_guard lock(mu_);
    return finished_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int started_ = 0;
  int finished_ = 0;
};

Invocation Payload(std::string p) {
  Invocation inv;
  inv.payload = std::move(p);
  return inv;
}

}  // namespace

TEST_CASE("timed invoker: a result in time is returned") {
  GatedInvoker invoker;
  invoker.Open();
  TimedInvoker timed(&invoker);
  auto r = timed.Invoke(ResolvedFunction{}, Payload("a"), std::chrono::hours(1));
  REQUIRE(r);
  CHECK(r->outcome.payload == "a");
  // The worker is reused for the next call.
  r = timed.Invoke(ResolvedFunction{}, Payload("b"), std::chrono::hours(1));
  REQUIRE(r);
  CHECK(r->outcome.payload == "b");
}

TEST_CASE("timed invoker: the caller stops waiting, the invocation goes on") {
  GatedInvoker invoker;
  {
    TimedInvoker timed(&invoker);
    // The gate stays shut, so no result can come before the deadline.
    auto r = timed.Invoke(ResolvedFunction{}, Payload("slow"), std::chrono::milliseconds(1));
    CHECK_FALSE(r);
    invoker.WaitStarted(1);
    // A second caller is not held up by the first's invocation: it gets a worker of its own.
    auto second = timed.Invoke(ResolvedFunction{}, Payload("also"), std::chrono::milliseconds(1));
    CHECK_FALSE(second);
    invoker.WaitStarted(2);
    invoker.Open();
  }  // the destructor waits for both invocations
  CHECK(invoker.finished() == 2);
}

TEST_CASE("timed invoker: idle workers end and are joined") {
  GatedInvoker invoker;
  invoker.Open();
  TimedInvoker timed(&invoker, std::chrono::milliseconds(0));
  for (int i = 0; i < 50; ++i) {
    auto r = timed.Invoke(ResolvedFunction{}, Payload(std::to_string(i)), std::chrono::hours(1));
    REQUIRE(r);
    CHECK(r->outcome.payload == std::to_string(i));
  }
}
