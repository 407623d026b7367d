// Invoker: the one door to run a function synchronously. Leases a concurrency slot, takes a
// warm environment of the same version and revision or starts one, runs the invocation, and
// gives both back. Environments idle longer than the idle timeout are shut down. What it
// keeps for a function goes when the function is forgotten and no invocation of it runs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "invoke/invoke_sink.h"
#include "model/function_config.h"
#include "runtimes/runtime_catalog.h"
#include "sandbox/environment.h"
#include "store/function_store.h"

namespace ll {

struct InvokerOptions {
  int max_concurrency = 64;                        // account-wide limit on running invocations
  std::chrono::milliseconds idle_timeout{300000};  // idle environments are shut down after this
};

// Thread-safe. Kills processes and joins threads only with no lock of its own held.
class Invoker : public SyncInvoker {
 public:
  // Starts the janitor thread, which waits on deps.clock.
  Invoker(const RuntimeCatalog* catalog, EnvironmentDeps deps, InvokerOptions options);
  ~Invoker() override;  // Stop()

  // Runs `inv` on the resolved version `fn`.
  InvokeResult Invoke(const ResolvedFunction& fn, const Invocation& inv) override;
  // Blocks until `function` could take one more invocation under its reserved concurrency
  // and the account limit, or until Stop(). False when stopping.
  bool WaitForCapacity(const std::string& function, std::optional<int> reserved) override;
  // Shuts down the warm environments of `function` (after it was deleted) and forgets it:
  // its state goes now, or when its last running invocation ends (whose environment is then
  // shut down too).
  void Forget(const std::string& function);
  int max_concurrency() const { return options_.max_concurrency; }
  // How many functions the invoker keeps state for (for tests and diagnostics).
  size_t functions_tracked() const;

  // Kills every environment (running ones too) and joins every thread. Idempotent.
  void Stop();

 private:
  struct FunctionState;
  using FunctionMap = std::map<std::string, std::unique_ptr<FunctionState>>;
  class Lease;

  // Takes a slot of `fn` and, when one is warm, an environment for it. Stale environments
  // found on the way go to *stale, to be shut down by the caller outside the lock.
  std::optional<Lease> Acquire(const ResolvedFunction& fn, InvokeResult* result,
                               std::vector<std::shared_ptr<Environment>>* stale);
  // Gives the lease's environment back to the pool (or shuts it down) and frees its slot.
  void Release(Lease& lease);
  // Starts an environment for `fn`; null with *failure filled in when it cannot start.
  std::shared_ptr<Environment> StartEnvironment(FunctionState& fs, const FunctionConfig& fn,
                                                const Invocation& inv, InvokeOutcome* failure);
  void Janitor();

  // Const after construction.
  const RuntimeCatalog* catalog_;
  const EnvironmentDeps deps_;
  const InvokerOptions options_;
  Clock* const clock_;

  mutable std::mutex mu_;
  std::condition_variable capacity_cv_;  // signalled when a slot frees up, and on stop
  std::condition_variable janitor_cv_;
  // Guarded by mu_.
  FunctionMap functions_;  // by function name
  int running_ = 0;
  bool stopping_ = false;
  std::thread janitor_;  // started by the constructor, joined by Stop
};

}  // namespace ll
