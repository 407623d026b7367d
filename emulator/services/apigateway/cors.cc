#include "services/apigateway/cors.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include "base/strings.h"
#include "http/http_message.h"
#include "services/apigateway/route_matcher.h"

namespace ll::apigw {
namespace {

// What SAM's Allow-Methods lists for a path with ANY (swagger.py's _ALL_HTTP_METHODS, sorted).
constexpr char kAllMethods[] = "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT";

// SAM's MOCK renders the response template "{}" for application/json.
constexpr char kRestPreflightBody[] = "{}";

std::string Join(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) {
    if (!out.empty()) out += ',';
    out += v;
  }
  return out;
}

std::string_view RequestHeader(const GatewayRequest& request, std::string_view name) {
  for (const auto& [k, v] : request.headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// SAM's default Allow-Methods for a path: every method declared on it and OPTIONS, upper-case,
// sorted; all of them when one is ANY.
std::string PathMethods(const Api& api, const std::string& path) {
  std::set<std::string> methods{"OPTIONS"};
  for (const Route& r : api.routes) {
    if (r.path != path || r.cors_preflight) continue;
    const std::string method = Upper(r.method);
    if (method == "ANY") return kAllMethods;
    methods.insert(method);
  }
  return Join({methods.begin(), methods.end()});
}

bool HttpCors(const Api& api) { return api.kind == ApiKind::kHttp && api.cors.enabled; }

// The Access-Control-Allow-Origin an allowed origin is answered with: "*" when every origin is
// allowed and credentials are not (a browser refuses "*" with credentials), else the origin.
std::string AllowOriginValue(const CorsConfig& cors, std::string_view origin) {
  const bool any = std::find(cors.allow_origins.begin(), cors.allow_origins.end(), "*") != cors.allow_origins.end();
  return any && !cors.allow_credentials ? "*" : std::string(origin);
}

}  // namespace

bool OriginAllowed(const std::vector<std::string>& allow_origins, std::string_view origin) {
  if (origin.empty()) return false;
  for (const std::string& allowed : allow_origins) {
    if (allowed == "*" || allowed == origin) return true;
    // "https://*": any origin of that scheme, with a host after it.
    if (EndsWith(allowed, "://*")) {
      std::string_view scheme = std::string_view(allowed).substr(0, allowed.size() - 1);
      if (origin.size() > scheme.size() && StartsWith(origin, scheme)) return true;
    }
  }
  return false;
}

void AddRestPreflightRoutes(Api& api) {
  if (api.kind != ApiKind::kRest || !api.cors.enabled) return;
  std::vector<std::string> paths;  // in the order declared, once each
  std::set<std::string> with_options;
  for (const Route& r : api.routes) {
    if (std::find(paths.begin(), paths.end(), r.path) == paths.end()) paths.push_back(r.path);
    if (Upper(r.method) == "OPTIONS") with_options.insert(r.path);
  }
  for (const std::string& path : paths) {
    if (with_options.count(path)) continue;  // SAM leaves a path's own OPTIONS alone
    Route mock;
    mock.method = "OPTIONS";
    mock.path = path;
    mock.cors_preflight = true;
    mock.source = api.logical_id + ".Cors";
    api.routes.push_back(std::move(mock));
  }
}

GatewayResponse RestPreflight(const Api& api, const Route& route) {
  const CorsConfig& cors = api.cors;
  GatewayResponse r;
  r.status = 200;
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Access-Control-Allow-Origin", Join(cors.allow_origins));
  const std::string methods = cors.allow_methods.empty() ? PathMethods(api, route.path) : Join(cors.allow_methods);
  if (!methods.empty()) r.headers.emplace_back("Access-Control-Allow-Methods", methods);
  if (!cors.allow_headers.empty()) r.headers.emplace_back("Access-Control-Allow-Headers", Join(cors.allow_headers));
  if (!cors.max_age.empty()) r.headers.emplace_back("Access-Control-Max-Age", cors.max_age);
  if (cors.allow_credentials) r.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  r.body = kRestPreflightBody;
  return r;
}

bool IsHttpPreflight(const Api& api, const GatewayRequest& request) {
  return HttpCors(api) && request.method == "OPTIONS" && !RequestHeader(request, "origin").empty() &&
         !RequestHeader(request, "access-control-request-method").empty();
}

GatewayResponse HttpPreflight(const Api& api, const GatewayRequest& request) {
  const CorsConfig& cors = api.cors;
  GatewayResponse r;
  r.status = 204;
  const std::string_view origin = RequestHeader(request, "origin");
  if (!OriginAllowed(cors.allow_origins, origin)) return r;  // the browser then refuses the call
  r.headers.emplace_back("access-control-allow-origin", AllowOriginValue(cors, origin));
  if (!cors.allow_methods.empty()) r.headers.emplace_back("access-control-allow-methods", Join(cors.allow_methods));
  if (!cors.allow_headers.empty()) r.headers.emplace_back("access-control-allow-headers", Join(cors.allow_headers));
  if (!cors.max_age.empty()) r.headers.emplace_back("access-control-max-age", cors.max_age);
  if (cors.allow_credentials) r.headers.emplace_back("access-control-allow-credentials", "true");
  return r;
}

const Api* PreflightApi(const std::vector<Api>& apis, const GatewayRequest& request) {
  const Api* first = nullptr;
  const std::string asked = Upper(RequestHeader(request, "access-control-request-method"));
  for (const Api& api : apis) {
    if (!IsHttpPreflight(api, request)) continue;
    if (MatchRoute(api, asked, request.path)) return &api;
    if (!first) first = &api;
  }
  if (!first) return nullptr;
  // A REST API's OPTIONS route (SAM's MOCK or the template's own) keeps its path.
  for (const Api& api : apis) {
    if (!HttpCors(api) && MatchRoute(api, "OPTIONS", request.path)) return nullptr;
  }
  return first;
}

void ApplyHttpCors(const Api& api, const GatewayRequest& request, GatewayResponse& response) {
  if (!HttpCors(api)) return;
  // "If you configure CORS for an API, API Gateway ignores CORS headers returned from your
  // backend integration."
  auto& headers = response.headers;
  constexpr std::string_view kPrefix = "access-control-";
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [&](const auto& h) {
                                 return h.first.size() >= kPrefix.size() &&
                                        EqualsIgnoreCase(std::string_view(h.first).substr(0, kPrefix.size()), kPrefix);
                               }),
                headers.end());
  const CorsConfig& cors = api.cors;
  const std::string_view origin = RequestHeader(request, "origin");
  if (!OriginAllowed(cors.allow_origins, origin)) return;
  headers.emplace_back("access-control-allow-origin", AllowOriginValue(cors, origin));
  if (cors.allow_credentials) headers.emplace_back("access-control-allow-credentials", "true");
  if (!cors.expose_headers.empty()) headers.emplace_back("access-control-expose-headers", Join(cors.expose_headers));
}

}  // namespace ll::apigw
