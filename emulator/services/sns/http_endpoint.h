// An HTTP/S subscription's endpoint URL taken apart without a regex (a long URL must not be
// able to exhaust the stack), and checked as SNS checks it at Subscribe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ll::sns {

struct HttpEndpoint {
  bool https = false;
  std::string host;  // a name, an IPv4 address, or an IPv6 one without its brackets
  int port = 80;
  std::string path;  // "/" at least, with the query string
};

// nullopt unless `url` is http(s)://host[:port][/path][?query] with a host of at most 253
// characters (letters, digits, '-', '.', or a bracketed IPv6 address) and a port 1-65535.
std::optional<HttpEndpoint> ParseHttpEndpoint(std::string_view url);

}  // namespace ll::sns
