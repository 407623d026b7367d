// AWS::Serverless::Api and AWS::Serverless::HttpApi (stage, variables, binary media types,
// CORS and Auth over Globals.Api / Globals.HttpApi), the implicit APIs SAM makes for events that
// name no API, and the Api / HttpApi events of functions: routes to the function.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <map>
#include <utility>

#include "template/resources/handlers.h"
#include "template/resources/openapi.h"

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

// Given: present and not null (`Cors:` with no value is no CORS).
bool Given(const YAML::Node& node) { return node.IsDefined() && !node.IsNull(); }

// A map that is an intrinsic function in long form ({"Fn::Sub": ...}, {"Ref": ...}).
bool IsIntrinsicMap(const YAML::Node& node) {
  if (!node.IsMap() || node.size() != 1) return false;
  const std::string key = node.begin()->first.as<std::string>();
  return key == "Ref" || key.rfind("Fn::", 0) == 0;
}

// SAM's Globals for one property: the API's own value merged over the global one when both are
// maps (the API's keys win), else the API's own if given, else the global one.
YAML::Node WithGlobal(const YAML::Node& own, const YAML::Node& global) {
  if (!Given(global)) return own;
  if (!Given(own)) return global;
  if (!own.IsMap() || !global.IsMap() || IsIntrinsicMap(own) || IsIntrinsicMap(global)) return own;
  std::map<std::string, YAML::Node> keys;
  for (const auto& kv : global) keys[kv.first.as<std::string>()] = kv.second;
  for (const auto& kv : own) keys[kv.first.as<std::string>()] = kv.second;
  YAML::Node merged(YAML::NodeType::Map);
  for (const auto& [key, value] : keys) merged[key] = value;  // each key once: no node is reassigned
  return merged;
}

YAML::Node PropertyOf(const YAML::Node& map, const char* key) {
  if (Given(map) && map.IsMap() && map[key]) return map[key];
  return YAML::Node(YAML::NodeType::Undefined);
}

// A REST API's CORS value as SAM writes it: a literal header value in single quotes ("'*'"),
// since API Gateway takes the MOCK's response headers as mapping expressions.
Result<std::string> QuotedValue(const Resolver& resolver, const YAML::Node& node, const std::string& what) {
  auto v = resolver.Eval(node);
  if (!v.ok()) return TemplateError(what + ": " + v.status().message());
  if (v->size() < 2 || v->front() != '\'' || v->back() != '\'') {
    return TemplateError(
        fmt::format("{} must be a quoted string, as SAM writes it (\"'value'\"), got \"{}\"", what, *v));
  }
  return v->substr(1, v->size() - 2);
}

