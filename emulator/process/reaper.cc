#include "process/reaper.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace ll {
namespace {

// Only async-signal-safe calls between fork and exec.
[[noreturn]] void ChildExec(const SpawnSpec& spec, char* const* argv, char* const* envp,
                            int out_fd, int err_pipe) {
  setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGCHLD, SIGHUP}) signal(sig, SIG_DFL);
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, 0);
  dup2(out_fd, 1);
  dup2(out_fd, 2);
  if (!spec.cgroup_procs_path.empty()) {
    int fd = open(spec.cgroup_procs_path.c_str(), O_WRONLY);
    if (fd >= 0) {
      (void)!write(fd, "0", 1);
      close(fd);
    }
  }
  int err = 0;
  if (chdir(spec.cwd.c_str()) != 0) {
    err = errno;
  } else {
    // Keep only stdio and the exec-error pipe (close-on-exec) open in the function.
    if (err_pipe > 3) syscall(SYS_close_range, 3u, unsigned(err_pipe - 1), 0u);
    syscall(SYS_close_range, unsigned(err_pipe + 1), ~0u, 0u);
    execve(spec.executable.c_str(), argv, envp);
    err = errno;
  }
  (void)!write(err_pipe, &err, sizeof err);
  _exit(127);
}

}  // namespace

Reaper::Reaper() {
  // Orphaned grandchildren come back to us, so nothing outlives the emulator unreaped.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  thread_ = std::thread([this] { Run(); });
}

Reaper::~Reaper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (const auto& [pid, cb] : watched_) kill(-pid, SIGKILL);
  }
  cv_.notify_all();
  thread_.join();
}

void Reaper::KillAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [pid, cb] : watched_) kill(-pid, SIGKILL);
}

Result<SpawnedChild> Reaper::Spawn(const SpawnSpec& spec, ExitCallback on_exit) {
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    return Status::Error("ServiceException", fmt::format("pipe: {}", strerror(errno)));
  }
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return Status::Error("ServiceException", fmt::format("pipe: {}", strerror(errno)));
  }

  pid_t pid;
  {
    // Registered under the lock, so the reaper cannot look the pid up before it is known.
    std::lock_guard<std::mutex> lock(mu_);
    pid = fork();
    if (pid == 0) ChildExec(spec, argv.data(), envp.data(), out[1], err_pipe[1]);
    if (pid > 0) watched_[pid] = std::move(on_exit);
  }
  close(out[1]);
  close(err_pipe[1]);
  if (pid < 0) {
    int e = errno;
    close(out[0]);
    close(err_pipe[0]);
    return Status::Error("ServiceException", fmt::format("fork: {}", strerror(e)));
  }
  cv_.notify_all();
  setpgid(pid, pid);  // also from the parent, so a kill(-pid) right away cannot miss

  int child_errno = 0;
  ssize_t n;
  do {
    n = read(err_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(err_pipe[0]);
  if (n == sizeof child_errno) {
    close(out[0]);  // the child has exited (127); the reaper collects it
    return Status::Error("Runtime.InvalidEntrypoint",
                         fmt::format("cannot execute {}: {}", spec.executable, strerror(child_errno)));
  }
  fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
  return SpawnedChild{pid, out[0]};
}

void Reaper::Run() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !watched_.empty(); });
      if (stopping_ && watched_.empty()) return;
    }
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      // ECHILD with children still watched means they were reaped elsewhere: report them gone.
      std::map<pid_t, ExitCallback> lost;
      {
        std::lock_guard<std::mutex> lock(mu_);
        lost.swap(watched_);
      }
      for (auto& [p, cb] : lost) {
        if (cb) cb(0);
      }
      continue;
    }
    ExitCallback cb;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = watched_.find(pid);
      if (it == watched_.end()) continue;  // an adopted grandchild
      cb = std::move(it->second);
      watched_.erase(it);
    }
    if (cb) cb(status);
  }
}

std::string DescribeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return fmt::format("exit status {}", WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    // Go's os.ProcessState wording, which AWS's messages use.
    switch (WTERMSIG(wait_status)) {
      case SIGKILL: return "signal: killed";
      case SIGSEGV: return "signal: segmentation fault";
      case SIGABRT: return "signal: aborted";
      case SIGTERM: return "signal: terminated";
      case SIGBUS: return "signal: bus error";
      case SIGFPE: return "signal: floating point exception";
      case SIGILL: return "signal: illegal instruction";
      case SIGINT: return "signal: interrupt";
      case SIGPIPE: return "signal: broken pipe";
      default: return fmt::format("signal: {}", strsignal(WTERMSIG(wait_status)));
    }
  }
  return "exit status unknown";
}

std::string FindExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = getenv("PATH");
  std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string dir = p.substr(start, end - start);
    if (!dir.empty()) {
      std::string candidate = dir + "/" + name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return "";
}

}  // namespace ll
