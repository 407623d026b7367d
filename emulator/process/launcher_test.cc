#include "process/launcher.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "model/error_names.h"
#include "process/exit_box_for_test.h"

using namespace ll;

namespace {

// Runs `script` through the launcher and returns what it printed.
std::string Run(Launcher& launcher, const std::string& script) {
  ExitBox exit;
  SpawnSpec spec;
  spec.executable = "/bin/sh";
  spec.argv = {"sh", "-c", script};
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.cwd = "/";
  auto launched = launcher.Launch(spec, 64 << 20, exit.Callback());
  REQUIRE(launched.ok());
  exit.Wait();
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(launched->child.output_fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  close(launched->child.output_fd);
  return out;
}

// Live (not zombie) children of this process.
std::vector<pid_t> LiveChildren() {
  std::vector<pid_t> kids;
  DIR* proc = opendir("/proc");
  while (dirent* e = readdir(proc)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/stat");
    std::string line;
    std::getline(in, line);
    size_t paren = line.rfind(')');
    if (paren == std::string::npos || paren + 4 >= line.size()) continue;
    char state = line[paren + 2];
    pid_t ppid = pid_t(std::atoi(line.c_str() + paren + 4));
    if (ppid == getpid() && state != 'Z') kids.push_back(pid_t(std::atoi(e->d_name)));
  }
  closedir(proc);
  return kids;
}

}  // namespace

TEST_CASE("launched processes run in a box of their own, one after another") {
  Reaper reaper;
  std::unique_ptr<MemoryLimiter> limiter = MemoryLimiter::Create();
  Launcher launcher(&reaper, limiter.get());
  std::string first = Run(launcher, "cat /proc/self/cgroup; echo done");
  std::string second = Run(launcher, "cat /proc/self/cgroup; echo done");
  CHECK(first.find("done") != std::string::npos);
  CHECK(second.find("done") != std::string::npos);
  if (limiter->uses_cgroups()) {
    CHECK(first.find("/env-") != std::string::npos);
    CHECK(second.find("/env-") != std::string::npos);
    CHECK(first != second);  // a fresh box each time
  }
}

TEST_CASE("a launch works when the waiting child has died") {
  Reaper reaper;
  std::unique_ptr<MemoryLimiter> limiter = MemoryLimiter::Create();
  Launcher launcher(&reaper, limiter.get());
  for (pid_t kid : LiveChildren()) kill(kid, SIGKILL);
  CHECK(Run(launcher, "echo ok") == "ok\n");
  CHECK(Run(launcher, "echo again") == "again\n");
}

TEST_CASE("the memory limit applies to a launched process") {
  Reaper reaper;
  std::unique_ptr<MemoryLimiter> limiter = MemoryLimiter::Create();
  if (!limiter->uses_cgroups()) return;  // the RSS watch is covered by the integration tests
  Launcher launcher(&reaper, limiter.get());
  ExitBox exit;
  SpawnSpec spec;
  spec.executable = "/usr/bin/python3";
  spec.argv = {"python3", "-c", "b = bytearray(256 << 20); print('survived')"};
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.cwd = "/";
  auto launched = launcher.Launch(spec, 64 << 20, exit.Callback());
  REQUIRE(launched.ok());
  CHECK(DescribeWaitStatus(exit.Wait()) == "signal: killed");
  CHECK(launched->box->PeakBytes() >= (60 << 20));
  close(launched->child.output_fd);
}

TEST_CASE("a launch that cannot create a process fails without an exit to wait for") {
  Reaper reaper;
  Launcher launcher(&reaper, nullptr);
  // Out of descriptors: the output pipe cannot be made.
  rlimit saved;
  REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
  int lowest_free = dup(0);
  close(lowest_free);
  rlimit tight = saved;
  tight.rlim_cur = rlim_t(lowest_free);
  REQUIRE(setrlimit(RLIMIT_NOFILE, &tight) == 0);
  bool exited = false;
  SpawnSpec spec;
  spec.executable = "/bin/true";
  spec.argv = {"true"};
  spec.cwd = "/";
  auto launched = launcher.Launch(spec, 64 << 20, [&](int) { exited = true; });
  setrlimit(RLIMIT_NOFILE, &saved);
  REQUIRE_FALSE(launched.ok());
  CHECK(launched.status().code() != errors::kRuntimeInvalidEntrypoint);
  CHECK_FALSE(exited);
}
