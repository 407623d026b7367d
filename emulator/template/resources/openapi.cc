#include "template/resources/openapi.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "template/resources/api_integration.h"
#include "template/resources/handlers.h"

namespace ll {
namespace {

constexpr char kIntegration[] = "x-amazon-apigateway-integration";
constexpr char kAnyMethod[] = "x-amazon-apigateway-any-method";

// The HTTP methods an OpenAPI path item may hold; every other key of it (parameters, summary,
// servers, extensions) is not an operation.
constexpr const char* kOperations[] = {"get", "put", "post", "delete", "options", "head", "patch"};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool IsS3Location(const std::string& location) {
  return location.rfind("s3://", 0) == 0 || location.rfind("https://", 0) == 0 || location.rfind("http://", 0) == 0;
}

// A JSON value as the YAML node yaml-cpp would have read from the same text, so one reader
// serves both kinds of file.
YAML::Node JsonToYaml(const rapidjson::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return YAML::Node(YAML::NodeType::Null);
    case rapidjson::kFalseType:
      return YAML::Node("false");
    case rapidjson::kTrueType:
      return YAML::Node("true");
    case rapidjson::kStringType:
      return YAML::Node(std::string(v.GetString(), v.GetStringLength()));
    case rapidjson::kNumberType:
      if (v.IsInt64()) return YAML::Node(std::to_string(v.GetInt64()));
      if (v.IsUint64()) return YAML::Node(std::to_string(v.GetUint64()));
      return YAML::Node(fmt::format("{}", v.GetDouble()));
    case rapidjson::kArrayType: {
      YAML::Node seq(YAML::NodeType::Sequence);
      for (const auto& item : v.GetArray()) seq.push_back(JsonToYaml(item));
      return seq;
    }
    case rapidjson::kObjectType: {
      YAML::Node map(YAML::NodeType::Map);
      for (const auto& m : v.GetObject()) {
        map[std::string(m.name.GetString(), m.name.GetStringLength())] = JsonToYaml(m.value);
      }
      return map;
    }
  }
  return YAML::Node(YAML::NodeType::Null);
}

Result<std::string> EvalIn(const Resolver& resolver, const YAML::Node& node, const std::string& what) {
  auto v = resolver.Eval(node);
  if (!v.ok()) return TemplateError(what + ": " + v.status().message());
  return v;
}

// One operation's integration into `route` (method, path and api_id set): a Lambda proxy
// integration's function, payload format and timeout, or what the integration is when
// lambda-local does not serve it.
Status ReadIntegration(const TemplateContext& context, const YAML::Node& integration, const std::string& what,
                       const ApiResource& api, ApiRouteResource& route, LoadedTemplate& out) {
  if (!integration.IsMap()) return TemplateError(what + " must be a map");
  if (!integration["type"]) return TemplateError(what + " needs a type (aws_proxy, aws, http, http_proxy, mock)");
  auto type = EvalIn(context.resolver, integration["type"], what + ".type");
  if (!type.ok()) return type.status();
  const std::string kind = Lower(*type);
  const std::string endpoint = route.method + " " + route.path;
  if (kind != "aws_proxy") {
    const std::string description = IntegrationDescription(kind);
    if (description.empty()) {
      return TemplateError(fmt::format(
          "{}.type: '{}' is not an integration type (aws_proxy, aws, http, http_proxy, mock)", what, *type));
    }
    route.unserved = fmt::format("{} has {}{}", endpoint, description,
                                 integration["requestTemplates"] ? " with VTL mapping templates" : "");
    return Status::Ok();
  }
  if (integration["integrationSubtype"]) {  // an HTTP API's AWS service integration (SQS-SendMessage, ...)
    auto subtype = EvalIn(context.resolver, integration["integrationSubtype"], what + ".integrationSubtype");
    if (!subtype.ok()) return subtype.status();
    route.unserved = fmt::format("{} has an AWS service integration ({})", endpoint, *subtype);
    return Status::Ok();
  }
  if (!integration["uri"]) return TemplateError(what + ": an aws_proxy integration needs a uri");
  auto uri = EvalIn(context.resolver, integration["uri"], what + ".uri");
  if (!uri.ok()) return uri.status();
  auto substituted = SubstituteStageVariables(*uri, api.variables);
  if (!substituted.ok()) {
    // API Gateway accepts it and fails each call; say so for this route alone.
    route.unserved = fmt::format("{} has an integration URI whose {} in stage {}", endpoint,
                                 substituted.status().message(), api.stage);
    return Status::Ok();
  }
  auto function = LambdaFunctionOfUri(context.resolver, *substituted);
  if (!function.ok()) return TemplateError(what + ".uri: " + function.status().message());
  route.function_name = *function;
  if (!api.http && integration["httpMethod"]) {
    auto method = EvalIn(context.resolver, integration["httpMethod"], what + ".httpMethod");
    if (!method.ok()) return method.status();
    if (UpperAscii(*method) != "POST") {
      out.notices.push_back(
          fmt::format("API {}: {} calls its function with httpMethod {}: API Gateway answers "
                      "500 for it (Lambda is invoked with POST only); lambda-local invokes it",
                      api.logical_id, endpoint, *method));
    }
  }
  if (api.http) {
    if (integration["payloadFormatVersion"]) {
      auto v = EvalIn(context.resolver, integration["payloadFormatVersion"], what + ".payloadFormatVersion");
      if (!v.ok()) return v.status();
      if (*v != "1.0" && *v != "2.0") return TemplateError(what + ".payloadFormatVersion must be 1.0 or 2.0");
      route.payload_format = *v;
    }
  }
  if (integration["timeoutInMillis"]) {
    auto t = EvalTimeoutMs(context.resolver, integration["timeoutInMillis"], api.http ? 30000 : 29000,
                           what + ".timeoutInMillis");
    if (!t.ok()) return t.status();
    route.timeout_ms = *t;
  }
  return Status::Ok();
}

}  // namespace

