// A minimal HTTP/1.1 request parser and response writer for the Runtime API, where the
// only clients are runtimes on loopback: a request line, headers, and a body framed by
// Content-Length or chunked encoding. Parsing is incremental: feed it what has arrived.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ll {

struct HttpRequest {
  std::string method;
  std::string path;  // the target without its query string
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  bool keep_alive = true;
  bool expects_continue = false;  // "Expect: 100-continue"

  // The value of the header with this lower-case name, or "" when absent.
  std::string_view Header(std::string_view lower_name) const;
};

enum class HttpParse {
  kIncomplete,  // more bytes are needed; `headers_done` says whether the head is complete
  kComplete,    // one request, `consumed` bytes long
  kBad,         // not HTTP/1.x, or framing that cannot be trusted
  kTooLarge,    // head or body over the limits
};

struct HttpParseResult {
  HttpParse status = HttpParse::kIncomplete;
  size_t consumed = 0;
  bool headers_done = false;
};

// Parses one request from the start of `data` into *out (overwritten). A body larger than
// `max_body` bytes is kTooLarge.
HttpParseResult ParseHttpRequest(std::string_view data, size_t max_body, HttpRequest* out);

// "HTTP/1.1 <status> <reason>" with Content-Type, Content-Length and `headers`, ready to
// send; the body follows it on the wire.
std::string HttpResponseHead(int status, std::string_view content_type, size_t content_length,
                             const std::vector<std::pair<std::string_view, std::string_view>>& headers = {});

}  // namespace ll