// AWS::Serverless::Api `Cors`: the AllowOrigin alone, or {AllowMethods, AllowHeaders,
// AllowOrigin, MaxAge, AllowCredentials} (samtranslator's api_generator._add_cors).
Result<ApiCors> ReadRestCors(const Resolver& resolver, const YAML::Node& cors, const std::string& where) {
  ApiCors out;
  if (!Given(cors)) return out;
  const std::string what = where + ": Cors";
  std::string origin = "*";  // SAM's default AllowOrigin
  if (cors.IsMap() && !IsIntrinsicMap(cors)) {
    if (Status s =
            UnknownKeys(cors, {"AllowMethods", "AllowHeaders", "AllowOrigin", "MaxAge", "AllowCredentials"}, what);
        !s.ok()) {
      return s;
    }
    if (cors["AllowOrigin"]) {
      auto v = QuotedValue(resolver, cors["AllowOrigin"], what + ".AllowOrigin");
      if (!v.ok()) return v.status();
      origin = *v;
    }
    if (cors["AllowMethods"]) {
      auto v = QuotedValue(resolver, cors["AllowMethods"], what + ".AllowMethods");
      if (!v.ok()) return v.status();
      out.allow_methods.push_back(*v);
    }
    if (cors["AllowHeaders"]) {
      auto v = QuotedValue(resolver, cors["AllowHeaders"], what + ".AllowHeaders");
      if (!v.ok()) return v.status();
      out.allow_headers.push_back(*v);
    }
    if (cors["MaxAge"]) {
      // SAM documents a quoted number ("'600'"); a bare one is taken too.
      auto v = resolver.Eval(cors["MaxAge"]);
      if (!v.ok()) return TemplateError(what + ".MaxAge: " + v.status().message());
      const bool quoted = v->size() >= 2 && v->front() == '\'' && v->back() == '\'';
      out.max_age = quoted ? v->substr(1, v->size() - 2) : *v;
    }
    if (cors["AllowCredentials"]) {
      auto v = EvalBool(resolver, cors["AllowCredentials"], what + ".AllowCredentials");
      if (!v.ok()) return v.status();
      out.allow_credentials = *v;
    }
  } else if (cors.IsScalar() || IsIntrinsicMap(cors)) {
    auto v = QuotedValue(resolver, cors, what);
    if (!v.ok()) return v.status();
    origin = *v;
  } else {
    return TemplateError(what + " must be a quoted origin (\"'*'\") or a map");
  }
  if (out.allow_credentials && origin == "*") {
    return TemplateError(what + ": AllowCredentials can not be true when AllowOrigin is \"'*'\" or not set");
  }
  out.allow_origins.push_back(origin);
  out.enabled = true;
  return out;
}

// AWS::Serverless::HttpApi `CorsConfiguration`: true (AllowOrigins ["*"] alone), an intrinsic
// (the AllowOrigins), or {AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders, MaxAge,
// AllowCredentials} (samtranslator's http_api_generator._add_cors).
Result<ApiCors> ReadHttpCors(const Resolver& resolver, const YAML::Node& cors, const std::string& where) {
  ApiCors out;
  if (!Given(cors)) return out;
  const std::string what = where + ": CorsConfiguration";
  if (cors.IsMap() && !IsIntrinsicMap(cors)) {
    if (Status s = UnknownKeys(cors, {"AllowCredentials", "AllowHeaders", "AllowMethods", "AllowOrigins",
                                      "ExposeHeaders", "MaxAge"},
                               what);
        !s.ok()) {
      return s;
    }
    const std::pair<const char*, std::vector<std::string>*> lists[] = {{"AllowOrigins", &out.allow_origins},
                                                                       {"AllowMethods", &out.allow_methods},
                                                                       {"AllowHeaders", &out.allow_headers},
                                                                       {"ExposeHeaders", &out.expose_headers}};
    for (const auto& [key, list] : lists) {
      if (!cors[key]) continue;
      auto v = EvalStringOrList(resolver, cors[key]);
      if (!v.ok()) return TemplateError(fmt::format("{}.{}: {}", what, key, v.status().message()));
      *list = std::move(*v);
    }
    if (cors["MaxAge"]) {
      auto v = EvalInt(resolver, cors["MaxAge"], what + ".MaxAge");
      if (!v.ok()) return v.status();
      out.max_age = std::to_string(*v);
    }
    if (cors["AllowCredentials"]) {
      auto v = EvalBool(resolver, cors["AllowCredentials"], what + ".AllowCredentials");
      if (!v.ok()) return v.status();
      out.allow_credentials = *v;
    }
  } else if (cors.IsScalar() || IsIntrinsicMap(cors)) {
    auto v = resolver.Eval(cors);
    if (!v.ok()) return TemplateError(what + ": " + v.status().message());
    if (*v == "false" || *v == "False") return out;
    out.allow_origins.push_back(*v == "true" || *v == "True" ? "*" : *v);
  } else {
    return TemplateError(what + " must be true or a map");
  }
  if (out.allow_credentials && out.allow_origins == std::vector<std::string>{"*"}) {
    return TemplateError(what + ": AllowCredentials can not be true when AllowOrigins is [\"*\"]");
  }
  out.enabled = true;
  return out;
}

