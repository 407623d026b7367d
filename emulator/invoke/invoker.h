// Invoker: the one door to run a function synchronously. Leases a concurrency slot, takes a
// warm environment of the same version and revision or starts one, runs the invocation, and
// gives both back. Environments idle longer than the idle timeout are shut down.
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

class Invoker : public SyncInvoker {
 public:
  Invoker(const RuntimeCatalog* catalog, EnvironmentDeps deps, InvokerOptions options);
  ~Invoker() override;  // Stop()

  // Runs `inv` on the resolved version `fn`. Thread-safe.
  InvokeResult Invoke(const ResolvedFunction& fn, const Invocation& inv) override;
  // Blocks until `function` could take one more invocation under its reserved concurrency
  // and the account limit, or until Stop(). False when stopping.
  bool WaitForCapacity(const std::string& function, std::optional<int> reserved) override;
  // Shuts down the warm environments of `function` (after it was deleted or replaced).
  void Forget(const std::string& function);
  int max_concurrency() const { return options_.max_concurrency; }

  // Kills every environment (running ones too) and joins every thread. Idempotent.
  void Stop();

 private:
  struct FunctionState;
  class Lease;

  FunctionState& StateFor(const std::string& name);  // requires mu_
  bool TryAcquire(FunctionState& fs, std::optional<int> reserved, std::string* reason);
  void Release(FunctionState& fs);
  std::unique_ptr<Environment> TakeEnvironment(FunctionState& fs, const FunctionConfig& fn,
                                               const Invocation& inv, InvokeOutcome* failure);
  void ReturnEnvironment(FunctionState& fs, std::unique_ptr<Environment> env);
  void Janitor();

  const RuntimeCatalog* catalog_;
  const EnvironmentDeps deps_;
  const InvokerOptions options_;

  mutable std::mutex mu_;
  std::condition_variable capacity_cv_;  // signalled when a slot frees up, and on stop
  std::condition_variable janitor_cv_;
  // Guarded by mu_.
  std::map<std::string, std::unique_ptr<FunctionState>> functions_;  // by function name
  int running_ = 0;
  bool stopping_ = false;
  std::thread janitor_;
};

}  // namespace ll
