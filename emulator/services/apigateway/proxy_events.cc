#include "services/apigateway/proxy_events.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "base/json_parse.h"
#include "base/strings.h"
#include "http/http_message.h"

namespace ll::apigw {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
using Pairs = std::vector<std::pair<std::string, std::string>>;

void String(JsonWriter& w, std::string_view s) { w.String(s.data(), rapidjson::SizeType(s.size())); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Each name with its values, in the order the names first appear.
struct Named {
  std::string name;
  std::vector<std::string> values;
};

std::vector<Named> Group(const Pairs& items, bool ignore_case) {
  std::vector<Named> out;
  for (const auto& item : items) {
    const std::string& name = item.first;  // a plain reference: lambdas may not capture bindings
    auto it = std::find_if(out.begin(), out.end(), [&](const Named& n) {
      return ignore_case ? EqualsIgnoreCase(n.name, name) : n.name == name;
    });
    if (it == out.end()) it = out.insert(out.end(), Named{name, {}});
    it->values.push_back(item.second);
  }
  return out;
}

const std::string* HeaderValue(const GatewayRequest& request, std::string_view name) {
  for (const auto& [k, v] : request.headers) {
    if (EqualsIgnoreCase(k, name)) return &v;
  }
  return nullptr;
}

// CLF time, as requestTime and time are: "09/Apr/2015:12:34:56 +0000".
std::string ClfTime(int64_t epoch_ms) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t secs = epoch_ms / 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000", tm.tm_mday, kMonths[tm.tm_mon],
                     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// A made-up id of AWS's shape (lowercase letters and digits), the same for the same seed: a
// resource or deployment keeps its id from one request to the next.
std::string StableId(std::string_view seed, size_t n) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : seed) h = (h ^ c) * 1099511628211ull;
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kChars[h % 36];
    h = h / 36 + (h * 6364136223846793005ull);
  }
  return out;
}

// Like "ATfSdF7nPHcErRA=": 11 random bytes in base64.
std::string ExtendedRequestId() {
  const std::string hex = RandomHex(22);
  std::string bytes;
  for (size_t i = 0; i < hex.size(); i += 2) bytes += char(std::stoi(hex.substr(i, 2), nullptr, 16));
  return Base64Encode(bytes);
}

std::string WithStage(const Api& api, std::string_view path) {
  std::string p = path.empty() ? "/" : std::string(path);
  return api.stage == "$default" ? p : "/" + api.stage + p;
}

std::string DomainPrefix(const std::string& domain) { return domain.substr(0, domain.find('.')); }

void StringMapOrNull(JsonWriter& w, const std::map<std::string, std::string>& m) {
  if (m.empty()) {
    w.Null();
    return;
  }
  w.StartObject();
  for (const auto& [k, v] : m) {
    String(w, k);
    String(w, v);
  }
  w.EndObject();
}

// `single`: the last value of each name; else all of them in a list.
void GroupedOrNull(JsonWriter& w, const std::vector<Named>& groups, bool single) {
  if (groups.empty()) {
    w.Null();
    return;
  }
  w.StartObject();
  for (const Named& g : groups) {
    String(w, g.name);
    if (single) {
      String(w, g.values.back());
      continue;
    }
    w.StartArray();
    for (const std::string& v : g.values) String(w, v);
    w.EndArray();
  }
  w.EndObject();
}

void NullFields(JsonWriter& w, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    w.Key(name);
    w.Null();
  }
}

void StringOrNull(JsonWriter& w, const char* name, const std::string& value) {
  w.Key(name);
  value.empty() ? (void)w.Null() : String(w, value);
}

// JSON text made by authorizers.cc (always an object), written as it is.
void Raw(JsonWriter& w, const std::string& json) {
  w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}

