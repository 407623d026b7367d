// MemoryLimiter: enforces a function's MemorySize on its whole process tree and reports
// the peak. Uses a memory cgroup (v2, else v1) where one can be made, else watches RSS.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace ll {

// One box per execution environment. Thread-safe.
class MemoryBox {
 public:
  virtual ~MemoryBox() = default;
  // The cgroup.procs file a child writes itself into; empty when no cgroup is used.
  virtual std::string procs_path() const = 0;
  // Sets the limit on the box's memory (a new box has none). False when it could not be set.
  virtual bool SetLimit(int64_t limit_bytes) = 0;
  // Call once the child's process group exists.
  virtual void Attach(pid_t process_group) = 0;
  // Peak memory of the box so far, in bytes.
  virtual int64_t PeakBytes() const = 0;
};

class MemoryLimiter {
 public:
  virtual ~MemoryLimiter() = default;
  // Picks the best mechanism this machine allows.
  static std::unique_ptr<MemoryLimiter> Create();
  // e.g. "memory cgroup v1 (/sys/fs/cgroup/memory/...)" or "RSS watch every 50 ms".
  virtual std::string Describe() const = 0;
  // True when boxes are cgroups that a process joins through procs_path().
  virtual bool uses_cgroups() const = 0;
  // A new box without a limit, or nullptr when none can be made.
  virtual std::unique_ptr<MemoryBox> NewBox() = 0;
};

}  // namespace ll