Status ReadOpenApiDefinition(const TemplateContext& context, const YAML::Node& document, const std::string& what,
                             ApiResource& api, LoadedTemplate& out) {
  const std::string where = fmt::format("API {}: {}", api.logical_id, what);
  if (!document.IsMap()) return TemplateError(where + " must be an OpenAPI document (a map)");
  if (!document["swagger"] && !document["openapi"]) {
    return TemplateError(where + " is not an OpenAPI document: it has neither 'openapi' nor 'swagger'");
  }
  if (!api.http && document["x-amazon-apigateway-binary-media-types"]) {
    auto types = EvalStringOrList(context.resolver, document["x-amazon-apigateway-binary-media-types"]);
    if (!types.ok()) {
      return TemplateError(where + ": x-amazon-apigateway-binary-media-types: " + types.status().message());
    }
    for (const std::string& t : *types) {
      if (std::find(api.binary_media_types.begin(), api.binary_media_types.end(), t) == api.binary_media_types.end()) {
        api.binary_media_types.push_back(t);
      }
    }
  }
  if (api.http && !api.cors.enabled && document["x-amazon-apigateway-cors"]) {
    auto cors = ReadHttpApiCors(context.resolver, document["x-amazon-apigateway-cors"], true,
                                where + ": x-amazon-apigateway-cors");
    if (!cors.ok()) return cors.status();
    api.cors = std::move(*cors);
  }
  const YAML::Node paths = document["paths"];
  if (!paths || paths.IsNull()) return Status::Ok();
  if (!paths.IsMap()) return TemplateError(where + ": paths must be a map");
  for (const auto& path_item : paths) {
    const std::string path = path_item.first.as<std::string>();
    const std::string at = fmt::format("{}: paths.{}", where, path);
    if (path != "$default" && (path.empty() || path[0] != '/')) {
      return TemplateError(at + ": a path must start with /" + (api.http ? " or be $default" : ""));
    }
    if (path == "$default" && !api.http) return TemplateError(at + ": $default is a path of HTTP APIs only");
    if (!path_item.second.IsMap()) return TemplateError(at + " must be a map of operations");
    for (const auto& operation : path_item.second) {
      const std::string key = operation.first.as<std::string>();
      std::string method;
      if (key == kAnyMethod) {
        method = "ANY";
      } else if (std::find(std::begin(kOperations), std::end(kOperations), Lower(key)) != std::end(kOperations)) {
        method = UpperAscii(key);
      } else {
        continue;
      }
      if (!operation.second.IsMap() || !operation.second[kIntegration]) continue;  // an event may integrate it
      ApiRouteResource route;
      route.api_id = api.id;
      route.method = method;
      route.path = path;
      route.source = fmt::format("{} {}", api.logical_id, what);
      route.payload_format = "1.0";  // REST APIs' only one; AWS's import default for HTTP APIs
      const std::string op_what = fmt::format("{}.{}.{}", at, key, kIntegration);
      if (Status s = ReadIntegration(context, operation.second[kIntegration], op_what, api, route, out); !s.ok()) {
        return s;
      }
      if (!route.unserved.empty()) {
        out.notices.push_back(
            fmt::format("API {}: {}: not served (lambda-local answers 501)", api.logical_id, route.unserved));
      }
      out.api_routes.push_back(std::move(route));
    }
  }
  return Status::Ok();
}