void RestRequestContext(JsonWriter& w, const Api& api, const RouteMatch& match,
                        const GatewayRequest& request, const std::string& account_id,
                        const std::string* user_agent) {
  const std::string& resource = match.route->path;
  w.StartObject();
  w.Key("resourceId"); String(w, StableId(api.id + " " + resource, 6));
  if (!request.auth.authorizer_json.empty()) {  // where AWS puts it: after resourceId
    w.Key("authorizer");
    Raw(w, request.auth.authorizer_json);
  }
  w.Key("resourcePath"); String(w, resource);
  w.Key("httpMethod"); String(w, request.method);
  w.Key("extendedRequestId"); String(w, ExtendedRequestId());
  w.Key("requestTime"); String(w, ClfTime(request.time_epoch_ms));
  w.Key("path"); String(w, WithStage(api, request.path));
  w.Key("accountId"); String(w, account_id);
  w.Key("protocol"); String(w, request.protocol);
  w.Key("stage"); String(w, api.stage);
  w.Key("domainPrefix"); String(w, DomainPrefix(request.domain_name));
  w.Key("requestTimeEpoch"); w.Int64(request.time_epoch_ms);
  w.Key("requestId"); String(w, request.request_id);
  w.Key("identity");
  w.StartObject();
  NullFields(w, {"cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller"});
  if (!request.auth.api_key.empty()) {  // only on methods that require a key
    w.Key("apiKey"); String(w, request.auth.api_key);
    w.Key("apiKeyId"); String(w, request.auth.api_key_id);
  }
  w.Key("sourceIp"); String(w, request.source_ip);
  NullFields(w, {"principalOrgId"});
  StringOrNull(w, "accessKey", request.auth.access_key);
  NullFields(w, {"cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn"});
  w.Key("userAgent");
  user_agent ? String(w, *user_agent) : (void)w.Null();
  NullFields(w, {"user"});
  w.EndObject();
  w.Key("domainName"); String(w, request.domain_name);
  w.Key("deploymentId"); String(w, StableId(api.id + " deployment", 6));
  w.Key("apiId"); String(w, api.id);
  w.EndObject();
}

void HttpApiRequestContextV1(JsonWriter& w, const Api& api, const RouteMatch& match,
                             const GatewayRequest& request, const std::string& account_id,
                             const std::string* user_agent, const std::string& path) {
  w.StartObject();
  w.Key("accountId"); String(w, account_id);
  w.Key("apiId"); String(w, api.id);
  w.Key("authorizer");
  if (!request.auth.authorizer_json.empty()) {
    Raw(w, request.auth.authorizer_json);
  } else {
    w.StartObject();
    NullFields(w, {"claims", "scopes"});
    w.EndObject();
  }
  w.Key("domainName"); String(w, request.domain_name);
  w.Key("domainPrefix"); String(w, DomainPrefix(request.domain_name));
  w.Key("extendedRequestId"); String(w, request.request_id);
  w.Key("httpMethod"); String(w, request.method);
  w.Key("identity");
  w.StartObject();
  StringOrNull(w, "accessKey", request.auth.access_key);
  NullFields(w, {"accountId", "caller", "cognitoAmr", "cognitoAuthenticationProvider",
                 "cognitoAuthenticationType", "cognitoIdentityId", "cognitoIdentityPoolId",
                 "principalOrgId"});
  w.Key("sourceIp"); String(w, request.source_ip);
  NullFields(w, {"user"});
  w.Key("userAgent");
  user_agent ? String(w, *user_agent) : (void)w.Null();
  NullFields(w, {"userArn"});
  w.EndObject();
  w.Key("path"); String(w, path);
  w.Key("protocol"); String(w, request.protocol);
  w.Key("requestId"); String(w, request.request_id);
  w.Key("requestTime"); String(w, ClfTime(request.time_epoch_ms));
  w.Key("requestTimeEpoch"); w.Int64(request.time_epoch_ms);
  w.Key("resourceId"); String(w, match.route_key);
  w.Key("resourcePath"); String(w, match.route->path);
  w.Key("stage"); String(w, api.stage);
  w.EndObject();
}

void Body(JsonWriter& w, const Api& api, const GatewayRequest& request) {
  if (BodyIsBinary(api, request)) {
    String(w, Base64Encode(request.body));
  } else {
    String(w, request.body);
  }
}

// "type/subtype" in lower case, without parameters or spaces.
std::string MediaType(std::string_view content_type) {
  return Lower(TrimOws(content_type.substr(0, content_type.find(';'))));
}

