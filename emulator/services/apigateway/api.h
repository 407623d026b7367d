// The value types of API Gateway as lambda-local serves it: an API (REST or HTTP) with its
// stage and routes, each route a Lambda proxy integration; and the request and response as the
// gateway sees them, independent of the HTTP server.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ll::apigw {

enum class ApiKind { kRest, kHttp };

// An authorizer an API declares (SAM's `Auth.Authorizers`), as authorizers.h runs it.
struct Authorizer {
  enum class Type {
    kToken,    // a REST API's Lambda TOKEN authorizer
    kRequest,  // a Lambda REQUEST authorizer (REST or HTTP API)
    kJwt,      // an HTTP API's JWT authorizer: not enforced yet
    kCognito,  // a REST API's Cognito user-pool authorizer: a JWT of one of its pools
  };
  std::string name;
  Type type = Type::kToken;
  std::string function;  // the Lambda authorizer's function (name or ARN)
  // Where the caller's identity is read, as AWS writes the mapping expressions: REST
  // "method.request.header.Authorization", "method.request.querystring.q", "stageVariables.v",
  // "context.identity.sourceIp"; HTTP APIs the same with "$request.header.", "$request.querystring.",
  // "$stageVariables.", "$context.". Every one must be present and non-empty, or 401.
  std::vector<std::string> identity_sources;
  std::string validation_expression;   // TOKEN: a regex the whole token must match, or ""
  int ttl_s = 0;                       // how long a result is cached per identity; 0: not cached
  std::string payload_format = "1.0";  // HTTP APIs: "1.0" or "2.0"; REST: "1.0"
  bool simple_responses = false;       // HTTP APIs, 2.0: {"isAuthorized": bool} answers
  std::string jwt_issuer;              // JWT: JwtConfiguration.issuer
  std::vector<std::string> jwt_audience;  // JWT: JwtConfiguration.audience
  std::vector<std::string> user_pool_issuers;  // Cognito: its pools' issuers
};

// An API key API Gateway accepts in `x-api-key` (the template's AWS::ApiGateway::ApiKey
// resources and the keys SAM's UsagePlan creates; enabled ones only).
struct ApiKey {
  std::string id;     // what !Ref gives; requestContext.identity.apiKeyId
  std::string value;  // what clients send
};

struct Route {
  std::string method;  // "GET", "POST", ... or "ANY"
  // A resource path: "/", "/items", "/items/{id}", "/files/{proxy+}"; or "$default" (HTTP APIs).
  std::string path;
  std::string function;  // the function's name (or ARN, with a qualifier)
  std::string payload_format = "1.0";  // REST: always "1.0"; HTTP APIs: "2.0" unless told
  int timeout_ms = 29000;              // the integration timeout
  std::string source;                  // where it was declared ("Fn.Event"), for messages
  // REST APIs with CORS: the OPTIONS method SAM adds on a path (a MOCK integration answering
  // with the CORS headers, cors.h); `function` is empty.
  bool cors_preflight = false;
  // Authorization before the integration (authorizers.h): the name of one of the API's
  // authorizers, "AWS_IAM" (a SigV4-signed request), or "" for none.
  std::string authorizer{};
  bool api_key_required = false;  // REST APIs: a known key in `x-api-key`
  std::vector<std::string> authorization_scopes{};  // JWT: the scopes the token must have one of
  std::string unserved;  // a non-proxy integration ("GET /x has a mock integration"): answered 501
};

// CORS as the template configures it: SAM's `Cors` of a REST API (one header value each, as
// its OPTIONS MOCK answers them) or `CorsConfiguration` of an HTTP API (lists, which API
// Gateway applies to every response).
struct CorsConfig {
  bool enabled = false;
  std::vector<std::string> allow_origins;   // REST: the one AllowOrigin value
  std::vector<std::string> allow_methods;   // REST: one value, or none for the path's methods
  std::vector<std::string> allow_headers;
  std::vector<std::string> expose_headers;  // HTTP APIs only
  std::string max_age;                      // seconds; "" when not set
  bool allow_credentials = false;
};

struct Api {
  std::string id;          // 10 lowercase letters and digits, as AWS's
  std::string logical_id;  // ServerlessRestApi, ServerlessHttpApi, or the template's
  ApiKind kind = ApiKind::kRest;
  std::string stage = "Prod";  // HTTP APIs: "$default" unless named
  std::map<std::string, std::string> stage_variables;
  std::vector<std::string> binary_media_types;  // REST: "image/png", "*/*", ...
  CorsConfig cors;
  std::vector<Authorizer> authorizers;
  std::vector<Route> routes;
};

// One HTTP request reaching an API, after the stage (if any) is taken off the path.
struct GatewayRequest {
  std::string method;
  std::string path;       // as sent, percent-encoded, without the stage: "/items/a%20b"
  std::string raw_query;  // as sent, without '?'
  // In the order and case sent.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string source_ip = "127.0.0.1";
  std::string protocol = "HTTP/1.1";
  std::string domain_name;  // the Host header without its port, or "localhost"
  std::string request_id;   // a UUID
  int64_t time_epoch_ms = 0;
  // What authorization learned of the caller, for the proxy event (authorizers.h): the JSON
  // object of requestContext.authorizer ("" when no authorizer ran), the API key that was
  // checked (identity.apiKey / apiKeyId) and a signed request's access key (identity.accessKey).
  struct Auth {
    std::string authorizer_json;
    std::string api_key;
    std::string api_key_id;
    std::string access_key;
  } auth;
};

// What the client is answered.
struct GatewayResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // several of a name allowed
  std::string body;  // bytes (a base64 body from the function is decoded)
};

}  // namespace ll::apigw
