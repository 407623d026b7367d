// A REST API declared with plain CloudFormation: AWS::ApiGateway::RestApi (BinaryMediaTypes, an
// OpenAPI Body), AWS::ApiGateway::Resource, AWS::ApiGateway::Method (a Lambda proxy integration
// is a route; other integrations are listed and answered 501), AWS::ApiGateway::Stage and
// AWS::ApiGateway::Deployment (the stage served, with its variables), AWS::ApiGateway::Authorizer.
//
// A method's meaning is spread over several resources (its path is its resource's parents' path
// parts, its stage is another resource naming its API), so the handlers look them up in the
// template's Resources by what !Ref gives for them: the template's order does not matter.
#include <fmt/format.h>

#include "template/resources/api_integration.h"
#include "template/resources/handlers.h"
#include "template/resources/openapi.h"

namespace ll {
namespace {

constexpr char kRestApi[] = "AWS::ApiGateway::RestApi";
constexpr char kSamApi[] = "AWS::Serverless::Api";
constexpr char kResource[] = "AWS::ApiGateway::Resource";
constexpr char kStage[] = "AWS::ApiGateway::Stage";
constexpr char kDeployment[] = "AWS::ApiGateway::Deployment";
constexpr char kAuthorizer[] = "AWS::ApiGateway::Authorizer";
constexpr int kMaxDepth = 64;  // far beyond any real API; a ParentId loop stops here

// The logical id of the template's REST API of that id ("" when it is not in the template).
std::string RestApiWithId(const TemplateContext& context, const std::string& api_id) {
  std::string logical_id = ResourceWithRef(context, kRestApi, api_id);
  return logical_id.empty() ? ResourceWithRef(context, kSamApi, api_id) : logical_id;
}

// The stage a REST API is served as: its first AWS::ApiGateway::Stage, else the stage of its
// first AWS::ApiGateway::Deployment with a StageName.
struct RestStage {
  std::string name;
  std::map<std::string, std::string> variables;
  std::vector<std::string> all;  // every stage declared for the API, in template order
};

Result<RestStage> RestStageOf(const TemplateContext& context, const std::string& api_id) {
  RestStage from_stage, from_deployment;
  for (const auto& kv : context.resources) {
    const std::string type = TypeOf(kv.second);
    if (type != kStage && type != kDeployment) continue;
    const std::string logical_id = kv.first.as<std::string>();
    const std::string where = fmt::format("{} {}", type == kStage ? "Stage" : "Deployment", logical_id);
    const YAML::Node props = PropertyNode(kv.second, "Properties");
    auto owner = EvalRequired(context.resolver, props, "RestApiId", where);
    if (!owner.ok()) return owner.status();
    if (*owner != api_id) continue;
    if (type == kDeployment && !PropertyNode(props, "StageName").IsDefined()) continue;
    auto name = EvalRequired(context.resolver, props, "StageName", where);
    if (!name.ok()) return name.status();
    RestStage& into = type == kStage ? from_stage : from_deployment;
    into.all.push_back(*name);
    if (into.all.size() > 1) continue;
    into.name = *name;
    const YAML::Node variables = type == kStage ? PropertyNode(props, "Variables")
                                                : PropertyNode(PropertyNode(props, "StageDescription"), "Variables");
    auto v = EvalStringMap(context.resolver, variables, where + ": Variables");
    if (!v.ok()) return v.status();
    into.variables = std::move(*v);
  }
  RestStage chosen = from_stage.all.empty() ? std::move(from_deployment) : std::move(from_stage);
  for (const std::string& name : from_deployment.all) {
    if (std::find(chosen.all.begin(), chosen.all.end(), name) == chosen.all.end()) chosen.all.push_back(name);
  }
  return chosen;
}

// A path part as API Gateway takes it: a literal, "{name}" or a greedy "{name+}".
bool ValidPathPart(const std::string& part) {
  if (part.empty() || part.find('/') != std::string::npos) return false;
  const size_t open = part.find('{');
  const size_t close = part.find('}');
  if (open == std::string::npos && close == std::string::npos) return true;
  return open == 0 && close == part.size() - 1 && part.size() > 2 && part.find('{', 1) == std::string::npos &&
         part.substr(1, part.size() - 2) != "+";
}

// The path of the resource `resource_id` of API `api_id`: "/" for the root, else its parents'
// path parts and its own. `where` names the resource or method that refers to it.
Result<std::string> ResourcePath(const TemplateContext& context, const std::string& api_id,
                                 const std::string& api_logical_id, const std::string& resource_id,
                                 const std::string& where, int depth = 0) {
  auto root = context.resolver.GetAttr(api_logical_id, "RootResourceId");
  if (root.ok() && *root == resource_id) return std::string("/");
  const std::string logical_id = ResourceWithRef(context, kResource, resource_id);
  if (logical_id.empty()) {
    return TemplateError(
        fmt::format("{}: '{}' is neither the root resource of API {} (!GetAtt {}.RootResourceId) nor an "
                    "AWS::ApiGateway::Resource of the template",
                    where, resource_id, api_logical_id, api_logical_id));
  }
  const std::string here = "Resource " + logical_id;
  if (depth > kMaxDepth) return TemplateError(here + ": its ParentId chain loops");
  const YAML::Node props = PropertiesOf(context, logical_id);
  auto owner = EvalRequired(context.resolver, props, "RestApiId", here);
  if (!owner.ok()) return owner.status();
  if (*owner != api_id) {
    return TemplateError(
        fmt::format("{}: resource {} is in API {}, not in API {}", where, logical_id, *owner, api_logical_id));
  }
  auto part = EvalRequired(context.resolver, props, "PathPart", here);
  if (!part.ok()) return part.status();
  if (!ValidPathPart(*part)) {
    return TemplateError(
        fmt::format("{}: PathPart '{}' must be one path segment: a name, {{param}} or {{param+}}", here, *part));
  }
  auto parent = EvalRequired(context.resolver, props, "ParentId", here);
  if (!parent.ok()) return parent.status();
  auto parent_path = ResourcePath(context, api_id, api_logical_id, *parent, here, depth + 1);
  if (!parent_path.ok()) return parent_path.status();
  if (parent_path->size() > 2 && parent_path->substr(parent_path->size() - 2) == "+}") {
    return TemplateError(fmt::format("{}: the greedy resource {} can have no child resource", here, *parent_path));
  }
  return (*parent_path == "/" ? "" : *parent_path) + "/" + *part;
}

// AWS::ApiGateway::Authorizer resources of the API, as SAM's Auth.Authorizers would give them.
Status ReadAuthorizers(const TemplateContext& context, const std::string& api_id, ApiAuth& auth) {
  for (const auto& kv : context.resources) {
    if (TypeOf(kv.second) != kAuthorizer) continue;
    const std::string logical_id = kv.first.as<std::string>();
    const std::string where = "Authorizer " + logical_id;
    const YAML::Node props = PropertyNode(kv.second, "Properties");
    auto owner = EvalRequired(context.resolver, props, "RestApiId", where);
    if (!owner.ok()) return owner.status();
    if (*owner != api_id) continue;
    ApiAuthorizerResource a;
    a.name = logical_id;
    auto type = EvalRequired(context.resolver, props, "Type", where);
    if (!type.ok()) return type.status();
    a.type = UpperAscii(*type);
    if (a.type != "TOKEN" && a.type != "REQUEST" && a.type != "COGNITO_USER_POOLS") {
      return TemplateError(fmt::format("{}: Type must be TOKEN, REQUEST or COGNITO_USER_POOLS, got {}", where, *type));
    }
    if (a.type == "COGNITO_USER_POOLS" && PropertyNode(props, "ProviderARNs").IsDefined()) {
      auto pools = EvalStringOrList(context.resolver, PropertyNode(props, "ProviderARNs"));
      if (!pools.ok()) return TemplateError(where + ": ProviderARNs: " + pools.status().message());
      for (const std::string& pool : *pools) {
        std::string issuer = UserPoolIssuer(pool, context.options.region);
        if (issuer.empty()) return TemplateError(where + ": ProviderARNs: not a user pool ARN: " + pool);
        a.user_pool_issuers.push_back(std::move(issuer));
      }
    }
    if (a.type != "COGNITO_USER_POOLS") {
      auto uri = EvalRequired(context.resolver, props, "AuthorizerUri", where);
      if (!uri.ok()) return uri.status();
      auto function = LambdaFunctionOfUri(context.resolver, *uri);
      if (!function.ok()) return TemplateError(where + ": AuthorizerUri: " + function.status().message());
      a.function = *function;
    }
    if (PropertyNode(props, "IdentitySource").IsDefined()) {
      auto sources = EvalRequired(context.resolver, props, "IdentitySource", where);
      if (!sources.ok()) return sources.status();
      for (size_t at = 0; at <= sources->size();) {  // "method.request.header.A, method.request.querystring.q"
        size_t comma = sources->find(',', at);
        if (comma == std::string::npos) comma = sources->size();
        std::string source = sources->substr(at, comma - at);
        source.erase(0, source.find_first_not_of(' '));
        source.erase(source.find_last_not_of(' ') + 1);
        if (!source.empty()) a.identity_sources.push_back(source);
        at = comma + 1;
      }
    } else if (a.type != "REQUEST") {
      return TemplateError(where + ": IdentitySource is required for a " + a.type + " authorizer");
    }
    if (PropertyNode(props, "IdentityValidationExpression").IsDefined()) {
      auto v = EvalRequired(context.resolver, props, "IdentityValidationExpression", where);
      if (!v.ok()) return v.status();
      a.validation_expression = *v;
    }
    a.ttl_s = 300;  // CloudFormation's default
    if (const YAML::Node ttl = PropertyNode(props, "AuthorizerResultTtlInSeconds"); ttl.IsDefined()) {
      auto v = EvalInt(context.resolver, ttl, where + ": AuthorizerResultTtlInSeconds");
      if (!v.ok()) return v.status();
      if (*v < 0 || *v > 3600) return TemplateError(where + ": AuthorizerResultTtlInSeconds must be from 0 to 3600");
      a.ttl_s = *v;
    }
    auth.authorizers.push_back(std::move(a));
  }
  return Status::Ok();
}

// A method's AuthorizationType / AuthorizerId / ApiKeyRequired, as a SAM event's Auth.
Status ReadMethodAuth(const TemplateContext& context, const YAML::Node& props, const std::string& where,
                      ApiRouteResource& route) {
  std::string type = "NONE";
  if (PropertyNode(props, "AuthorizationType").IsDefined()) {
    auto v = EvalRequired(context.resolver, props, "AuthorizationType", where);
    if (!v.ok()) return v.status();
    type = UpperAscii(*v);
  }
  if (type == "NONE" || type == "AWS_IAM") {
    route.authorizer = type;
  } else if (type == "CUSTOM" || type == "COGNITO_USER_POOLS") {
    auto id = EvalRequired(context.resolver, props, "AuthorizerId", where);
    if (!id.ok()) return id.status();
    const std::string logical_id = ResourceWithRef(context, kAuthorizer, *id);
    if (logical_id.empty()) {
      return TemplateError(
          fmt::format("{}: AuthorizerId '{}' is not an AWS::ApiGateway::Authorizer of the template", where, *id));
    }
    route.authorizer = logical_id;
  } else {
    return TemplateError(
        fmt::format("{}: AuthorizationType must be NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS, got {}", where, type));
  }
  if (const YAML::Node required = PropertyNode(props, "ApiKeyRequired"); required.IsDefined()) {
    auto v = EvalBool(context.resolver, required, where + ": ApiKeyRequired");
    if (!v.ok()) return v.status();
    route.api_key_required = *v;
  }
  return Status::Ok();
}

// The method's Integration into `route`.
Status ReadMethodIntegration(const TemplateContext& context, const YAML::Node& props, const std::string& where,
                             ApiRouteResource& route, LoadedTemplate& out) {
  const std::string endpoint = route.method + " " + route.path;
  const YAML::Node integration = PropertyNode(props, "Integration");
  if (!integration.IsDefined() || integration.IsNull()) {
    // API Gateway refuses to deploy it; answer for this method alone.
    route.unserved = endpoint + " has no Integration";
    return Status::Ok();
  }
  const std::string what = where + ": Integration";
  auto type = EvalRequired(context.resolver, integration, "Type", what);
  if (!type.ok()) return type.status();
  const std::string description = IntegrationDescription(*type);
  if (description.empty()) {
    return TemplateError(fmt::format("{}.Type must be AWS_PROXY, AWS, HTTP, HTTP_PROXY or MOCK, got {}", what, *type));
  }
  if (UpperAscii(*type) != "AWS_PROXY") {
    route.unserved =
        fmt::format("{} has {}{}", endpoint, description,
                    PropertyNode(integration, "RequestTemplates").IsDefined() ? " with VTL mapping templates" : "");
    return Status::Ok();
  }
  auto uri = EvalRequired(context.resolver, integration, "Uri", what);
  if (!uri.ok()) return uri.status();
  std::string target = *uri;
  if (target.find("${stageVariables.") != std::string::npos) {
    auto stage = RestStageOf(context, route.api_id);
    if (!stage.ok()) return stage.status();
    auto substituted = SubstituteStageVariables(target, stage->variables);
    if (!substituted.ok()) {
      route.unserved = fmt::format("{} has an integration URI whose {} in stage {}", endpoint,
                                   substituted.status().message(), stage->name);
      return Status::Ok();
    }
    target = *substituted;
  }
  auto function = LambdaFunctionOfUri(context.resolver, target);
  if (!function.ok()) return TemplateError(what + ".Uri: " + function.status().message());
  route.function_name = *function;
  if (PropertyNode(integration, "IntegrationHttpMethod").IsDefined()) {
    auto method = EvalRequired(context.resolver, integration, "IntegrationHttpMethod", what);
    if (!method.ok()) return method.status();
    if (UpperAscii(*method) != "POST") {
      out.notices.push_back(
          fmt::format("{}: {} calls its function with IntegrationHttpMethod {}: API Gateway "
                      "answers 500 for it (Lambda is invoked with POST only); lambda-local invokes it",
                      where, endpoint, *method));
    }
  }
  if (const YAML::Node timeout = PropertyNode(integration, "TimeoutInMillis"); timeout.IsDefined()) {
    auto t = EvalTimeoutMs(context.resolver, timeout, 29000, what + ".TimeoutInMillis");
    if (!t.ok()) return t.status();
    route.timeout_ms = *t;
  }
  return Status::Ok();
}

}  // namespace

Result<ResourceSymbols> NameRestApi(const TemplateContext& context, const Resource& resource) {
  auto symbols = NameApi(context, resource);
  if (!symbols.ok()) return symbols;
  symbols->attributes["RestApiId"] = symbols->ref;
  return symbols;
}

Status LoadRestApi(const TemplateContext& context, const Resource& resource, LoadedTemplate& out) {
  const std::string where = "API " + resource.logical_id;
  ApiResource api;
  api.logical_id = resource.logical_id;
  api.id = resource.name;
  api.http = false;
  auto stage = RestStageOf(context, api.id);
  if (!stage.ok()) return stage.status();
  if (stage->all.empty()) {
    api.stage = "Prod";
    out.notices.push_back(
        fmt::format("{} (AWS::ApiGateway::RestApi) has no stage (no AWS::ApiGateway::Stage, no "
                    "Deployment with a StageName), so AWS serves it nowhere; lambda-local serves it "
                    "as stage Prod",
                    where));
  } else {
    api.stage = stage->name;
    api.variables = stage->variables;
    if (stage->all.size() > 1) {
      std::string names;
      for (const std::string& n : stage->all) names += (names.empty() ? "" : ", ") + n;
      out.notices.push_back(
          fmt::format("{} has the stages {}: lambda-local serves stage {} only", where, names, api.stage));
    }
  }
  const YAML::Node& props = resource.properties;
  if (const YAML::Node types = PropertyNode(props, "BinaryMediaTypes"); types.IsDefined()) {
    auto v = EvalStringOrList(context.resolver, types);
    if (!v.ok()) return TemplateError(where + ": BinaryMediaTypes: " + v.status().message());
    for (std::string t : *v) {
      for (size_t at; (at = t.find("~1")) != std::string::npos;) t.replace(at, 2, "/");  // as SAM writes "/"
      api.binary_media_types.push_back(t);
    }
  }
  if (Status s = ReadAuthorizers(context, api.id, api.auth); !s.ok()) return s;
  if (const YAML::Node body = PropertyNode(props, "Body"); body.IsDefined() && !body.IsNull()) {
    auto document = InlineDefinition(context, body, where + ": Body", out);
    if (!document.ok()) return document.status();
    if (document->IsDefined()) {
      if (Status s = ReadOpenApiDefinition(context, *document, "Body", api, out); !s.ok()) return s;
    }
  } else if (const YAML::Node s3 = PropertyNode(props, "BodyS3Location"); s3.IsDefined()) {
    std::string location = "in S3";
    if (s3.IsMap() && s3["Bucket"] && s3["Key"]) {
      auto bucket = context.resolver.Eval(s3["Bucket"]);
      auto key = context.resolver.Eval(s3["Key"]);
      if (bucket.ok() && key.ok()) location = fmt::format("s3://{}/{}", *bucket, *key);
    }
    out.notices.push_back(
        fmt::format("{}: BodyS3Location {}: the definition's routes are not served (give it "
                    "inline as Body to serve them)",
                    where, location));
  }
  out.apis.push_back(std::move(api));
  return Status::Ok();
}

Result<ResourceSymbols> NameRestResource(const TemplateContext& context, const Resource& resource) {
  ResourceSymbols symbols;
  symbols.name = StableId(context, resource.logical_id, 6);  // AWS's resource ids are 6 characters
  symbols.ref = symbols.name;
  symbols.attributes["ResourceId"] = symbols.name;
  return symbols;
}

Status LoadRestResource(const TemplateContext& context, const Resource& resource, LoadedTemplate& out) {
  const std::string where = "Resource " + resource.logical_id;
  auto api_id = EvalRequired(context.resolver, resource.properties, "RestApiId", where);
  if (!api_id.ok()) return api_id.status();
  const std::string api = RestApiWithId(context, *api_id);
  if (api.empty()) return Status::Ok();  // another stack's API: its methods say so
  // Only checked here (a broken parent chain, a bad PathPart): the methods build the paths.
  auto path = ResourcePath(context, *api_id, api, resource.name, where);
  return path.ok() ? Status::Ok() : path.status();
}

Status LoadRestMethod(const TemplateContext& context, const Resource& resource, LoadedTemplate& out) {
  const std::string where = "Method " + resource.logical_id;
  const YAML::Node& props = resource.properties;
  if (!props.IsDefined() || !props.IsMap()) return TemplateError(where + ": Properties are required");
  auto api_id = EvalRequired(context.resolver, props, "RestApiId", where);
  if (!api_id.ok()) return api_id.status();
  const std::string api = RestApiWithId(context, *api_id);
  if (api.empty()) {
    out.notices.push_back(
        fmt::format("{}: its RestApiId '{}' is not an API of this template: not served", where, *api_id));
    return Status::Ok();
  }
  ApiRouteResource route;
  route.api_id = *api_id;
  route.source = resource.logical_id;
  route.payload_format = "1.0";
  auto method = EvalRequired(context.resolver, props, "HttpMethod", where);
  if (!method.ok()) return method.status();
  route.method = UpperAscii(*method);
  static const char* const kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"};
  if (std::find(std::begin(kMethods), std::end(kMethods), route.method) == std::end(kMethods)) {
    return TemplateError(fmt::format(
        "{}: HttpMethod must be GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY, got {}", where, *method));
  }
  auto resource_id = EvalRequired(context.resolver, props, "ResourceId", where);
  if (!resource_id.ok()) return resource_id.status();
  auto path = ResourcePath(context, *api_id, api, *resource_id, where);
  if (!path.ok()) return path.status();
  route.path = *path;
  if (Status s = ReadMethodIntegration(context, props, where, route, out); !s.ok()) return s;
  if (Status s = ReadMethodAuth(context, props, where, route); !s.ok()) return s;
  if (!route.unserved.empty()) {
    out.notices.push_back(
        fmt::format("API {}: {} ({}): not served (lambda-local answers 501)", api, route.unserved, where));
  }
  out.api_routes.push_back(std::move(route));
  return Status::Ok();
}

Result<ResourceSymbols> NameRestStage(const TemplateContext& context, const Resource& resource) {
  ResourceSymbols symbols;
  symbols.name = resource.logical_id;
  // !Ref of a stage is its name; a StageName that names another resource is known only later.
  if (const YAML::Node name = PropertyNode(resource.properties, "StageName"); name.IsDefined()) {
    if (auto v = context.resolver.Eval(name); v.ok()) symbols.name = *v;
  }
  symbols.ref = symbols.name;
  return symbols;
}

Result<ResourceSymbols> NameApiPart(const TemplateContext& context, const Resource& resource) {
  ResourceSymbols symbols;
  symbols.name = StableId(context, resource.logical_id, 6);
  symbols.ref = symbols.name;
  symbols.attributes["DeploymentId"] = symbols.name;
  symbols.attributes["AuthorizerId"] = symbols.name;
  return symbols;
}

Status LoadApiPart(const TemplateContext&, const Resource&, LoadedTemplate&) { return Status::Ok(); }

}  // namespace ll
