// The "by hand" baseline for cold starts: starts a runtime process the way a shell would,
// with a bare socket as its Runtime API, answers its first GET /next with the event {}, and
// times spawn -> first GET /next and spawn -> the function's response.
// Usage: lambda-local-spawn-probe REPEATS CWD EXECUTABLE [ARGS...]
// The environment is passed through, with AWS_LAMBDA_RUNTIME_API pointed at the probe.
// Prints one line per start: "<ms to /next> <ms to response>".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

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
    const std::string event =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
        "Lambda-Runtime-Aws-Request-Id: 8476a536-e9f4-11e8-9739-2dfe598c3fcd\r\n"
        "Lambda-Runtime-Deadline-Ms: 99999999999999\r\n"
        "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:000000000000:function:probe\r\n"
        "\r\n{}";
    if (send(conn, event.data(), event.size(), MSG_NOSIGNAL) != ssize_t(event.size())) return 1;
    // The response may come on this connection or another one: read whichever speaks first.
    std::vector<int> conns = {conn};
    std::vector<std::string> bufs = {std::string()};
    bool answered = false;
    while (!answered) {
      std::vector<pollfd> fds = {{listener, POLLIN, 0}};
      for (int c : conns) fds.push_back({c, POLLIN, 0});
      if (poll(fds.data(), fds.size(), 60000) <= 0) return 1;
      if (fds[0].revents) {
        conns.push_back(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
        bufs.emplace_back();
      }
      for (size_t k = 1; k < fds.size(); ++k) {
        if (!fds[k].revents) continue;
        ssize_t n = recv(fds[k].fd, buf, sizeof buf, 0);
        if (n <= 0) return 1;
        std::string& b = bufs[k - 1];
        b.append(buf, size_t(n));
        size_t head_end = b.find("\r\n\r\n");
        if (head_end == std::string::npos || b.find("/response") == std::string::npos) continue;
        size_t cl = b.find("ontent-Length:");
        if (cl == std::string::npos) cl = b.find("ontent-length:");
        size_t length = cl == std::string::npos ? 0 : std::strtoul(b.c_str() + cl + 14, nullptr, 10);
        if (b.size() >= head_end + 4 + length) answered = true;
      }
    }
    const auto response = std::chrono::steady_clock::now();
    std::printf("%.3f %.3f\n", std::chrono::duration<double, std::milli>(first_next - start).count(),
                std::chrono::duration<double, std::milli>(response - start).count());
    std::fflush(stdout);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    posix_spawn_file_actions_destroy(&actions);
    for (int c : conns) close(c);
    close(listener);
  }
  return 0;
}
