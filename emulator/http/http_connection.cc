#include "http/http_connection.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "http/socket_io.h"

namespace ll {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

}  // namespace

HttpConnection::HttpConnection(int fd, uint64_t max_body_bytes, std::chrono::seconds idle_timeout)
    : fd_(fd), idle_timeout_(idle_timeout), parser_(max_body_bytes) {}

std::chrono::steady_clock::time_point HttpConnection::WriteDeadline() const {
  return std::chrono::steady_clock::now() + idle_timeout_;
}

bool HttpConnection::Fill() {
  if (pos_ == in_.size()) {
    in_.clear();
  } else if (pos_ > 0) {
    in_.erase(0, pos_);  // what is kept is part of one request head, or one body's framing
  }
  pos_ = 0;
  char buf[kReadChunk];
  while (true) {
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    in_.append(buf, size_t(n));
    return true;
  }
}

HttpParse HttpConnection::ReadHead(HttpRequest* req) {
  parser_.Reset();
  head_status_ = HttpParse::kIncomplete;
  expects_continue_ = false;
  first_read_done_ = false;
  continue_sent_ = false;
  body_error_.reset();
  while (true) {
    if (pos_ < in_.size()) {
      head_status_ = parser_.ParseHead(std::string_view(in_).substr(pos_), req);
      if (head_status_ == HttpParse::kComplete) {
        pos_ += parser_.head_size();
        expects_continue_ = req->expects_continue;
        return head_status_;
      }
      if (head_status_ != HttpParse::kIncomplete) return head_status_;
    }
    if (!Fill()) return HttpParse::kIncomplete;
  }
}

std::optional<uint64_t> HttpConnection::content_length() const {
  const HttpBodyDecoder& body = parser_.body();
  if (body.chunked()) return std::nullopt;
  return body.decoded() + body.remaining_length();
}

Status HttpConnection::Fail(const char* code, const char* message) {
  body_error_ = Status::Error(code, message);
  return *body_error_;
}

Result<size_t> HttpConnection::Read(char* buf, size_t n) {
  HttpBodyDecoder& body = parser_.body();
  if (body_error_) return *body_error_;
  if (!first_read_done_) {
    first_read_done_ = true;
    // A client that asked sends its body only once told to; one that has begun sending
    // already needs no answer.
    if (expects_continue_ && pos_ == in_.size() && !body.done()) {
      continue_sent_ = true;
      if (!SendAll(fd_, "HTTP/1.1 100 Continue\r\n\r\n", {}, WriteDeadline())) {
        return Fail(kHttpBadBody, "the client went away before sending the request body");
      }
    }
  }
  if (n == 0) return size_t(0);
  while (true) {
    if (pos_ < in_.size() || body.done() || body.failed()) {
      size_t used = 0;
      std::string_view run;
      HttpParse status = body.Decode(std::string_view(in_).substr(pos_), n, &used, &run);
      pos_ += used;
      if (status == HttpParse::kBad) return Fail(kHttpBadBody, "the request body's chunked framing is not valid");
      if (status == HttpParse::kTooLarge) return Fail(kHttpRequestTooLarge, "the request body is over the limit");
      if (!run.empty()) {
        std::memcpy(buf, run.data(), run.size());
        return run.size();
      }
      if (status == HttpParse::kComplete) return size_t(0);
      // Everything buffered was framing: read more.
    }
    if (!body.chunked()) {
      // Nothing buffered and the length is known: read straight into the caller's buffer.
      const size_t want = size_t(std::min<uint64_t>(n, body.remaining_length()));
      ssize_t got;
      do {
        got = recv(fd_, buf, want, 0);
      } while (got < 0 && errno == EINTR);
      if (got <= 0) {
        return Fail(kHttpBadBody, got == 0 ? "the client closed the connection before the end of the body"
                                           : "the client sent no more of the body for too long");
      }
      size_t used = 0;
      std::string_view run;
      body.Decode(std::string_view(buf, size_t(got)), size_t(got), &used, &run);  // counts them
      return size_t(got);
    }
    if (!Fill()) return Fail(kHttpBadBody, "the client stopped sending the request body");
  }
}

bool HttpConnection::FinishBody(size_t limit) {
  HttpBodyDecoder& body = parser_.body();
  if (body.done()) return true;
  if (body_error_ || body.failed()) return false;
  // Never told to go on, this client will not send its body: the connection cannot be reused.
  if (expects_continue_ && !continue_sent_ && body.raw_consumed() == 0 && pos_ == in_.size()) return false;
  if (!body.chunked() && body.remaining_length() > limit) return false;
  first_read_done_ = true;  // draining never asks for the body
  const uint64_t stop_at = body.raw_consumed() + limit;
  char scratch[16 * 1024];
  while (body.raw_consumed() <= stop_at) {
    Result<size_t> got = Read(scratch, sizeof scratch);
    if (!got.ok()) return false;
    if (*got == 0) return true;
  }
  return false;
}

bool HttpConnection::WriteResponse(const HttpRequest& req, HttpResponse& res, bool keep_alive) {
  std::string head = fmt::format("HTTP/1.1 {} {}\r\n", res.status, HttpReason(res.status));
  for (const auto& [name, value] : res.headers) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  if (!res.HasHeader("Content-Length")) {
    head += fmt::format("Content-Length: {}\r\n", res.has_file_body() ? res.file_length() : res.body.size());
  }
  if (!keep_alive) {
    head += "Connection: close\r\n";
  } else if (req.http_1_0) {
    head += "Connection: keep-alive\r\n";
  }
  head += "\r\n";
  const bool head_only = req.method == "HEAD";
  if (head_only || !res.has_file_body()) {
    const std::string_view body = head_only ? std::string_view() : std::string_view(res.body);
    return SendAll(fd_, head, body, WriteDeadline());
  }
  return SendAll(fd_, head, {}, WriteDeadline()) &&
         SendFile(fd_, res.file_fd(), res.file_offset(), res.file_length(), idle_timeout_);
}

}  // namespace ll
