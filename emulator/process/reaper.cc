#include "process/reaper.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "model/error_names.h"

namespace ll {
namespace {

// Only async-signal-safe calls between fork and exec, in the functions below.

// Its own process group, default signals, stdin from /dev/null, stdout and stderr to out_fd.
void SetUpChild(int out_fd) {
  setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGCHLD, SIGHUP}) signal(sig, SIG_DFL);
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, 0);
  dup2(out_fd, 1);
  dup2(out_fd, 2);
}

void JoinCgroup(const char* procs_path) {
  if (procs_path[0] == '\0') return;
  int fd = open(procs_path, O_WRONLY);
  if (fd >= 0) {
    (void)!write(fd, "0", 1);
    close(fd);
  }
}

// Closes every descriptor from 3 up except `keep`.
void CloseAllExcept(int keep) {
  if (keep > 3) syscall(SYS_close_range, 3u, unsigned(keep - 1), 0u);
  syscall(SYS_close_range, unsigned(keep + 1), ~0u, 0u);
}

// Executes, keeping only stdio and err_fd (close-on-exec) open; on failure writes errno to
// err_fd and exits 127.
[[noreturn]] void ExecIn(const char* cwd, const char* executable, char* const* argv,
                         char* const* envp, int err_fd) {
  int err = 0;
  if (chdir(cwd) != 0) {
    err = errno;
  } else {
    CloseAllExcept(err_fd);
    execve(executable, argv, envp);
    err = errno;
  }
  (void)!write(err_fd, &err, sizeof err);
  _exit(127);
}

[[noreturn]] void ChildExec(const SpawnSpec& spec, char* const* argv, char* const* envp,
                            int out_fd, int err_pipe) {
  SetUpChild(out_fd);
  JoinCgroup(spec.cgroup_procs_path.c_str());
  ExecIn(spec.cwd.c_str(), spec.executable.c_str(), argv, envp, err_pipe);
}

// A prepared child's spec arrives as its size (8 bytes), then NUL-terminated strings: the
// executable, the working directory, the number of arguments, the arguments, the environment.
// Static, so that the child allocates nothing before exec.
constexpr size_t kMaxSpecBytes = 1 << 20;
constexpr size_t kMaxSpecStrings = 16384;
char g_spec[kMaxSpecBytes];
char* g_spec_strings[kMaxSpecStrings + 2];

bool ReadFull(int fd, void* buf, size_t n) {
  char* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= size_t(r);
  }
  return true;
}

// The string at *at, moving *at past its NUL.
char* NextString(char** at) {
  char* s = *at;
  while (**at != '\0') ++*at;
  ++*at;
  return s;
}

struct ParsedSpec {
  char* executable = nullptr;
  char* cwd = nullptr;
  char** argv = nullptr;
  char** envp = nullptr;
};

// Splits g_spec[0, size) (NUL-terminated strings, the last one included) in place.
bool ParseSpec(size_t size, ParsedSpec* out) {
  char* at = g_spec;
  char* const end = g_spec + size;
  if (at == end) return false;
  out->executable = NextString(&at);
  if (at == end) return false;
  out->cwd = NextString(&at);
  if (at == end) return false;
  size_t argc = 0;
  for (const char* digit = NextString(&at); *digit != '\0'; ++digit) {
    if (*digit < '0' || *digit > '9' || argc > kMaxSpecStrings) return false;
    argc = argc * 10 + size_t(*digit - '0');
  }
  size_t n = 0;
  out->argv = g_spec_strings;
  while (n < argc) {
    if (at == end || n >= kMaxSpecStrings) return false;
    g_spec_strings[n++] = NextString(&at);
  }
  g_spec_strings[n++] = nullptr;
  out->envp = &g_spec_strings[n];
  while (at < end) {
    if (n >= kMaxSpecStrings) return false;
    g_spec_strings[n++] = NextString(&at);
  }
  g_spec_strings[n] = nullptr;
  return true;
}

[[noreturn]] void PreparedChildMain(const char* procs_path, int out_fd, int control_fd) {
  SetUpChild(out_fd);
  // Nothing of the emulator's (client sockets, listeners) stays open while this child waits.
  CloseAllExcept(control_fd);
  JoinCgroup(procs_path);
  uint64_t size = 0;
  if (!ReadFull(control_fd, &size, sizeof size)) _exit(0);  // never launched
  ParsedSpec spec;
  if (size > 0 && size <= kMaxSpecBytes && ReadFull(control_fd, g_spec, size) && g_spec[size - 1] == '\0' &&
      ParseSpec(size, &spec) && write(control_fd, "k", 1) == 1) {
    // Taken: from here on, an exit is the launched process's.
    ExecIn(spec.cwd, spec.executable, spec.argv, spec.envp, control_fd);
  }
  int err = E2BIG;
  (void)!write(control_fd, &err, sizeof err);
  _exit(127);
}