bool MediaTypeMatches(std::string pattern, const std::string& type) {
  for (size_t at; (at = pattern.find("~1")) != std::string::npos;) pattern.replace(at, 2, "/");
  pattern = MediaType(pattern);
  if (pattern == "*/*" || pattern == type) return true;
  return pattern.size() > 2 && pattern.ends_with("/*") &&
         type.starts_with(std::string_view(pattern).substr(0, pattern.size() - 1));
}

// A header value the function may give as a string, number or boolean.
std::optional<std::string> ScalarText(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (!v.IsNumber() && !v.IsBool()) return std::nullopt;
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// The fields of a result with a statusCode. `v2`: cookies instead of multiValueHeaders.
std::optional<GatewayResponse> ParseResultObject(const rapidjson::Value& doc, bool v2) {
  GatewayResponse out;
  auto status = doc.FindMember("statusCode");
  if (status == doc.MemberEnd() || !status->value.IsInt() || status->value.GetInt() < 100 ||
      status->value.GetInt() > 599) {
    return std::nullopt;
  }
  out.status = status->value.GetInt();

  Pairs multi;
  if (!v2) {
    if (auto it = doc.FindMember("multiValueHeaders"); it != doc.MemberEnd() && !it->value.IsNull()) {
      if (!it->value.IsObject()) return std::nullopt;
      for (const auto& m : it->value.GetObject()) {
        if (m.value.IsNull()) continue;
        if (!m.value.IsArray()) return std::nullopt;
        for (const auto& item : m.value.GetArray()) {
          std::optional<std::string> text = ScalarText(item);
          if (!text) return std::nullopt;
          multi.emplace_back(m.name.GetString(), std::move(*text));
        }
      }
    }
  }
  if (auto it = doc.FindMember("headers"); it != doc.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsObject()) return std::nullopt;
    for (const auto& m : it->value.GetObject()) {
      if (m.value.IsNull()) continue;
      std::optional<std::string> text = ScalarText(m.value);
      if (!text) return std::nullopt;
      const std::string name = m.name.GetString();
      const bool overridden = std::any_of(multi.begin(), multi.end(), [&](const auto& p) {
        return EqualsIgnoreCase(p.first, name);
      });
      if (!overridden) out.headers.emplace_back(name, std::move(*text));
    }
  }
  for (auto& p : multi) out.headers.push_back(std::move(p));
  if (v2) {
    if (auto it = doc.FindMember("cookies"); it != doc.MemberEnd() && !it->value.IsNull()) {
      if (!it->value.IsArray()) return std::nullopt;
      for (const auto& c : it->value.GetArray()) {
        if (!c.IsString()) return std::nullopt;
        out.headers.emplace_back("Set-Cookie", c.GetString());
      }
    }
  }

  if (auto it = doc.FindMember("body"); it != doc.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsString()) return std::nullopt;
    out.body.assign(it->value.GetString(), it->value.GetStringLength());
  }
  if (auto it = doc.FindMember("isBase64Encoded"); it != doc.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsBool()) return std::nullopt;
    if (it->value.GetBool()) {
      std::optional<std::string> bytes = Base64Decode(out.body);
      if (!bytes) return std::nullopt;
      out.body = std::move(*bytes);
    }
  }
  return out;
}

}  // namespace

bool BodyIsBinary(const Api& api, const GatewayRequest& request) {
  const std::string* content_type = HeaderValue(request, "content-type");
  if (api.kind == ApiKind::kRest) {
    const std::string type = content_type ? MediaType(*content_type) : "application/json";
    for (const std::string& pattern : api.binary_media_types) {
      if (MediaTypeMatches(pattern, type)) return true;
    }
    return false;
  }
  if (!content_type) return true;
  const std::string type = MediaType(*content_type);
  return !(type.starts_with("text/") || type == "application/json" || type == "application/xml" ||
           type == "application/javascript");
}

