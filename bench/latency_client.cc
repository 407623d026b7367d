// A closed-loop HTTP/1.1 client for latency: one keep-alive connection, one request at a
// time, each timed from just before its write to the end of its response. Prints one JSON
// line of percentiles in microseconds. Unlike wrk, nothing else runs in the client between
// requests, so the tail it reports is the server's and the kernel's.
//
// Usage: lambda-local-latency-client PORT PATH REQUESTS [BODY]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(size_t(n));
  }
  return true;
}

// Where the value of header `name` ("\r\nname:", lower case) starts in `head`, or npos.
size_t FindHeader(std::string_view head, std::string_view name) {
  for (size_t i = 0; i + name.size() <= head.size(); ++i) {
    size_t j = 0;
    while (j < name.size() && std::tolower(static_cast<unsigned char>(head[i + j])) == name[j]) ++j;
    if (j == name.size()) return i + j;
  }
  return std::string_view::npos;
}

// Reads one whole response into `in` (which may hold the start of the next); returns its
// status, or -1 when the connection failed. A function error counts as status 0.
int ReadResponse(int fd, std::string& in) {
  char buf[65536];
  while (true) {
    size_t head_end = in.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const std::string_view head = std::string_view(in).substr(0, head_end + 2);
      const size_t length_at = FindHeader(head, "\r\ncontent-length:");
      if (length_at == std::string_view::npos) return -1;
      size_t total = head_end + 4 + size_t(std::strtol(in.c_str() + length_at, nullptr, 10));
      if (in.size() >= total) {
        int status = std::atoi(in.c_str() + 9);
        if (FindHeader(head, "\r\nx-amz-function-error:") != std::string_view::npos) status = 0;
        in.erase(0, total);
        return status;
      }
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return -1;
    in.append(buf, size_t(n));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s PORT PATH REQUESTS [BODY]\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const std::string path = argv[2];
  const long requests = std::atol(argv[3]);
  const std::string body = argc > 4 ? argv[4] : R"({"hello":"world","n":1})";
  if (requests <= 0) return 2;

  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("connect");
    return 1;
  }
  int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  const std::string request = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                              "\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;

  using Clock = std::chrono::steady_clock;
  std::vector<double> micros;
  micros.reserve(size_t(requests));
  long errors = 0;  // non-2xx answers and function errors
  std::string in;
  const auto started = Clock::now();
  for (long i = 0; i < requests; ++i) {
    const auto sent_at = Clock::now();
    if (!SendAll(fd, request)) {
      std::perror("send");
      return 1;
    }
    int status = ReadResponse(fd, in);
    if (status < 0) {
      std::fprintf(stderr, "connection failed after %ld requests\n", i);
      return 1;
    }
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - sent_at).count());
    if (status < 200 || status > 299) ++errors;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  close(fd);

  std::sort(micros.begin(), micros.end());
  auto at = [&](double p) { return micros[std::min(micros.size() - 1, size_t(p / 100.0 * double(micros.size())))]; };
  std::printf(
      "{\"requests\": %ld, \"errors\": %ld, \"rps\": %.0f, \"p50_us\": %.1f, \"p90_us\": %.1f, "
      "\"p99_us\": %.1f, \"p999_us\": %.1f, \"max_us\": %.1f}\n",
      requests, errors, double(requests) / seconds, at(50), at(90), at(99), at(99.9), micros.back());
  return 0;
}
