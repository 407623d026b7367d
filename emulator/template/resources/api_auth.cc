// SAM's `Auth` of AWS::Serverless::Api (ApiAuth: Lambda TOKEN / REQUEST and Cognito
// authorizers, DefaultAuthorizer, ApiKeyRequired, UsagePlan, the CORS preflight switches) and of
// AWS::Serverless::HttpApi (HttpApiAuth: Lambda and JWT authorizers, DefaultAuthorizer); the
// `Auth` of a function's Api / HttpApi event; and AWS::ApiGateway::ApiKey. Identity sources are
// kept as the mapping expressions SAM's translator writes for them.
#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "template/resources/handlers.h"

namespace ll {

std::string UserPoolIssuer(const std::string& arn_or_id, const std::string& region) {
  // arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>
  std::string pool_region = region;
  std::string id = arn_or_id;
  if (arn_or_id.rfind("arn:", 0) == 0) {
    const size_t slash = arn_or_id.find(":userpool/");
    if (slash == std::string::npos) return "";
    std::vector<std::string> parts;
    for (size_t at = 0, colon; at <= slash; at = colon + 1) {
      colon = arn_or_id.find(':', at);
      parts.push_back(arn_or_id.substr(at, colon - at));
      if (colon == std::string::npos) break;
    }
    if (parts.size() < 5 || parts[2] != "cognito-idp" || parts[3].empty()) return "";
    pool_region = parts[3];
    id = arn_or_id.substr(slash + 10);
  }
  if (id.empty() || id.find_first_of("/: ") != std::string::npos) return "";
  return "https://cognito-idp." + pool_region + ".amazonaws.com/" + id;
}
namespace {

constexpr char kIam[] = "AWS_IAM";
constexpr char kNone[] = "NONE";
constexpr char kSharedKey[] = "ServerlessApiKey";  // SAM's key for UsagePlan SHARED

bool Given(const YAML::Node& node) { return node.IsDefined() && !node.IsNull(); }

// A made-up string of `n` characters from `alphabet`, the same for the same project and seed,
// as a deployed stack keeps its generated values.
std::string Stable(const TemplateContext& context, const std::string& seed, size_t n, std::string_view alphabet) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a 64 of the project folder and the seed
  for (char c : context.base_dir.string() + "/" + seed) h = (h ^ uint8_t(c)) * 1099511628211ull;
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    h ^= h >> 33;  // splitmix-like steps, so every character depends on the whole seed
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 29;
    out += alphabet[h % alphabet.size()];
  }
  return out;
}

constexpr std::string_view kLowerDigits = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kAlphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

std::string KeyId(const TemplateContext& context, const std::string& logical_id) {
  return Stable(context, logical_id + " api key id", 10, kLowerDigits);
}

// An API key's value as API Gateway generates them: 40 letters and digits.
std::string KeyValue(const TemplateContext& context, const std::string& logical_id) {
  return Stable(context, logical_id + " api key value", 40, kAlphanumeric);
}

Result<std::string> EvalString(const Resolver& resolver, const YAML::Node& node, const std::string& what) {
  auto v = resolver.Eval(node);
  if (!v.ok()) return TemplateError(what + ": " + v.status().message());
  return *v;
}

Result<int> ReauthorizeEvery(const Resolver& resolver, const YAML::Node& identity, int fallback,
                             const std::string& what) {
  if (!Given(identity) || !identity["ReauthorizeEvery"]) return fallback;
  auto ttl = EvalInt(resolver, identity["ReauthorizeEvery"], what + ".ReauthorizeEvery");
  if (!ttl.ok()) return ttl.status();
  if (*ttl < 0 || *ttl > 3600) return TemplateError(what + ".ReauthorizeEvery must be from 0 to 3600 seconds");
  return *ttl;
}