namespace {

// The fields a Lambda authorizer's event has before the request's (RequestAuthorizerEventV1/V2).
struct AuthorizerFields {
  std::string_view arn;                    // methodArn (1.0) or routeArn (2.0)
  const std::vector<std::string>* identity;  // the identity sources' values
};

void Identity(JsonWriter& w, const AuthorizerFields& a) {
  w.StartArray();
  for (const std::string& v : *a.identity) String(w, v);
  w.EndArray();
}

// Payload 1.0: the proxy event, or (with `authorizer`) a REQUEST authorizer's event, which has
// "type" and "methodArn" first (HTTP APIs: after "version", and with "identitySource" and
// "authorizationToken", the values joined with ",") and no body.
std::string EventV1(const Api& api, const RouteMatch& match, const GatewayRequest& request,
                    const std::string& account_id, const AuthorizerFields* authorizer) {
  const bool http_api = api.kind == ApiKind::kHttp;
  const std::vector<Named> headers = Group(request.headers, true);
  const std::vector<Named> query = Group(ParseQuery(request.raw_query), false);
  const std::string* user_agent = HeaderValue(request, "user-agent");
  // REST APIs pass the path as sent; HTTP APIs decode it and keep a named stage in it.
  const std::string path =
      http_api ? WithStage(api, PercentDecode(request.path)) : (request.path.empty() ? "/" : request.path);

  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  if (http_api) {
    w.Key("version");
    w.String("1.0");
  }
  if (authorizer) {
    w.Key("type"); w.String("REQUEST");
    w.Key("methodArn"); String(w, authorizer->arn);
    if (http_api) {
      std::string joined;
      for (const std::string& v : *authorizer->identity) joined += (joined.empty() ? "" : ",") + v;
      w.Key("identitySource"); String(w, joined);
      w.Key("authorizationToken"); String(w, joined);
    }
  }
  w.Key("resource"); String(w, match.route->path);
  w.Key("path"); String(w, path);
  w.Key("httpMethod"); String(w, request.method);
  w.Key("headers"); GroupedOrNull(w, headers, true);
  w.Key("multiValueHeaders"); GroupedOrNull(w, headers, false);
  w.Key("queryStringParameters"); GroupedOrNull(w, query, true);
  w.Key("multiValueQueryStringParameters"); GroupedOrNull(w, query, false);
  if (http_api) {
    w.Key("requestContext");
    HttpApiRequestContextV1(w, api, match, request, account_id, user_agent, path);
  }
  w.Key("pathParameters"); StringMapOrNull(w, match.path_parameters);
  w.Key("stageVariables"); StringMapOrNull(w, api.stage_variables);
  if (!http_api) {
    w.Key("requestContext");
    RestRequestContext(w, api, match, request, account_id, user_agent);
  }
  if (!authorizer) {
    w.Key("body");
    request.body.empty() ? (void)w.Null() : Body(w, api, request);
    w.Key("isBase64Encoded"); w.Bool(!request.body.empty() && BodyIsBinary(api, request));
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// Payload 2.0: the proxy event, or (with `authorizer`) a REQUEST authorizer's event: "type",
// "routeArn" and "identitySource" (a list) after "version", and no body.
std::string EventV2(const Api& api, const RouteMatch& match, const GatewayRequest& request,
                    const std::string& account_id, const AuthorizerFields* authorizer) {
  std::vector<std::string> cookies;
  Pairs headers;
  for (const auto& [name, value] : request.headers) {
    if (!EqualsIgnoreCase(name, "cookie")) {
      headers.emplace_back(Lower(name), value);
      continue;
    }
    for (std::string_view rest = value; !rest.empty();) {
      const size_t semi = rest.find(';');
      std::string_view cookie = TrimOws(rest.substr(0, semi));
      if (!cookie.empty()) cookies.emplace_back(cookie);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    }
  }
  const std::vector<Named> header_groups = Group(headers, false);
  const std::vector<Named> query = Group(ParseQuery(request.raw_query), false);
  const std::string* user_agent = HeaderValue(request, "user-agent");
  const std::string path = WithStage(api, PercentDecode(request.path));
  auto join = [](const std::vector<std::string>& values) {
    std::string out;
    for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + values[i];
    return out;
  };

  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("version"); w.String("2.0");
  if (authorizer) {
    w.Key("type"); w.String("REQUEST");
    w.Key("routeArn"); String(w, authorizer->arn);
    w.Key("identitySource"); Identity(w, *authorizer);
  }
  w.Key("routeKey"); String(w, match.route_key);
  w.Key("rawPath"); String(w, path);
  w.Key("rawQueryString"); String(w, request.raw_query);
  if (!cookies.empty()) {
    w.Key("cookies");
    w.StartArray();
    for (const std::string& c : cookies) String(w, c);
    w.EndArray();
  }
  w.Key("headers");
  w.StartObject();
  for (const Named& g : header_groups) {
    String(w, g.name);
    String(w, join(g.values));
  }
  w.EndObject();
  if (!query.empty()) {
    w.Key("queryStringParameters");
    w.StartObject();
    for (const Named& g : query) {
      String(w, g.name);
      String(w, join(g.values));
    }
    w.EndObject();
  }
  w.Key("requestContext");
  w.StartObject();
  w.Key("accountId"); String(w, account_id);
  w.Key("apiId"); String(w, api.id);
  if (!request.auth.authorizer_json.empty()) {
    w.Key("authorizer");
    Raw(w, request.auth.authorizer_json);
  }
  w.Key("domainName"); String(w, request.domain_name);
  w.Key("domainPrefix"); String(w, DomainPrefix(request.domain_name));
  w.Key("http");
  w.StartObject();
  w.Key("method"); String(w, request.method);
  w.Key("path"); String(w, path);
  w.Key("protocol"); String(w, request.protocol);
  w.Key("sourceIp"); String(w, request.source_ip);
  w.Key("userAgent"); String(w, user_agent ? *user_agent : "");
  w.EndObject();
  w.Key("requestId"); String(w, request.request_id);
  w.Key("routeKey"); String(w, match.route_key);
  w.Key("stage"); String(w, api.stage);
  w.Key("time"); String(w, ClfTime(request.time_epoch_ms));
  w.Key("timeEpoch"); w.Int64(request.time_epoch_ms);
  w.EndObject();
  if (!request.body.empty() && !authorizer) {
    w.Key("body");
    Body(w, api, request);
  }
  if (!match.path_parameters.empty()) {
    w.Key("pathParameters");
    StringMapOrNull(w, match.path_parameters);
  }
  if (!authorizer) {
    w.Key("isBase64Encoded"); w.Bool(!request.body.empty() && BodyIsBinary(api, request));
  }
  if (!api.stage_variables.empty()) {
    w.Key("stageVariables");
    StringMapOrNull(w, api.stage_variables);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

std::string ProxyEventV1(const Api& api, const RouteMatch& match, const GatewayRequest& request,
                         const std::string& account_id) {
  return EventV1(api, match, request, account_id, nullptr);
}

std::string ProxyEventV2(const Api& api, const RouteMatch& match, const GatewayRequest& request,
                         const std::string& account_id) {
  return EventV2(api, match, request, account_id, nullptr);
}

std::string RequestAuthorizerEventV1(const Api& api, const RouteMatch& match, const GatewayRequest& request,
                                     const std::string& account_id, std::string_view method_arn,
                                     const std::vector<std::string>& identity) {
  const AuthorizerFields fields{method_arn, &identity};
  return EventV1(api, match, request, account_id, &fields);
}

std::string RequestAuthorizerEventV2(const Api& api, const RouteMatch& match, const GatewayRequest& request,
                                     const std::string& account_id, std::string_view route_arn,
                                     const std::vector<std::string>& identity) {
  const AuthorizerFields fields{route_arn, &identity};
  return EventV2(api, match, request, account_id, &fields);
}

std::optional<GatewayResponse> ParseProxyResultV1(std::string_view payload) {
  rapidjson::Document doc;
  if (!ParseJson(doc, payload) || !doc.IsObject()) return std::nullopt;
  return ParseResultObject(doc, false);
}

std::optional<GatewayResponse> ParseProxyResultV2(std::string_view payload) {
  rapidjson::Document doc;
  if (!ParseJson(doc, payload)) return std::nullopt;
  if (doc.IsObject() && doc.HasMember("statusCode")) return ParseResultObject(doc, true);
  // AWS's inferred answer: 200, application/json, the result itself as the body.
  GatewayResponse out;
  out.headers.emplace_back("Content-Type", "application/json");
  out.body = doc.IsString() ? std::string(doc.GetString(), doc.GetStringLength()) : std::string(payload);
  return out;
}

}  // namespace ll::apigw
