// Reaper: spawns child processes into their own process groups and owns the one thread
// that reaps them, delivering each child's exit status to the callback given at spawn.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "process/spawn_spec.h"

namespace ll {

// A child forked ahead of its spec: it has its process group, its stdio and its cgroup, and
// waits on `control_fd` to be told what to execute. Give it to Launch, or close control_fd
// (it then exits).
struct PreparedChild {
  pid_t pid = -1;
  int output_fd = -1;
  int control_fd = -1;  // our end of a socket pair with the child
};

// Thread-safe. Exit callbacks run on the reaper thread, with no lock held.
class Reaper {
 public:
  using ExitCallback = std::function<void(int wait_status)>;

  Reaper();
  ~Reaper();  // kills the process groups still watched, then joins the thread
  Reaper(const Reaper&) = delete;
  Reaper& operator=(const Reaper&) = delete;

  // Fails with errors::kRuntimeInvalidEntrypoint when the child could not execute its program:
  // only then does a failed Spawn or Launch leave a child whose exit callback is still to run.
  Result<SpawnedChild> Spawn(const SpawnSpec& spec, ExitCallback on_exit);
  // Forks a child that joins `cgroup_procs_path` (when not empty) and then waits for Launch.
  // `on_exit` gets its exit status, whether or not it was launched.
  Result<PreparedChild> Prepare(const std::string& cgroup_procs_path, ExitCallback on_exit);
  // Makes a prepared child execute `spec` (its cgroup_procs_path is ignored). Calls on_taken
  // once the child has the spec, then returns as Spawn does when the exec has succeeded or
  // failed. A child that died before taking it gives an error and no on_taken. Closes
  // child.control_fd, and child.output_fd unless it is returned.
  static Result<SpawnedChild> Launch(const PreparedChild& child, const SpawnSpec& spec,
                                     const std::function<void()>& on_taken);
  // SIGKILLs every process group still watched (a last resort at exit). Async-safe enough to
  // call from a watchdog: it takes only this class's lock.
  void KillAll();

 private:
  // Forks a child that runs `child_main` (async-signal-safe, never returns) and watches it:
  // registered under the lock, so the reaper cannot look the pid up before it is known, and
  // put in its own process group from here too, so a kill(-pid) right away cannot miss.
  Result<pid_t> ForkWatched(ExitCallback on_exit, const std::function<void()>& child_main);
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<pid_t, ExitCallback> watched_;  // guarded by mu_
  bool stopping_ = false;                  // guarded by mu_
  std::thread thread_;
};

// Absolute path of `name` found on PATH (or `name` itself when it contains a '/'); empty if none.
std::string FindExecutable(const std::string& name);

}  // namespace ll
