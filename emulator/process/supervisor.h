// ProcessSupervisor: all an execution environment asks of the operating system for its
// runtime process: start it in its own process group under a memory limit, kill that group,
// and hear once that it has exited. Launcher is the real one; tests use FakeSupervisor.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "base/status.h"
#include "process/memory_limit.h"
#include "process/spawn_spec.h"

namespace ll {

struct LaunchedProcess {
  SpawnedChild child;              // the caller closes child.output_fd
  std::unique_ptr<MemoryBox> box;  // null when no box could be made: no limit
};

// Thread-safe.
class ProcessSupervisor {
 public:
  // Called once with the wait status when the process has exited and been reaped, on a
  // thread of the supervisor's choosing (perhaps inside KillGroup), with no lock of its held.
  using ExitCallback = std::function<void(int wait_status)>;

  virtual ~ProcessSupervisor() = default;
  // Starts `spec` (its cgroup_procs_path is ignored) in its own process group, limited to
  // `limit_bytes` of memory. Fails with errors::kRuntimeInvalidEntrypoint when the program
  // could not be executed: only then has a failed Launch a child whose on_exit is still to run.
  virtual Result<LaunchedProcess> Launch(const SpawnSpec& spec, int64_t limit_bytes,
                                         ExitCallback on_exit) = 0;
  // SIGKILLs the process group `pid` leads. Its exit callback follows.
  virtual void KillGroup(pid_t pid) = 0;
};

}  // namespace ll
