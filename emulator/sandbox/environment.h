// Environment: one execution environment = one runtime process + its Runtime API server,
// running one invocation at a time. Enforces the timeout and memory limit, reports exits,
// and writes the platform log lines (START/END/REPORT) around the function's own output.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "base/status.h"
#include "model/function_config.h"
#include "model/invocation.h"
#include "process/launcher.h"
#include "process/memory_limit.h"
#include "process/reaper.h"
#include "runtime_api/runtime_api_server.h"
#include "sandbox/environment_vars.h"
#include "sandbox/launch_spec.h"

namespace ll {

// Receives every log line of every environment, e.g. to print it. One call may carry
// several lines, separated by '\n'.
using LogSink = std::function<void(const std::string& function_name, std::string_view line)>;

struct EnvironmentDeps {
  Launcher* launcher = nullptr;
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
  // False once the process has exited, timed out or been killed.
  bool reusable() const;
  // Kills the process group and waits until it has been reaped. Idempotent.
  void Kill();

  std::chrono::steady_clock::time_point last_used;  // maintained by the owner of the lease
  // The configuration this environment was started from (its RevisionId and version).
  const std::string& revision_id() const { return fn_.revision_id; }
  const std::string& version() const { return fn_.version; }

 private:
  using Clock = std::chrono::steady_clock;
  enum class State { kStarting, kReady, kInvoking, kDead };
  enum class Ending { kNone, kResponse, kFunctionError, kTooLarge };

  Environment(const FunctionConfig& fn, const EnvironmentDeps& deps);

  // RuntimeApiBackend, called on the Runtime API server's loop thread, or on the invoking
  // thread for requests on the connection it delivered an event on.
  std::optional<RuntimeReply> OnNext(std::shared_ptr<RuntimeConnection> conn) override;
  RuntimeReply PostResponse(const RuntimeConnection* from, const std::string& request_id,
                            std::string body) override;
  RuntimeReply PostError(const RuntimeConnection* from, const std::string& request_id,
                         const std::string& error_type, std::string body) override;
  RuntimeReply PostInitError(const std::string& error_type, std::string body) override;

  // On the invoking thread: answers the runtime's parked GET /next on `conn` with `inv`, then
  // serves that connection until the invocation has an ending, the environment is woken
  // (exit, kill, an answer on another connection) or `deadline` passes; the connection is
  // then held for the runtime's next GET /next. False when the event could not be sent.
  bool Deliver(const Invocation& inv, std::shared_ptr<RuntimeConnection> conn,
               Clock::time_point deadline);
  enum class Served { kKept, kParked, kGone };
  // Serves requests on `conn` from this thread until `done()` (called with mu_ held) is
  // true, the environment is woken, or `deadline` passes. kKept: `conn` is still the
  // caller's; kParked: a GET /next on it went to parked_; kGone: it was handed back to the
  // loop to be closed.
  Served ServeHere(std::shared_ptr<RuntimeConnection>& conn, Clock::time_point deadline,
                   const std::function<bool()>& done);
  // Interrupts ServeHere's wait for the runtime. Requires mu_.
  void WakeDeliveryLocked();
  void OnExit(int wait_status);
  void ReadOutputLoop();
  // Reads whatever the pipe holds now; true at end of file. Requires log_mu_.
  bool ReadAvailableLocked();
  void EmitLineLocked(std::string_view line);
  void EmitLine(std::string_view line);
  void BeginCapture(const std::string& request_id, const std::string& version);
  std::string EndCapture();
  int MaxMemoryUsedMb() const;

  // Const after construction.
  const FunctionConfig fn_;
  const EnvironmentDeps deps_;
  std::unique_ptr<RuntimeApiServer> runtime_api_;
  std::unique_ptr<MemoryBox> box_;
  pid_t pid_ = -1;
  int output_fd_ = -1;
  int wake_fd_ = -1;      // eventfd that stops the output reader
  int delivery_fd_ = -1;  // eventfd that interrupts ServeHere
  std::thread reader_;
  std::chrono::steady_clock::time_point spawned_at_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_.
  State state_ = State::kStarting;
  bool stopping_ = false;
  // GET /next requests waiting for an event, oldest first.
  std::deque<std::shared_ptr<RuntimeConnection>> parked_;
  // The connection the last event went out on, held by the environment (not read by the
  // loop) because the runtime's next GET /next comes on it.
  std::shared_ptr<RuntimeConnection> held_;
  const RuntimeConnection* serving_on_ = nullptr;  // the connection ServeHere is reading
  bool delivery_woken_ = false;                       // delivery_fd_ has been written
  std::string current_id_;  // the invocation the runtime is working on
  std::chrono::steady_clock::time_point picked_at_;
  bool picked_ = false;
  Ending ending_ = Ending::kNone;
  std::string answer_;          // response body or error JSON
  std::string answer_error_type_;
  std::optional<std::string> init_error_;  // body posted to /init/error
  std::string init_error_type_;
  std::optional<int> exit_status_;
  std::optional<double> init_duration_ms_;  // set at the first /next, reported once
  bool init_reported_ = false;

  std::mutex log_mu_;
  // Guarded by log_mu_.
  std::string partial_line_;
  bool capturing_ = false;
  bool captured_once_ = false;  // the first invocation's START has been written
  std::string capture_id_;
  std::string captured_;
};

}  // namespace ll
