// A minimal custom runtime (`provided`) in C++: answers every event with the event itself.
// Used as a function's bootstrap by the benchmarks and integration tests. It speaks HTTP/1.1
// on one blocking socket with one write and as few reads as the answer needs, so the
// benchmark measures the emulator rather than a client library.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cctype>
#include <cstring>
#include <string>
#include <string_view>

namespace {

int fd = -1;
std::string in;  // bytes read but not consumed

bool SendAll(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += size_t(n);
  }
  return true;
}

bool Fill() {
  char buf[65536];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  if (n <= 0) return false;
  in.append(buf, size_t(n));
  return true;
}

// The value of a header (name in lower case) within `head`, or "".
std::string HeaderOf(std::string_view head, std::string_view name) {
  size_t pos = 0;
  while ((pos = head.find("\r\n", pos)) != std::string_view::npos) {
    pos += 2;
    size_t colon = head.find(':', pos);
    size_t eol = head.find("\r\n", pos);
    if (colon == std::string_view::npos || (eol != std::string_view::npos && colon > eol)) continue;
    std::string_view key = head.substr(pos, colon - pos);
    bool same = key.size() == name.size();
    for (size_t i = 0; same && i < key.size(); ++i) same = std::tolower(key[i]) == name[i];
    if (!same) continue;
    std::string_view value = head.substr(colon + 1, (eol == std::string_view::npos ? head.size() : eol) - colon - 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    return std::string(value);
  }
  return "";
}

// Reads one response; returns its status, and its head and body through the pointers.
int ReadResponse(std::string* head, std::string* body) {
  size_t end;
  while ((end = in.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill()) return -1;
  }
  *head = in.substr(0, end);
  size_t length = std::strtoul(HeaderOf(*head, "content-length").c_str(), nullptr, 10);
  while (in.size() < end + 4 + length) {
    if (!Fill()) return -1;
  }
  *body = in.substr(end + 4, length);
  in.erase(0, end + 4 + length);
  return std::atoi(head->c_str() + 9);  // "HTTP/1.1 200"
}

}  // namespace

int main() {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (!api) {
    std::fprintf(stderr, "AWS_LAMBDA_RUNTIME_API is not set\n");
    return 1;
  }
  std::string address(api);
  size_t colon = address.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(std::atoi(address.c_str() + colon + 1)));
  if (inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr) != 1) return 1;
  fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return 2;
  int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  const std::string host = "Host: " + address + "\r\n";
  const std::string next = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n" + host + "\r\n";
  std::string head, body, out;
  while (true) {
    if (!SendAll(next) || ReadResponse(&head, &body) != 200) return 2;
    const std::string id = HeaderOf(head, "lambda-runtime-aws-request-id");
    out = "POST /2018-06-01/runtime/invocation/" + id + "/response HTTP/1.1\r\n" + host +
          "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    std::string ignored;
    if (!SendAll(out) || ReadResponse(&head, &ignored) < 0) return 3;
  }
}
