#include "http/http_message.h"

#include <charconv>

namespace ll {
namespace {

constexpr size_t kMaxHeadBytes = 64 * 1024;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// RFC 9110 5.6.2: a header name is a token.
bool IsToken(std::string_view s) {
  for (char c : s) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return !s.empty();
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool ContainsToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (EqualsNoCase(Trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// Walks a chunked body starting at `data`; kComplete sets *consumed (trailers included).
// Appends the chunks to *body when `body` is not null. Walking without copying first keeps a
// body that arrives in many reads from being copied again on each of them.
HttpParse WalkChunked(std::string_view data, size_t max_body, std::string* body, size_t* consumed) {
  size_t decoded = 0;
  size_t pos = 0;
  while (true) {
    size_t eol = data.find("\r\n", pos);
    if (eol == std::string_view::npos) return data.size() - pos > 1024 ? HttpParse::kBad : HttpParse::kIncomplete;
    std::string_view size_text = data.substr(pos, eol - pos);
    size_text = size_text.substr(0, size_text.find(';'));  // chunk extensions
    size_text = Trim(size_text);
    size_t size = 0;
    auto [end, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (ec != std::errc() || end != size_text.data() + size_text.size() || size_text.empty()) {
      return HttpParse::kBad;
    }
    pos = eol + 2;
    if (size == 0) {
      // Trailers, then an empty line.
      const size_t trailers_at = pos;
      while (true) {
        size_t line_end = data.find("\r\n", pos);
        if (line_end == std::string_view::npos) {
          return data.size() - trailers_at > kMaxHeadBytes ? HttpParse::kTooLarge : HttpParse::kIncomplete;
        }
        if (line_end - trailers_at > kMaxHeadBytes) return HttpParse::kTooLarge;
        bool empty = line_end == pos;
        pos = line_end + 2;
        if (empty) {
          *consumed = pos;
          return HttpParse::kComplete;
        }
      }
    }
    if (size > max_body || decoded + size > max_body) return HttpParse::kTooLarge;
    if (data.size() - pos < size + 2) return HttpParse::kIncomplete;
    if (data.substr(pos + size, 2) != "\r\n") return HttpParse::kBad;
    if (body) body->append(data.substr(pos, size));
    decoded += size;
    pos += size + 2;
  }
}

HttpParse ParseChunked(std::string_view data, size_t max_body, std::string* body, size_t* consumed) {
  body->clear();
  HttpParse status = WalkChunked(data, max_body, nullptr, consumed);
  if (status == HttpParse::kComplete) WalkChunked(data, max_body, body, consumed);
  return status;
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

std::string HttpRequest::HeaderValue(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsNoCase(key, name)) return value;
  }
  return {};
}

bool HttpRequest::HasParam(std::string_view name) const { return ParamCount(name) > 0; }

std::string HttpRequest::Param(std::string_view name, size_t index) const {
  for (const auto& [key, value] : params) {
    if (key == name && index-- == 0) return value;
  }
  return {};
}

size_t HttpRequest::ParamCount(std::string_view name) const {
  size_t n = 0;
  for (const auto& [key, value] : params) n += key == name;
  return n;
}

void HttpResponse::SetHeader(std::string_view name, std::string_view value) {
  if (value.find_first_of("\r\n") != std::string_view::npos ||
      name.find_first_of("\r\n:") != std::string_view::npos) {
    return;
  }
  for (auto& [key, old] : headers) {
    if (EqualsNoCase(key, name)) {
      old.assign(value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::string(value));
}

void HttpResponse::SetContent(std::string body_text, std::string_view content_type) {
  body = std::move(body_text);
  SetHeader("Content-Type", content_type);
}

bool HttpResponse::HasHeader(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsNoCase(key, name)) return true;
  }
  return false;
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
        hex(text[i + 2]) >= 0) {
      out += char(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

const char* HttpReason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status < 300 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
  }
}

HttpParseResult ParseHttpRequest(std::string_view data, size_t max_body, HttpRequest* out) {
  HttpParseResult result;
  // Tolerate empty lines before a request line (RFC 9112 2.2).
  size_t start = 0;
  while (data.substr(start, 2) == "\r\n") {
    start += 2;
    if (start > 8) {
      result.status = HttpParse::kBad;  // more than a stray line or two: not a client
      return result;
    }
  }
  size_t head_end = data.find("\r\n\r\n", start);
  if (head_end == std::string_view::npos) {
    result.status = data.size() - start > kMaxHeadBytes ? HttpParse::kTooLarge : HttpParse::kIncomplete;
    return result;
  }
  if (head_end - start > kMaxHeadBytes) {
    result.status = HttpParse::kTooLarge;
    return result;
  }
  std::string_view head = data.substr(start, head_end - start);
  size_t line_end = head.find("\r\n");
  std::string_view request_line = head.substr(0, line_end);
  head = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);

  size_t sp1 = request_line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp1 == 0 || sp2 == std::string_view::npos || request_line.find(' ', sp2 + 1) != std::string_view::npos) {
    result.status = HttpParse::kBad;
    return result;
  }
  std::string_view version = request_line.substr(sp2 + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    result.status = HttpParse::kBad;
    return result;
  }
  std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!IsToken(request_line.substr(0, sp1)) || target.empty() || target.front() != '/') {
    result.status = HttpParse::kBad;
    return result;
  }
  out->method.assign(request_line.substr(0, sp1));
  out->target.assign(target);
  const size_t query_at = target.find('?');
  out->path = PercentDecode(target.substr(0, query_at), false);
  out->params = query_at == std::string_view::npos ? decltype(out->params)() : ParseQuery(target.substr(query_at + 1));
  out->headers.clear();
  out->body.clear();
  out->http_1_0 = version == "HTTP/1.0";
  out->keep_alive = !out->http_1_0;
  out->expects_continue = false;

  bool chunked = false;
  bool has_length = false;
  size_t length = 0;
  while (!head.empty()) {
    line_end = head.find("\r\n");
    std::string_view line = head.substr(0, line_end);
    head = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
    size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos || line.front() == ' ' || line.front() == '\t') {
      result.status = HttpParse::kBad;  // no name, or obsolete line folding
      return result;
    }
    if (!IsToken(line.substr(0, colon))) {
      result.status = HttpParse::kBad;  // e.g. "Content-Length : 5" (RFC 9112 5.1)
      return result;
    }
    std::string name = Lower(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    if (name == "content-length") {
      size_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || value.empty() ||
          (has_length && n != length)) {
        result.status = ec == std::errc::result_out_of_range ? HttpParse::kTooLarge : HttpParse::kBad;
        return result;
      }
      has_length = true;
      length = n;
    } else if (name == "transfer-encoding") {
      if (!EqualsNoCase(value, "chunked")) {
        result.status = HttpParse::kBad;
        return result;
      }
      chunked = true;
    } else if (name == "connection") {
      if (ContainsToken(value, "close")) out->keep_alive = false;
      if (ContainsToken(value, "keep-alive")) out->keep_alive = true;
    } else if (name == "expect") {
      out->expects_continue = EqualsNoCase(value, "100-continue");
    }
    out->headers.emplace_back(std::move(name), std::string(value));
  }
  if (chunked && has_length) {
    result.status = HttpParse::kBad;  // request smuggling shape (RFC 9112 6.1)
    return result;
  }
  result.headers_done = true;
  const size_t body_start = head_end + 4;
  std::string_view rest = data.substr(body_start);
  if (chunked) {
    size_t used = 0;
    result.status = ParseChunked(rest, max_body, &out->body, &used);
    if (result.status == HttpParse::kComplete) result.consumed = body_start + used;
    return result;
  }
  if (length > max_body) {
    result.status = HttpParse::kTooLarge;
    return result;
  }
  if (rest.size() < length) return result;
  out->body.assign(rest.substr(0, length));
  result.consumed = body_start + length;
  result.status = HttpParse::kComplete;
  return result;
}

std::string HttpResponseHead(int status, std::string_view content_type, size_t content_length,
                             const std::vector<std::pair<std::string_view, std::string_view>>& headers) {
  std::string head;
  head.reserve(160);
  head += "HTTP/1.1 ";
  head += std::to_string(status);
  head += ' ';
  head += HttpReason(status);
  head += "\r\nContent-Type: ";
  head += content_type;
  head += "\r\nContent-Length: ";
  head += std::to_string(content_length);
  head += "\r\n";
  for (const auto& [name, value] : headers) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  head += "\r\n";
  return head;
}

}  // namespace ll
