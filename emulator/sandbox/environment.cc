#include "sandbox/environment.h"

#include <poll.h>
#include <signal.h>
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

using Clock = std::chrono::steady_clock;

// AWS: a runtime may answer with up to 6 MiB + 100 bytes.
constexpr size_t kMaxResponseBytes = 6291556;
// AWS gives init 10 s before it retries it under the function's own timeout.
constexpr auto kInitAllowance = std::chrono::seconds(10);
// The tail needs only the last 4 KB; keep a little more of a noisy invocation.
constexpr size_t kCaptureKeepBytes = 64 * 1024;
// A line longer than this is emitted in pieces, so one runaway print cannot eat memory.
constexpr size_t kMaxLineBytes = 256 * 1024;

double MsBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

RuntimeReply InvalidRequestId() {
  return {400, PlatformErrorJson(errors::kInvalidRequestId, "Invalid request ID")};
}

}  // namespace

Environment::Environment(const FunctionConfig& fn, const EnvironmentDeps& deps)
    : fn_(fn), deps_(deps) {}

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

  env->wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  env->delivery_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  env->spawned_at_ = Clock::now();
  Environment* raw = env.get();
  auto launched = deps.launcher->Launch(spec, int64_t(fn.memory_mb) << 20,
                                       [raw](int status) { raw->OnExit(status); });
  if (!launched.ok()) {
    if (launched.status().code() == errors::kRuntimeInvalidEntrypoint) {
      // That child exists until the reaper has collected it; wait, so OnExit cannot outlive us.
      std::unique_lock<std::mutex> lock(env->mu_);
      env->cv_.wait(lock, [&] { return env->exit_status_.has_value(); });
    }
    return launched.status();
  }
  env->pid_ = launched->child.pid;
  env->output_fd_ = launched->child.output_fd;
  env->box_ = std::move(launched->box);
  env->reader_ = std::thread([raw] { raw->ReadOutputLoop(); });
  return env;
}

Environment::~Environment() {
  Kill();
  if (output_fd_ >= 0) close(output_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
  if (delivery_fd_ >= 0) close(delivery_fd_);
}

bool Environment::reusable() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_ != State::kDead && !stopping_;
}

void Environment::Kill() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
    WakeDeliveryLocked();
    if (pid_ > 0 && !exit_status_) {
      kill(-pid_, SIGKILL);
      cv_.wait(lock, [&] { return exit_status_.has_value(); });
    }
    parked_.clear();
    held_.reset();
  }
  if (runtime_api_) runtime_api_->Stop();
  if (reader_.joinable()) {
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
    reader_.join();
  }
}

