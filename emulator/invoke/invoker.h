// Invoker: the one door to run a function. Leases a concurrency slot, takes a warm
// environment or starts one, runs the invocation, and gives both back. Also queues
// asynchronous (Event) invocations, one worker per function, in order of arrival.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "model/function_config.h"
#include "runtimes/runtime_catalog.h"
#include "sandbox/environment.h"

namespace ll {

struct InvokerOptions {
  int max_concurrency = 64;                        // account-wide limit on running invocations
  std::chrono::milliseconds idle_timeout{300000};  // idle environments are shut down after this
};

struct InvokeResult {
  Status status;               // not ok: the invocation did not run (throttled, not found, ...)
  std::string throttle_reason; // TooManyRequestsException.Reason
  InvokeOutcome outcome;
};

class Invoker {
 public:
  Invoker(const RuntimeCatalog* catalog, EnvironmentDeps deps, InvokerOptions options);
  ~Invoker();  // Stop()

  // Call before serving. Names are unique.
  void AddFunction(const FunctionConfig& fn);
  std::shared_ptr<const FunctionConfig> Find(const std::string& name) const;
  std::vector<std::shared_ptr<const FunctionConfig>> List() const;

  // Runs `inv` synchronously. Thread-safe.
  InvokeResult Invoke(const std::string& name, const Invocation& inv);
  // Queues `inv` to run in the background. Thread-safe.
  Status Enqueue(const std::string& name, Invocation inv);

  // Kills every environment (running ones too), joins every thread. Idempotent.
  void Stop();

 private:
  struct FunctionState;
  class Lease;

  bool TryAcquire(FunctionState& fs, std::string* reason);
  void Release(FunctionState& fs);
  std::unique_ptr<Environment> TakeEnvironment(FunctionState& fs, const Invocation& inv,
                                               InvokeOutcome* failure);
  void ReturnEnvironment(FunctionState& fs, std::unique_ptr<Environment> env);
  void AsyncWorker(FunctionState& fs);
  void Janitor();

  const RuntimeCatalog* catalog_;
  const EnvironmentDeps deps_;
  const InvokerOptions options_;

  mutable std::mutex mu_;
  std::condition_variable capacity_cv_;  // signalled when a slot frees up or on stop
  std::condition_variable janitor_cv_;
  // Guarded by mu_.
  std::map<std::string, std::unique_ptr<FunctionState>> functions_;
  int running_ = 0;
  bool stopping_ = false;
  std::thread janitor_;
};

}  // namespace ll
