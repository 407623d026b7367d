// The "by hand" baseline for cold starts: starts a runtime process the way a shell would,
// with a bare listening socket as its Runtime API, and times spawn -> first GET /next.
// Usage: lambda-local-spawn-probe REPEATS CWD EXECUTABLE [ARGS...]
// The environment is passed through, with AWS_LAMBDA_RUNTIME_API pointed at the probe.
// Prints one line per start: milliseconds.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s REPEATS CWD EXECUTABLE [ARGS...]\n", argv[0]);
    return 2;
  }
  const int repeats = std::atoi(argv[1]);
  const char* cwd = argv[2];
  for (int i = 0; i < repeats; ++i) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 8) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return 1;
    }
    const std::string api = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    setenv("AWS_LAMBDA_RUNTIME_API", api.c_str(), 1);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addchdir_np(&actions, cwd);
    const auto start = std::chrono::steady_clock::now();
    pid_t pid;
    if (posix_spawnp(&pid, argv[3], &actions, nullptr, argv + 3, environ) != 0) return 1;
    int conn = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    std::string in;
    char buf[4096];
    while (in.find("GET /2018-06-01/runtime/invocation/next") == std::string::npos) {
      ssize_t n = recv(conn, buf, sizeof buf, 0);
      if (n <= 0) return 1;
      in.append(buf, size_t(n));
    }
    const auto first_next = std::chrono::steady_clock::now();
    std::printf("%.3f\n", std::chrono::duration<double, std::milli>(first_next - start).count());
    std::fflush(stdout);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    posix_spawn_file_actions_destroy(&actions);
    close(conn);
    close(listener);
  }
  return 0;
}
