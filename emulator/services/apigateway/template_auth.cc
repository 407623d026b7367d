#include "services/apigateway/template_auth.h"

#include <fmt/format.h>

#include <algorithm>

#include "model/error_names.h"
#include "services/apigateway/authorizers.h"

namespace ll::apigw {
namespace {

constexpr char kNone[] = "NONE";

Authorizer::Type TypeOf(const std::string& type) {
  if (type == "REQUEST") return Authorizer::Type::kRequest;
  if (type == "JWT") return Authorizer::Type::kJwt;
  if (type == "COGNITO_USER_POOLS") return Authorizer::Type::kCognito;
  return Authorizer::Type::kToken;
}

Authorizer AuthorizerOf(const ApiAuthorizerResource& r) {
  Authorizer a;
  a.name = r.name;
  a.type = TypeOf(r.type);
  a.function = r.function;
  a.identity_sources = r.identity_sources;
  a.validation_expression = r.validation_expression;
  a.ttl_s = r.ttl_s;
  a.payload_format = r.payload_format;
  a.simple_responses = r.simple_responses;
  a.jwt_issuer = r.jwt_issuer;
  a.jwt_audience = r.jwt_audience;
  a.user_pool_issuers = r.user_pool_issuers;
  return a;
}

const ApiResource* ResourceOf(const LoadedTemplate& loaded, const std::string& id) {
  for (const ApiResource& r : loaded.apis) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

bool Declares(const Api& api, const std::string& name) {
  return std::any_of(api.authorizers.begin(), api.authorizers.end(),
                     [&](const Authorizer& a) { return a.name == name; });
}

std::string Names(const Api& api) {
  std::string names;
  for (const Authorizer& a : api.authorizers) names += (names.empty() ? "" : ", ") + a.name;
  return names.empty() ? "none" : names;
}

}  // namespace

Status ApplyTemplateAuth(const LoadedTemplate& loaded, std::vector<Api>& apis) {
  for (Api& api : apis) {
    const ApiResource* resource = ResourceOf(loaded, api.id);
    if (!resource) continue;
    const ApiAuth& auth = resource->auth;
    for (const ApiAuthorizerResource& a : auth.authorizers) api.authorizers.push_back(AuthorizerOf(a));
    const bool rest = api.kind == ApiKind::kRest;
    for (Route& route : api.routes) {
      if (!route.cors_preflight) continue;
      route.authorizer = auth.default_authorizer_on_preflight ? auth.default_authorizer : "";
      route.api_key_required = rest && auth.api_key_required && auth.api_key_on_preflight;
    }
  }
  for (const ApiRouteResource& r : loaded.api_routes) {
    auto api = std::find_if(apis.begin(), apis.end(), [&](const Api& a) { return a.id == r.api_id; });
    const ApiResource* resource = ResourceOf(loaded, r.api_id);
    if (api == apis.end() || !resource) continue;  // ApisOf has refused such a template already
    auto route = std::find_if(api->routes.begin(), api->routes.end(), [&](const Route& x) {
      return !x.cors_preflight && x.source == r.source && x.method == r.method && x.path == r.path;
    });
    if (route == api->routes.end()) continue;
    std::string name = r.authorizer.empty() ? resource->auth.default_authorizer : r.authorizer;
    if (name == kNone) name.clear();
    if (!name.empty() && name != kIamAuthorizer && !Declares(*api, name)) {
      return Status::Error(errors::kInvalidTemplate,
                           fmt::format("{}: Auth.Authorizer {} is not one of the Auth.Authorizers of API {} ({})",
                                       r.source, name, resource->logical_id, Names(*api)));
    }
    route->authorizer = name;
    // The event's scopes, else the authorizer's own (SAM's OAuth2Authorizer.AuthorizationScopes).
    if (r.authorization_scopes) {
      route->authorization_scopes = *r.authorization_scopes;
    } else {
      for (const ApiAuthorizerResource& a : resource->auth.authorizers) {
        if (a.name == name) route->authorization_scopes = a.authorization_scopes;
      }
    }
    route->api_key_required =
        api->kind == ApiKind::kRest && r.api_key_required.value_or(resource->auth.api_key_required);
  }
  return Status::Ok();
}

std::vector<ApiKey> ApiKeysOf(const LoadedTemplate& loaded) {
  std::vector<ApiKey> keys;
  for (const ApiKeyResource& k : loaded.api_keys) {
    if (k.enabled) keys.push_back(ApiKey{k.id, k.value});
  }
  return keys;
}

std::vector<std::string> AuthNotices(const LoadedTemplate& loaded, const std::vector<Api>& apis) {
  std::vector<std::string> lines;
  for (const ApiKeyResource& k : loaded.api_keys) {
    if (!k.enabled) {
      lines.push_back(fmt::format("API key {} is disabled (Enabled is not true): x-api-key refuses it", k.logical_id));
    } else if (k.generated) {
      lines.push_back(fmt::format("API key {}: {}", k.logical_id, k.value));
    } else {
      lines.push_back(fmt::format("API key {}: its Value in the template", k.logical_id));
    }
  }
  bool key_required = false;
  for (const Api& api : apis) {
    // JWT and Cognito authorizers: install.cc says whose keys they check tokens with.
    for (const Route& r : api.routes) key_required |= r.api_key_required;
  }
  if (key_required && ApiKeysOf(loaded).empty()) {
    lines.push_back("routes require an API key but the template defines no enabled one "
                    "(AWS::ApiGateway::ApiKey or Auth.UsagePlan): they answer 403");
  }
  return lines;
}

std::string RouteAuthLabel(const Route& route) {
  std::string label;
  if (!route.authorizer.empty()) label += ", auth " + route.authorizer;
  if (route.api_key_required) label += ", API key required";
  return label;
}

}  // namespace ll::apigw