// Identity's Headers, QueryStrings, StageVariables and Context as mapping expressions
// (samtranslator's _get_identity_source order), with REST's or HTTP APIs' prefixes.
Status IdentitySources(const Resolver& resolver, const YAML::Node& identity, bool http, const std::string& what,
                       std::vector<std::string>& out) {
  if (!Given(identity)) return Status::Ok();
  const std::pair<const char*, const char*> kinds[] = {
      {"Headers", http ? "$request.header." : "method.request.header."},
      {"QueryStrings", http ? "$request.querystring." : "method.request.querystring."},
      {"StageVariables", http ? "$stageVariables." : "stageVariables."},
      {"Context", http ? "$context." : "context."},
  };
  for (const auto& [key, prefix] : kinds) {
    if (!identity[key]) continue;
    auto names = EvalStringOrList(resolver, identity[key]);
    if (!names.ok()) return TemplateError(fmt::format("{}.{}: {}", what, key, names.status().message()));
    for (const std::string& name : *names) out.push_back(prefix + name);
  }
  return Status::Ok();
}

// One of a REST API's Auth.Authorizers: LambdaTokenAuthorizer, LambdaRequestAuthorizer or
// CognitoAuthorizer.
Result<ApiAuthorizerResource> RestAuthorizer(const Resolver& resolver, const std::string& name,
                                             const YAML::Node& props, const std::string& what) {
  ApiAuthorizerResource a;
  a.name = name;
  if (!props.IsMap()) return TemplateError(what + " must be a map");
  const YAML::Node identity = props["Identity"];
  if (Given(identity) && !identity.IsMap()) return TemplateError(what + ".Identity must be a map");
  if (props["UserPoolArn"]) {
    if (Status s = UnknownKeys(props, {"AuthorizationScopes", "Identity", "UserPoolArn", "AuthorizerName"}, what);
        !s.ok()) {
      return s;
    }
    a.type = "COGNITO_USER_POOLS";
    auto pools = EvalStringOrList(resolver, props["UserPoolArn"]);
    if (!pools.ok()) return TemplateError(what + ".UserPoolArn: " + pools.status().message());
    for (const std::string& pool : *pools) {
      auto region = resolver.Ref("AWS::Region");
      std::string issuer = UserPoolIssuer(pool, region.ok() ? *region : "us-east-1");
      if (issuer.empty()) return TemplateError(what + ".UserPoolArn: not a user pool ARN: " + pool);
      a.user_pool_issuers.push_back(std::move(issuer));
    }
  } else if (props["FunctionArn"]) {
    if (Status s = UnknownKeys(props,
                               {"DisableFunctionDefaultPermissions", "FunctionArn", "FunctionInvokeRole",
                                "FunctionPayloadType", "Identity", "AuthorizerName"},
                               what);
        !s.ok()) {
      return s;
    }
    auto function = EvalString(resolver, props["FunctionArn"], what + ".FunctionArn");
    if (!function.ok()) return function.status();
    a.function = *function;
    a.type = "TOKEN";
    if (props["FunctionPayloadType"]) {
      auto type = EvalString(resolver, props["FunctionPayloadType"], what + ".FunctionPayloadType");
      if (!type.ok()) return type.status();
      if (*type != "TOKEN" && *type != "REQUEST") {
        return TemplateError(fmt::format("{}.FunctionPayloadType must be TOKEN or REQUEST, got '{}'", what, *type));
      }
      a.type = *type;
    }
  } else {
    return TemplateError(what + " needs FunctionArn (a Lambda authorizer) or UserPoolArn (a Cognito authorizer)");
  }
  auto ttl = ReauthorizeEvery(resolver, identity, 300, what + ".Identity");
  if (!ttl.ok()) return ttl.status();
  a.ttl_s = *ttl;
  if (a.type == "REQUEST") {
    Status s = IdentitySources(resolver, identity, false, what + ".Identity", a.identity_sources);
    if (!s.ok()) return s;
    return a;
  }
  // TOKEN and Cognito: one header, Authorization unless named.
  std::string header = "Authorization";
  if (Given(identity) && identity["Header"]) {
    auto h = EvalString(resolver, identity["Header"], what + ".Identity.Header");
    if (!h.ok()) return h.status();
    header = *h;
  }
  a.identity_sources.push_back("method.request.header." + header);
  if (Given(identity) && identity["ValidationExpression"]) {
    auto v = EvalString(resolver, identity["ValidationExpression"], what + ".Identity.ValidationExpression");
    if (!v.ok()) return v.status();
    try {  // API Gateway refuses an invalid expression when the API is deployed
      std::regex compiled(*v, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return TemplateError(fmt::format("{}.Identity.ValidationExpression '{}' is not a valid regular expression: {}",
                                       what, *v, e.what()));
    }
    a.validation_expression = *v;
  }
  return a;
}

// One of an HTTP API's Auth.Authorizers: LambdaAuthorizer or OAuth2Authorizer (JWT).
Result<ApiAuthorizerResource> HttpAuthorizer(const Resolver& resolver, const std::string& name,
                                             const YAML::Node& props, const std::string& what) {
  ApiAuthorizerResource a;
  a.name = name;
  if (!props.IsMap()) return TemplateError(what + " must be a map");
  if (props["JwtConfiguration"]) {
    if (Status s = UnknownKeys(props, {"AuthorizationScopes", "IdentitySource", "JwtConfiguration"}, what); !s.ok()) {
      return s;
    }
    a.type = "JWT";
    const YAML::Node jwt = props["JwtConfiguration"];
    if (!jwt.IsMap()) return TemplateError(what + ".JwtConfiguration must be a map of issuer and audience");
    for (const auto& kv : jwt) {
      const std::string key = kv.first.as<std::string>();
      if (key == "issuer" || key == "Issuer") {
        auto v = EvalString(resolver, kv.second, what + ".JwtConfiguration.issuer");
        if (!v.ok()) return v.status();
        a.jwt_issuer = *v;
      } else if (key == "audience" || key == "Audience") {
        auto v = EvalStringOrList(resolver, kv.second);
        if (!v.ok()) return TemplateError(what + ".JwtConfiguration.audience: " + v.status().message());
        a.jwt_audience = std::move(*v);
      } else {
        return TemplateError(fmt::format("{}.JwtConfiguration: unknown property {} (issuer, audience)", what, key));
      }
    }
    if (props["AuthorizationScopes"]) {
      auto v = EvalStringOrList(resolver, props["AuthorizationScopes"]);
      if (!v.ok()) return TemplateError(what + ".AuthorizationScopes: " + v.status().message());
      a.authorization_scopes = std::move(*v);
    }
    std::string source = "$request.header.Authorization";
    if (props["IdentitySource"]) {
      auto v = EvalString(resolver, props["IdentitySource"], what + ".IdentitySource");
      if (!v.ok()) return v.status();
      source = *v;
    }
    a.identity_sources.push_back(source);
    return a;
  }
  if (!props["FunctionArn"]) {
    return TemplateError(what + " needs FunctionArn (a Lambda authorizer) or JwtConfiguration (a JWT authorizer)");
  }
  if (Status s = UnknownKeys(props,
                             {"AuthorizerPayloadFormatVersion", "EnableFunctionDefaultPermissions",
                              "EnableSimpleResponses", "FunctionArn", "FunctionInvokeRole", "Identity"},
                             what);
      !s.ok()) {
    return s;
  }
  a.type = "REQUEST";
  auto function = EvalString(resolver, props["FunctionArn"], what + ".FunctionArn");
  if (!function.ok()) return function.status();
  a.function = *function;
  if (!props["AuthorizerPayloadFormatVersion"]) {
    return TemplateError(what + ": AuthorizerPayloadFormatVersion is required (1.0 or 2.0)");
  }
  auto format = EvalString(resolver, props["AuthorizerPayloadFormatVersion"], what + ".AuthorizerPayloadFormatVersion");
  if (!format.ok()) return format.status();
  if (*format != "1.0" && *format != "2.0") {
    return TemplateError(fmt::format("{}.AuthorizerPayloadFormatVersion must be 1.0 or 2.0, got '{}'", what, *format));
  }
  a.payload_format = *format;
  if (props["EnableSimpleResponses"]) {
    auto simple = EvalBool(resolver, props["EnableSimpleResponses"], what + ".EnableSimpleResponses");
    if (!simple.ok()) return simple.status();
    a.simple_responses = *simple;
    if (a.simple_responses && a.payload_format != "2.0") {
      return TemplateError(what + ": EnableSimpleResponses needs AuthorizerPayloadFormatVersion 2.0");
    }
  }
  const YAML::Node identity = props["Identity"];
  if (Given(identity) && !identity.IsMap()) return TemplateError(what + ".Identity must be a map");
  // HTTP APIs cache nothing unless told (AuthorizerResultTtlInSeconds has no default of 300).
  auto ttl = ReauthorizeEvery(resolver, identity, 0, what + ".Identity");
  if (!ttl.ok()) return ttl.status();
  a.ttl_s = *ttl;
  if (Status s = IdentitySources(resolver, identity, true, what + ".Identity", a.identity_sources); !s.ok()) return s;
  return a;
}

// SAM's Auth.UsagePlan: PER_API makes a key for this API, SHARED one key for every API that
// asks (ServerlessApiKey), NONE nothing.
Status UsagePlanKey(const TemplateContext& context, const YAML::Node& plan, const std::string& api_logical_id,
                    const std::string& what, LoadedTemplate& out) {
  if (!plan.IsMap() || !plan["CreateUsagePlan"]) return TemplateError(what + " needs CreateUsagePlan");
  auto create = EvalString(context.resolver, plan["CreateUsagePlan"], what + ".CreateUsagePlan");
  if (!create.ok()) return create.status();
  if (*create == "NONE") return Status::Ok();
  if (*create != "PER_API" && *create != "SHARED") {
    return TemplateError(fmt::format("{}.CreateUsagePlan must be PER_API, SHARED or NONE, got '{}'", what, *create));
  }
  const std::string logical_id = *create == "SHARED" ? std::string(kSharedKey) : api_logical_id + "ApiKey";
  for (const ApiKeyResource& k : out.api_keys) {
    if (k.logical_id == logical_id) return Status::Ok();
  }
  ApiKeyResource key;
  key.logical_id = logical_id;
  key.id = KeyId(context, logical_id);
  key.value = KeyValue(context, logical_id);
  key.generated = true;
  key.enabled = true;  // SAM's generated key is enabled
  out.api_keys.push_back(std::move(key));
  return Status::Ok();
}

}  // namespace

