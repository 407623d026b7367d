#include "services/apigateway/authorizer_answer.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>

#include "base/json_parse.h"

namespace ll::apigw {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr std::string_view kInvokeAction = "execute-api:Invoke";
// Deeper contexts are refused: writing a value back out recurses once per level.
constexpr size_t kMaxContextDepth = 32;

bool CharEquals(char a, char b, bool ignore_case) {
  if (!ignore_case) return a == b;
  return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
}

// A string, or a list of strings (IAM takes both for Action and Resource).
std::optional<std::vector<std::string>> Strings(const rapidjson::Value& v) {
  std::vector<std::string> out;
  if (v.IsString()) {
    out.emplace_back(v.GetString(), v.GetStringLength());
    return out;
  }
  if (!v.IsArray()) return std::nullopt;
  for (const auto& item : v.GetArray()) {
    if (!item.IsString()) return std::nullopt;
    out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return out;
}

std::optional<PolicyStatement> Statement(const rapidjson::Value& v) {
  if (!v.IsObject()) return std::nullopt;
  PolicyStatement s;
  auto effect = v.FindMember("Effect");
  if (effect == v.MemberEnd() || !effect->value.IsString()) return std::nullopt;
  const std::string_view e(effect->value.GetString(), effect->value.GetStringLength());
  if (e != "Allow" && e != "Deny") return std::nullopt;
  s.allow = e == "Allow";
  auto action = v.FindMember("Action");
  auto resource = v.FindMember("Resource");
  if (action == v.MemberEnd() || resource == v.MemberEnd()) return std::nullopt;
  auto actions = Strings(action->value);
  auto resources = Strings(resource->value);
  if (!actions || !resources) return std::nullopt;
  s.actions = std::move(*actions);
  s.resources = std::move(*resources);
  return s;
}

// How deeply `root` nests, counted without recursion.
size_t Depth(const rapidjson::Value& root) {
  std::vector<std::pair<const rapidjson::Value*, size_t>> stack{{&root, 1}};
  size_t deepest = 0;
  while (!stack.empty()) {
    auto [v, depth] = stack.back();
    stack.pop_back();
    deepest = std::max(deepest, depth);
    if (depth > kMaxContextDepth) return depth;
    if (v->IsObject()) {
      for (const auto& m : v->GetObject()) stack.emplace_back(&m.value, depth + 1);
    } else if (v->IsArray()) {
      for (const auto& item : v->GetArray()) stack.emplace_back(&item, depth + 1);
    }
  }
  return deepest;
}

std::string ToJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// The context as both forms; false when it is malformed for `format`.
bool ReadContext(const rapidjson::Value& doc, AnswerFormat format, AuthorizerAnswer& out) {
  auto it = doc.FindMember("context");
  if (it == doc.MemberEnd() || it->value.IsNull()) return true;
  const rapidjson::Value& context = it->value;
  if (!context.IsObject() || Depth(context) > kMaxContextDepth) return false;
  for (const auto& m : context.GetObject()) {
    std::string key(m.name.GetString(), m.name.GetStringLength());
    const rapidjson::Value& v = m.value;
    if (v.IsNull()) {
      out.context_strings.emplace_back(std::move(key), std::nullopt);
    } else if (v.IsString()) {
      out.context_strings.emplace_back(std::move(key), std::string(v.GetString(), v.GetStringLength()));
    } else if (v.IsNumber() || v.IsBool()) {
      out.context_strings.emplace_back(std::move(key), ToJson(v));
    } else if (format == AnswerFormat::kRestPolicy) {
      return false;  // REST APIs refuse objects and arrays in the context
    } else {
      out.context_strings.emplace_back(std::move(key), ToJson(v));
    }
  }
  out.context_json = ToJson(context);
  return true;
}

void String(JsonWriter& w, std::string_view s) { w.String(s.data(), rapidjson::SizeType(s.size())); }

}  // namespace

bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case) {
  // The classic greedy glob match: on a mismatch, let the last `*` take one more character.
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || CharEquals(pattern[p], text[t], ignore_case))) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

PolicyDecision EvaluatePolicy(const std::vector<PolicyStatement>& statements, std::string_view arn) {
  bool allowed = false;
  for (const PolicyStatement& s : statements) {
    const bool action = std::any_of(s.actions.begin(), s.actions.end(), [](const std::string& a) {
      return WildcardMatch(a, kInvokeAction, true);
    });
    if (!action) continue;
    const bool resource = std::any_of(s.resources.begin(), s.resources.end(),
                                      [&](const std::string& r) { return WildcardMatch(r, arn); });
    if (!resource) continue;
    if (!s.allow) return PolicyDecision::kExplicitDeny;
    allowed = true;
  }
  return allowed ? PolicyDecision::kAllow : PolicyDecision::kImplicitDeny;
}

std::optional<AuthorizerAnswer> ParseAuthorizerAnswer(std::string_view payload, AnswerFormat format) {
  rapidjson::Document parsed;
  if (!ParseJson(parsed, payload) || !parsed.IsObject()) return std::nullopt;
  const rapidjson::Value& doc = parsed;  // const iterators: C++20 finds non-const ones' == ambiguous
  AuthorizerAnswer out;
  if (format == AnswerFormat::kHttpSimple) {
    auto it = doc.FindMember("isAuthorized");
    if (it == doc.MemberEnd() || !it->value.IsBool()) return std::nullopt;
    out.authorized = it->value.GetBool();
  } else {
    auto principal = doc.FindMember("principalId");
    if (principal == doc.MemberEnd() || !principal->value.IsString()) return std::nullopt;
    out.principal_id.assign(principal->value.GetString(), principal->value.GetStringLength());
    auto policy = doc.FindMember("policyDocument");
    if (policy == doc.MemberEnd() || !policy->value.IsObject()) return std::nullopt;
    auto statement = policy->value.FindMember("Statement");
    if (statement == policy->value.MemberEnd()) return std::nullopt;
    if (statement->value.IsArray()) {
      for (const auto& item : statement->value.GetArray()) {
        std::optional<PolicyStatement> s = Statement(item);
        if (!s) return std::nullopt;
        out.statements.push_back(std::move(*s));
      }
    } else {
      std::optional<PolicyStatement> s = Statement(statement->value);
      if (!s) return std::nullopt;
      out.statements.push_back(std::move(*s));
    }
  }
  if (!ReadContext(doc, format, out)) return std::nullopt;
  return out;
}

std::string RestAuthorizerJson(const AuthorizerAnswer& answer, int64_t latency_ms) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  for (const auto& [key, value] : answer.context_strings) {
    if (key == "principalId" || key == "integrationLatency") continue;  // API Gateway's own win
    String(w, key);
    value ? String(w, *value) : (void)w.Null();
  }
  w.Key("principalId");
  String(w, answer.principal_id);
  w.Key("integrationLatency");
  w.Int64(latency_ms);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string HttpAuthorizerJson(const AuthorizerAnswer& answer) {
  const std::string context = answer.context_json.empty() ? "null" : answer.context_json;
  return R"({"lambda":)" + context + "}";
}

}  // namespace ll::apigw
