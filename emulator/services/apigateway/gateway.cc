#include "services/apigateway/gateway.h"

#include <fmt/format.h>

#include <chrono>

#include "base/strings.h"
#include "http/http_body.h"
#include "model/function_ref.h"
#include "services/apigateway/cors.h"
#include "services/apigateway/proxy_events.h"

namespace ll::apigw {
namespace {

constexpr uint64_t kMaxPayloadBytes = 10u << 20;  // API Gateway's 10 MB

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

GatewayResponse Message(int status, std::string_view message, std::string_view error_type = {}) {
  GatewayResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  if (!error_type.empty()) r.headers.emplace_back("x-amzn-ErrorType", std::string(error_type));
  r.body = fmt::format(R"({{"message":"{}"}})", message);
  return r;
}

// API Gateway's answer when no route matches: REST APIs hide which paths exist.
GatewayResponse NoRoute(ApiKind kind) {
  if (kind == ApiKind::kHttp) return Message(404, "Not Found");
  return Message(403, "Missing Authentication Token", "MissingAuthenticationTokenException");
}

GatewayResponse InternalError(ApiKind kind) {
  if (kind == ApiKind::kHttp) return Message(500, "Internal Server Error");  // HTTP APIs answer 500
  GatewayResponse r = Message(502, "", "InternalServerErrorException");
  r.body = R"({"message": "Internal server error"})";  // with the space, as REST APIs write it
  return r;
}

bool NameIs(std::string_view name, std::string_view lower_name) {
  return name.size() == lower_name.size() &&
         std::equal(name.begin(), name.end(), lower_name.begin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

bool HasHeader(const GatewayResponse& r, std::string_view lower_name) {
  for (const auto& [k, v] : r.headers) {
    if (NameIs(k, lower_name)) return true;
  }
  return false;
}

std::string_view RawPath(const HttpRequest& req) {
  std::string_view target = req.target;
  return target.substr(0, target.find('?'));
}

}  // namespace

Gateway::Gateway(std::vector<Api> apis, InvokeSink* functions, GatewayOptions options)
    : apis_(std::move(apis)),
      functions_(functions),
      options_(std::move(options)),
      authorization_(apis_, functions, [this] {
        AuthorizationOptions o;
        o.region = options_.region;
        o.account_id = options_.account_id;
        o.api_keys = options_.api_keys;
        o.clock = options_.clock;
        o.log = options_.access_log;
        o.jwt_keys = options_.jwt_keys;
        o.jwt_skip_signature = options_.jwt_skip_signature;
        return o;
      }()),
      timed_(std::make_unique<TimedInvoker>(functions)) {}

void Gateway::Stop() { timed_->Stop(); }

std::string Gateway::ApiIdOfHost(std::string_view host) {
  const size_t dot = host.find(".execute-api.");
  if (dot == std::string_view::npos || dot == 0) return "";
  return std::string(host.substr(0, dot));
}

const Api* Gateway::FindApi(std::string_view id) const {
  for (const Api& api : apis_) {
    if (api.id == id) return &api;
  }
  return nullptr;
}

GatewayRequest GatewayRequestOf(HttpRequest& req, std::string path) {
  GatewayRequest r;
  r.method = req.method;
  r.path = std::move(path);
  if (size_t q = req.target.find('?'); q != std::string::npos) r.raw_query = req.target.substr(q + 1);
  r.headers.reserve(req.headers.size());
  for (size_t i = 0; i < req.headers.size(); ++i) {
    const std::string& name =
        i < req.header_names_as_sent.size() ? req.header_names_as_sent[i] : req.headers[i].first;
    r.headers.emplace_back(name, req.headers[i].second);
  }
  r.body = std::move(req.body);  // up to 10 MB: not copied
  std::string_view host = req.Header("host");
  r.domain_name = std::string(host.substr(0, host.rfind(':') == std::string_view::npos ||
                                                      host.find(']') != std::string_view::npos
                                                  ? host.size()
                                                  : host.rfind(':')));
  if (r.domain_name.empty()) r.domain_name = "localhost";
  r.protocol = req.http_1_0 ? "HTTP/1.0" : "HTTP/1.1";
  r.request_id = NewUuid();
  r.time_epoch_ms = NowEpochMs();
  return r;
}

GatewayResponse Gateway::Serve(const Api& api, const RouteMatch& match, GatewayRequest& request) const {
  const Route& route = *match.route;
  if (!route.unserved.empty()) {  // a mock, HTTP or AWS service integration (template/resources/openapi.h)
    GatewayResponse r = Message(501, "");
    r.body = R"({"message":)" +
             JsonQuote("lambda-local serves only Lambda proxy integrations (aws_proxy); " + route.unserved) + "}";
    return r;
  }
  auto ref = ParseFunctionRef(route.function);
  auto fn = ref.ok() ? functions_->Resolve(ref->name, ref->qualifier)
                     : Result<ResolvedFunction>(ref.status());
  if (!fn.ok()) {
    if (options_.access_log) {
      options_.access_log(fmt::format("{}: function {} not found", route.source, route.function));
    }
    return InternalError(api.kind);
  }
  const bool v2 = route.payload_format == "2.0";
  Invocation inv;
  inv.request_id = NewUuid();
  inv.payload = v2 ? ProxyEventV2(api, match, request, options_.account_id)
                   : ProxyEventV1(api, match, request, options_.account_id);
  inv.invoked_function_arn = fn->config->Arn();
  // An integration timeout shorter than the function's: the client gets 504 at it, while the
  // function runs on to its own end (timed_invoker.h).
  InvokeResult result;
  if (int64_t(route.timeout_ms) < int64_t(fn->config->timeout_s) * 1000) {
    std::optional<InvokeResult> timed = timed_->Invoke(*fn, inv, std::chrono::milliseconds(route.timeout_ms));
    if (!timed) {
      GatewayResponse r = Message(504, "", "IntegrationTimeout");
      r.body = R"({"message": "Endpoint request timed out"})";
      return r;
    }
    result = std::move(*timed);
  } else {
    result = functions_->Invoke(*fn, inv);
  }
  if (!result.status.ok()) {
    if (result.status.code() == "TooManyRequestsException") return Message(429, "Too Many Requests");
    return InternalError(api.kind);
  }
  if (result.outcome.function_error) return InternalError(api.kind);
  std::optional<GatewayResponse> answer =
      v2 ? ParseProxyResultV2(result.outcome.payload) : ParseProxyResultV1(result.outcome.payload);
  if (!answer) return InternalError(api.kind);
  if (!HasHeader(*answer, "content-type")) answer->headers.emplace_back("Content-Type", "application/json");
  return std::move(*answer);
}

GatewayResponse Gateway::Respond(const Api& api, const RouteMatch& match, GatewayRequest& request) const {
  // The route's authorizer and API key first (authorizers.h): they may answer instead.
  if (std::optional<GatewayResponse> refused = authorization_.Authorize(api, match, request)) {
    ApplyHttpCors(api, request, *refused);
    return std::move(*refused);
  }
  if (match.route->cors_preflight) return RestPreflight(api, *match.route);  // SAM's MOCK (cors.h)
  GatewayResponse response = Serve(api, match, request);
  ApplyHttpCors(api, request, response);
  return response;
}

void WriteGatewayResponse(GatewayResponse response, HttpResponse& res) {
  res.status = response.status;
  std::string content_type;
  for (auto& [k, v] : response.headers) {
    if (NameIs(k, "content-type")) {
      content_type = v;
      continue;
    }
    if (v.find_first_of("\r\n") != std::string::npos) continue;
    res.headers.emplace_back(std::move(k), std::move(v));
  }
  if (content_type.empty()) {
    res.body = std::move(response.body);  // e.g. a CORS preflight's 204: no Content-Type at all
  } else {
    res.SetContent(std::move(response.body), content_type);
  }
}

void Gateway::Answer(const GatewayRequest& request, GatewayResponse response, HttpResponse& res,
                     const std::string& function, int64_t started_us) const {
  WriteGatewayResponse(std::move(response), res);
  if (options_.access_log) {
    options_.access_log(fmt::format("{} {} {} {:.3f} ms {}", request.method, request.path, res.status,
                                    double(NowUs() - started_us) / 1000.0,
                                    function.empty() ? "-" : function));
  }
}

void Gateway::ServeApiPort(HttpRequest& req, HttpResponse& res) const {
  const int64_t started = NowUs();
  if (Status read = ReadBody(req, kMaxPayloadBytes); !read.ok()) {
    res.status = 413;
    res.SetContent(R"({"message":"Request Too Long"})", "application/json");
    return;
  }
  GatewayRequest request = GatewayRequestOf(req, std::string(RawPath(req)));
  if (const Api* api = PreflightApi(apis_, request)) {  // an HTTP API's CORS preflight (cors.h)
    GatewayResponse response = HttpPreflight(*api, request);
    response.headers.emplace_back("apigw-requestid", request.request_id);
    Answer(request, std::move(response), res, "", started);
    return;
  }
  bool any_rest = false;
  for (const Api& api : apis_) {
    any_rest |= api.kind == ApiKind::kRest;
    std::optional<RouteMatch> match = MatchRoute(api, request.method, request.path);
    if (!match) continue;
    GatewayResponse response = Respond(api, *match, request);
    response.headers.emplace_back(api.kind == ApiKind::kRest ? "x-amzn-RequestId" : "apigw-requestid",
                                  request.request_id);
    Answer(request, std::move(response), res, match->route->function, started);
    return;
  }
  Answer(request, NoRoute(any_rest ? ApiKind::kRest : ApiKind::kHttp), res, "", started);
}

void Gateway::ServeFrontPort(HttpRequest& req, HttpResponse& res) const {
  const int64_t started = NowUs();
  if (Status read = ReadBody(req, kMaxPayloadBytes); !read.ok()) {
    res.status = 413;
    res.SetContent(R"({"message":"Request Too Long"})", "application/json");
    return;
  }
  std::string_view path = RawPath(req);
  const Api* api = nullptr;
  std::string stage;
  std::string rest;
  if (StartsWith(path, "/restapis/")) {
    // /restapis/{id}/{stage}/_user_request_/{path}
    std::string_view p = path.substr(10);
    size_t slash = p.find('/');
    api = FindApi(p.substr(0, slash));
    p = slash == std::string_view::npos ? std::string_view() : p.substr(slash + 1);
    slash = p.find('/');
    stage = std::string(p.substr(0, slash));
    p = slash == std::string_view::npos ? std::string_view() : p.substr(slash);
    if (!StartsWith(p, "/_user_request_")) api = nullptr;
    rest = std::string(p.size() > 15 ? p.substr(15) : "/");
  } else {
    api = FindApi(ApiIdOfHost(req.Header("host")));
    if (api && api->stage == "$default") {
      stage = "$default";
      rest = std::string(path);
    } else {
      std::string_view p = path.substr(path.empty() ? 0 : 1);
      size_t slash = p.find('/');
      stage = std::string(p.substr(0, slash));
      rest = slash == std::string_view::npos ? "/" : std::string(p.substr(slash));
    }
  }
  GatewayRequest request = GatewayRequestOf(req, rest.empty() ? "/" : rest);
  if (!api) {
    Answer(request, Message(404, "Not Found"), res, "", started);
    return;
  }
  if (stage != api->stage) {
    Answer(request, NoRoute(api->kind), res, "", started);
    return;
  }
  if (IsHttpPreflight(*api, request)) {  // answered by API Gateway itself, on any path (cors.h)
    GatewayResponse response = HttpPreflight(*api, request);
    response.headers.emplace_back("apigw-requestid", request.request_id);
    Answer(request, std::move(response), res, "", started);
    return;
  }
  std::optional<RouteMatch> match = MatchRoute(*api, request.method, request.path);
  if (!match) {
    Answer(request, NoRoute(api->kind), res, "", started);
    return;
  }
  GatewayResponse response = Respond(*api, *match, request);
  response.headers.emplace_back(api->kind == ApiKind::kRest ? "x-amzn-RequestId" : "apigw-requestid",
                                request.request_id);
  Answer(request, std::move(response), res, match->route->function, started);
}

}  // namespace ll::apigw
