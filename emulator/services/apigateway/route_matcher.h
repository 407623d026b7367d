// MatchRoute: which of an API's routes API Gateway picks for a request, and the path
// parameters it binds. The same precedence serves REST APIs (resources) and HTTP APIs (routes):
// AWS resolves the path and the method together, so a route whose path fits but whose method does
// not leaves the request to a less specific route that takes it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "services/apigateway/api.h"

namespace ll::apigw {

struct RouteMatch {
  const Route* route = nullptr;  // points into the Api given to MatchRoute
  // REST APIs: the values as sent (still percent-encoded, as AWS passes them); HTTP APIs:
  // percent-decoded. A greedy variable's value is the rest of the path without its leading
  // slash ("proxy" for {proxy+}).
  std::map<std::string, std::string> path_parameters;
  // HTTP APIs: "GET /items/{id}", "ANY /{proxy+}" or "$default"; REST APIs: the resource path.
  std::string route_key;
};

// The route API Gateway would pick for `method` and `path` (percent-encoded, as sent, without the
// stage), or nullopt. In order: a route without a greedy variable whose every segment fits
// (leftmost literal segments beating {param} ones), then a greedy route, longest fixed prefix
// first; for the same path a route of the request's method beats ANY; then $default (HTTP APIs).
// Paths are case-sensitive, one trailing slash is ignored, and {proxy+} takes one or more
// segments (so "/{proxy+}" does not take "/").
std::optional<RouteMatch> MatchRoute(const Api& api, std::string_view method, std::string_view path);

}  // namespace ll::apigw
