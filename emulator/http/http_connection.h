// HttpConnection: one client connection of HttpServer, used by its one thread. It holds the
// bytes read but not used yet, reads each request's head (resuming the parse after every
// read, so a slow client costs what it sends), hands the handler the body as an
// HttpBodyReader (decoded as it is read, straight from the socket when it can be), drains
// what the handler left, and writes the response, streaming a file body with sendfile.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "http/http_body.h"
#include "http/http_message.h"
#include "http/http_parser.h"

namespace ll {

class HttpConnection final : public HttpBodyReader {
 public:
  // `fd` stays open (the server closes it); `idle_timeout` bounds a wait for room to write
  // (reads are bounded by the socket's own receive timeout).
  HttpConnection(int fd, uint64_t max_body_bytes, std::chrono::seconds idle_timeout);
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Reads until the head of the next request is parsed into *req. kComplete: the body (if
  // any) is still unread. kBad or kTooLarge: answer and close. kIncomplete: the peer closed
  // or stayed idle, or the socket was shut down: nothing to answer.
  HttpParse ReadHead(HttpRequest* req);
  bool head_parsed() const { return parser_.head_parsed(); }
  // The request has a body not read to its end yet.
  bool has_body() const { return !parser_.body().done(); }
  // After the handler: reads and drops the rest of the body, up to `limit` raw bytes. True
  // when the body has ended cleanly, so the next request on the connection can be read;
  // false when the connection must close instead (too much left, bad framing, the peer gone,
  // or a client still waiting for "100 Continue" before it sends a body it was never asked for).
  bool FinishBody(size_t limit);
  // The whole current request, body included, has been read.
  bool request_finished() const { return head_status_ == HttpParse::kComplete && parser_.body().done(); }

  // Writes the response to `req` (only its head for HEAD). False when the peer is gone or
  // stopped reading for too long, or a file body could not be sent whole.
  bool WriteResponse(const HttpRequest& req, HttpResponse& res, bool keep_alive);

  // HttpBodyReader: the current request's body.
  Result<size_t> Read(char* buf, size_t n) override;
  std::optional<uint64_t> content_length() const override;

 private:
  // Appends what one recv returns to in_ (dropping used bytes first). False when the peer
  // closed, the receive timeout passed, or the socket failed.
  bool Fill();
  Status Fail(const char* code, const char* message);
  std::chrono::steady_clock::time_point WriteDeadline() const;

  const int fd_;
  const std::chrono::seconds idle_timeout_;
  HttpRequestParser parser_;
  HttpParse head_status_ = HttpParse::kIncomplete;
  std::string in_;   // bytes read from the socket
  size_t pos_ = 0;   // in_[0, pos_) are used
  bool expects_continue_ = false;
  bool first_read_done_ = false;
  bool continue_sent_ = false;
  std::optional<Status> body_error_;  // sticky once a Read failed
};

}  // namespace ll
