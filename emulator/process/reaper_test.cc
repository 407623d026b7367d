#include "process/reaper.h"

#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>

#include <catch2/catch.hpp>

using namespace ll;

namespace {

struct ExitBox {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<int> status;
  int Wait() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return status.has_value(); });
    return *status;
  }
  Reaper::ExitCallback Callback() {
    return [this](int s) {
      std::lock_guard<std::mutex> lock(mu);
      status = s;
      cv.notify_all();
    };
  }
};

}  // namespace

TEST_CASE("spawned children are reaped and their output piped") {
  Reaper reaper;
  ExitBox box;
  SpawnSpec spec;
  spec.executable = "/bin/sh";
  spec.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"};
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.cwd = "/";
  auto child = reaper.Spawn(spec, box.Callback());
  REQUIRE(child.ok());
  int status = box.Wait();
  CHECK(DescribeWaitStatus(status) == "exit status 3");
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(child->output_fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  close(child->output_fd);
  CHECK(out == "out\nerr\n");
}

TEST_CASE("a missing executable is reported, not crashed on") {
  Reaper reaper;
  ExitBox box;
  SpawnSpec spec;
  spec.executable = "/nonexistent/bootstrap";
  spec.argv = {"bootstrap"};
  spec.cwd = "/";
  auto child = reaper.Spawn(spec, box.Callback());
  REQUIRE_FALSE(child.ok());
  CHECK(child.status().message().find("No such file or directory") != std::string::npos);
  box.Wait();
}

TEST_CASE("killed children are described as Go does") {
  CHECK(DescribeWaitStatus(SIGKILL) == "signal: killed");  // WIFSIGNALED encoding
  CHECK(DescribeWaitStatus(1 << 8) == "exit status 1");
}
