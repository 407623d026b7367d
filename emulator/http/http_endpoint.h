// An http(s) URL taken apart without a regex (a long URL must not be able to exhaust the
// stack), with the checks SNS makes of an HTTP/S subscription's endpoint at Subscribe; also
// for the other URLs lambda-local fetches (a JWT issuer's keys).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ll {

struct HttpEndpoint {
  bool https = false;
  std::string host;  // a name, an IPv4 address, or an IPv6 one without its brackets
  int port = 80;
  std::string path;  // "/" at least, with the query string
};

// nullopt unless `url` is http(s)://host[:port][/path][?query] with a host of at most 253
// characters (letters, digits, '-', '.', or a bracketed IPv6 address) and a port 1-65535.
std::optional<HttpEndpoint> ParseHttpEndpoint(std::string_view url);

}  // namespace ll
