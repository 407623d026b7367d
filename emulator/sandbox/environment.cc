#include "sandbox/environment.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "base/strings.h"
#include "model/error_names.h"
#include "model/log_lines.h"

namespace ll {
namespace {

// AWS: a runtime may answer with up to 6 MiB + 100 bytes.
constexpr size_t kMaxResponseBytes = 6291556;
// AWS gives init 10 s before it retries it under the function's own timeout.
constexpr auto kInitAllowance = std::chrono::seconds(10);

double MsBetween(Clock::TimePoint a, Clock::TimePoint b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

RuntimeReply InvalidRequestId() {
  return {400, PlatformErrorJson(errors::kInvalidRequestId, "Invalid request ID")};
}

}  // namespace

Environment::Environment(const FunctionConfig& fn, const EnvironmentDeps& deps)
    : fn_(fn), deps_(deps), supervisor_(deps.supervisor), clock_(deps.clock) {}

Result<std::unique_ptr<Environment>> Environment::Start(const FunctionConfig& fn,
                                                        const LaunchSpec& launch,
                                                        const EnvironmentDeps& deps) {
  std::unique_ptr<Environment> env(new Environment(fn, deps));
  env->runtime_api_ = std::make_unique<RuntimeApiServer>(env.get());
  if (!env->runtime_api_->Start()) {
    return Status::Error(errors::kService, "cannot bind a Runtime API port on 127.0.0.1");
  }

  const std::string& version = fn.version;
  SpawnSpec spec;
  spec.executable = launch.executable;
  spec.argv = launch.argv;
  spec.cwd = fn.code_dir;
  spec.env = BuildEnvironment(fn, launch, deps.host, env->runtime_api_->address(),
                              NewLogStreamName(version), version);

  env->delivery_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  env->spawned_at_ = env->clock_->Now();
  Environment* raw = env.get();
  auto launched = env->supervisor_->Launch(spec, int64_t(fn.memory_mb) << 20,
                                           [raw](int status) { raw->OnExit(status); });
  if (!launched.ok()) {
    if (launched.status().code() == errors::kRuntimeInvalidEntrypoint) {
      // That child exists until it has been reaped; wait, so OnExit cannot outlive us.
      std::unique_lock<std::mutex> lock(env->mu_);
      env->cv_.wait(lock, [&] { return env->exit_status_.has_value(); });
    }
    return launched.status();
  }
  env->pid_ = launched->child.pid;
  env->box_ = std::move(launched->box);
  env->output_ = std::make_unique<FunctionOutput>(fn.name, launched->child.output_fd, deps.sink);
  env->output_->Start();
  return env;
}

Environment::~Environment() {
  Kill();
  if (delivery_fd_ >= 0) close(delivery_fd_);
}

bool Environment::reusable() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_ != EnvState::kDead && state_ != EnvState::kInitFailed;
}

EnvState Environment::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

bool Environment::MoveLocked(EnvEvent event) {
  std::optional<EnvState> next = EnvMove(state_, event);
  if (!next) return false;
  state_ = *next;
  return true;
}

void Environment::Kill() {
  std::deque<std::shared_ptr<RuntimeConnection>> parked;
  std::shared_ptr<RuntimeConnection> held;
  bool kill_process = false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (kill_started_) {
      cv_.wait(lock, [&] { return kill_done_; });
      return;
    }
    kill_started_ = true;
    MoveLocked(EnvEvent::kKill);
    WakeDeliveryLocked();
    kill_process = pid_ > 0 && !exit_status_;
    parked.swap(parked_);
    held.swap(held_);
  }
  cv_.notify_all();
  // No lock held: the supervisor may run the exit callback before it returns.
  if (kill_process) supervisor_->KillGroup(pid_);
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (pid_ > 0) cv_.wait(lock, [&] { return exit_status_.has_value(); });
  }
  parked.clear();  // closes those connections
  held.reset();
  if (runtime_api_) runtime_api_->Stop();
  if (output_) output_->Stop();
  {
    std::lock_guard<std::mutex> lock(mu_);
    kill_done_ = true;
  }
  cv_.notify_all();
}

void Environment::OnExit(int wait_status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    exit_status_ = wait_status;
    MoveLocked(EnvEvent::kExit);
    if (serving_on_) WakeDeliveryLocked();
  }
  cv_.notify_all();
}

