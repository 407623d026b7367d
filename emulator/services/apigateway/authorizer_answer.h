// What a Lambda authorizer answers, read and judged as API Gateway does: an IAM policy
// (principalId, policyDocument, context) evaluated against the ARN of the method or route being
// called, or an HTTP API's simple response ({"isAuthorized": bool, "context": {...}}); and the
// requestContext.authorizer the integration's event then carries.
//
// Pure functions of their arguments: safe on any thread. The answer comes from a function, so
// nothing here trusts its shape: anything malformed is nullopt (API Gateway's 500), never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ll::apigw {

// Whether `pattern` matches the whole of `text` with IAM's wildcards: `*` any run of characters
// (slashes included), `?` any one character. Iterative, so no input can exhaust the stack.
bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case = false);

struct PolicyStatement {
  bool allow = false;                  // Effect "Allow"; else "Deny"
  std::vector<std::string> actions;    // "execute-api:Invoke", "execute-api:*", "*", ...
  std::vector<std::string> resources;  // ARNs, perhaps with wildcards
};

enum class PolicyDecision { kAllow, kImplicitDeny, kExplicitDeny };

// IAM's evaluation of execute-api:Invoke on `arn`: a matching Deny wins, else a matching Allow
// allows, else the request is implicitly denied. Actions match case-insensitively, resources
// exactly (both with wildcards).
PolicyDecision EvaluatePolicy(const std::vector<PolicyStatement>& statements, std::string_view arn);

enum class AnswerFormat {
  kRestPolicy,  // REST APIs: a policy; context values strings, numbers, booleans or null
  kHttpPolicy,  // HTTP APIs (1.0, or 2.0 without simple responses): a policy
  kHttpSimple,  // HTTP APIs 2.0 with EnableSimpleResponses: {"isAuthorized": bool}
};

struct AuthorizerAnswer {
  bool authorized = false;                  // kHttpSimple: isAuthorized
  std::string principal_id;                 // policies: principalId
  std::vector<PolicyStatement> statements;  // policies: policyDocument.Statement
  // The context: REST APIs stringify every value (a number's JSON text, "true"/"false"; null
  // stays null); HTTP APIs keep the JSON. Empty when the answer has none.
  std::vector<std::pair<std::string, std::optional<std::string>>> context_strings;
  std::string context_json;  // the context object as JSON; "" when absent or null
};

// Reads an authorizer function's result; nullopt when API Gateway answers 500 instead: not a
// JSON object; a policy without a string principalId or without a policyDocument whose Statement
// (one or a list) each has Effect Allow|Deny, Action and Resource (strings or lists of strings);
// a simple response whose isAuthorized is not a boolean; a context that is not an object, or
// (REST APIs) has an object or array value.
std::optional<AuthorizerAnswer> ParseAuthorizerAnswer(std::string_view payload, AnswerFormat format);

// requestContext.authorizer of a REST API's event: the context's values as strings, then
// principalId and integrationLatency (the authorizer's run in ms; 0 for a cached result).
std::string RestAuthorizerJson(const AuthorizerAnswer& answer, int64_t latency_ms);
// requestContext.authorizer of an HTTP API's event: {"lambda": context} (null without one).
std::string HttpAuthorizerJson(const AuthorizerAnswer& answer);

}  // namespace ll::apigw
