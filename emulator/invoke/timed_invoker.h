// TimedInvoker: synchronous invokes whose caller stops waiting at a deadline while the function
// runs on, as API Gateway's integration timeout does (the client gets 504; the function keeps
// its own timeout and its environment).
//
// Threads: each invocation runs on a worker of this object's own, made when no worker is idle;
// a worker idle for `linger` ends and is joined by the next call or by the destructor, which
// also waits for running invocations (the invoker is stopped first, so they end quickly).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "invoke/invoke_sink.h"
#include "model/invocation.h"

namespace ll {

class TimedInvoker {
 public:
  // `invoker` must outlive this.
  explicit TimedInvoker(SyncInvoker* invoker,
                        std::chrono::milliseconds linger = std::chrono::milliseconds(10000));
  ~TimedInvoker() { Stop(); }
  // Waits for the running invocations and joins every worker; later calls are refused
  // (ServiceException). Idempotent; call it once the functions are stopped.
  void Stop();
  TimedInvoker(const TimedInvoker&) = delete;
  TimedInvoker& operator=(const TimedInvoker&) = delete;

  // The invocation's result, or nullopt when `timeout` passed first (the invocation goes on and
  // its result is dropped). Thread-safe.
  std::optional<InvokeResult> Invoke(const ResolvedFunction& fn, const Invocation& inv,
                                     std::chrono::milliseconds timeout);

 private:
  struct Call;
  void Work();
  // Joins the workers that have ended. mu_ not held.
  void JoinFinished();

  SyncInvoker* const invoker_;
  const std::chrono::milliseconds linger_;

  std::mutex mu_;
  std::condition_variable work_cv_;
  // Guarded by mu_.
  std::deque<std::shared_ptr<Call>> queue_;
  size_t idle_ = 0;  // workers waiting for a call
  bool stopping_ = false;
  std::vector<std::thread> workers_;            // every worker not yet joined
  std::vector<std::thread::id> finished_;       // workers that have ended, to join
};

}  // namespace ll