void Environment::WakeDeliveryLocked() {
  if (delivery_woken_) return;
  delivery_woken_ = true;
  uint64_t one = 1;
  (void)!write(delivery_fd_, &one, sizeof one);
}

void Environment::WakeOtherLocked(const RuntimeConnection* from) {
  if (serving_on_ && serving_on_ != from) WakeDeliveryLocked();
}

InvokeOutcome Environment::Invoke(const Invocation& inv) { return Finish(inv, AwaitEnding(inv)); }

Environment::End Environment::AwaitEnding(const Invocation& inv) {
  std::unique_lock<std::mutex> lock(mu_);
  picked_ = false;
  ending_ = Ending::kNone;
  answer_.clear();
  // The timeout runs from the invoke; a cold environment first gets AWS's init allowance.
  const auto timeout = std::chrono::seconds(fn_.timeout_s);
  const auto now = clock_->Now();
  const auto unpicked_deadline = state_ == EnvState::kStarting
                                     ? std::max(spawned_at_ + kInitAllowance, now) + timeout
                                     : now + timeout;
  bool deadline_passed = false;
  while (true) {
    // What the invocation already has decides, in this order: an answer, an init error, the
    // end of the environment, the deadline.
    if (ending_ != Ending::kNone) return End::kAnswered;
    if (init_error_) {
      MoveLocked(EnvEvent::kKill);  // a failed init is not retried in this process
      return End::kInitError;
    }
    if (state_ == EnvState::kDead) return End::kExited;
    if (deadline_passed) {
      MoveLocked(EnvEvent::kTimeout);
      return End::kTimedOut;
    }
    const bool may_pick = !picked_ && clock_->Now() < unpicked_deadline;
    if (may_pick && state_ == EnvState::kReady && !parked_.empty()) {
      // The runtime is waiting in GET /next: answer it from this thread.
      std::shared_ptr<RuntimeConnection> conn = std::move(parked_.front());
      parked_.pop_front();
      MoveLocked(EnvEvent::kDeliver);
      current_id_ = inv.request_id;
      picked_ = true;
      picked_at_ = clock_->Now();
      const auto deadline = picked_at_ + timeout;
      lock.unlock();
      const bool sent = Deliver(inv, std::move(conn), deadline);
      lock.lock();
      if (!sent && state_ == EnvState::kInvoking && clock_->Now() < deadline) {
        // That connection was gone: the event waits for the runtime's next GET /next.
        MoveLocked(EnvEvent::kSendFailed);
        picked_ = false;
        current_id_.clear();
      }
      continue;
    }
    if (may_pick && held_) {
      // The runtime's next GET /next comes on the connection the last event went out on:
      // read it here rather than waking the loop thread for it.
      std::shared_ptr<RuntimeConnection> conn = std::move(held_);
      lock.unlock();
      const Served served = ServeHere(conn, unpicked_deadline, [this] {
        return !parked_.empty() || state_ == EnvState::kDead;
      });
      if (served == Served::kKept) runtime_api_->Resume(std::move(conn));  // another one spoke first
      lock.lock();
      continue;
    }
    const auto deadline = picked_ ? picked_at_ + timeout : unpicked_deadline;
    if (clock_->WaitUntil(cv_, lock, deadline) == std::cv_status::timeout) deadline_passed = true;
  }
}