Result<ApiAuth> ReadApiAuth(const TemplateContext& context, const YAML::Node& auth, bool http,
                            const std::string& api_logical_id, LoadedTemplate& out) {
  ApiAuth result;
  if (!Given(auth)) return result;
  const std::string what = "API " + api_logical_id + ": Auth";
  if (!auth.IsMap()) return TemplateError(what + " must be a map");
  Status known = http ? UnknownKeys(auth, {"Authorizers", "DefaultAuthorizer", "EnableIamAuthorizer"}, what)
                      : UnknownKeys(auth,
                                    {"AddApiKeyRequiredToCorsPreflight", "AddDefaultAuthorizerToCorsPreflight",
                                     "ApiKeyRequired", "Authorizers", "DefaultAuthorizer", "InvokeRole",
                                     "ResourcePolicy", "UsagePlan"},
                                    what);
  if (!known.ok()) return known;
  const Resolver& resolver = context.resolver;
  if (const YAML::Node authorizers = auth["Authorizers"]; Given(authorizers)) {
    if (!authorizers.IsMap()) return TemplateError(what + ".Authorizers must be a map of names to authorizers");
    for (const auto& kv : authorizers) {
      const std::string name = kv.first.as<std::string>();
      if (name == kIam) continue;  // SAM lets AWS_IAM be listed; it needs no configuration
      const std::string where = what + ".Authorizers." + name;
      auto a = http ? HttpAuthorizer(resolver, name, kv.second, where)
                    : RestAuthorizer(resolver, name, kv.second, where);
      if (!a.ok()) return a.status();
      result.authorizers.push_back(std::move(*a));
    }
  }
  if (auth["DefaultAuthorizer"]) {
    auto name = EvalString(resolver, auth["DefaultAuthorizer"], what + ".DefaultAuthorizer");
    if (!name.ok()) return name.status();
    const bool defined = std::any_of(result.authorizers.begin(), result.authorizers.end(),
                                     [&](const ApiAuthorizerResource& a) { return a.name == *name; });
    if (*name != kIam && *name != kNone && !defined) {
      return TemplateError(fmt::format("{}.DefaultAuthorizer {} is not one of Auth.Authorizers", what, *name));
    }
    result.default_authorizer = *name == kNone ? "" : *name;
  }
  const std::pair<const char*, bool*> flags[] = {
      {"ApiKeyRequired", &result.api_key_required},
      {"AddDefaultAuthorizerToCorsPreflight", &result.default_authorizer_on_preflight},
      {"AddApiKeyRequiredToCorsPreflight", &result.api_key_on_preflight},
  };
  for (const auto& [key, flag] : flags) {
    if (!auth[key]) continue;
    auto v = EvalBool(resolver, auth[key], what + "." + key);
    if (!v.ok()) return v.status();
    *flag = *v;
  }
  if (!http && Given(auth["UsagePlan"])) {
    Status s = UsagePlanKey(context, auth["UsagePlan"], api_logical_id, what + ".UsagePlan", out);
    if (!s.ok()) return s;
  }
  return result;
}

