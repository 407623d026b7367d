#include "template/resources/api_integration.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "model/function_ref.h"
#include "template/resources/handlers.h"

namespace ll {

Result<std::string> LambdaFunctionOfUri(const Resolver& resolver, const std::string& uri) {
  std::string function = uri;
  // The apigateway service path form; what follows "functions/" is the function's ARN (which may
  // itself hold slashes only if malformed, so the last "/invocations" ends it).
  if (uri.rfind("arn:", 0) == 0 && uri.find(":lambda:path/") != std::string::npos) {
    const size_t functions = uri.find("/functions/");
    const size_t invocations = uri.rfind("/invocations");
    if (functions == std::string::npos || invocations == std::string::npos || invocations <= functions + 11) {
      return TemplateError(
          fmt::format("'{}' is not a Lambda invocation URI "
                      "(arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations)",
                      uri));
    }
    function = uri.substr(functions + 11, invocations - functions - 11);
  }
  // "${Fn.Arn}" or "${Fn}" as CloudFormation would have substituted them in a !Sub.
  for (size_t start, from = 0; (start = function.find("${", from)) != std::string::npos;) {
    const size_t end = function.find('}', start);
    if (end == std::string::npos) break;
    const std::string name = function.substr(start + 2, end - start - 2);
    const size_t dot = name.find('.');
    auto v =
        dot == std::string::npos ? resolver.Ref(name) : resolver.GetAttr(name.substr(0, dot), name.substr(dot + 1));
    if (!v.ok()) return v.status();
    function.replace(start, end - start + 1, *v);
    from = start + v->size();  // a value is not substituted again
  }
  if (function.rfind("arn:", 0) != 0 || function.find(":lambda:") == std::string::npos) {
    return TemplateError(
        fmt::format("'{}' names no Lambda function (a function's ARN, or "
                    "arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations)",
                    uri));
  }
  auto ref = ParseFunctionRef(function);
  if (!ref.ok()) return TemplateError(fmt::format("'{}' is not a Lambda function ARN", function));
  return ref->qualifier.empty() ? ref->name : ref->name + ":" + ref->qualifier;
}

Result<std::string> SubstituteStageVariables(const std::string& text,
                                             const std::map<std::string, std::string>& variables) {
  static constexpr std::string_view kOpen = "${stageVariables.";
  std::string out;
  size_t at = 0;
  while (true) {
    const size_t start = text.find(kOpen, at);
    if (start == std::string::npos) break;
    const size_t end = text.find('}', start);
    if (end == std::string::npos) break;
    const std::string name = text.substr(start + kOpen.size(), end - start - kOpen.size());
    auto v = variables.find(name);
    if (v == variables.end()) return TemplateError(fmt::format("the stage variable {} is not defined", name));
    out.append(text, at, start - at);
    out += v->second;
    at = end + 1;
  }
  out.append(text, at, std::string::npos);
  return out;
}

std::string IntegrationDescription(std::string_view type) {
  const std::string upper = UpperAscii(std::string(type));
  if (upper == "AWS_PROXY") return "a Lambda proxy integration";
  if (upper == "AWS") return "an AWS (non-proxy) integration";
  if (upper == "HTTP") return "an HTTP (non-proxy) integration";
  if (upper == "HTTP_PROXY") return "an HTTP proxy integration";
  if (upper == "MOCK") return "a mock integration";
  return "";
}

std::string StableId(const TemplateContext& context, const std::string& logical_id, size_t length) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a 64
  for (char c : context.base_dir.string() + "/" + logical_id) hash = (hash ^ uint8_t(c)) * 1099511628211ull;
  static const char kDigits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id;
  for (size_t i = 0; i < length; ++i) {
    id += kDigits[hash % 36];
    hash /= 36;
    if (hash == 0) hash = 0x9e3779b97f4a7c15ull;
  }
  return id;
}

std::string ResourceWithRef(const TemplateContext& context, std::string_view type, const std::string& ref) {
  if (!context.resources.IsDefined() || !context.resources.IsMap()) return "";
  for (const auto& kv : context.resources) {
    if (!kv.second.IsMap() || !kv.second["Type"] || kv.second["Type"].as<std::string>() != type) continue;
    const std::string logical_id = kv.first.as<std::string>();
    auto r = context.resolver.Ref(logical_id);
    if (r.ok() && *r == ref) return logical_id;
  }
  return "";
}

