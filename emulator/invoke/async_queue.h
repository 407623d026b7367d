// AsyncQueue: Event invocations with AWS's semantics. One lane per function runs its events
// in order of arrival; a function error or timeout is retried after a delay up to
// MaximumRetryAttempts; events older than MaximumEventAgeInSeconds are dropped; the outcome
// goes to the OnSuccess / OnFailure destination as AWS's invocation record.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"
#include "invoke/invoker.h"
#include "services/sqs/sqs_service.h"
#include "store/function_store.h"

namespace ll {

struct AsyncOptions {
  // AWS waits about 1 minute before the first retry and 2 before the second; locally the
  // delays are this, then twice this.
  std::chrono::milliseconds retry_delay{1000};
};

class AsyncQueue {
 public:
  // `notice` receives one-line messages about dropped or undeliverable events.
  // `sqs` may be null: SQS destinations are then reported as undeliverable.
  AsyncQueue(Invoker* invoker, FunctionStore* store, sqs::SqsService* sqs, AsyncOptions options,
             std::function<void(const std::string& function, const std::string& line)> notice);
  ~AsyncQueue();  // Stop()

  // Accepts `inv` for `fn` (already resolved). Thread-safe.
  Status Enqueue(const ResolvedFunction& fn, Invocation inv);
  // Joins every lane; queued events are dropped. Idempotent.
  void Stop();

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
  // Sends the record to a destination ARN: a Lambda function or an SQS queue.
  void Deliver(const std::string& destination, const std::string& record,
               const std::string& from_function);
  void Finish(const Event& ev, const std::string& condition, const InvokeOutcome* outcome);

  Invoker* const invoker_;
  FunctionStore* const store_;
  sqs::SqsService* const sqs_;
  const AsyncOptions options_;
  const std::function<void(const std::string&, const std::string&)> notice_;

  std::mutex mu_;
  // Guarded by mu_.
  std::map<std::string, std::unique_ptr<Lane>> lanes_;
  bool stopping_ = false;
};

}  // namespace ll