Status ExecError(const std::string& executable, int child_errno) {
  return Status::Error(errors::kRuntimeInvalidEntrypoint,
                       fmt::format("cannot execute {}: {}", executable, strerror(child_errno)));
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
    return Status::Error(errors::kService, fmt::format("pipe: {}", strerror(errno)));
  }
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    int e = errno;
    close(out[0]);
    close(out[1]);
    return Status::Error(errors::kService, fmt::format("pipe: {}", strerror(e)));
  }
  auto pid = ForkWatched(std::move(on_exit),
                         [&] { ChildExec(spec, argv.data(), envp.data(), out[1], err_pipe[1]); });
  close(out[1]);
  close(err_pipe[1]);
  if (!pid.ok()) {
    close(out[0]);
    close(err_pipe[0]);
    return pid.status();
  }

  int child_errno = 0;
  ssize_t n;
  do {
    n = read(err_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(err_pipe[0]);
  if (n == sizeof child_errno) {
    close(out[0]);  // the child has exited (127); the reaper collects it
    return ExecError(spec.executable, child_errno);
  }
  fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
  return SpawnedChild{*pid, out[0]};
}

Result<PreparedChild> Reaper::Prepare(const std::string& cgroup_procs_path, ExitCallback on_exit) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    return Status::Error(errors::kService, fmt::format("pipe: {}", strerror(errno)));
  }
  int control[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, control) != 0) {
    int e = errno;
    close(out[0]);
    close(out[1]);
    return Status::Error(errors::kService, fmt::format("socketpair: {}", strerror(e)));
  }
  auto pid = ForkWatched(std::move(on_exit),
                         [&] { PreparedChildMain(cgroup_procs_path.c_str(), out[1], control[1]); });
  close(out[1]);
  close(control[1]);
  if (!pid.ok()) {
    close(out[0]);
    close(control[0]);
    return pid.status();
  }
  fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
  return PreparedChild{*pid, out[0], control[0]};
}

Result<SpawnedChild> Reaper::Launch(const PreparedChild& child, const SpawnSpec& spec,
                                    const std::function<void()>& on_taken) {
  std::string message(sizeof(uint64_t), '\0');
  auto add = [&message](std::string_view s) {
    message.append(s);
    message.push_back('\0');
  };
  add(spec.executable);
  add(spec.cwd.string());
  add(std::to_string(spec.argv.size()));
  for (const auto& a : spec.argv) add(a);
  for (const auto& e : spec.env) add(e);
  const uint64_t size = message.size() - sizeof(uint64_t);
  std::memcpy(message.data(), &size, sizeof size);

  bool taken = true;
  for (size_t off = 0; taken && off < message.size();) {
    ssize_t n = send(child.control_fd, message.data() + off, message.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) taken = false;
    if (n > 0) off += size_t(n);
  }
  char ack = 0;
  if (taken) taken = ReadFull(child.control_fd, &ack, 1) && ack == 'k';
  if (!taken) {
    close(child.control_fd);
    close(child.output_fd);
    return Status::Error(errors::kService, "the prepared process exited before it was launched");
  }
  on_taken();
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(child.control_fd, &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(child.control_fd);
  if (n == sizeof child_errno) {
    close(child.output_fd);  // the child has exited (127); the reaper collects it
    return ExecError(spec.executable, child_errno);
  }
  return SpawnedChild{child.pid, child.output_fd};
}

Result<pid_t> Reaper::ForkWatched(ExitCallback on_exit, const std::function<void()>& child_main) {
  pid_t pid;
  int fork_errno;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pid = fork();
    fork_errno = errno;
    if (pid == 0) {
      child_main();
      _exit(127);  // not reached: child_main execs or exits
    }
    if (pid > 0) watched_[pid] = std::move(on_exit);
  }
  if (pid < 0) return Status::Error(errors::kService, fmt::format("fork: {}", strerror(fork_errno)));
  cv_.notify_all();
  setpgid(pid, pid);
  return pid;
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
