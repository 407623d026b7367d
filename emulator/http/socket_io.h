// Writing whole messages to a socket without letting a peer that stops reading hold the
// writer forever.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace ll {

// Sends all of `head` then `body`, waiting for room until `deadline`. False when the peer is
// gone or the deadline passed first.
bool SendAll(int fd, std::string_view head, std::string_view body = {},
             std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());

// Sends `length` bytes of the file `file_fd` from `offset` with sendfile, so they never pass
// through user memory. Waits for room up to `stall` each time the peer stops reading. False
// when the peer is gone or stalled longer, or the file ends before `length` bytes.
bool SendFile(int fd, int file_fd, uint64_t offset, uint64_t length, std::chrono::milliseconds stall);

}  // namespace ll