InvokeOutcome Environment::Finish(const Invocation& inv, End end) {
  const auto finished_at = clock_->Now();
  InvokeOutcome out;
  std::string status;
  std::string error_type;
  switch (end) {
    case End::kAnswered: {
      std::lock_guard<std::mutex> lock(mu_);
      out.function_error = ending_ != Ending::kResponse;
      out.payload = std::move(answer_);
      if (ending_ == Ending::kTooLarge) {
        status = "error";
        error_type = errors::kResponseSizeTooLarge;
      }
      break;
    }
    case End::kInitError: {
      std::lock_guard<std::mutex> lock(mu_);
      out.function_error = true;
      out.payload = *init_error_;
      status = "error";
      error_type = init_error_type_;
      break;
    }
    case End::kExited: {
      std::string how = "signal: killed";
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (exit_status_) how = DescribeWaitStatus(*exit_status_);
      }
      std::string message = ExitMessage(inv.request_id, how);
      out.function_error = true;
      out.payload = PlatformErrorJson(errors::kRuntimeExitError, message);
      status = "error";
      error_type = errors::kRuntimeExitError;
      output_->BeginInvocation(inv.request_id, fn_.version);
      output_->Drain(false);
      output_->Emit(message);
      output_->Emit(errors::kRuntimeExitError);
      break;
    }
    case End::kTimedOut: {
      supervisor_->KillGroup(pid_);
      out.function_error = true;
      out.payload =
          PlatformErrorJson(errors::kSandboxTimedout, TimeoutMessage(inv.request_id, fn_.timeout_s));
      status = "timeout";
      output_->BeginInvocation(inv.request_id, fn_.version);
      output_->Drain(false);
      output_->Emit(TimeoutLogLine(inv.request_id, fn_.timeout_s));
      break;
    }
  }

  // Everything the function printed before answering is in the pipe by now.
  output_->BeginInvocation(inv.request_id, fn_.version);
  output_->Drain(true);
  ReportFields report;
  report.request_id = inv.request_id;
  report.memory_size_mb = fn_.memory_mb;
  report.max_memory_used_mb = MaxMemoryUsedMb();
  {
    std::lock_guard<std::mutex> lock(mu_);
    report.duration_ms = picked_ ? MsBetween(picked_at_, finished_at) : 0.0;
    if (!init_reported_) {
      report.init_duration_ms = init_duration_ms_;
      if (!init_duration_ms_ && end != End::kAnswered) {
        report.init_duration_ms = MsBetween(spawned_at_, finished_at);
      }
      init_reported_ = true;
    }
  }
  if (end == End::kTimedOut) report.duration_ms = fn_.timeout_s * 1000.0;
  report.status = status;
  report.error_type = error_type;
  output_->Emit(EndLine(inv.request_id) + "\n" + ReportLine(report));  // one write for both
  out.log = output_->EndInvocation();
  return out;
}

std::optional<RuntimeReply> Environment::OnNext(std::shared_ptr<RuntimeConnection> conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    const EnvState from = state_;
    if (!MoveLocked(EnvEvent::kNext)) {
      if (from == EnvState::kInvoking) {
        return RuntimeReply{403, PlatformErrorJson(errors::kInvalidStateTransition,
                                                   "State transition from Running to Ready is not allowed")};
      }
      return RuntimeReply{
          500, PlatformErrorJson(errors::kRuntimeShutdown, "The execution environment is shutting down")};
    }
    if (from == EnvState::kStarting) init_duration_ms_ = MsBetween(spawned_at_, clock_->Now());
    WakeOtherLocked(conn.get());
    parked_.push_back(std::move(conn));
  }
  cv_.notify_all();  // an invoke may be waiting for the runtime
  return std::nullopt;
}

bool Environment::Deliver(const Invocation& inv, std::shared_ptr<RuntimeConnection> conn,
                          Clock::TimePoint deadline) {
  output_->BeginInvocation(inv.request_id, fn_.version);
  NextEvent ev;
  ev.request_id = inv.request_id;
  ev.payload = inv.payload;
  ev.deadline_ms = NowEpochMs() + int64_t(fn_.timeout_s) * 1000;
  ev.invoked_function_arn = inv.invoked_function_arn;
  ev.trace_id = inv.trace_id;
  ev.client_context = inv.client_context;
  if (!RuntimeApiServer::SendEvent(*conn, ev, deadline)) {
    conn->finished = true;
    runtime_api_->Resume(std::move(conn));
    return false;
  }
  if (conn->close_after_event) {
    // The runtime answers on another connection; Invoke waits for it on cv_.
    conn->finished = true;
    runtime_api_->Resume(std::move(conn));
    return true;
  }
  const Served served = ServeHere(conn, deadline, [this] {
    return ending_ != Ending::kNone || state_ == EnvState::kDead;
  });
  if (served == Served::kKept) {
    std::unique_lock<std::mutex> lock(mu_);
    if (state_ != EnvState::kDead) {
      // An older held connection (the runtime moved to another one) goes back to the loop.
      conn.swap(held_);
    }
  }
  if (conn) runtime_api_->Resume(std::move(conn));
  return true;
}

