// AsyncQueue: Event invocations with AWS's semantics. One lane per function runs its events
// in order of arrival; a function error or timeout is retried after a delay up to
// MaximumRetryAttempts; events older than MaximumEventAgeInSeconds are dropped; the outcome
// goes to the OnSuccess / OnFailure destination as AWS's invocation record.
//
// Threads: a lane's thread is started by the first event of an idle function and ends once the
// lane has been empty for `lane_linger`; it is joined by the next lane to end, or by Stop().
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <optional>
#include <thread>

#include "base/status.h"
#include "invoke/destinations.h"
#include "invoke/invoke_sink.h"
#include "model/invocation.h"

namespace ll {

struct AsyncOptions {
  // AWS waits about 1 minute before the first retry and 2 before the second; locally the
  // delays are this, then twice this.
  std::chrono::milliseconds retry_delay{1000};
  // How long an empty lane keeps its thread for the next event before it ends.
  std::chrono::milliseconds lane_linger{2000};
};

class AsyncQueue {
 public:
  // `notice` receives one-line messages about dropped or undeliverable events. `invoker` and
  // `destinations` must outlive the queue.
  AsyncQueue(SyncInvoker* invoker, const Destinations* destinations, AsyncOptions options,
             std::function<void(const std::string& function, const std::string& line)> notice);
  ~AsyncQueue();  // Stop()

  // Accepts `inv` for `fn` (already resolved). Thread-safe.
  Status Enqueue(const ResolvedFunction& fn, Invocation inv);
  // Joins every lane; queued events are dropped. Idempotent.
  void Stop();
  // Lanes with a thread now (for tests of reclamation).
  size_t lane_count() const;

  // AWS's invocation record for destinations (exposed for tests).
  static std::string InvocationRecord(const ResolvedFunction& fn, const Invocation& inv,
                                      const std::string& condition, int attempts,
                                      const InvokeOutcome* outcome);

 private:
  using Clock = std::chrono::steady_clock;
  struct Event {
    ResolvedFunction fn;
    Invocation inv;
    Clock::time_point accepted_at;
    int attempts = 0;
  };
  struct Lane {
    std::deque<Event> ready;
    std::multimap<Clock::time_point, Event> delayed;  // retries waiting for their time
    std::condition_variable cv;
    std::thread worker;
  };

  void RunLane(const std::string& function, Lane& lane);
  // Runs one event; the event to put back (a retry) when it should run again.
  std::optional<Event> RunEvent(const std::string& function, Event ev);
  // Sends the record to a destination ARN through the destination registry.
  void Deliver(const std::string& destination, std::string record,
               const std::string& from_function);
  void Finish(const Event& ev, const std::string& condition, const InvokeOutcome* outcome);

  SyncInvoker* const invoker_;
  const Destinations* const destinations_;
  const AsyncOptions options_;
  const std::function<void(const std::string&, const std::string&)> notice_;

  mutable std::mutex mu_;
  // Guarded by mu_.
  std::map<std::string, std::unique_ptr<Lane>> lanes_;
  std::thread ended_;  // the thread of the last lane that ended, joined by the next one or Stop()
  bool stopping_ = false;
};

}  // namespace ll