YAML::Node PropertyNode(const YAML::Node& props, const char* key) {
  if (props.IsDefined() && props.IsMap() && props[key]) return props[key];
  return YAML::Node(YAML::NodeType::Undefined);
}

Result<std::string> EvalRequired(const Resolver& resolver, const YAML::Node& props, const char* key,
                                 const std::string& where) {
  const YAML::Node node = PropertyNode(props, key);
  if (!node.IsDefined() || node.IsNull()) return TemplateError(fmt::format("{}: {} is required", where, key));
  auto v = resolver.Eval(node);
  if (!v.ok()) return TemplateError(fmt::format("{}: {}: {}", where, key, v.status().message()));
  return v;
}

Result<std::map<std::string, std::string>> EvalStringMap(const Resolver& resolver, const YAML::Node& map,
                                                         const std::string& what) {
  std::map<std::string, std::string> out;
  if (!map.IsDefined() || map.IsNull()) return out;
  if (!map.IsMap()) return TemplateError(what + " must be a map");
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    auto v = resolver.Eval(kv.second);
    if (!v.ok()) return TemplateError(fmt::format("{}.{}: {}", what, key, v.status().message()));
    out[key] = *v;
  }
  return out;
}

std::string UpperAscii(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

Result<ApiCors> ReadHttpApiCors(const Resolver& resolver, const YAML::Node& cors, bool camel_case,
                                const std::string& what) {
  ApiCors out;
  if (!cors.IsDefined() || cors.IsNull()) return out;
  if (!cors.IsMap()) return TemplateError(what + " must be a map");
  // API Gateway's names; the OpenAPI extension spells them with a lower-case first letter.
  auto key = [camel_case](std::string name) {
    if (camel_case) name[0] = char(std::tolower(static_cast<unsigned char>(name[0])));
    return name;
  };
  const std::pair<const char*, std::vector<std::string>*> lists[] = {{"AllowOrigins", &out.allow_origins},
                                                                     {"AllowMethods", &out.allow_methods},
                                                                     {"AllowHeaders", &out.allow_headers},
                                                                     {"ExposeHeaders", &out.expose_headers}};
  for (const auto& [name, list] : lists) {
    const YAML::Node node = cors[key(name)];
    if (!node) continue;
    auto v = EvalStringOrList(resolver, node);
    if (!v.ok()) return TemplateError(fmt::format("{}.{}: {}", what, key(name), v.status().message()));
    *list = std::move(*v);
  }
  if (const YAML::Node node = cors[key("MaxAge")]; node) {
    auto v = EvalInt(resolver, node, what + "." + key("MaxAge"));
    if (!v.ok()) return v.status();
    out.max_age = std::to_string(*v);
  }
  if (const YAML::Node node = cors[key("AllowCredentials")]; node) {
    auto v = EvalBool(resolver, node, what + "." + key("AllowCredentials"));
    if (!v.ok()) return v.status();
    out.allow_credentials = *v;
  }
  if (out.allow_credentials &&
      std::find(out.allow_origins.begin(), out.allow_origins.end(), "*") != out.allow_origins.end()) {
    // API Gateway refuses the configuration, as browsers would refuse the answers.
    return TemplateError(what + ": AllowCredentials can not be true when AllowOrigins has \"*\"");
  }
  out.enabled = true;
  return out;
}

Result<int> EvalTimeoutMs(const Resolver& resolver, const YAML::Node& node, int max_ms, const std::string& what) {
  auto t = EvalInt(resolver, node, what);
  if (!t.ok()) return t.status();
  if (*t < 50 || *t > max_ms) return TemplateError(fmt::format("{} must be from 50 to {}, got {}", what, max_ms, *t));
  return *t;
}

std::string TypeOf(const YAML::Node& resource) {
  return resource.IsMap() && resource["Type"] ? resource["Type"].as<std::string>() : "";
}

YAML::Node PropertiesOf(const TemplateContext& context, const std::string& logical_id) {
  return PropertyNode(context.resources[logical_id], "Properties");
}

}  // namespace ll
