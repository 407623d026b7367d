// HTTP/1.1 messages as lambda-local's servers see them: the request a handler is given (its
// head parsed, its body read whole or through a reader), the response a handler fills in
// (a body in memory or a range of a file), and the head written before a body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ll {

class HttpBodyReader;  // http/http_body.h

struct HttpRequest {
  std::string method;
  std::string target;  // as sent: path and query
  std::string path;    // the target without its query string, percent-decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  // The names of `headers` as the client wrote them, index for index (API Gateway's REST
  // events keep their case).
  std::vector<std::string> header_names_as_sent;
  std::vector<std::pair<std::string, std::string>> params;   // the query, decoded
  // The body once read (see ReadBody in http/http_body.h); a parser of whole requests
  // (ParseHttpRequest) fills it in directly.
  std::string body;
  // The body not read yet, decoded as it is read; null when there is no body or it was read.
  // Valid until the handler returns.
  HttpBodyReader* body_reader = nullptr;
  bool keep_alive = true;  // a handler may clear it to close the connection after answering
  bool http_1_0 = false;
  bool expects_continue = false;  // "Expect: 100-continue"
  std::smatch matches;            // set by the router: the route's groups over `path`
  std::string route;              // empty; free for the handler's own use

  // The value of the header with this lower-case name, or "" when absent.
  std::string_view Header(std::string_view lower_name) const;
  // The same for a name in any case, as a string.
  std::string HeaderValue(std::string_view name) const;
  bool HasParam(std::string_view name) const;
  // The `index`th value of a query parameter, or "".
  std::string Param(std::string_view name, size_t index = 0) const;
  size_t ParamCount(std::string_view name) const;
};

// What a handler answers. status -1 means "not set": 200 once a handler has run. Move-only:
// it may own an open file.
struct HttpResponse {
  int status = -1;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  HttpResponse() = default;
  ~HttpResponse();  // closes the file of a file body
  HttpResponse(HttpResponse&& other) noexcept;
  HttpResponse& operator=(HttpResponse&& other) noexcept;

  // Replaces the header of that name (any case); a value with CR or LF is dropped.
  void SetHeader(std::string_view name, std::string_view value);
  void SetContent(std::string body_text, std::string_view content_type);
  bool HasHeader(std::string_view name) const;
  // The value of the header of that name (any case), or "".
  std::string_view Header(std::string_view name) const;

  // The body is `length` bytes of the file `fd` from `offset`, streamed from the kernel
  // (sendfile) so memory stays flat whatever the size; `body` is cleared. Takes `fd` and closes
  // it when the response is done. Content-Length is `length` unless the handler sets it.
  void SetFileBody(int fd, uint64_t offset, uint64_t length, std::string_view content_type);
  bool has_file_body() const { return file_fd_ >= 0; }
  // No body at all: the text cleared, a file body closed.
  void ClearBody() {
    CloseFile();
    body.clear();
  }
  int file_fd() const { return file_fd_; }
  uint64_t file_offset() const { return file_offset_; }
  uint64_t file_length() const { return file_length_; }

 private:
  void CloseFile();

  int file_fd_ = -1;
  uint64_t file_offset_ = 0;
  uint64_t file_length_ = 0;
};

// Answers one request. A handler may take the request by non-const reference to move its body out.
using HttpHandler = std::function<void(HttpRequest&, HttpResponse&)>;

// ASCII case-insensitive equality, for header names and tokens.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// RFC 9110 5.6.2: whether `s` is a token (a field name, a method), non-empty.
bool IsHttpToken(std::string_view s);
// `s` without the spaces and tabs around it (RFC 9110 "optional whitespace").
std::string_view TrimOws(std::string_view s);

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

// Parses one whole request from the start of `data` into *out (overwritten), body included.
// A body larger than `max_body` bytes is kTooLarge. Each call starts over: a caller that
// parses after every read should keep an HttpRequestParser (http/http_parser.h), which
// resumes where it stopped; this is its one-shot form (defined in http_parser.cc).
HttpParseResult ParseHttpRequest(std::string_view data, size_t max_body, HttpRequest* out);

// The reason phrase of a status code ("OK", "Not Found", ...).
const char* HttpReason(int status);

// "HTTP/1.1 <status> <reason>" with Content-Type, Content-Length and `headers`, ready to
// send; the body follows it on the wire.
std::string HttpResponseHead(int status, std::string_view content_type, size_t content_length,
                             const std::vector<std::pair<std::string_view, std::string_view>>& headers = {});

}  // namespace ll
