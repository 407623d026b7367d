#include "http/http_message.h"

#include <unistd.h>

#include <utility>

namespace ll {

bool IsHttpToken(std::string_view s) {
  for (char c : s) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return !s.empty();
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

std::string HttpRequest::HeaderValue(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
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

HttpResponse::~HttpResponse() { CloseFile(); }

HttpResponse::HttpResponse(HttpResponse&& other) noexcept
    : status(other.status),
      headers(std::move(other.headers)),
      body(std::move(other.body)),
      file_fd_(std::exchange(other.file_fd_, -1)),
      file_offset_(other.file_offset_),
      file_length_(other.file_length_) {}

HttpResponse& HttpResponse::operator=(HttpResponse&& other) noexcept {
  if (this != &other) {
    CloseFile();
    status = other.status;
    headers = std::move(other.headers);
    body = std::move(other.body);
    file_fd_ = std::exchange(other.file_fd_, -1);
    file_offset_ = other.file_offset_;
    file_length_ = other.file_length_;
  }
  return *this;
}

void HttpResponse::CloseFile() {
  if (file_fd_ >= 0) close(file_fd_);
  file_fd_ = -1;
}

void HttpResponse::SetFileBody(int fd, uint64_t offset, uint64_t length, std::string_view content_type) {
  CloseFile();
  body.clear();
  file_fd_ = fd;
  file_offset_ = offset;
  file_length_ = length;
  if (!content_type.empty()) SetHeader("Content-Type", content_type);
}

void HttpResponse::SetHeader(std::string_view name, std::string_view value) {
  if (value.find_first_of("\r\n") != std::string_view::npos ||
      name.find_first_of("\r\n:") != std::string_view::npos) {
    return;
  }
  for (auto& [key, old] : headers) {
    if (EqualsIgnoreCase(key, name)) {
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
    if (EqualsIgnoreCase(key, name)) return true;
  }
  return false;
}

std::string_view HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
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
    case 206: return "Partial Content";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
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
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status < 300 ? "OK" : status < 400 ? "Redirect" : status < 500 ? "Bad Request" : "Internal Server Error";
  }
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
