#include "http/http_endpoint.h"

#include <cctype>

namespace ll {

std::optional<HttpEndpoint> ParseHttpEndpoint(std::string_view url) {
  HttpEndpoint out;
  if (url.substr(0, 8) == "https://") {
    out.https = true;
    out.port = 443;
    url.remove_prefix(8);
  } else if (url.substr(0, 7) == "http://") {
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  const size_t path_start = url.find_first_of("/?");
  std::string_view authority = url.substr(0, path_start);
  out.path = path_start == std::string_view::npos ? "/" : std::string(url.substr(path_start));
  if (!out.path.empty() && out.path[0] == '?') out.path = "/" + out.path;
  if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no credentials
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return std::nullopt;
      port = rest.substr(1);
    }
    if (out.host.empty() || out.host.size() > 45) return std::nullopt;
    for (char c : out.host) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return std::nullopt;
    }
  } else {
    const size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (out.host.empty() || out.host.size() > 253) return std::nullopt;
    for (char c : out.host) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
        return std::nullopt;
      }
    }
  }
  if (!port.data() || port.empty()) {
    if (port.data() && authority.back() == ':') return std::nullopt;  // "host:" with no port
    return out;
  }
  if (port.size() > 5) return std::nullopt;
  int n = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n < 1 || n > 65535) return std::nullopt;
  out.port = n;
  return out;
}

}  // namespace ll