void Environment::OnExit(int wait_status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    exit_status_ = wait_status;
    state_ = State::kDead;
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

InvokeOutcome Environment::Invoke(const Invocation& inv) {
  enum class End { kAnswered, kInitError, kExited, kTimedOut };
  End end;
  Clock::time_point picked_at;
  bool was_picked;
  {
    std::unique_lock<std::mutex> lock(mu_);
    picked_ = false;
    ending_ = Ending::kNone;
    answer_.clear();
    answer_error_type_.clear();
    // The timeout runs from the invoke; a cold environment first gets AWS's init allowance.
    const auto timeout = std::chrono::seconds(fn_.timeout_s);
    const auto unpicked_deadline =
        state_ == State::kStarting ? std::max(spawned_at_ + kInitAllowance, Clock::now()) + timeout
                                   : Clock::now() + timeout;
    while (true) {
      if (ending_ != Ending::kNone) {
        end = End::kAnswered;
        break;
      }
      if (init_error_ && !picked_) {
        end = End::kInitError;
        break;
      }
      if (exit_status_) {
        end = End::kExited;
        break;
      }
      if (stopping_) {
        end = End::kExited;
        break;
      }
      if (!picked_ && !parked_.empty() && Clock::now() < unpicked_deadline) {
        // The runtime is waiting in GET /next: answer it from this thread.
        std::shared_ptr<RuntimeConnection> conn = std::move(parked_.front());
        parked_.pop_front();
        state_ = State::kInvoking;
        current_id_ = inv.request_id;
        picked_ = true;
        picked_at_ = Clock::now();
        const auto deadline = picked_at_ + timeout;
        lock.unlock();
        const bool sent = Deliver(inv, std::move(conn), deadline);
        lock.lock();
        if (!sent && state_ == State::kInvoking && ending_ == Ending::kNone && Clock::now() < deadline) {
          // That connection was gone: the event waits for the runtime's next GET /next.
          state_ = State::kReady;
          picked_ = false;
          current_id_.clear();
        }
        continue;
      }
      if (!picked_ && held_ && Clock::now() < unpicked_deadline) {
        // The runtime's next GET /next comes on the connection the last event went out on:
        // read it here rather than waking the loop thread for it.
        std::shared_ptr<RuntimeConnection> conn = std::move(held_);
        lock.unlock();
        const Served served = ServeHere(conn, unpicked_deadline, [this] {
          return !parked_.empty() || exit_status_ || stopping_;
        });
        if (served == Served::kKept) runtime_api_->Resume(std::move(conn));  // another one spoke first
        lock.lock();
        continue;
      }
      const auto deadline = picked_ ? picked_at_ + timeout : unpicked_deadline;
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && Clock::now() >= deadline &&
          ending_ == Ending::kNone && !exit_status_ && !(init_error_ && !picked_)) {
        end = End::kTimedOut;
        break;
      }
    }
    was_picked = picked_;
    picked_at = picked_at_;
    if (end != End::kAnswered) state_ = State::kDead;
  }
  const auto finished_at = Clock::now();

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
      BeginCapture(inv.request_id, fn_.version);
      {
        std::lock_guard<std::mutex> lock(log_mu_);
        ReadAvailableLocked();
      }
      EmitLine(message);
      EmitLine(errors::kRuntimeExitError);
      break;
    }
    case End::kTimedOut: {
      kill(-pid_, SIGKILL);
      out.function_error = true;
      out.payload =
          PlatformErrorJson(errors::kSandboxTimedout, TimeoutMessage(inv.request_id, fn_.timeout_s));
      status = "timeout";
      BeginCapture(inv.request_id, fn_.version);
      {
        std::lock_guard<std::mutex> lock(log_mu_);
        ReadAvailableLocked();
      }
      EmitLine(TimeoutLogLine(inv.request_id, fn_.timeout_s));
      break;
    }
  }

  // Everything the function printed before answering is in the pipe by now.
  BeginCapture(inv.request_id, fn_.version);
  {
    std::lock_guard<std::mutex> lock(log_mu_);
    ReadAvailableLocked();
    if (!partial_line_.empty()) {
      std::string rest = std::move(partial_line_);
      partial_line_.clear();
      EmitLineLocked(rest);
    }
  }
  ReportFields report;
  report.request_id = inv.request_id;
  report.duration_ms = was_picked ? MsBetween(picked_at, finished_at) : 0.0;
  if (end == End::kTimedOut) report.duration_ms = fn_.timeout_s * 1000.0;
  report.memory_size_mb = fn_.memory_mb;
  report.max_memory_used_mb = MaxMemoryUsedMb();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!init_reported_) {
      report.init_duration_ms = init_duration_ms_;
      if (!init_duration_ms_ && end != End::kAnswered) {
        report.init_duration_ms = MsBetween(spawned_at_, finished_at);
      }
      init_reported_ = true;
    }
  }
  report.status = status;
  report.error_type = error_type;
  EmitLine(EndLine(inv.request_id) + "\n" + ReportLine(report));  // one write for both
  out.log = EndCapture();
  return out;
}

std::optional<RuntimeReply> Environment::OnNext(std::shared_ptr<RuntimeConnection> conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || state_ == State::kDead) {
      return RuntimeReply{
          500, PlatformErrorJson(errors::kRuntimeShutdown, "The execution environment is shutting down")};
    }
    if (state_ == State::kInvoking) {
      return RuntimeReply{403, PlatformErrorJson(errors::kInvalidStateTransition,
                                                 "State transition from Running to Ready is not allowed")};
    }
    if (state_ == State::kStarting) {
      init_duration_ms_ = MsBetween(spawned_at_, Clock::now());
      state_ = State::kReady;
    }
    if (serving_on_ && serving_on_ != conn.get()) WakeDeliveryLocked();
    parked_.push_back(std::move(conn));
  }
  cv_.notify_all();  // an invoke may be waiting for the runtime
  return std::nullopt;
}

bool Environment::Deliver(const Invocation& inv, std::shared_ptr<RuntimeConnection> conn,
                          Clock::time_point deadline) {
  BeginCapture(inv.request_id, fn_.version);
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
    return ending_ != Ending::kNone || exit_status_ || stopping_;
  });
  if (served == Served::kKept) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!stopping_ && !exit_status_) {
      // An older held connection (the runtime moved to another one) goes back to the loop.
      conn.swap(held_);
    }
  }
  if (conn) runtime_api_->Resume(std::move(conn));
  return true;
}

