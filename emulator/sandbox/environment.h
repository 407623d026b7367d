// Environment: one execution environment = one runtime process + its Runtime API server,
// running one invocation at a time. Its lifecycle is the table in lifecycle.h. Enforces the
// timeout and memory limit, reports exits, and writes the platform log lines
// (START/END/REPORT) around the function's own output.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"
#include "model/function_config.h"
#include "model/invocation.h"
#include "process/supervisor.h"
#include "runtime_api/runtime_api_server.h"
#include "sandbox/environment_vars.h"
#include "sandbox/function_output.h"
#include "sandbox/launch_spec.h"
#include "sandbox/lifecycle.h"

namespace ll {

struct EnvironmentDeps {
  ProcessSupervisor* supervisor = nullptr;
  Clock* clock = Clock::Real();  // every deadline, and the waits for them
  HostSettings host;
  LogSink sink;
};

class Environment : public RuntimeApiBackend {
 public:
  // Starts the Runtime API server and the runtime process. Returns once the process exists;
  // its init runs concurrently and is awaited by the first Invoke.
  static Result<std::unique_ptr<Environment>> Start(const FunctionConfig& fn,
                                                    const LaunchSpec& launch,
                                                    const EnvironmentDeps& deps);
  ~Environment() override;  // Kill()

  // Runs one invocation to completion (result, function error, timeout or exit).
  // Not reentrant: the caller leases the environment exclusively.
  InvokeOutcome Invoke(const Invocation& inv);
  // False once the process has exited, timed out, failed its init or been killed.
  bool reusable() const;
  // Kills the process group, waits until it has been reaped, and stops this environment's
  // threads. Any thread may call it, at any time, more than once; an Invoke in progress ends
  // as killed. Returns when the environment is stopped.
  void Kill();

  EnvState state() const;
  Clock::TimePoint last_used;  // maintained by the owner of the lease
  // The configuration this environment was started from (its RevisionId and version).
  const std::string& revision_id() const { return fn_.revision_id; }
  const std::string& version() const { return fn_.version; }

 private:
  // How the invocation's answer came, when it came.
  enum class Ending { kNone, kResponse, kFunctionError, kTooLarge };
  // How Invoke's wait ended.
  enum class End { kAnswered, kInitError, kExited, kTimedOut };

  Environment(const FunctionConfig& fn, const EnvironmentDeps& deps);

  // RuntimeApiBackend, called on the Runtime API server's loop thread, or on the invoking
  // thread for requests on the connection it delivered an event on.
  std::optional<RuntimeReply> OnNext(std::shared_ptr<RuntimeConnection> conn) override;
  RuntimeReply PostResponse(const RuntimeConnection* from, const std::string& request_id,
                            std::string body) override;
  RuntimeReply PostError(const RuntimeConnection* from, const std::string& request_id,
                         const std::string& error_type, std::string body) override;
  RuntimeReply PostInitError(const std::string& error_type, std::string body) override;

  // Moves the lifecycle by `event`; false (and no move) when the table refuses it. Requires mu_.
  bool MoveLocked(EnvEvent event);
  // Waits, on the invoking thread, until the invocation has an ending; drives the lifecycle.
  End AwaitEnding(const Invocation& inv);
  // Writes the log lines of that ending and builds the outcome.
  InvokeOutcome Finish(const Invocation& inv, End end);
  // On the invoking thread: answers the runtime's parked GET /next on `conn` with `inv`, then
  // serves that connection until the invocation has an ending, the environment is woken
  // (exit, kill, an answer on another connection) or `deadline` passes; the connection is
  // then held for the runtime's next GET /next. False when the event could not be sent.
  bool Deliver(const Invocation& inv, std::shared_ptr<RuntimeConnection> conn,
               Clock::TimePoint deadline);
  enum class Served { kKept, kParked, kGone };
  // Serves requests on `conn` from this thread until `done()` (called with mu_ held) is
  // true, the environment is woken, or `deadline` passes. kKept: `conn` is still the
  // caller's; kParked: a GET /next on it went to parked_; kGone: it was handed back to the
  // loop to be closed.
  Served ServeHere(std::shared_ptr<RuntimeConnection>& conn, Clock::TimePoint deadline,
                   const std::function<bool()>& done);
  // Interrupts ServeHere's wait for the runtime. Requires mu_.
  void WakeDeliveryLocked();
  // Wakes ServeHere when it reads another connection than `from`. Requires mu_.
  void WakeOtherLocked(const RuntimeConnection* from);
  // The supervisor's exit callback.
  void OnExit(int wait_status);
  int MaxMemoryUsedMb() const;

  // Const after construction (Start).
  const FunctionConfig fn_;
  const EnvironmentDeps deps_;
  ProcessSupervisor* const supervisor_;
  Clock* const clock_;
  std::unique_ptr<RuntimeApiServer> runtime_api_;
  std::unique_ptr<MemoryBox> box_;
  std::unique_ptr<FunctionOutput> output_;
  pid_t pid_ = -1;
  int delivery_fd_ = -1;  // eventfd that interrupts ServeHere
  Clock::TimePoint spawned_at_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_.
  EnvState state_ = EnvState::kStarting;
  bool kill_started_ = false;
  bool kill_done_ = false;
  // GET /next requests waiting for an event, oldest first.
  std::deque<std::shared_ptr<RuntimeConnection>> parked_;
  // The connection the last event went out on, held by the environment (not read by the
  // loop) because the runtime's next GET /next comes on it.
  std::shared_ptr<RuntimeConnection> held_;
  const RuntimeConnection* serving_on_ = nullptr;  // the connection ServeHere is reading
  bool delivery_woken_ = false;                       // delivery_fd_ has been written
  std::string current_id_;  // the invocation the runtime is working on
  Clock::TimePoint picked_at_;
  bool picked_ = false;     // this invocation's event went out
  Ending ending_ = Ending::kNone;
  std::string answer_;          // response body or error JSON
  std::optional<std::string> init_error_;  // body posted to /init/error
  std::string init_error_type_;
  std::optional<int> exit_status_;
  std::optional<double> init_duration_ms_;  // set at the first /next, reported once
  bool init_reported_ = false;
};

}  // namespace ll
