#include "services/apigateway/function_urls.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "http/http_body.h"
#include "services/apigateway/authorizers.h"
#include "services/apigateway/cors.h"
#include "services/apigateway/gateway.h"
#include "services/apigateway/proxy_events.h"

namespace ll::apigw {
namespace {

constexpr uint64_t kMaxRequestBytes = 6u << 20;  // Lambda's synchronous payload limit
constexpr std::string_view kPathPrefix = "/_lambda-url/";
constexpr std::string_view kForbidden =
    R"({"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"})";

GatewayResponse Json(int status, std::string body) {
  GatewayResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

// The URL seen as an HTTP API with one $default route: the event and the CORS rules are those
// of an HTTP API's payload 2.0.
Api UrlApi(const FunctionUrlTarget& target) {
  Api api;
  api.id = target.config.url_id;
  api.kind = ApiKind::kHttp;
  api.stage = "$default";
  if (const auto& c = target.config.cors) {
    api.cors.enabled = true;
    api.cors.allow_origins = c->allow_origins.value_or(std::vector<std::string>{});
    api.cors.allow_methods = c->allow_methods.value_or(std::vector<std::string>{});
    api.cors.allow_headers = c->allow_headers.value_or(std::vector<std::string>{});
    api.cors.expose_headers = c->expose_headers.value_or(std::vector<std::string>{});
    if (c->max_age) api.cors.max_age = std::to_string(*c->max_age);
    api.cors.allow_credentials = c->allow_credentials.value_or(false);
  }
  Route route;
  route.method = "ANY";
  route.path = "$default";
  route.function = target.function;
  route.payload_format = "2.0";
  api.routes.push_back(std::move(route));
  return api;
}

// Lambda's answer, with its request id.
void Write(GatewayResponse response, const std::string& request_id, HttpResponse& res) {
  response.headers.emplace_back("x-amzn-RequestId", request_id);
  WriteGatewayResponse(std::move(response), res);
}

}  // namespace

FunctionUrls::FunctionUrls(InvokeSink* functions, std::string account_id, std::string region)
    : functions_(functions), account_id_(std::move(account_id)), region_(std::move(region)) {}

std::string FunctionUrls::UrlIdOfHost(std::string_view host) {
  const size_t dot = host.find(".lambda-url.");
  if (dot == std::string_view::npos || dot == 0) return "";
  return std::string(host.substr(0, dot));
}

void FunctionUrls::Serve(HttpRequest& req, HttpResponse& res) const {
  if (Status read = ReadBody(req, kMaxRequestBytes); !read.ok()) {
    Write(Json(413, R"({"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"})"),
          NewUuid(), res);
    return;
  }
  std::string_view target_path = req.target;
  target_path = target_path.substr(0, target_path.find('?'));
  std::string url_id = UrlIdOfHost(req.Header("host"));
  std::string domain;
  if (url_id.empty() && StartsWith(target_path, kPathPrefix)) {
    std::string_view rest = target_path.substr(kPathPrefix.size());
    const size_t slash = rest.find('/');
    url_id = std::string(rest.substr(0, slash));
    target_path = slash == std::string_view::npos ? "/" : rest.substr(slash);
    domain = fmt::format("{}.lambda-url.{}.localhost", url_id, region_);
  }
  GatewayRequest request = GatewayRequestOf(req, std::string(target_path.empty() ? "/" : target_path));
  if (!domain.empty()) request.domain_name = std::move(domain);
  const std::string& request_id = request.request_id;
  std::optional<FunctionUrlTarget> target = url_id.empty() ? std::nullopt : functions_->FindUrl(url_id);
  if (!target) {
    Write(Json(403, R"({"Message":"Forbidden"})"), request_id, res);
    return;
  }
  // lambda-local takes any credentials: an AWS_IAM URL needs the signature to be there.
  const bool iam = target->config.auth_type == "AWS_IAM";
  if (iam && !SignedAccessKey(request)) {
    Write(Json(403, std::string(kForbidden)), request_id, res);
    return;
  }

  const Api api = UrlApi(*target);
  if (IsHttpPreflight(api, request)) {
    Write(HttpPreflight(api, request), request_id, res);
    return;
  }
  GatewayResponse response = Invoke(api, *target, request, iam);
  ApplyHttpCors(api, request, response);
  Write(std::move(response), request_id, res);
}

GatewayResponse FunctionUrls::Invoke(const Api& api, const FunctionUrlTarget& target,
                                     const GatewayRequest& request, bool iam) const {
  auto fn = functions_->Resolve(target.function, target.qualifier);
  if (!fn.ok()) return Json(502, R"({"Message":"Internal Server Error"})");
  RouteMatch match;
  match.route = &api.routes.front();
  match.route_key = "$default";
  Invocation inv;
  inv.request_id = request.request_id;
  // A URL anyone may call names no caller's account.
  inv.payload = ProxyEventV2(api, match, request, iam ? account_id_ : "anonymous");
  inv.invoked_function_arn = fn->config->Arn() + (target.qualifier.empty() ? "" : ":" + target.qualifier);
  InvokeResult result = functions_->Invoke(*fn, inv);
  if (!result.status.ok()) {
    if (result.status.code() == "TooManyRequestsException") {
      return Json(429, R"({"Message":"Rate Exceeded."})");
    }
    return Json(502, R"({"Message":"Internal Server Error"})");
  }
  if (result.outcome.function_error) return Json(502, R"({"Message":"Internal Server Error"})");
  std::optional<GatewayResponse> answer = ParseProxyResultV2(result.outcome.payload);
  if (!answer) return Json(502, R"({"Message":"Internal Server Error"})");
  bool has_type = false;
  for (const auto& [k, v] : answer->headers) has_type |= EqualsIgnoreCase(k, "content-type");
  if (!has_type) answer->headers.emplace_back("Content-Type", "application/json");
  return std::move(*answer);
}

}  // namespace ll::apigw
