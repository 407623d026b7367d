// Writing whole messages to a socket without letting a peer that stops reading hold the
// writer forever.
#pragma once

#include <chrono>
#include <string_view>

namespace ll {

// Sends all of `head` then `body`, waiting for room until `deadline`. False when the peer is
// gone or the deadline passed first.
bool SendAll(int fd, std::string_view head, std::string_view body = {},
             std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());

}  // namespace ll
