#include "sandbox/function_output.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "model/log_lines.h"

namespace ll {
namespace {

// The tail needs only the last 4 KB; keep a little more of a noisy invocation.
constexpr size_t kCaptureKeepBytes = 64 * 1024;
// A line longer than this is emitted in pieces, so one runaway print cannot eat memory.
constexpr size_t kMaxLineBytes = 256 * 1024;

}  // namespace

FunctionOutput::FunctionOutput(std::string function_name, int fd, LogSink sink)
    : function_name_(std::move(function_name)), fd_(fd), sink_(std::move(sink)) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

FunctionOutput::~FunctionOutput() {
  Stop();
  close(fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void FunctionOutput::Start() { reader_ = std::thread([this] { ReadLoop(); }); }

void FunctionOutput::Stop() {
  if (!reader_.joinable()) return;
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
  reader_.join();
}

void FunctionOutput::ReadLoop() {
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  bool eof = false;
  while (!eof) {
    int n = poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) {
      std::lock_guard<std::mutex> lock(mu_);
      eof = ReadAvailableLocked();
    }
    if (fds[1].revents) break;
  }
  std::lock_guard<std::mutex> lock(mu_);
  ReadAvailableLocked();
  FlushPartialLocked();
}

bool FunctionOutput::ReadAvailableLocked() {
  char buf[65536];
  while (true) {
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) return errno != EAGAIN && errno != EINTR;
    std::string_view chunk(buf, size_t(n));
    while (!chunk.empty()) {
      size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        partial_line_.append(chunk);
        if (partial_line_.size() >= kMaxLineBytes) FlushPartialLocked();
        break;
      }
      if (partial_line_.empty()) {
        EmitLocked(chunk.substr(0, nl));
      } else {
        partial_line_.append(chunk.substr(0, nl));
        FlushPartialLocked();
      }
      chunk.remove_prefix(nl + 1);
    }
  }
}

void FunctionOutput::FlushPartialLocked() {
  if (partial_line_.empty()) return;
  std::string line = std::move(partial_line_);
  partial_line_.clear();
  EmitLocked(line);
}

void FunctionOutput::EmitLocked(std::string_view line) {
  if (capturing_) {
    captured_.append(line);
    captured_ += '\n';
    if (captured_.size() > 2 * kCaptureKeepBytes) {
      captured_.erase(0, captured_.size() - kCaptureKeepBytes);
    }
  }
  if (sink_) sink_(function_name_, line);
}

void FunctionOutput::Emit(std::string_view line) {
  std::lock_guard<std::mutex> lock(mu_);
  EmitLocked(line);
}

void FunctionOutput::Drain(bool flush_partial) {
  std::lock_guard<std::mutex> lock(mu_);
  ReadAvailableLocked();
  if (flush_partial) FlushPartialLocked();
}

void FunctionOutput::BeginInvocation(const std::string& request_id, const std::string& version) {
  std::lock_guard<std::mutex> lock(mu_);
  if (capturing_ && capture_id_ == request_id) return;
  // Output printed during init belongs before START, as in AWS. Later invocations skip this
  // read: the reader thread and the read before END keep their output in order.
  if (!captured_once_) ReadAvailableLocked();
  captured_once_ = true;
  capturing_ = true;
  capture_id_ = request_id;
  captured_.clear();
  EmitLocked(StartLine(request_id, version));
}

std::string FunctionOutput::EndInvocation() {
  std::lock_guard<std::mutex> lock(mu_);
  capturing_ = false;
  capture_id_.clear();
  std::string out = std::move(captured_);
  captured_.clear();
  return out;
}

}  // namespace ll
