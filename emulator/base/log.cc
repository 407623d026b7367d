#include "base/log.h"

#include <unistd.h>

#include <mutex>
#include <string>

namespace ll {

void WriteLine(LogStream stream, std::string_view line) {
  static std::mutex mu;
  std::string buf;
  buf.reserve(line.size() + 1);
  buf.append(line);
  buf += '\n';
  int fd = stream == LogStream::kOut ? STDOUT_FILENO : STDERR_FILENO;
  std::lock_guard<std::mutex> lock(mu);
  const char* p = buf.data();
  size_t left = buf.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) return;  // stdout closed: nothing useful to do
    p += n;
    left -= size_t(n);
  }
}

}  // namespace ll
