// One runtime's HTTP connection to the Runtime API: the socket and the bytes read from it
// but not yet parsed. Used by one thread at a time: the server's loop thread, or the
// invoking thread while it delivers an event and waits for the answer on this connection.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "http/http_message.h"
#include "http/http_parser.h"

namespace ll {

class RuntimeConnection {
 public:
  explicit RuntimeConnection(int fd);
  ~RuntimeConnection();  // closes the socket
  RuntimeConnection(const RuntimeConnection&) = delete;
  RuntimeConnection& operator=(const RuntimeConnection&) = delete;

  enum class Read { kRequest, kWouldBlock, kClosed, kBad, kTooLarge };
  // Parses a buffered request, reading from the socket without blocking when none is whole.
  Read Next(HttpRequest* out);
  // Sends all of `head` then `body`, waiting for room until `deadline`. False when the peer
  // is gone or the deadline passed first.
  bool Send(std::string_view head, std::string_view body = {},
            std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());

  int fd() const { return fd_; }
  bool has_buffered() const { return !in_.empty(); }
  // Bytes the parser has looked at so far: a test can check that many small reads stay linear.
  uint64_t bytes_examined() const { return parser_.examined(); }
  // Set when the connection must not be read again (peer closed, bad request, Connection: close).
  bool finished = false;
  // The parked GET /next asked for "Connection: close": close once the event is sent.
  bool close_after_event = false;

 private:
  const int fd_;
  std::string in_;
  // Keeps its place in in_ between reads, so a request that arrives in many reads is
  // parsed once, not again after each read; fills pending_ until it is whole.
  HttpRequestParser parser_;
  HttpRequest pending_;
  bool continue_sent_ = false;
};

}  // namespace ll
