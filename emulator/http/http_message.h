// HTTP/1.1 messages as lambda-local's servers see them: a request parser (request line,
// headers, a body framed by Content-Length or chunked encoding; incremental: feed it what
// has arrived), the response a handler fills in, and the head written before a body.
#pragma once

#include <cstddef>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ll {

struct HttpRequest {
  std::string method;
  std::string target;  // as sent: path and query
  std::string path;    // the target without its query string, percent-decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::vector<std::pair<std::string, std::string>> params;   // the query, decoded
  std::string body;
  bool keep_alive = true;
  bool http_1_0 = false;
  bool expects_continue = false;  // "Expect: 100-continue"
  std::smatch matches;            // set by the router: the route's groups over `path`

  // The value of the header with this lower-case name, or "" when absent.
  std::string_view Header(std::string_view lower_name) const;
  // The same for a name in any case, as a string.
  std::string HeaderValue(std::string_view name) const;
  bool HasParam(std::string_view name) const;
  // The `index`th value of a query parameter, or "".
  std::string Param(std::string_view name, size_t index = 0) const;
  size_t ParamCount(std::string_view name) const;
};

// What a handler answers. status -1 means "not set": 200 once a route has run.
struct HttpResponse {
  int status = -1;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Replaces the header of that name (any case); a value with CR or LF is dropped.
  void SetHeader(std::string_view name, std::string_view value);
  void SetContent(std::string body_text, std::string_view content_type);
  bool HasHeader(std::string_view name) const;
};

// "%3A" -> ":"; with `plus_is_space` (query strings) "+" -> " ". Bad escapes stay as they are.
// The server decodes paths once; route handlers decode the groups they take again, since
// names never contain '%' and some clients encode twice.
std::string PercentDecode(std::string_view text, bool plus_is_space = false);
// "a=1&b=x+y" -> {{"a","1"},{"b","x y"}}
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);

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

// The reason phrase of a status code ("OK", "Not Found", ...).
const char* HttpReason(int status);

// "HTTP/1.1 <status> <reason>" with Content-Type, Content-Length and `headers`, ready to
// send; the body follows it on the wire.
std::string HttpResponseHead(int status, std::string_view content_type, size_t content_length,
                             const std::vector<std::pair<std::string_view, std::string_view>>& headers = {});

}  // namespace ll
