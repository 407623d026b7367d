#include "services/apigateway/install.h"

#include <fmt/format.h>

#include <memory>

#include "http/http_server.h"
#include "model/error_names.h"
#include "services/apigateway/cors.h"
#include "services/apigateway/function_urls.h"
#include "services/apigateway/gateway.h"
#include "services/apigateway/jwks_source.h"
#include "services/apigateway/template_auth.h"

namespace ll::apigw {
namespace {

// The template's APIs with their routes; InvalidTemplate for a route to an API that is not
// there or a route declared twice.
Result<std::vector<Api>> ApisOf(const LoadedTemplate& loaded) {
  std::vector<Api> apis;
  for (const ApiResource& r : loaded.apis) {
    Api api;
    api.id = r.id;
    api.logical_id = r.logical_id;
    api.kind = r.http ? ApiKind::kHttp : ApiKind::kRest;
    api.stage = r.stage;
    api.stage_variables = r.variables;
    api.binary_media_types = r.binary_media_types;
    api.cors.enabled = r.cors.enabled;
    api.cors.allow_origins = r.cors.allow_origins;
    api.cors.allow_methods = r.cors.allow_methods;
    api.cors.allow_headers = r.cors.allow_headers;
    api.cors.expose_headers = r.cors.expose_headers;
    api.cors.max_age = r.cors.max_age;
    api.cors.allow_credentials = r.cors.allow_credentials;
    apis.push_back(std::move(api));
  }
  for (const ApiRouteResource& r : loaded.api_routes) {
    auto api = std::find_if(apis.begin(), apis.end(), [&](const Api& a) { return a.id == r.api_id; });
    if (api == apis.end()) {
      return Status::Error(errors::kInvalidTemplate,
                           fmt::format("{}: the API {} is not in the template", r.source, r.api_id));
    }
    for (const Route& other : api->routes) {
      if (other.method == r.method && other.path == r.path) {
        return Status::Error(errors::kInvalidTemplate,
                             fmt::format("{}: {} {} is already routed to {} ({})", r.source, r.method,
                                         r.path, other.function, other.source));
      }
    }
    Route route;
    route.method = r.method;
    route.path = r.path;
    route.function = r.function_name;
    route.payload_format = api->kind == ApiKind::kRest ? "1.0" : r.payload_format;
    route.timeout_ms = r.timeout_ms > 0 ? r.timeout_ms : api->kind == ApiKind::kRest ? 29000 : 30000;
    route.source = r.source;
    route.unserved = r.unserved;
    api->routes.push_back(std::move(route));
  }
  for (Api& api : apis) AddRestPreflightRoutes(api);  // once every path is known, as SAM does
  return apis;
}

class ApiGatewayService : public Service {
 public:
  explicit ApiGatewayService(const ServiceContext& context)
      : functions_(context.functions), options_(context.options), notice_(context.notice) {}

  void Handle(HttpRequest& req, HttpResponse& res) override {
    if (!gateway_) {
      res.status = 404;
      res.SetContent(R"({"message":"Not Found"})", "application/json");
      return;
    }
    gateway_->ServeFrontPort(req, res);
  }

  Status Provision(const LoadedTemplate& loaded) override {
    auto apis = ApisOf(loaded);
    if (!apis.ok()) return apis.status();
    if (Status auth = ApplyTemplateAuth(loaded, *apis); !auth.ok()) return auth;  // template_auth.h
    auth_notices_ = AuthNotices(loaded, *apis);
    GatewayOptions options;
    options.region = options_.region;
    options.account_id = options_.account_id;
    options.api_keys = ApiKeysOf(loaded);
    LoadJwtKeys(*apis, options);
    auto notice = notice_;
    options.access_log = [notice](const std::string& line) {
      if (notice) notice("api", line);
    };
    gateway_ = std::make_unique<Gateway>(std::move(*apis), functions_, std::move(options));
    return Status::Ok();
  }

  // The keys each JWT authorizer's issuer signs with: --jwks for all, else the issuer's own
  // (fetched once, at start). An issuer whose keys cannot be had gets none: its tokens are
  // refused, and the console says why.
  void LoadJwtKeys(const std::vector<Api>& apis, GatewayOptions& options) {
    options.jwt_skip_signature = options_.jwt_skip_signature;
    std::optional<Result<JwksKeys>> given;
    for (const Api& api : apis) {
      for (const Authorizer& a : api.authorizers) {
        if (a.type != Authorizer::Type::kJwt && a.type != Authorizer::Type::kCognito) continue;
        const char* kind = a.type == Authorizer::Type::kJwt ? "JWT" : "Cognito";
        if (options_.jwt_skip_signature) {
          auth_notices_.push_back(fmt::format("{} authorizer {} of API {}: claims checked, signatures not "
                                              "(--jwt-skip-signature)", kind, a.name, api.id));
          continue;
        }
        const std::vector<std::string> issuers =
            a.type == Authorizer::Type::kJwt ? std::vector<std::string>{a.jwt_issuer} : a.user_pool_issuers;
        for (const std::string& issuer : issuers) {
          if (options.jwt_keys.count(issuer)) continue;
          if (!options_.jwks.empty() && !given) given = LoadJwks(options_.jwks);
          Result<JwksKeys> keys = options_.jwks.empty() ? DiscoverJwks(issuer) : *given;
          if (keys.ok()) {
            auth_notices_.push_back(fmt::format("{} authorizer {} of API {}: {} key(s) of issuer {} from {}", kind,
                                                a.name, api.id, keys->size(), issuer,
                                                options_.jwks.empty() ? "its discovery document" : options_.jwks));
            options.jwt_keys[issuer] = std::make_shared<const JwksKeys>(std::move(*keys));
          } else {
            auth_notices_.push_back(fmt::format("{} authorizer {} of API {}: {}: its tokens are refused (401); give "
                                                "the keys with --jwks FILE|URL, or --jwt-skip-signature",
                                                kind, a.name, api.id, keys.status().message()));
            options.jwt_keys[issuer] = nullptr;
          }
        }
      }
    }
  }