// The API's CORS: its own property over Globals.Api.Cors / Globals.HttpApi.CorsConfiguration.
Result<ApiCors> ReadCors(const TemplateContext& context, const YAML::Node& props, bool http,
                         const std::string& where) {
  const char* key = http ? "CorsConfiguration" : "Cors";
  const YAML::Node& globals = http ? context.http_api_globals : context.api_globals;
  YAML::Node cors = WithGlobal(PropertyOf(props, key), PropertyOf(globals, key));
  return http ? ReadHttpCors(context.resolver, cors, where) : ReadRestCors(context.resolver, cors, where);
}

// The API's Auth: its own property over Globals.Api.Auth / Globals.HttpApi.Auth (api_auth.cc).
Result<ApiAuth> ReadAuth(const TemplateContext& context, const YAML::Node& props, bool http,
                         const std::string& logical_id, LoadedTemplate& out) {
  const YAML::Node& globals = http ? context.http_api_globals : context.api_globals;
  return ReadApiAuth(context, WithGlobal(PropertyOf(props, "Auth"), PropertyOf(globals, "Auth")), http, logical_id,
                     out);
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
  auto cors = ReadCors(context, props, http, where);
  if (!cors.ok()) return cors.status();
  api.cors = std::move(*cors);
  auto auth = ReadAuth(context, props, http, resource.logical_id, out);
  if (!auth.ok()) return auth.status();
  api.auth = std::move(*auth);
  // DefinitionBody / DefinitionUri: the OpenAPI document's routes (openapi.cc).
  if (Status s = ReadSamDefinition(context, resource, api, out); !s.ok()) return s;
  out.apis.push_back(std::move(api));
  return Status::Ok();
}

// The id of the implicit API of that logical id, made once (with the Globals' CORS and Auth,
// the only configuration an implicit API has).
Result<std::string> ImplicitApiId(const TemplateContext& context, const char* logical_id, bool http,
                                  LoadedTemplate& out) {
  for (const auto& a : out.apis) {
    if (a.logical_id == logical_id) return a.id;
  }
  ApiResource api;
  api.logical_id = logical_id;
  api.id = ApiIdOf(context, logical_id);
  api.http = http;
  api.stage = http ? "$default" : "Prod";
  auto cors = ReadCors(context, YAML::Node(YAML::NodeType::Undefined), http, std::string("API ") + logical_id);
  if (!cors.ok()) return cors.status();
  api.cors = std::move(*cors);
  auto auth = ReadAuth(context, YAML::Node(YAML::NodeType::Undefined), http, logical_id, out);
  if (!auth.ok()) return auth.status();
  api.auth = std::move(*auth);
  out.apis.push_back(std::move(api));
  return out.apis.back().id;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

}  // namespace

Status UnknownKeys(const YAML::Node& map, std::initializer_list<const char*> known, const std::string& what) {
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; })) {
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return TemplateError(fmt::format("{}: unknown property {} (SAM knows {})", what, key, list));
    }
  }
  return Status::Ok();
}

Result<bool> EvalBool(const Resolver& resolver, const YAML::Node& node, const std::string& what) {
  auto v = resolver.Eval(node);
  if (!v.ok()) return TemplateError(what + ": " + v.status().message());
  std::string lower = *v;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "true") return true;
  if (lower == "false") return false;
  return TemplateError(fmt::format("{} must be true or false, got '{}'", what, *v));
}

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
    auto id = ImplicitApiId(context, http ? kImplicitHttpApi : kImplicitRestApi, http, out);
    if (!id.ok()) return id.status();
    route.api_id = *id;
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
  if (props && props.IsMap() && props["Auth"]) {
    if (Status s = ReadEventAuth(context, props["Auth"], http, event_id, route); !s.ok()) return s;
  }
  out.api_routes.push_back(std::move(route));
  return Status::Ok();
}

}  // namespace ll
