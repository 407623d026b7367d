// FakeSupervisor (tests only): a ProcessSupervisor that starts nothing. Each launch gets a
// made-up pid and a real pipe for its output; the test writes to the pipe, ends the
// "process" with Exit, and sees what was launched and killed. KillGroup ends the process at
// once, running its exit callback on the calling thread, which is how a caller that kills
// while holding its own lock would deadlock here. Thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "process/supervisor.h"

namespace ll {

class FakeSupervisor : public ProcessSupervisor {
 public:
  FakeSupervisor() = default;
  ~FakeSupervisor() override;  // closes the pipes still open
  FakeSupervisor(const FakeSupervisor&) = delete;
  FakeSupervisor& operator=(const FakeSupervisor&) = delete;

  Result<LaunchedProcess> Launch(const SpawnSpec& spec, int64_t limit_bytes,
                                 ExitCallback on_exit) override;
  void KillGroup(pid_t pid) override;

  // Runs inside Launch, on the launching thread, once the process "exists" (e.g. to start a
  // fake runtime for it). Set before the first launch.
  std::function<void(pid_t pid, const SpawnSpec& spec)> on_launch;
  // The next Launch fails with `status`. With errors::kRuntimeInvalidEntrypoint its exit
  // callback runs before it returns (exit status 127), as for a program that cannot execute.
  void FailNextLaunch(Status status);

  // The process exits with `wait_status` (e.g. 3 << 8 for "exit status 3"): its output pipe
  // closes and its exit callback runs on this thread. Nothing happens when it has exited.
  void Exit(pid_t pid, int wait_status);
  // Writes to the process's output, as the process would.
  void WriteOutput(pid_t pid, std::string_view text);
  // Blocks until `count` launches have happened; returns the pid of the last of them.
  pid_t AwaitLaunches(int count);
  // Blocks until `pid` has exited.
  void AwaitExit(pid_t pid);

  const SpawnSpec& spec(pid_t pid);  // of a launched pid
  int64_t limit_bytes(pid_t pid);
  int launches() const;
  int kills() const;    // KillGroup calls
  int running() const;  // launched and not exited

 private:
  struct Process {
    SpawnSpec spec;
    int64_t limit_bytes = 0;
    int output_write_fd = -1;
    ExitCallback on_exit;
    bool exited = false;
  };

  mutable std::mutex mu_;
  std::condition_variable changed_;
  // Guarded by mu_.
  std::map<pid_t, Process> processes_;
  pid_t last_pid_ = 4000000;  // above any real pid_max default, and never given to kill(2)
  int launches_ = 0;
  int kills_ = 0;
  std::optional<Status> fail_next_;
};

// The value of AWS_LAMBDA_RUNTIME_API in a spec's environment ("127.0.0.1:<port>"), or "".
std::string RuntimeApiOf(const SpawnSpec& spec);

}  // namespace ll
