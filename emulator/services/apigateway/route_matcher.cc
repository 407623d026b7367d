#include "services/apigateway/route_matcher.h"

#include <cctype>
#include <vector>

#include "http/http_message.h"

namespace ll::apigw {
namespace {

enum class Kind { kLiteral = 0, kParam = 1, kGreedy = 2 };

struct Segment {
  Kind kind;
  std::string_view text;  // the literal, or the variable's name
};

// "/a/b" -> {"a", "b"}; "/" and "" -> {}.
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return out;
  for (size_t start = 0;;) {
    const size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

std::string_view WithoutTrailingSlash(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

std::vector<Segment> ParseRoutePath(std::string_view path) {
  std::vector<Segment> out;
  for (std::string_view part : Split(WithoutTrailingSlash(path))) {
    if (part.size() >= 3 && part.front() == '{' && part.back() == '}') {
      std::string_view name = part.substr(1, part.size() - 2);
      if (name.back() == '+') {
        out.push_back({Kind::kGreedy, name.substr(0, name.size() - 1)});
      } else {
        out.push_back({Kind::kParam, name});
      }
    } else {
      out.push_back({Kind::kLiteral, part});
    }
  }
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The request path cut into segments, as matching sees it.
struct RequestPath {
  std::vector<std::string_view> raw;      // as sent (REST) or decoded (HTTP APIs)
  std::vector<std::string> decoded;       // for comparing with literal segments
  bool trailing_slash = false;
};

// A route that fits: its rank (lower is better, compared as a whole) and its parameters.
struct Fit {
  std::vector<int> rank;
  std::map<std::string, std::string> params;
};

std::optional<Fit> FitRoute(const std::vector<Segment>& route, const RequestPath& req) {
  Fit fit;
  const bool greedy = !route.empty() && route.back().kind == Kind::kGreedy;
  // Full matches first; among greedy ones, the longest fixed prefix.
  fit.rank.push_back(greedy ? 1 : 0);
  fit.rank.push_back(greedy ? -int(route.size()) : 0);
  if (!greedy && route.size() != req.raw.size()) return std::nullopt;
  for (size_t i = 0; i < route.size(); ++i) {
    const Segment& seg = route[i];
    if (seg.kind == Kind::kGreedy) {
      if (i + 1 != route.size() || i >= req.raw.size()) return std::nullopt;
      std::string rest;
      for (size_t j = i; j < req.raw.size(); ++j) {
        if (j > i) rest += '/';
        rest += req.raw[j];
      }
      if (rest.empty()) return std::nullopt;
      if (req.trailing_slash) rest += '/';
      fit.params[std::string(seg.text)] = std::move(rest);
      break;
    }
    if (i >= req.raw.size()) return std::nullopt;
    if (seg.kind == Kind::kLiteral) {
      if (req.decoded[i] != seg.text) return std::nullopt;
    } else {
      if (req.raw[i].empty()) return std::nullopt;
      fit.params[std::string(seg.text)] = std::string(req.raw[i]);
    }
    fit.rank.push_back(int(seg.kind));  // literal before {param}, leftmost first
  }
  return fit;
}

}  // namespace

std::optional<RouteMatch> MatchRoute(const Api& api, std::string_view method, std::string_view path) {
  const bool http_api = api.kind == ApiKind::kHttp;
  // HTTP APIs route on the decoded path (so "%2F" separates segments); REST APIs keep what was
  // sent and compare decoded segments with the literal ones.
  const std::string decoded_path = http_api ? PercentDecode(path) : std::string();
  std::string_view matched = http_api ? std::string_view(decoded_path) : path;
  if (matched.empty()) matched = "/";
  RequestPath req;
  req.trailing_slash = matched.size() > 1 && matched.back() == '/';
  req.raw = Split(WithoutTrailingSlash(matched));
  for (std::string_view s : req.raw) req.decoded.push_back(http_api ? std::string(s) : PercentDecode(s));

  std::optional<Fit> best;
  const Route* best_route = nullptr;
  const Route* default_route = nullptr;
  for (size_t i = 0; i < api.routes.size(); ++i) {
    const Route& route = api.routes[i];
    if (route.path == "$default") {
      if (http_api && !default_route) default_route = &route;
      continue;
    }
    const std::string route_method = Upper(route.method);
    const bool any = route_method == "ANY";
    if (!any && route_method != method) continue;
    std::optional<Fit> fit = FitRoute(ParseRoutePath(route.path), req);
    if (!fit) continue;
    fit->rank.push_back(any ? 1 : 0);  // a method of its own beats ANY on the same path
    fit->rank.push_back(int(i));       // then the first declared
    if (!best || fit->rank < best->rank) {
      best = std::move(fit);
      best_route = &route;
    }
  }
  RouteMatch match;
  if (best_route) {
    match.route = best_route;
    match.path_parameters = std::move(best->params);
    match.route_key = http_api ? Upper(best_route->method) + " " + best_route->path : best_route->path;
    return match;
  }
  if (!default_route) return std::nullopt;
  match.route = default_route;
  match.route_key = "$default";
  return match;
}

}  // namespace ll::apigw
