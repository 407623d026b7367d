#include "process/fake_supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "model/error_names.h"

namespace ll {

FakeSupervisor::~FakeSupervisor() {
  for (auto& [pid, p] : processes_) {
    if (p.output_write_fd >= 0) close(p.output_write_fd);
  }
}

Result<LaunchedProcess> FakeSupervisor::Launch(const SpawnSpec& spec, int64_t limit_bytes,
                                               ExitCallback on_exit) {
  pid_t pid = -1;
  int fds[2] = {-1, -1};
  std::optional<Status> failure;
  {
    std::lock_guard<std::mutex> lock(mu_);
    failure.swap(fail_next_);
    if (!failure) {
      if (pipe2(fds, O_CLOEXEC) != 0) return Status::Error(errors::kService, "pipe failed");
      fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
      pid = ++last_pid_;
      Process& p = processes_[pid];
      p.spec = spec;
      p.limit_bytes = limit_bytes;
      p.output_write_fd = fds[1];
      p.on_exit = std::move(on_exit);
      ++launches_;
    }
  }
  if (failure) {
    // As the real one: a program that could not be executed leaves a child, which exits 127.
    if (failure->code() == errors::kRuntimeInvalidEntrypoint) on_exit(127 << 8);
    return *failure;
  }
  changed_.notify_all();
  if (on_launch) on_launch(pid, spec);
  LaunchedProcess launched;
  launched.child = SpawnedChild{pid, fds[0]};
  return launched;
}

void FakeSupervisor::KillGroup(pid_t pid) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++kills_;
  }
  Exit(pid, SIGKILL);
}

void FakeSupervisor::FailNextLaunch(Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_next_ = std::move(status);
}

void FakeSupervisor::Exit(pid_t pid, int wait_status) {
  ExitCallback on_exit;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = processes_.find(pid);
    if (it == processes_.end() || it->second.exited) return;
    Process& p = it->second;
    p.exited = true;
    close(p.output_write_fd);
    p.output_write_fd = -1;
    on_exit = std::move(p.on_exit);
  }
  if (on_exit) on_exit(wait_status);  // after the callback, as a reaper reports a reaped child
  changed_.notify_all();
}

void FakeSupervisor::WriteOutput(pid_t pid, std::string_view text) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = processes_.find(pid);
  if (it == processes_.end() || it->second.output_write_fd < 0) return;
  while (!text.empty()) {
    ssize_t n = write(it->second.output_write_fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(size_t(n));
  }
}

pid_t FakeSupervisor::AwaitLaunches(int count) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return launches_ >= count; });
  return last_pid_;
}

void FakeSupervisor::AwaitExit(pid_t pid) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] {
    auto it = processes_.find(pid);
    return it != processes_.end() && it->second.exited;
  });
}

const SpawnSpec& FakeSupervisor::spec(pid_t pid) {
  std::lock_guard<std::mutex> lock(mu_);
  return processes_.at(pid).spec;  // map nodes stay put: the reference outlives the lock
}

int64_t FakeSupervisor::limit_bytes(pid_t pid) {
  std::lock_guard<std::mutex> lock(mu_);
  return processes_.at(pid).limit_bytes;
}

int FakeSupervisor::launches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return launches_;
}

int FakeSupervisor::kills() const {
  std::lock_guard<std::mutex> lock(mu_);
  return kills_;
}

int FakeSupervisor::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const auto& [pid, p] : processes_) n += p.exited ? 0 : 1;
  return n;
}

std::string RuntimeApiOf(const SpawnSpec& spec) {
  constexpr std::string_view kName = "AWS_LAMBDA_RUNTIME_API=";
  for (const auto& e : spec.env) {
    if (e.rfind(kName, 0) == 0) return e.substr(kName.size());
  }
  return "";
}

}  // namespace ll
