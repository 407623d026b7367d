#include "services/apigateway/authorizers.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <initializer_list>

#include "base/json_parse.h"
#include "base/strings.h"
#include "http/http_message.h"
#include "model/function_ref.h"
#include "services/apigateway/proxy_events.h"

namespace ll::apigw {
namespace {

// Enough for any real set of callers; a client sending a new token with every request only
// makes the cache start afresh, never grow without bound.
constexpr size_t kMaxCachedResults = 10000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

GatewayResponse Json(int status, std::string body, const char* error_type = nullptr) {
  GatewayResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  if (error_type) r.headers.emplace_back("x-amzn-ErrorType", error_type);
  r.body = std::move(body);
  return r;
}

// API Gateway's answers when authorization stops a request (its default gateway responses:
// REST APIs name the error in x-amzn-ErrorType; HTTP APIs answer plainly).
GatewayResponse Unauthorized(ApiKind kind) {
  if (kind == ApiKind::kHttp) return Json(401, R"({"message":"Unauthorized"})");
  return Json(401, R"({"message":"Unauthorized"})", "UnauthorizedException");
}

// A policy that does not allow the call. REST APIs' ACCESS_DENIED response writes "Message".
GatewayResponse Denied(ApiKind kind, PolicyDecision decision) {
  if (kind == ApiKind::kHttp) return Json(403, R"({"message":"Forbidden"})");
  if (decision == PolicyDecision::kExplicitDeny) {
    return Json(403, R"({"Message":"User is not authorized to access this resource with an explicit deny"})",
                "AccessDeniedException");
  }
  return Json(403, R"({"Message":"User is not authorized to access this resource"})", "AccessDeniedException");
}

// The authorizer failed (its function missing or in error, its answer malformed).
GatewayResponse AuthorizerFailed(ApiKind kind) {
  if (kind == ApiKind::kHttp) return Json(500, R"({"message":"Internal Server Error"})");
  return Json(500, R"({"message":null})", "AuthorizerConfigurationException");
}

GatewayResponse Forbidden(ApiKind kind) {
  if (kind == ApiKind::kHttp) return Json(403, R"({"message":"Forbidden"})");
  return Json(403, R"({"message":"Forbidden"})", "ForbiddenException");
}

const std::string* HeaderOf(const GatewayRequest& request, std::string_view name) {
  const std::string* found = nullptr;
  for (const auto& [k, v] : request.headers) {
    if (EqualsIgnoreCase(k, name)) found = &v;  // the last, as the 1.0 event's `headers` has it
  }
  return found;
}

// Every value of a repeated header or query parameter: REST APIs take the last (as their
// event's single-value maps), HTTP APIs all of them joined with "," (as theirs).
std::optional<std::string> Values(const std::vector<std::string>& values, ApiKind kind) {
  if (values.empty()) return std::nullopt;
  if (kind == ApiKind::kRest) return values.back();
  std::string joined;
  for (size_t i = 0; i < values.size(); ++i) joined += (i ? "," : "") + values[i];
  return joined;
}

std::optional<std::string> ContextValue(const Api& api, const RouteMatch& match, const GatewayRequest& request,
                                        std::string_view name) {
  if (name == "identity.sourceIp" || name == "http.sourceIp") return request.source_ip;
  if (name == "identity.userAgent" || name == "http.userAgent") {
    const std::string* ua = HeaderOf(request, "user-agent");
    return ua ? std::optional<std::string>(*ua) : std::nullopt;
  }
  if (name == "httpMethod" || name == "http.method") return request.method;
  if (name == "path" || name == "http.path") return request.path;
  if (name == "resourcePath") return match.route->path;
  if (name == "routeKey") return match.route_key;
  if (name == "stage") return api.stage;
  if (name == "apiId") return api.id;
  if (name == "requestId") return request.request_id;
  if (name == "protocol" || name == "http.protocol") return request.protocol;
  if (name == "domainName") return request.domain_name;
  return std::nullopt;
}

std::optional<std::string> ErrorMessage(const std::string& payload) {
  rapidjson::Document doc;
  if (!ParseJson(doc, payload) || !doc.IsObject()) return std::nullopt;
  auto it = doc.FindMember("errorMessage");
  if (it == doc.MemberEnd() || !it->value.IsString()) return std::nullopt;
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::string TokenEvent(const std::string& token, const std::string& arn) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("type");
  w.String("TOKEN");
  w.Key("authorizationToken");
  w.String(token.data(), rapidjson::SizeType(token.size()));
  w.Key("methodArn");
  w.String(arn.data(), rapidjson::SizeType(arn.size()));
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

std::optional<std::string> SignedAccessKey(const GatewayRequest& request) {
  if (const std::string* auth = HeaderOf(request, "authorization"); auth && StartsWith(*auth, "AWS4-HMAC-SHA256 ")) {
    const size_t at = auth->find("Credential=");
    if (at == std::string::npos) return std::string();
    const size_t start = at + 11;
    return auth->substr(start, auth->find_first_of("/, ", start) - start);
  }
  bool signature = false;
  std::string access_key;
  for (const auto& [k, v] : ParseQuery(request.raw_query)) {
    if (k == "X-Amz-Signature") signature = true;
    if (k == "X-Amz-Credential") access_key = v.substr(0, v.find('/'));
  }
  if (!signature) return std::nullopt;
  return access_key;
}

Authorization::Authorization(const std::vector<Api>& apis, InvokeSink* functions, AuthorizationOptions options)
    : functions_(functions),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock : Clock::Real()) {
  for (const Api& api : apis) {
    for (const Authorizer& a : api.authorizers) {
      if (a.validation_expression.empty() || validation_.count(a.validation_expression)) continue;
      try {  // the template loader refuses an invalid expression; this only keeps that promise
        validation_.emplace(a.validation_expression, std::regex(a.validation_expression, std::regex::ECMAScript));
      } catch (const std::regex_error&) {
      }
    }
  }
}

std::string Authorization::MethodArn(const Api& api, const GatewayRequest& request) const {
  std::string_view path = request.path;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return fmt::format("arn:aws:execute-api:{}:{}:{}/{}/{}/{}", options_.region, options_.account_id, api.id,
                     api.stage, request.method, path);
}

std::optional<std::string> Authorization::IdentityValue(const Api& api, const RouteMatch& match,
                                                        const GatewayRequest& request, std::string_view source) {
  if (!source.empty() && source.front() == '$') source.remove_prefix(1);  // HTTP APIs' selection expressions
  auto after = [&](std::initializer_list<std::string_view> prefixes) -> std::optional<std::string_view> {
    for (std::string_view prefix : prefixes) {
      if (StartsWith(source, prefix)) return source.substr(prefix.size());
    }
    return std::nullopt;
  };
  if (auto name = after({"method.request.header.", "request.header."})) {
    std::vector<std::string> values;
    for (const auto& [k, v] : request.headers) {
      if (EqualsIgnoreCase(k, *name)) values.push_back(v);
    }
    return Values(values, api.kind);
  }
  if (auto name = after({"method.request.querystring.", "request.querystring."})) {
    std::vector<std::string> values;
    for (const auto& [k, v] : ParseQuery(request.raw_query)) {
      if (k == *name) values.push_back(v);
    }
    return Values(values, api.kind);
  }
  if (auto name = after({"stageVariables."})) {
    auto it = api.stage_variables.find(std::string(*name));
    if (it == api.stage_variables.end()) return std::nullopt;
    return it->second;
  }
  if (auto name = after({"context."})) return ContextValue(api, match, request, *name);
  return std::nullopt;
}

std::optional<GatewayResponse> Authorization::Authorize(const Api& api, const RouteMatch& match,
                                                        GatewayRequest& request) const {
  const Route& route = *match.route;
  if (route.authorizer == kIamAuthorizer) {
    if (auto refused = CheckIam(api, request)) return refused;
  } else if (!route.authorizer.empty()) {
    const Authorizer* authorizer = nullptr;
    for (const Authorizer& a : api.authorizers) {
      if (a.name == route.authorizer) authorizer = &a;
    }
    if (!authorizer) return AuthorizerFailed(api.kind);  // install.cc refuses such a template
    if (authorizer->type == Authorizer::Type::kToken || authorizer->type == Authorizer::Type::kRequest) {
      if (auto refused = RunLambda(api, *authorizer, match, request)) return refused;
    } else if (authorizer->type == Authorizer::Type::kJwt || authorizer->type == Authorizer::Type::kCognito) {
      if (auto refused = CheckJwtToken(api, *authorizer, match, request)) return refused;
    }
  }
  if (route.api_key_required && api.kind == ApiKind::kRest) return CheckApiKey(api, request);
  return std::nullopt;
}

std::optional<GatewayResponse> Authorization::CheckJwtToken(const Api& api, const Authorizer& authorizer,
                                                            const RouteMatch& match, GatewayRequest& request) const {
  // JWT (HTTP APIs): one issuer and its audiences. Cognito (REST APIs): any of its user pools'
  // issuers, any app client.
  const bool cognito = authorizer.type == Authorizer::Type::kCognito;
  const std::string source = !authorizer.identity_sources.empty() ? authorizer.identity_sources.front()
                             : cognito                            ? "method.request.header.Authorization"
                                                                  : "$request.header.Authorization";
  std::optional<std::string> token = IdentityValue(api, match, request, source);
  if (!token || token->empty()) return Unauthorized(api.kind);
  const std::vector<std::string> issuers = cognito ? authorizer.user_pool_issuers
                                                   : std::vector<std::string>{authorizer.jwt_issuer};
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
  std::optional<JwtIdentity> identity;
  std::string why = "no issuer";
  for (const std::string& issuer : issuers) {
    const JwksKeys* keys = nullptr;
    if (!options_.jwt_skip_signature) {
      auto it = options_.jwt_keys.find(issuer);
      if (it == options_.jwt_keys.end() || !it->second) {
        why = "no keys of issuer " + issuer + " to check tokens with";
        continue;
      }
      keys = it->second.get();
    }
    Result<JwtIdentity> checked = CheckJwt(*token, JwtRules{issuer, authorizer.jwt_audience, !cognito}, keys, now_s);
    if (checked.ok()) {
      identity = std::move(*checked);
      break;
    }
    why = checked.status().message();
  }
  if (!identity) {
    if (options_.log) options_.log(fmt::format("{} authorizer {}: {}", cognito ? "Cognito" : "JWT", authorizer.name, why));
    return Unauthorized(api.kind);
  }
  if (!HasAnyScope(*identity, match.route->authorization_scopes)) {
    return cognito ? Unauthorized(api.kind) : Forbidden(api.kind);
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  if (!cognito) {
    w.Key("jwt");
    w.StartObject();
  }
  w.Key("claims");
  w.StartObject();
  for (const auto& [name, value] : identity->claims) {
    w.Key(name.data(), rapidjson::SizeType(name.size()));
    w.String(value.data(), rapidjson::SizeType(value.size()));
  }
  w.EndObject();
  if (!cognito) {
    w.Key("scopes");
    if (identity->scopes.empty()) {
      w.Null();
    } else {
      w.StartArray();
      for (const std::string& s : identity->scopes) w.String(s.data(), rapidjson::SizeType(s.size()));
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndObject();
  request.auth.authorizer_json.assign(buf.GetString(), buf.GetSize());
  return std::nullopt;
}

std::optional<GatewayResponse> Authorization::CheckIam(const Api& api, GatewayRequest& request) const {
  std::optional<std::string> access_key = SignedAccessKey(request);
  if (!access_key) {
    if (api.kind == ApiKind::kHttp) return Forbidden(api.kind);
    return Json(403, R"({"message":"Missing Authentication Token"})", "MissingAuthenticationTokenException");
  }
  request.auth.access_key = *access_key;
  if (api.kind == ApiKind::kHttp) {  // payload 2.0's requestContext.authorizer.iam
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("iam");
    w.StartObject();
    w.Key("accessKey");
    w.String(access_key->c_str());
    w.Key("accountId");
    w.String(options_.account_id.c_str());
    for (const char* absent : {"callerId", "cognitoIdentity", "principalOrgId", "userArn", "userId"}) {
      w.Key(absent);
      w.Null();
    }
    w.EndObject();
    w.EndObject();
    request.auth.authorizer_json.assign(buf.GetString(), buf.GetSize());
  }
  return std::nullopt;
}

std::optional<GatewayResponse> Authorization::CheckApiKey(const Api& api, GatewayRequest& request) const {
  const std::string* sent = HeaderOf(request, "x-api-key");
  if (!sent) return Forbidden(api.kind);
  for (const ApiKey& key : options_.api_keys) {
    if (key.value == *sent) {
      request.auth.api_key = key.value;
      request.auth.api_key_id = key.id;
      return std::nullopt;
    }
  }
  return Forbidden(api.kind);
}

bool Authorization::TokenValid(const Authorizer& authorizer, const std::string& token) const {
  if (authorizer.validation_expression.empty()) return true;
  auto it = validation_.find(authorizer.validation_expression);
  if (it == validation_.end()) return false;
  try {
    return std::regex_match(token, it->second);
  } catch (const std::regex_error&) {  // too complex for std::regex: API Gateway's answer to a mismatch
    return false;
  }
}

void Authorization::Log(const Api& api, const Authorizer& authorizer, const std::string& why) const {
  if (options_.log) options_.log(fmt::format("authorizer {} of API {}: {}", authorizer.name, api.id, why));
}

std::optional<GatewayResponse> Authorization::RunLambda(const Api& api, const Authorizer& authorizer,
                                                        const RouteMatch& match, GatewayRequest& request) const {
  // Every identity source must be there and non-empty, or API Gateway answers 401 without
  // calling the function.
  std::vector<std::string> identity;
  for (const std::string& source : authorizer.identity_sources) {
    std::optional<std::string> value = IdentityValue(api, match, request, source);
    if (!value || value->empty()) return Unauthorized(api.kind);
    identity.push_back(std::move(*value));
  }
  if (authorizer.type == Authorizer::Type::kToken && (identity.empty() || !TokenValid(authorizer, identity[0]))) {
    return Unauthorized(api.kind);
  }
  const std::string arn = MethodArn(api, request);

  // Results are cached per identity (not per method: a cached policy is judged again against
  // each request's ARN); without identity sources there is nothing to key them by.
  const bool cacheable = authorizer.ttl_s > 0 && !identity.empty();
  std::string key;
  Outcome outcome;
  if (cacheable) {
    key = api.id + '\x1f' + authorizer.name;
    for (const std::string& v : identity) key += '\x1f' + v;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && clock_->Now() < it->second.expires) outcome.answer = it->second.answer;
  }
  if (!outcome.answer) {
    outcome = Invoke(api, authorizer, match, request, arn, identity);
    if (outcome.refusal) return outcome.refusal;
    if (cacheable) {
      std::lock_guard<std::mutex> lock(mu_);
      const Clock::TimePoint now = clock_->Now();
      if (cache_.size() >= kMaxCachedResults) {
        std::erase_if(cache_, [&](const auto& e) { return e.second.expires <= now; });
      }
      if (cache_.size() >= kMaxCachedResults) cache_.clear();
      cache_[key] = Cached{*outcome.answer, now + std::chrono::seconds(authorizer.ttl_s)};
    }
  }

  const AuthorizerAnswer& answer = *outcome.answer;
  const bool simple = api.kind == ApiKind::kHttp && authorizer.simple_responses;
  if (simple) {
    if (!answer.authorized) return Forbidden(api.kind);
  } else if (PolicyDecision decision = EvaluatePolicy(answer.statements, arn); decision != PolicyDecision::kAllow) {
    return Denied(api.kind, decision);
  }
  request.auth.authorizer_json =
      api.kind == ApiKind::kRest ? RestAuthorizerJson(answer, outcome.latency_ms) : HttpAuthorizerJson(answer);
  return std::nullopt;
}

Authorization::Outcome Authorization::Invoke(const Api& api, const Authorizer& authorizer, const RouteMatch& match,
                                             const GatewayRequest& request, const std::string& arn,
                                             const std::vector<std::string>& identity) const {
  Outcome out;
  auto ref = ParseFunctionRef(authorizer.function);
  auto fn = ref.ok() ? functions_->Resolve(ref->name, ref->qualifier) : Result<ResolvedFunction>(ref.status());
  if (!fn.ok()) {
    Log(api, authorizer, fmt::format("function {} not found", authorizer.function));
    out.refusal = AuthorizerFailed(api.kind);
    return out;
  }
  Invocation inv;
  inv.request_id = NewUuid();
  inv.invoked_function_arn = fn->config->Arn();
  if (authorizer.type == Authorizer::Type::kToken) {
    inv.payload = TokenEvent(identity.at(0), arn);
  } else if (api.kind == ApiKind::kHttp && authorizer.payload_format == "2.0") {
    inv.payload = RequestAuthorizerEventV2(api, match, request, options_.account_id, arn, identity);
  } else {
    inv.payload = RequestAuthorizerEventV1(api, match, request, options_.account_id, arn, identity);
  }
  const int64_t started = NowMs();
  InvokeResult result = functions_->Invoke(*fn, inv);
  out.latency_ms = NowMs() - started;
  const std::string& name = fn->config->name;
  if (!result.status.ok()) {
    Log(api, authorizer, fmt::format("{} did not run: {}", name, result.status.message()));
    out.refusal = AuthorizerFailed(api.kind);
    return out;
  }
  if (result.outcome.function_error) {
    // The one error API Gateway tells apart: a function failing with "Unauthorized" says 401.
    std::optional<std::string> message = ErrorMessage(result.outcome.payload);
    if (message && *message == "Unauthorized") {
      out.refusal = Unauthorized(api.kind);
    } else {
      Log(api, authorizer, fmt::format("{} failed: {}", name, result.outcome.payload.substr(0, 500)));
      out.refusal = AuthorizerFailed(api.kind);
    }
    return out;
  }
  const AnswerFormat format = api.kind == ApiKind::kRest ? AnswerFormat::kRestPolicy
                              : authorizer.simple_responses ? AnswerFormat::kHttpSimple
                                                            : AnswerFormat::kHttpPolicy;
  out.answer = ParseAuthorizerAnswer(result.outcome.payload, format);
  if (!out.answer) {
    Log(api, authorizer,
        fmt::format("{} answered what API Gateway cannot use ({}): {}", name,
                    format == AnswerFormat::kHttpSimple ? "a simple response needs a boolean isAuthorized"
                                                        : "a policy needs principalId and policyDocument.Statement",
                    result.outcome.payload.substr(0, 500)));
    out.refusal = AuthorizerFailed(api.kind);
  }
  return out;
}

}  // namespace ll::apigw
