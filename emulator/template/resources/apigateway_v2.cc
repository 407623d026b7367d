// An HTTP API declared with plain CloudFormation: AWS::ApiGatewayV2::Api (CorsConfiguration, an
// OpenAPI Body, or "quick create" with Target), AWS::ApiGatewayV2::Integration,
// AWS::ApiGatewayV2::Route (a route to a Lambda proxy integration; others are listed and
// answered 501), AWS::ApiGatewayV2::Stage (the stage served, with its variables) and
// AWS::ApiGatewayV2::Authorizer. WebSocket APIs are listed as not served, with their parts.
//
// As for REST APIs (apigateway_rest.cc), a route's integration and an API's stage are other
// resources found by what !Ref gives for them, whatever the template's order.
#include <fmt/format.h>

#include "template/resources/api_integration.h"
#include "template/resources/handlers.h"
#include "template/resources/openapi.h"

namespace ll {
namespace {

constexpr char kApi[] = "AWS::ApiGatewayV2::Api";
constexpr char kIntegration[] = "AWS::ApiGatewayV2::Integration";
constexpr char kStage[] = "AWS::ApiGatewayV2::Stage";
constexpr char kAuthorizer[] = "AWS::ApiGatewayV2::Authorizer";

// HTTP or WEBSOCKET; an API imported from a Body is an HTTP API.
Result<std::string> ProtocolOf(const TemplateContext& context, const YAML::Node& props, const std::string& where) {
  if (!PropertyNode(props, "ProtocolType").IsDefined()) {
    if (PropertyNode(props, "Body").IsDefined() || PropertyNode(props, "BodyS3Location").IsDefined()) {
      return std::string("HTTP");
    }
    return TemplateError(where + ": ProtocolType is required (HTTP or WEBSOCKET) unless the API has a Body");
  }
  auto protocol = EvalRequired(context.resolver, props, "ProtocolType", where);
  if (!protocol.ok()) return protocol.status();
  const std::string upper = UpperAscii(*protocol);
  if (upper != "HTTP" && upper != "WEBSOCKET") {
    return TemplateError(fmt::format("{}: ProtocolType must be HTTP or WEBSOCKET, got {}", where, *protocol));
  }
  return upper;
}

// The API a part of an API belongs to: its logical id, "" when it is not in the template, and
// whether it is served (an HTTP API) or not (a WebSocket API, listed once by its own handler).
struct Owner {
  std::string api_id;
  std::string logical_id;
  bool http = false;
};

Result<Owner> OwnerOf(const TemplateContext& context, const YAML::Node& props, const std::string& where) {
  Owner owner;
  auto id = EvalRequired(context.resolver, props, "ApiId", where);
  if (!id.ok()) return id.status();
  owner.api_id = *id;
  owner.logical_id = ResourceWithRef(context, kApi, *id);
  if (owner.logical_id.empty()) {
    owner.logical_id = ResourceWithRef(context, "AWS::Serverless::HttpApi", *id);
    owner.http = !owner.logical_id.empty();
    return owner;
  }
  auto protocol = ProtocolOf(context, PropertiesOf(context, owner.logical_id), "API " + owner.logical_id);
  if (!protocol.ok()) return protocol.status();
  owner.http = *protocol == "HTTP";
  return owner;
}

// The stage an HTTP API is served as: "$default" if it has one, else its first
// AWS::ApiGatewayV2::Stage.
struct HttpStage {
  std::string name;
  std::map<std::string, std::string> variables;
  std::vector<std::string> all;
};

Result<HttpStage> HttpStageOf(const TemplateContext& context, const std::string& api_id) {
  HttpStage chosen;
  for (const auto& kv : context.resources) {
    if (TypeOf(kv.second) != kStage) continue;
    const std::string where = "Stage " + kv.first.as<std::string>();
    const YAML::Node props = PropertyNode(kv.second, "Properties");
    auto owner = EvalRequired(context.resolver, props, "ApiId", where);
    if (!owner.ok()) return owner.status();
    if (*owner != api_id) continue;
    auto name = EvalRequired(context.resolver, props, "StageName", where);
    if (!name.ok()) return name.status();
    chosen.all.push_back(*name);
    if (chosen.all.size() > 1 && (chosen.name == "$default" || *name != "$default")) continue;
    chosen.name = *name;
    auto v = EvalStringMap(context.resolver, PropertyNode(props, "StageVariables"), where + ": StageVariables");
    if (!v.ok()) return v.status();
    chosen.variables = std::move(*v);
  }
  return chosen;
}

// An integration's target into `route` (method, path, api_id set): a Lambda proxy
// integration's function, payload format and timeout, or what lambda-local does not serve.
Status ReadIntegration(const TemplateContext& context, const YAML::Node& props, const std::string& where,
                       const std::map<std::string, std::string>& variables, ApiRouteResource& route) {
  const std::string endpoint = route.path == "$default" ? "$default" : route.method + " " + route.path;
  auto type = EvalRequired(context.resolver, props, "IntegrationType", where);
  if (!type.ok()) return type.status();
  const std::string description = IntegrationDescription(*type);
  if (description.empty()) {
    return TemplateError(
        fmt::format("{}: IntegrationType must be AWS_PROXY, HTTP_PROXY, AWS, HTTP or MOCK, got {}", where, *type));
  }
  if (UpperAscii(*type) != "AWS_PROXY") {
    route.unserved = fmt::format("{} has {}", endpoint, description);
    return Status::Ok();
  }
  if (PropertyNode(props, "IntegrationSubtype").IsDefined()) {
    auto subtype = EvalRequired(context.resolver, props, "IntegrationSubtype", where);
    if (!subtype.ok()) return subtype.status();
    route.unserved = fmt::format("{} has an AWS service integration ({})", endpoint, *subtype);
    return Status::Ok();
  }
  auto uri = EvalRequired(context.resolver, props, "IntegrationUri", where);
  if (!uri.ok()) return uri.status();
  auto substituted = SubstituteStageVariables(*uri, variables);
  if (!substituted.ok()) {
    route.unserved = fmt::format("{} has an integration URI whose {}", endpoint, substituted.status().message());
    return Status::Ok();
  }
  auto function = LambdaFunctionOfUri(context.resolver, *substituted);
  if (!function.ok()) return TemplateError(where + ": IntegrationUri: " + function.status().message());
  route.function_name = *function;
  // CloudFormation makes the developer choose (AWS's docs: "you must specify a payloadFormatVersion").
  auto format = EvalRequired(context.resolver, props, "PayloadFormatVersion", where);
  if (!format.ok()) return TemplateError(format.status().message() + " for a Lambda proxy integration (1.0 or 2.0)");
  if (*format != "1.0" && *format != "2.0") {
    return TemplateError(fmt::format("{}: PayloadFormatVersion must be 1.0 or 2.0, got {}", where, *format));
  }
  route.payload_format = *format;
  if (const YAML::Node timeout = PropertyNode(props, "TimeoutInMillis"); timeout.IsDefined()) {
    auto t = EvalTimeoutMs(context.resolver, timeout, 30000, where + ": TimeoutInMillis");
    if (!t.ok()) return t.status();
    route.timeout_ms = *t;
  }
  return Status::Ok();
}

// "GET /items/{id}", "ANY /{proxy+}" or "$default" into the route's method and path.
Status ReadRouteKey(const std::string& key, const std::string& where, ApiRouteResource& route) {
  if (key == "$default") {
    route.method = "ANY";
    route.path = "$default";
    return Status::Ok();
  }
  const size_t space = key.find(' ');
  static const char* const kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"};
  const std::string method = space == std::string::npos ? "" : key.substr(0, space);
  const std::string path = space == std::string::npos ? "" : key.substr(space + 1);
  if (std::find(std::begin(kMethods), std::end(kMethods), method) == std::end(kMethods) || path.empty() ||
      path[0] != '/') {
    return TemplateError(fmt::format(
        "{}: RouteKey '{}' must be $default or an upper-case method and a path (\"GET /items/{{id}}\")", where, key));
  }
  route.method = method;
  route.path = path;
  return Status::Ok();
}

// AWS::ApiGatewayV2::Authorizer resources of the API, as SAM's HttpApi Auth.Authorizers gives them.
Status ReadAuthorizers(const TemplateContext& context, const std::string& api_id, ApiAuth& auth) {
  for (const auto& kv : context.resources) {
    if (TypeOf(kv.second) != kAuthorizer) continue;
    const std::string logical_id = kv.first.as<std::string>();
    const std::string where = "Authorizer " + logical_id;
    const YAML::Node props = PropertyNode(kv.second, "Properties");
    auto owner = EvalRequired(context.resolver, props, "ApiId", where);
    if (!owner.ok()) return owner.status();
    if (*owner != api_id) continue;
    ApiAuthorizerResource a;
    a.name = logical_id;
    auto type = EvalRequired(context.resolver, props, "AuthorizerType", where);
    if (!type.ok()) return type.status();
    a.type = UpperAscii(*type);
    if (a.type != "REQUEST" && a.type != "JWT") {
      return TemplateError(fmt::format("{}: AuthorizerType must be REQUEST or JWT, got {}", where, *type));
    }
    if (a.type == "REQUEST") {
      auto uri = EvalRequired(context.resolver, props, "AuthorizerUri", where);
      if (!uri.ok()) return uri.status();
      auto function = LambdaFunctionOfUri(context.resolver, *uri);
      if (!function.ok()) return TemplateError(where + ": AuthorizerUri: " + function.status().message());
      a.function = *function;
      if (const YAML::Node v = PropertyNode(props, "AuthorizerPayloadFormatVersion"); v.IsDefined()) {
        auto format = context.resolver.Eval(v);
        if (!format.ok() || (*format != "1.0" && *format != "2.0")) {
          return TemplateError(where + ": AuthorizerPayloadFormatVersion must be 1.0 or 2.0");
        }
        a.payload_format = *format;
      }
      if (const YAML::Node v = PropertyNode(props, "EnableSimpleResponses"); v.IsDefined()) {
        auto simple = EvalBool(context.resolver, v, where + ": EnableSimpleResponses");
        if (!simple.ok()) return simple.status();
        a.simple_responses = *simple;
      }
      if (const YAML::Node ttl = PropertyNode(props, "AuthorizerResultTtlInSeconds"); ttl.IsDefined()) {
        auto v = EvalInt(context.resolver, ttl, where + ": AuthorizerResultTtlInSeconds");
        if (!v.ok()) return v.status();
        if (*v < 0 || *v > 3600) return TemplateError(where + ": AuthorizerResultTtlInSeconds must be from 0 to 3600");
        a.ttl_s = *v;
      }
    }
    if (const YAML::Node sources = PropertyNode(props, "IdentitySource"); sources.IsDefined()) {
      auto v = EvalStringOrList(context.resolver, sources);
      if (!v.ok()) return TemplateError(where + ": IdentitySource: " + v.status().message());
      a.identity_sources = std::move(*v);
    }
    auth.authorizers.push_back(std::move(a));
  }
  return Status::Ok();
}

}  // namespace

Result<ResourceSymbols> NameHttpApi(const TemplateContext& context, const Resource& resource) {
  auto symbols = NameApi(context, resource);
  if (!symbols.ok()) return symbols;
  symbols->attributes["ApiId"] = symbols->ref;
  return symbols;
}

Status LoadHttpApi(const TemplateContext& context, const Resource& resource, LoadedTemplate& out) {
  const std::string where = "API " + resource.logical_id;
  const YAML::Node& props = resource.properties;
  auto protocol = ProtocolOf(context, props, where);
  if (!protocol.ok()) return protocol.status();
  if (*protocol == "WEBSOCKET") {
    out.notices.push_back(
        fmt::format("{} (AWS::ApiGatewayV2::Api): a WebSocket API: not served, nor its routes", where));
    return Status::Ok();
  }
  ApiResource api;
  api.logical_id = resource.logical_id;
  api.id = resource.name;
  api.http = true;
  auto stage = HttpStageOf(context, api.id);
  if (!stage.ok()) return stage.status();
  const YAML::Node target = PropertyNode(props, "Target");
  if (!stage->all.empty()) {
    api.stage = stage->name;
    api.variables = stage->variables;
    if (stage->all.size() > 1) {
      std::string names;
      for (const std::string& n : stage->all) names += (names.empty() ? "" : ", ") + n;
      out.notices.push_back(
          fmt::format("{} has the stages {}: lambda-local serves stage {} only", where, names, api.stage));
    }
  } else {
    api.stage = "$default";  // quick create makes it; otherwise AWS serves the API nowhere
    if (!target.IsDefined()) {
      out.notices.push_back(
          fmt::format("{} (AWS::ApiGatewayV2::Api) has no AWS::ApiGatewayV2::Stage, so AWS serves it "
                      "nowhere; lambda-local serves it as stage $default",
                      where));
    }
  }
  if (const YAML::Node cors = PropertyNode(props, "CorsConfiguration"); cors.IsDefined()) {
    auto v = ReadHttpApiCors(context.resolver, cors, false, where + ": CorsConfiguration");
    if (!v.ok()) return v.status();
    api.cors = std::move(*v);
  }
  if (Status s = ReadAuthorizers(context, api.id, api.auth); !s.ok()) return s;
  if (target.IsDefined()) {
    // Quick create: one integration of the target, on RouteKey ($default unless given).
    ApiRouteResource route;
    route.api_id = api.id;
    route.source = resource.logical_id;
    std::string key = "$default";
    if (PropertyNode(props, "RouteKey").IsDefined()) {
      auto v = EvalRequired(context.resolver, props, "RouteKey", where);
      if (!v.ok()) return v.status();
      key = *v;
    }
    if (Status s = ReadRouteKey(key, where, route); !s.ok()) return s;
    auto uri = context.resolver.Eval(target);
    if (!uri.ok()) return TemplateError(where + ": Target: " + uri.status().message());
    if (uri->rfind("arn:", 0) == 0) {
      auto function = LambdaFunctionOfUri(context.resolver, *uri);
      if (!function.ok()) return TemplateError(where + ": Target: " + function.status().message());
      route.function_name = *function;
      route.payload_format = "2.0";  // what quick create gives a Lambda target
    } else {
      route.unserved = fmt::format("{} has {}", key, IntegrationDescription("HTTP_PROXY"));
      out.notices.push_back(fmt::format("{}: {}: not served (lambda-local answers 501)", where, route.unserved));
    }
    out.api_routes.push_back(std::move(route));
  }
  if (const YAML::Node body = PropertyNode(props, "Body"); body.IsDefined() && !body.IsNull()) {
    auto document = InlineDefinition(context, body, where + ": Body", out);
    if (!document.ok()) return document.status();
    if (document->IsDefined()) {
      if (Status s = ReadOpenApiDefinition(context, *document, "Body", api, out); !s.ok()) return s;
    }
  } else if (PropertyNode(props, "BodyS3Location").IsDefined()) {
    out.notices.push_back(
        fmt::format("{}: BodyS3Location: a definition in S3: its routes are not served (give it "
                    "inline as Body to serve them)",
                    where));
  }
  out.apis.push_back(std::move(api));
  return Status::Ok();
}

Result<ResourceSymbols> NameHttpApiPart(const TemplateContext& context, const Resource& resource) {
  ResourceSymbols symbols;
  symbols.name = StableId(context, resource.logical_id, 7);  // AWS's integration and route ids are 7 characters
  symbols.ref = symbols.name;
  symbols.attributes["IntegrationId"] = symbols.name;
  symbols.attributes["RouteId"] = symbols.name;
  symbols.attributes["AuthorizerId"] = symbols.name;
  return symbols;
}

Status LoadHttpIntegration(const TemplateContext& context, const Resource& resource, LoadedTemplate& out) {
  const std::string where = "Integration " + resource.logical_id;
  auto owner = OwnerOf(context, resource.properties, where);
  if (!owner.ok()) return owner.status();
  if (!owner->http) return Status::Ok();  // a WebSocket API's or another stack's
  // Checked here even when no route uses it; each route reads it again.
  ApiRouteResource unused;
  unused.method = "ANY";
  unused.path = "/";
  return ReadIntegration(context, resource.properties, where, {}, unused);
}

Status LoadHttpRoute(const TemplateContext& context, const Resource& resource, LoadedTemplate& out) {
  const std::string where = "Route " + resource.logical_id;
  const YAML::Node& props = resource.properties;
  auto owner = OwnerOf(context, props, where);
  if (!owner.ok()) return owner.status();
  if (owner->logical_id.empty()) {
    out.notices.push_back(
        fmt::format("{}: its ApiId '{}' is not an API of this template: not served", where, owner->api_id));
    return Status::Ok();
  }
  if (!owner->http) return Status::Ok();  // a WebSocket API's: listed with its API
  ApiRouteResource route;
  route.api_id = owner->api_id;
  route.source = resource.logical_id;
  auto key = EvalRequired(context.resolver, props, "RouteKey", where);
  if (!key.ok()) return key.status();
  if (Status s = ReadRouteKey(*key, where, route); !s.ok()) return s;
  const std::string endpoint = route.path == "$default" ? "$default" : route.method + " " + route.path;
  if (!PropertyNode(props, "Target").IsDefined()) {
    route.unserved = endpoint + " has no Target (no integration)";
  } else {
    auto target = EvalRequired(context.resolver, props, "Target", where);
    if (!target.ok()) return target.status();
    static constexpr std::string_view kPrefix = "integrations/";
    if (target->rfind(kPrefix, 0) != 0) {
      return TemplateError(fmt::format("{}: Target '{}' must be integrations/<IntegrationId>", where, *target));
    }
    const std::string integration_id = target->substr(kPrefix.size());
    const std::string integration = ResourceWithRef(context, kIntegration, integration_id);
    if (integration.empty()) {
      return TemplateError(
          fmt::format("{}: Target '{}' names no AWS::ApiGatewayV2::Integration of the template", where, *target));
    }
    const YAML::Node integration_props = PropertiesOf(context, integration);
    auto integration_api = EvalRequired(context.resolver, integration_props, "ApiId", "Integration " + integration);
    if (!integration_api.ok()) return integration_api.status();
    if (*integration_api != route.api_id) {
      return TemplateError(fmt::format("{}: its integration {} belongs to another API", where, integration));
    }
    auto stage = HttpStageOf(context, route.api_id);
    if (!stage.ok()) return stage.status();
    if (Status s = ReadIntegration(context, integration_props, "Integration " + integration, stage->variables, route);
        !s.ok()) {
      return s;
    }
  }
  // AuthorizationType NONE / AWS_IAM / CUSTOM / JWT with AuthorizerId.
  std::string auth = "NONE";
  if (PropertyNode(props, "AuthorizationType").IsDefined()) {
    auto v = EvalRequired(context.resolver, props, "AuthorizationType", where);
    if (!v.ok()) return v.status();
    auth = UpperAscii(*v);
  }
  if (auth == "NONE" || auth == "AWS_IAM") {
    route.authorizer = auth;
  } else if (auth == "CUSTOM" || auth == "JWT") {
    auto id = EvalRequired(context.resolver, props, "AuthorizerId", where);
    if (!id.ok()) return id.status();
    route.authorizer = ResourceWithRef(context, kAuthorizer, *id);
    if (route.authorizer.empty()) {
      return TemplateError(
          fmt::format("{}: AuthorizerId '{}' is not an AWS::ApiGatewayV2::Authorizer of the template", where, *id));
    }
  } else {
    return TemplateError(
        fmt::format("{}: AuthorizationType must be NONE, AWS_IAM, CUSTOM or JWT, got {}", where, auth));
  }
  if (!route.unserved.empty()) {
    out.notices.push_back(fmt::format("API {}: {} ({}): not served (lambda-local answers 501)", owner->logical_id,
                                      route.unserved, where));
  }
  out.api_routes.push_back(std::move(route));
  return Status::Ok();
}

Result<ResourceSymbols> NameHttpStage(const TemplateContext& context, const Resource& resource) {
  ResourceSymbols symbols;
  symbols.name = resource.logical_id;
  if (const YAML::Node name = PropertyNode(resource.properties, "StageName"); name.IsDefined()) {
    if (auto v = context.resolver.Eval(name); v.ok()) symbols.name = *v;
  }
  symbols.ref = symbols.name;
  return symbols;
}

}  // namespace ll
