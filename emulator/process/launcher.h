// Launcher: starts a process in a fresh memory box. It keeps one child waiting inside a box
// of its own, because moving a process into a cgroup makes the kernel wait for an RCU grace
// period (7-20 ms on the development VM) unless another move happened just before.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "base/status.h"
#include "process/memory_limit.h"
#include "process/reaper.h"
#include "process/supervisor.h"

namespace ll {

// Thread-safe. The real ProcessSupervisor.
class Launcher : public ProcessSupervisor {
 public:
  // `limiter` may be null (no limit, nothing kept waiting). Prepares the first waiting child.
  Launcher(Reaper* reaper, MemoryLimiter* limiter);
  ~Launcher() override;  // kills the waiting child and waits until it is reaped
  Launcher(const Launcher&) = delete;
  Launcher& operator=(const Launcher&) = delete;

  // Starts `spec` (its cgroup_procs_path is ignored) in a box limited to `limit_bytes`: the
  // waiting child when there is one, else a new child. `on_exit` as for Reaper::Spawn.
  Result<LaunchedProcess> Launch(const SpawnSpec& spec, int64_t limit_bytes,
                                 ExitCallback on_exit) override;
  // kill(-pid, SIGKILL); the Reaper then runs the exit callback.
  void KillGroup(pid_t pid) override;

 private:
  struct Waiting;
  struct Slot;  // routes a waiting child's exit to the launch that took it

  // Forks the next waiting child unless one exists or is being made.
  void Refill();

  Reaper* const reaper_;
  MemoryLimiter* const limiter_;

  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_.
  std::unique_ptr<Waiting> waiting_;
  bool refilling_ = false;
  int unreaped_ = 0;  // waiting children, taken or not, whose exit was not routed to a launch
  bool stopping_ = false;
};

}  // namespace ll
