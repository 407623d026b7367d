// AWS::Serverless::Api and AWS::Serverless::HttpApi, the implicit APIs SAM makes for events
// that name no API, and the Api / HttpApi events of functions: routes to the function.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "template/resources/handlers.h"

namespace ll {
namespace {

constexpr char kImplicitRestApi[] = "ServerlessRestApi";
constexpr char kImplicitHttpApi[] = "ServerlessHttpApi";

// Stable for a project folder and a logical id, as a deployed API's id is for its stack.
std::string ApiIdOf(const TemplateContext& context, const std::string& logical_id) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a 64
  for (char c : context.base_dir.string() + "/" + logical_id) hash = (hash ^ uint8_t(c)) * 1099511628211ull;
  static const char kDigits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id;
  for (int i = 0; i < 10; ++i) {
    id += kDigits[hash % 36];
    hash /= 36;
    if (hash == 0) hash = 0x9e3779b97f4a7c15ull;
  }
  return id;
}

Status ReadApi(const TemplateContext& context, const Resource& resource, bool http, LoadedTemplate& out) {
  const std::string where = "API " + resource.logical_id;
  ApiResource api;
  api.logical_id = resource.logical_id;
  api.id = resource.name;
  api.http = http;
  api.stage = http ? "$default" : "Prod";
  const YAML::Node& props = resource.properties;
  if (props && props.IsMap()) {
    if (props["StageName"]) {
      auto stage = context.resolver.Eval(props["StageName"]);
      if (!stage.ok()) return TemplateError(where + ": StageName: " + stage.status().message());
      api.stage = *stage;
    }
    const YAML::Node& vars = props[http ? "StageVariables" : "Variables"];
    if (vars && vars.IsMap()) {
      for (const auto& kv : vars) {
        auto v = context.resolver.Eval(kv.second);
        if (!v.ok()) return TemplateError(where + ": stage variable " + kv.first.as<std::string>());
        api.variables[kv.first.as<std::string>()] = *v;
      }
    }
    if (props["BinaryMediaTypes"]) {
      auto types = EvalStringOrList(context.resolver, props["BinaryMediaTypes"]);
      if (!types.ok()) return TemplateError(where + ": BinaryMediaTypes: " + types.status().message());
      // SAM's "~1" stands for "/" in media types.
      for (std::string t : *types) {
        for (size_t at; (at = t.find("~1")) != std::string::npos;) t.replace(at, 2, "/");
        api.binary_media_types.push_back(t);
      }
    }
  }
  out.apis.push_back(std::move(api));
  return Status::Ok();
}

// The implicit API of that logical id, made once.
const ApiResource& ImplicitApi(const TemplateContext& context, const char* logical_id, bool http,
                               LoadedTemplate& out) {
  for (const auto& a : out.apis) {
    if (a.logical_id == logical_id) return a;
  }
  ApiResource api;
  api.logical_id = logical_id;
  api.id = ApiIdOf(context, logical_id);
  api.http = http;
  api.stage = http ? "$default" : "Prod";
  out.apis.push_back(std::move(api));
  return out.apis.back();
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

}  // namespace

Result<ResourceSymbols> NameApi(const TemplateContext& context, const Resource& resource) {
  ResourceSymbols symbols;
  symbols.name = ApiIdOf(context, resource.logical_id);
  symbols.ref = symbols.name;
  symbols.attributes["RootResourceId"] = symbols.name.substr(0, 6) + "root";
  symbols.attributes["ApiEndpoint"] =
      fmt::format("https://{}.execute-api.{}.amazonaws.com", symbols.name, context.options.region);
  return symbols;
}

Status LoadServerlessApi(const TemplateContext& context, const Resource& resource, LoadedTemplate& out) {
  return ReadApi(context, resource, false, out);
}

Status LoadServerlessHttpApi(const TemplateContext& context, const Resource& resource,
                             LoadedTemplate& out) {
  return ReadApi(context, resource, true, out);
}

Status ReadApiEvent(const TemplateContext& context, const Resource& function, const std::string& event_id,
                    const YAML::Node& event, LoadedTemplate& out, bool http) {
  const YAML::Node& props = event["Properties"];
  ApiRouteResource route;
  route.source = event_id;
  route.function_name = function.name;
  const char* api_key = http ? "ApiId" : "RestApiId";
  if (props && props.IsMap() && props[api_key]) {
    auto id = context.resolver.Eval(props[api_key]);
    if (!id.ok()) return TemplateError(event_id + ": " + api_key + ": " + id.status().message());
    route.api_id = *id;
  } else {
    route.api_id = ImplicitApi(context, http ? kImplicitHttpApi : kImplicitRestApi, http, out).id;
  }
  const bool has_path = props && props.IsMap() && props["Path"];
  const bool has_method = props && props.IsMap() && props["Method"];
  if (!http && (!has_path || !has_method)) {
    return TemplateError(event_id + ": an Api event needs Path and Method");
  }
  if (has_path) {
    auto path = context.resolver.Eval(props["Path"]);
    if (!path.ok()) return TemplateError(event_id + ": Path: " + path.status().message());
    route.path = *path;
  }
  if (has_method) {
    auto method = context.resolver.Eval(props["Method"]);
    if (!method.ok()) return TemplateError(event_id + ": Method: " + method.status().message());
    route.method = Upper(*method);
  }
  if (http && !has_path && !has_method) {
    route.path = "$default";
    route.method = "ANY";
  } else if (http && (!has_path || !has_method)) {
    return TemplateError(event_id + ": an HttpApi event needs both Path and Method, or neither ($default)");
  }
  if (route.method == "X-AMAZON-APIGATEWAY-ANY-METHOD" || route.method == "*") route.method = "ANY";
  if (route.path != "$default" && (route.path.empty() || route.path[0] != '/')) {
    return TemplateError(event_id + ": Path must start with /");
  }
  route.payload_format = http ? "2.0" : "1.0";
  if (http && props && props.IsMap() && props["PayloadFormatVersion"]) {
    auto v = context.resolver.Eval(props["PayloadFormatVersion"]);
    if (!v.ok() || (*v != "1.0" && *v != "2.0")) {
      return TemplateError(event_id + ": PayloadFormatVersion must be 1.0 or 2.0");
    }
    route.payload_format = *v;
  }
  if (http && props && props.IsMap() && props["TimeoutInMillis"]) {
    auto t = EvalInt(context.resolver, props["TimeoutInMillis"], event_id + ": TimeoutInMillis");
    if (!t.ok()) return t.status();
    if (*t < 50 || *t > 30000) return TemplateError(event_id + ": TimeoutInMillis must be from 50 to 30000");
    route.timeout_ms = *t;
  }
  out.api_routes.push_back(std::move(route));
  return Status::Ok();
}

}  // namespace ll