Environment::Served Environment::ServeHere(std::shared_ptr<RuntimeConnection>& conn,
                                           Clock::TimePoint deadline,
                                           const std::function<bool()>& done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    serving_on_ = conn.get();
  }
  Served result = Served::kKept;
  bool deadline_passed = false;
  HttpRequest req;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (delivery_woken_) {
        uint64_t count;
        (void)!read(delivery_fd_, &count, sizeof count);
        delivery_woken_ = false;
      }
      if (done()) break;
    }
    RuntimeConnection::Read got = conn->Next(&req);
    if (got == RuntimeConnection::Read::kRequest) {
      RuntimeApiServer::Served served = runtime_api_->Serve(conn, req, deadline);
      if (served == RuntimeApiServer::Served::kParked) {
        conn.reset();  // OnNext keeps it now
        result = Served::kParked;
        break;
      }
      if (served == RuntimeApiServer::Served::kClose) {
        result = Served::kGone;
        break;
      }
      continue;
    }
    if (got != RuntimeConnection::Read::kWouldBlock) {
      // The loop answers a bad request (still buffered) and closes the connection; the
      // process's exit or the deadline ends the invocation.
      if (got == RuntimeConnection::Read::kClosed) conn->finished = true;
      result = Served::kGone;
      break;
    }
    // After the deadline, one more read above has taken what came just in time.
    if (deadline_passed) break;
    pollfd fds[2] = {{conn->fd(), POLLIN, 0}, {delivery_fd_, POLLIN, 0}};
    const int ready = clock_->Poll(fds, 2, deadline);
    if (ready == 0) deadline_passed = true;
    if (ready < 0 && errno != EINTR) break;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    serving_on_ = nullptr;
  }
  if (result == Served::kGone) {
    runtime_api_->Resume(std::move(conn));  // the loop answers what is buffered, then closes
  }
  return result;
}

RuntimeReply Environment::PostResponse(const RuntimeConnection* from, const std::string& request_id,
                                       std::string body) {
  RuntimeReply reply;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Validated before the move: a response for another invocation changes nothing.
    if (request_id != current_id_ || !EnvMove(state_, EnvEvent::kResponse)) return InvalidRequestId();
    if (body.size() > kMaxResponseBytes) {
      ending_ = Ending::kTooLarge;
      answer_ = PlatformErrorJson(
          errors::kResponseSizeTooLarge,
          fmt::format("Response payload size ({} bytes) exceeded maximum allowed payload size "
                      "({} bytes).",
                      body.size(), kMaxResponseBytes));
      reply = {413, PlatformErrorJson(errors::kRuntimeTooLarge,
                                      fmt::format("Exceeded maximum allowed payload size ({} bytes).",
                                                  kMaxResponseBytes))};
    } else {
      ending_ = Ending::kResponse;
      answer_ = std::move(body);
    }
    MoveLocked(EnvEvent::kResponse);
    if (!parked_.empty()) MoveLocked(EnvEvent::kNext);  // a GET /next it left waiting still waits
    WakeOtherLocked(from);
  }
  cv_.notify_all();
  return reply;
}

RuntimeReply Environment::PostError(const RuntimeConnection* from, const std::string& request_id,
                                    const std::string& error_type, std::string body) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (request_id != current_id_ || !EnvMove(state_, EnvEvent::kError)) return InvalidRequestId();
    ending_ = Ending::kFunctionError;
    if (body.empty() || body.size() > kMaxResponseBytes) {
      body = PlatformErrorJson(error_type.empty() ? errors::kRuntimeUnknown : error_type, "");
    }
    answer_ = std::move(body);
    MoveLocked(EnvEvent::kError);
    if (!parked_.empty()) MoveLocked(EnvEvent::kNext);
    WakeOtherLocked(from);
  }
  cv_.notify_all();
  return {};
}

RuntimeReply Environment::PostInitError(const std::string& error_type, std::string body) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!MoveLocked(EnvEvent::kInitError)) {
      return {403, PlatformErrorJson(errors::kInvalidStateTransition,
                                     "Init error can only be reported during init")};
    }
    init_error_type_ = error_type.empty() ? errors::kRuntimeUnknown : error_type;
    if (body.empty() || body.size() > kMaxResponseBytes) body = PlatformErrorJson(init_error_type_, "");
    init_error_ = std::move(body);
  }
  cv_.notify_all();
  return {};
}

int Environment::MaxMemoryUsedMb() const {
  if (!box_) return 0;
  int64_t bytes = box_->PeakBytes();
  return int((bytes + (1 << 20) - 1) >> 20);
}

}  // namespace ll
