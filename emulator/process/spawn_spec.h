// SpawnSpec and SpawnedChild: what to start as a child process, what the caller gets back,
// and the words for how it ended.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace ll {

struct SpawnSpec {
  std::string executable;          // absolute path
  std::vector<std::string> argv;   // argv[0] included
  std::vector<std::string> env;    // "NAME=value"; the child gets exactly these
  std::filesystem::path cwd;
  std::string cgroup_procs_path;   // when set, the child joins this cgroup before exec
};

struct SpawnedChild {
  pid_t pid = -1;      // also the process group id
  int output_fd = -1;  // read end of the child's stdout+stderr pipe (non-blocking, close-on-exec)
};

// How a child ended, from its wait status: "exit status 1" / "signal: killed", as the
// Go-based AWS platform words it.
std::string DescribeWaitStatus(int wait_status);

}  // namespace ll