Status ReadEventAuth(const TemplateContext& context, const YAML::Node& auth, bool http, const std::string& where,
                     ApiRouteResource& route) {
  if (!Given(auth)) return Status::Ok();
  const std::string what = where + ": Auth";
  if (!auth.IsMap()) return TemplateError(what + " must be a map");
  Status known = http ? UnknownKeys(auth, {"AuthorizationScopes", "Authorizer"}, what)
                      : UnknownKeys(auth,
                                    {"ApiKeyRequired", "AuthorizationScopes", "Authorizer", "InvokeRole",
                                     "OverrideApiAuth", "ResourcePolicy"},
                                    what);
  if (!known.ok()) return known;
  if (auth["Authorizer"]) {
    auto name = EvalString(context.resolver, auth["Authorizer"], what + ".Authorizer");
    if (!name.ok()) return name.status();
    if (name->empty()) return TemplateError(what + ".Authorizer is empty (NONE turns the API's default off)");
    route.authorizer = *name;
  }
  if (auth["AuthorizationScopes"]) {
    auto v = EvalStringOrList(context.resolver, auth["AuthorizationScopes"]);
    if (!v.ok()) return TemplateError(what + ".AuthorizationScopes: " + v.status().message());
    route.authorization_scopes = std::move(*v);
  }
  if (!http && auth["ApiKeyRequired"]) {
    auto v = EvalBool(context.resolver, auth["ApiKeyRequired"], what + ".ApiKeyRequired");
    if (!v.ok()) return v.status();
    route.api_key_required = *v;
  }
  return Status::Ok();
}