Environment::Served Environment::ServeHere(std::shared_ptr<RuntimeConnection>& conn,
                                           Clock::time_point deadline,
                                           const std::function<bool()>& done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    serving_on_ = conn.get();
  }
  Served result = Served::kKept;
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
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() < 0) break;
    pollfd fds[2] = {{conn->fd(), POLLIN, 0}, {delivery_fd_, POLLIN, 0}};
    if (poll(fds, 2, int(std::min<int64_t>(left.count() + 1, 1 << 30))) < 0 && errno != EINTR) break;
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
    if (state_ != State::kInvoking || request_id != current_id_ || ending_ != Ending::kNone) {
      return InvalidRequestId();
    }
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
    state_ = State::kReady;
    if (serving_on_ && serving_on_ != from) WakeDeliveryLocked();
  }
  cv_.notify_all();
  return reply;
}

RuntimeReply Environment::PostError(const RuntimeConnection* from, const std::string& request_id,
                                    const std::string& error_type, std::string body) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kInvoking || request_id != current_id_ || ending_ != Ending::kNone) {
      return InvalidRequestId();
    }
    ending_ = Ending::kFunctionError;
    answer_error_type_ = error_type.empty() ? errors::kRuntimeUnknown : error_type;
    if (body.empty() || body.size() > kMaxResponseBytes) {
      body = PlatformErrorJson(answer_error_type_, "");
    }
    answer_ = std::move(body);
    state_ = State::kReady;
    if (serving_on_ && serving_on_ != from) WakeDeliveryLocked();
  }
  cv_.notify_all();
  return {};
}

RuntimeReply Environment::PostInitError(const std::string& error_type, std::string body) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kStarting) {
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

void Environment::ReadOutputLoop() {
  pollfd fds[2] = {{output_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  bool eof = false;
  while (!eof) {
    int n = poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) {
      std::lock_guard<std::mutex> lock(log_mu_);
      eof = ReadAvailableLocked();
    }
    if (fds[1].revents) break;
  }
  std::lock_guard<std::mutex> lock(log_mu_);
  ReadAvailableLocked();
  if (!partial_line_.empty()) {
    std::string rest = std::move(partial_line_);
    partial_line_.clear();
    EmitLineLocked(rest);
  }
}

bool Environment::ReadAvailableLocked() {
  char buf[65536];
  while (true) {
    ssize_t n = read(output_fd_, buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) return errno != EAGAIN && errno != EINTR;
    std::string_view chunk(buf, size_t(n));
    while (!chunk.empty()) {
      size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        partial_line_.append(chunk);
        if (partial_line_.size() >= kMaxLineBytes) {
          std::string piece = std::move(partial_line_);
          partial_line_.clear();
          EmitLineLocked(piece);
        }
        break;
      }
      if (partial_line_.empty()) {
        EmitLineLocked(chunk.substr(0, nl));
      } else {
        partial_line_.append(chunk.substr(0, nl));
        std::string line = std::move(partial_line_);
        partial_line_.clear();
        EmitLineLocked(line);
      }
      chunk.remove_prefix(nl + 1);
    }
  }
}

void Environment::EmitLineLocked(std::string_view line) {
  if (capturing_) {
    captured_.append(line);
    captured_ += '\n';
    if (captured_.size() > 2 * kCaptureKeepBytes) {
      captured_.erase(0, captured_.size() - kCaptureKeepBytes);
    }
  }
  if (deps_.sink) deps_.sink(fn_.name, line);
}

void Environment::EmitLine(std::string_view line) {
  std::lock_guard<std::mutex> lock(log_mu_);
  EmitLineLocked(line);
}

void Environment::BeginCapture(const std::string& request_id, const std::string& version) {
  std::lock_guard<std::mutex> lock(log_mu_);
  if (capturing_ && capture_id_ == request_id) return;
  // Output printed during init belongs before START, as in AWS. Later invocations skip this
  // read: the reader thread and the read before END keep their output in order.
  if (!captured_once_) ReadAvailableLocked();
  captured_once_ = true;
  capturing_ = true;
  capture_id_ = request_id;
  captured_.clear();
  EmitLineLocked(StartLine(request_id, version));
}

std::string Environment::EndCapture() {
  std::lock_guard<std::mutex> lock(log_mu_);
  capturing_ = false;
  capture_id_.clear();
  std::string out = std::move(captured_);
  captured_.clear();
  return out;
}

int Environment::MaxMemoryUsedMb() const {
  if (!box_) return 0;
  int64_t bytes = box_->PeakBytes();
  return int((bytes + (1 << 20) - 1) >> 20);
}

}  // namespace ll
