#include "process/reaper.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "process/exit_box_for_test.h"

using namespace ll;

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

namespace {

std::string ReadAll(int fd) {
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  return out;
}

}  // namespace

TEST_CASE("a prepared child runs what it is launched with") {
  Reaper reaper;
  ExitBox box;
  auto prepared = reaper.Prepare("", box.Callback());
  REQUIRE(prepared.ok());
  SpawnSpec spec;
  spec.executable = "/bin/sh";
  spec.argv = {"sh", "-c", "echo \"$GREETING from $(pwd)\"; echo '' \"$1\" >&2; exit 4", "sh", ""};
  spec.env = {"PATH=/usr/bin:/bin", "GREETING=hello"};
  for (int i = 0; i < 4; ++i) spec.env.push_back(fmt::format("BIG{}={}", i, std::string(60000, 'x')));
  spec.cwd = "/tmp";
  bool taken = false;
  auto child = Reaper::Launch(*prepared, spec, [&] { taken = true; });
  REQUIRE(child.ok());
  CHECK(taken);
  CHECK(child->pid == prepared->pid);
  CHECK(DescribeWaitStatus(box.Wait()) == "exit status 4");
  int flags = fcntl(child->output_fd, F_GETFL);
  fcntl(child->output_fd, F_SETFL, flags & ~O_NONBLOCK);
  CHECK(ReadAll(child->output_fd) == "hello from /tmp\n \n");
  close(child->output_fd);
}

TEST_CASE("a prepared child reports a missing executable") {
  Reaper reaper;
  ExitBox box;
  auto prepared = reaper.Prepare("", box.Callback());
  REQUIRE(prepared.ok());
  SpawnSpec spec;
  spec.executable = "/nonexistent/bootstrap";
  spec.argv = {"bootstrap"};
  spec.cwd = "/";
  auto child = Reaper::Launch(*prepared, spec, [] {});
  REQUIRE_FALSE(child.ok());
  CHECK(child.status().code() == "Runtime.InvalidEntrypoint");
  CHECK(child.status().message().find("No such file or directory") != std::string::npos);
  CHECK(DescribeWaitStatus(box.Wait()) == "exit status 127");
}

TEST_CASE("a prepared child that is never launched exits when let go") {
  Reaper reaper;
  ExitBox box;
  auto prepared = reaper.Prepare("", box.Callback());
  REQUIRE(prepared.ok());
  close(prepared->control_fd);
  CHECK(DescribeWaitStatus(box.Wait()) == "exit status 0");
  close(prepared->output_fd);
}

TEST_CASE("a prepared child that died is not taken for launched") {
  Reaper reaper;
  ExitBox box;
  auto prepared = reaper.Prepare("", box.Callback());
  REQUIRE(prepared.ok());
  kill(prepared->pid, SIGKILL);
  box.Wait();
  SpawnSpec spec;
  spec.executable = "/bin/true";
  spec.argv = {"true"};
  spec.cwd = "/";
  bool taken = false;
  auto child = Reaper::Launch(*prepared, spec, [&] { taken = true; });
  CHECK_FALSE(child.ok());
  CHECK_FALSE(taken);
}

TEST_CASE("a prepared child refuses a spec with more strings than it can hold") {
  Reaper reaper;
  ExitBox box;
  auto prepared = reaper.Prepare("", box.Callback());
  REQUIRE(prepared.ok());
  SpawnSpec spec;
  spec.executable = "/bin/true";
  spec.argv = {"true"};
  spec.cwd = "/";
  for (int i = 0; i < 17000; ++i) spec.env.push_back(fmt::format("V{}=1", i));
  bool taken = false;
  auto child = Reaper::Launch(*prepared, spec, [&] { taken = true; });
  CHECK_FALSE(child.ok());
  CHECK_FALSE(taken);
  CHECK(DescribeWaitStatus(box.Wait()) == "exit status 127");
}