  Status Serve() override {
    size_t routes = 0;
    for (const Api& api : gateway_->apis()) routes += api.routes.size();
    if (notice_ && routes > 0) {
      for (const std::string& line : auth_notices_) notice_("api", line);
    }
    if (routes == 0 || options_.api_port == 0) return Status::Ok();
    HttpServerOptions http;
    http.max_body_bytes = 10u << 20;
    server_ = std::make_unique<HttpServer>(http);
    Gateway* gateway = gateway_.get();
    server_->SetHandler([gateway](HttpRequest& req, HttpResponse& res) { gateway->ServeApiPort(req, res); });
    server_->SetErrorHandler([](const HttpRequest&, HttpResponse& res) {
      if (res.status == 413) {
        res.SetContent(R"({"message":"Request Too Long"})", "application/json");
      } else if (res.status == 400) {
        res.SetContent(R"({"message":"Bad Request"})", "application/json");
      }
    });
    server_->SetExceptionHandler([](const HttpRequest&, HttpResponse& res, std::exception_ptr) {
      res.status = 500;
      res.SetContent(R"({"message":"Internal server error"})", "application/json");
    });
    if (Status started = server_->Start(options_.bind_host, options_.api_port); !started.ok()) {
      server_.reset();
      if (!options_.api_port_chosen) {  // the default port is busy: say so, serve the rest
        if (notice_) {
          notice_("api", fmt::format("port {} is taken ({}): the API routes are served on the main port "
                                     "only (see --api-port)",
                                     options_.api_port, started.message()));
        }
        return Status::Ok();
      }
      return Status::Error(started.code(), fmt::format("the API port {}: {} (choose another with --api-port, "
                                                       "or --api-port 0 for none)",
                                                       options_.api_port, started.message()));
    }
    if (notice_) {
      const std::string host = options_.bind_host == "0.0.0.0" ? "127.0.0.1" : options_.bind_host;
      notice_("api", fmt::format("API Gateway on http://{}:{}", host, server_->port()));
      for (const Api& api : gateway_->apis()) {
        for (const Route& r : api.routes) {
          notice_("api", fmt::format("  {:<7} {:<32} -> {} ({} {}, stage {}{})", r.method, r.path,
                                     r.cors_preflight ? "CORS preflight" : !r.unserved.empty() ? "not served (501)" : r.function,
                                     api.kind == ApiKind::kRest ? "REST API" : "HTTP API", api.id, api.stage,
                                     RouteAuthLabel(r)));
        }
        if (api.kind == ApiKind::kHttp && api.cors.enabled) {
          std::string origins;
          for (const std::string& o : api.cors.allow_origins) origins += (origins.empty() ? "" : ",") + o;
          notice_("api", fmt::format("  CORS: preflights answered, origins allowed: {} (HTTP API {})",
                                     origins.empty() ? "none" : origins, api.id));
        }
      }
    }
    return Status::Ok();
  }

  void Shutdown() override {
    if (server_) server_->Stop();
    if (gateway_) gateway_->Stop();
  }

 private:
  InvokeSink* const functions_;
  const ServiceOptions options_;
  const std::function<void(const std::string&, const std::string&)> notice_;
  std::unique_ptr<Gateway> gateway_;     // made by Provision, then read-only
  std::vector<std::string> auth_notices_;  // made by Provision, printed by Serve
  std::unique_ptr<HttpServer> server_;   // the API port, when there are routes
};

// Function URLs (function_urls.h) on the front port, by host or by "/_lambda-url/<id>/".
class FunctionUrlService : public Service {
 public:
  explicit FunctionUrlService(const ServiceContext& context)
      : urls_(context.functions, context.options.account_id, context.options.region),
        options_(context.options),
        notice_(context.notice) {}

  void Handle(HttpRequest& req, HttpResponse& res) override { urls_.Serve(req, res); }

  // Lists the template's URLs (the app has put them on their functions).
  Status Provision(const LoadedTemplate& loaded) override {
    if (!notice_) return Status::Ok();
    for (const FunctionUrlResource& r : loaded.function_urls) {
      const std::string id = FunctionUrlId(options_.account_id, options_.region, r.function_name, r.qualifier);
      notice_("url", fmt::format("{}{} (auth {}): {}", r.function_name, r.qualifier.empty() ? "" : ":" + r.qualifier,
                                 r.auth_type, FunctionUrlOf(id, options_.region, options_.default_host)));
    }
    return Status::Ok();
  }

 private:
  const FunctionUrls urls_;
  const ServiceOptions options_;
  const std::function<void(const std::string&, const std::string&)> notice_;
};

}  // namespace

void InstallApiGateway(ServiceContext& context) {
  context.services->Add("execute-api", std::make_unique<ApiGatewayService>(context));
  context.services->Add("lambda-url", std::make_unique<FunctionUrlService>(context));
}

}  // namespace ll::apigw