Result<YAML::Node> InlineDefinition(const TemplateContext& context, const YAML::Node& body, const std::string& where,
                                    LoadedTemplate& out) {
  YAML::Node transform(YAML::NodeType::Undefined);
  if (body.Tag() == "!Transform") {
    transform = body;
  } else if (body.IsMap() && body.size() == 1 && body["Fn::Transform"]) {
    transform = body["Fn::Transform"];
  }
  if (!transform.IsDefined()) {
    if (!body.IsMap()) return TemplateError(where + " must be an OpenAPI document (a map)");
    return body;
  }
  if (!transform.IsMap() || !transform["Name"]) {
    return TemplateError(where + ": Fn::Transform needs Name: AWS::Include and Parameters: {Location}");
  }
  auto name = EvalIn(context.resolver, transform["Name"], where + ": Fn::Transform Name");
  if (!name.ok()) return name.status();
  if (*name != "AWS::Include") {
    return TemplateError(fmt::format("{}: Fn::Transform {}: lambda-local reads only AWS::Include", where, *name));
  }
  const YAML::Node location_node = PropertyNode(transform["Parameters"], "Location");
  if (!location_node.IsDefined()) return TemplateError(where + ": AWS::Include needs Parameters: {Location}");
  auto location = EvalIn(context.resolver, location_node, where + ": AWS::Include Location");
  if (!location.ok()) return location.status();
  if (IsS3Location(*location)) {
    out.notices.push_back(
        fmt::format("{}: the definition {} is in S3: its routes are not served (give a local "
                    "path to serve them)",
                    where, *location));
    return YAML::Node(YAML::NodeType::Undefined);
  }
  return DefinitionFile(context, *location, where);
}

Result<YAML::Node> DefinitionFile(const TemplateContext& context, const std::string& location,
                                  const std::string& where) {
  std::filesystem::path path(location);
  if (path.is_relative()) path = context.base_dir / path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return TemplateError(fmt::format("{}: cannot read the definition {} ({})", where, location, path.string()));
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  const size_t first = text.find_first_not_of(" \t\r\n");
  const bool json = path.extension() == ".json" || (first != std::string::npos && text[first] == '{');
  if (json) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (!doc.HasParseError()) return JsonToYaml(doc);
    if (path.extension() == ".json") {
      return TemplateError(fmt::format("{}: {} is not valid JSON: {} (at byte {})", where, location,
                                       rapidjson::GetParseError_En(doc.GetParseError()), doc.GetErrorOffset()));
    }
    // YAML may start with a flow map too: read it as YAML below.
  }
  try {
    YAML::Node node = YAML::Load(text);
    return node;
  } catch (const YAML::Exception& e) {
    return TemplateError(fmt::format("{}: {} is not valid YAML: {}", where, location, e.what()));
  }
}

Status ReadSamDefinition(const TemplateContext& context, const Resource& resource, ApiResource& api,
                         LoadedTemplate& out) {
  const std::string where = "API " + resource.logical_id;
  const YAML::Node body = PropertyNode(resource.properties, "DefinitionBody");
  YAML::Node uri = PropertyNode(resource.properties, "DefinitionUri");
  const bool has_body = body.IsDefined() && !body.IsNull();
  if (has_body && uri.IsDefined() && !uri.IsNull()) {
    return TemplateError(where + ": specify either DefinitionUri or DefinitionBody, not both (as SAM)");
  }
  if (!has_body && !api.http && !uri.IsDefined()) uri = PropertyNode(context.api_globals, "DefinitionUri");
  if (has_body) {
    auto document = InlineDefinition(context, body, where + ": DefinitionBody", out);
    if (!document.ok()) return document.status();
    if (!document->IsDefined()) return Status::Ok();
    return ReadOpenApiDefinition(context, *document, "DefinitionBody", api, out);
  }
  if (!uri.IsDefined() || uri.IsNull()) return Status::Ok();
  std::string location;
  if (uri.IsMap() && uri["Bucket"]) {  // {Bucket, Key, Version}: in S3
    auto bucket = EvalIn(context.resolver, uri["Bucket"], where + ": DefinitionUri.Bucket");
    if (!bucket.ok()) return bucket.status();
    auto key =
        uri["Key"] ? EvalIn(context.resolver, uri["Key"], where + ": DefinitionUri.Key") : Result<std::string>("");
    if (!key.ok()) return key.status();
    location = fmt::format("s3://{}/{}", *bucket, *key);
  } else {
    auto v = EvalIn(context.resolver, uri, where + ": DefinitionUri");
    if (!v.ok()) return v.status();
    location = *v;
  }
  if (IsS3Location(location)) {
    out.notices.push_back(
        fmt::format("{}: DefinitionUri {} is in S3: its routes are not served (the routes of "
                    "function events are; give a local path to serve them)",
                    where, location));
    return Status::Ok();
  }
  auto document = DefinitionFile(context, location, where + ": DefinitionUri");
  if (!document.ok()) return document.status();
  return ReadOpenApiDefinition(context, *document, "DefinitionUri " + location, api, out);
}

}  // namespace ll
