// Authorization: what API Gateway does between finding a route and calling its integration. The
// route's Lambda authorizer (REST TOKEN and REQUEST, HTTP API REQUEST of format 1.0 or 2.0) with
// its identity sources, token validation and result cache; AWS_IAM (a SigV4-signed request: any
// credentials, as lambda-local accepts everywhere); REST APIs' API keys in `x-api-key`. It either
// answers as API Gateway does (401, 403, or 500 when the authorizer fails), or lets the request
// on with what the integration's event learns of the caller (GatewayRequest::auth).
//
// JWT and Cognito authorizers are not enforced yet: their routes are served (install.cc says so
// at start).
//
// Thread-safety: Authorize may run on any number of threads; the result cache is guarded by mu_.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "invoke/invoke_sink.h"
#include "services/apigateway/api.h"
#include "services/apigateway/jwt.h"
#include "services/apigateway/authorizer_answer.h"
#include "services/apigateway/route_matcher.h"

namespace ll::apigw {

inline constexpr char kIamAuthorizer[] = "AWS_IAM";

// The access key a SigV4-signed request names ("Credential=AKID/20240101/us-east-1/..." in the
// Authorization header, or X-Amz-Credential in a presigned query); nullopt when it is unsigned.
// lambda-local takes any credentials: the signature's presence is what counts.
std::optional<std::string> SignedAccessKey(const GatewayRequest& request);

struct AuthorizationOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::vector<ApiKey> api_keys;  // what `x-api-key` may hold
  Clock* clock = nullptr;        // measures the cache's TTLs; nullptr: the real steady clock
  // Why an authorizer failed (its function missing, an error, a malformed answer), for the console.
  std::function<void(const std::string&)> log;
  // JWT authorizers: each issuer's keys (null when they could not be had: every token refused),
  // or none needed when the user chose not to check signatures.
  std::map<std::string, std::shared_ptr<const JwksKeys>> jwt_keys;
  bool jwt_skip_signature = false;
};

class Authorization {
 public:
  // `functions` must outlive this; `apis` only during construction (their TOKEN authorizers'
  // validation expressions are compiled once, here).
  Authorization(const std::vector<Api>& apis, InvokeSink* functions, AuthorizationOptions options);

  // nullopt when the request may go on to the integration (request.auth filled in for its
  // event); else API Gateway's answer. The route's authorizer runs first, then its API key is
  // checked, as API Gateway orders them.
  std::optional<GatewayResponse> Authorize(const Api& api, const RouteMatch& match,
                                           GatewayRequest& request) const;

  // "arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path without its first /}":
  // the methodArn (routeArn) an authorizer is given and its policy is evaluated against.
  std::string MethodArn(const Api& api, const GatewayRequest& request) const;

  // The value of an identity source ("method.request.header.Auth", "$request.querystring.q",
  // "stageVariables.v", "context.identity.sourceIp", ...) for this request; nullopt when the
  // request has none (or lambda-local does not know that context variable).
  static std::optional<std::string> IdentityValue(const Api& api, const RouteMatch& match,
                                                  const GatewayRequest& request, std::string_view source);

 private:
  struct Cached {
    AuthorizerAnswer answer;
    Clock::TimePoint expires;
  };
  // An authorizer's answer for this request, from the cache or by running its function, or
  // API Gateway's refusal (401 before the function, 401/500 from what it did).
  struct Outcome {
    std::optional<AuthorizerAnswer> answer;
    std::optional<GatewayResponse> refusal;
    int64_t latency_ms = 0;
  };

  // A JWT authorizer (jwt.h): the token checked, then the route's scopes; the claims and scopes
  // go to the event's requestContext.authorizer.jwt.
  std::optional<GatewayResponse> CheckJwtToken(const Api& api, const Authorizer& authorizer, const RouteMatch& match,
                                               GatewayRequest& request) const;
  std::optional<GatewayResponse> RunLambda(const Api& api, const Authorizer& authorizer, const RouteMatch& match,
                                           GatewayRequest& request) const;
  Outcome Invoke(const Api& api, const Authorizer& authorizer, const RouteMatch& match,
                 const GatewayRequest& request, const std::string& arn,
                 const std::vector<std::string>& identity) const;
  std::optional<GatewayResponse> CheckIam(const Api& api, GatewayRequest& request) const;
  std::optional<GatewayResponse> CheckApiKey(const Api& api, GatewayRequest& request) const;
  bool TokenValid(const Authorizer& authorizer, const std::string& token) const;
  void Log(const Api& api, const Authorizer& authorizer, const std::string& why) const;

  // Const after construction.
  InvokeSink* const functions_;
  const AuthorizationOptions options_;
  Clock* const clock_;
  std::map<std::string, std::regex> validation_;  // by expression; only the valid ones

  mutable std::mutex mu_;
  mutable std::map<std::string, Cached> cache_;  // guarded by mu_; by API, authorizer and identity
};

}  // namespace ll::apigw