Result<ResourceSymbols> NameApiKey(const TemplateContext& context, const Resource& resource) {
  ResourceSymbols symbols;
  symbols.name = KeyId(context, resource.logical_id);
  symbols.ref = symbols.name;  // !Ref of an API key is its id, as is !GetAtt APIKeyId
  symbols.attributes["APIKeyId"] = symbols.name;
  return symbols;
}

Status LoadApiKey(const TemplateContext& context, const Resource& resource, LoadedTemplate& out) {
  const std::string what = "API key " + resource.logical_id;
  ApiKeyResource key;
  key.logical_id = resource.logical_id;
  key.id = resource.name;
  const YAML::Node& props = resource.properties;
  if (Given(props) && !props.IsMap()) return TemplateError(what + ": Properties must be a map");
  if (Given(props) && props["Value"]) {
    auto v = EvalString(context.resolver, props["Value"], what + ": Value");
    if (!v.ok()) return v.status();
    key.value = *v;
  }
  if (key.value.empty()) {
    key.value = KeyValue(context, resource.logical_id);
    key.generated = true;
  }
  if (Given(props) && props["Enabled"]) {
    auto v = EvalBool(context.resolver, props["Enabled"], what + ": Enabled");
    if (!v.ok()) return v.status();
    key.enabled = *v;
  }
  out.api_keys.push_back(std::move(key));
  return Status::Ok();
}

}  // namespace ll
