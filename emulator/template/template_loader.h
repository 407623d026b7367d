// Reads a SAM / CloudFormation template (YAML with short intrinsic tags, or JSON) into
// FunctionConfigs, queues and mappings. Resolves !Ref, !Sub, !GetAtt, !Join over Parameters and
// pseudo parameters (intrinsics.h); each resource type is read by its handler
// (resource_handlers.h).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/function_config.h"
#include "model/function_url.h"

namespace ll {

struct TemplateOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string endpoint = "http://localhost:4566";  // for queue URLs (!Ref of a queue)
  std::map<std::string, std::string> parameter_overrides;
};

// An AWS::SQS::Queue resource: created at start with these SQS attributes.
struct QueueResource {
  std::string logical_id;
  std::string name;
  std::map<std::string, std::string> attributes;  // SQS attribute names, string values
};

// An event source mapping from `Events: Type: SQS` or AWS::Lambda::EventSourceMapping.
struct MappingResource {
  std::string logical_id;
  std::string function_name;
  std::string event_source_arn;
  std::optional<int> batch_size;
  std::optional<int> maximum_batching_window_s;
  bool enabled = true;
  std::vector<std::string> function_response_types;
  std::optional<int> maximum_concurrency;
  std::vector<std::string> filter_patterns;  // each Pattern as a JSON string
};

// Where a bucket's notifications go: NotificationConfiguration's Lambda/Queue/Topic
// configurations, or a function's `Events: Type: S3`.
struct BucketTarget {
  std::string kind;  // "lambda", "queue" or "topic"
  std::string arn;
  std::vector<std::string> events;  // "s3:ObjectCreated:*", ...
  std::string prefix;
  std::string suffix;
  std::string id;  // the configuration's Id (the event's logical id for a SAM event)
};

// An AWS::S3::Bucket resource: created at start, with its notifications.
struct BucketResource {
  std::string logical_id;
  std::string name;
  std::vector<BucketTarget> notifications;
  std::string versioning;  // VersioningConfiguration.Status, "" when absent
  std::vector<std::pair<std::string, std::string>> tags;
};

// An AWS::SNS::Topic resource: created at start (or updated) with these topic attributes.
struct TopicResource {
  std::string logical_id;
  std::string name;
  std::map<std::string, std::string> attributes;  // SNS attribute names (FifoTopic, DisplayName, ...)
  std::map<std::string, std::string> tags;
};

// A subscription: AWS::SNS::Subscription, a topic's inline Subscription list, or a function's
// `Events: Type: SNS`.
struct TopicSubscriptionResource {
  std::string logical_id;
  std::string topic_arn;
  std::string protocol;
  std::string endpoint;
  std::map<std::string, std::string> attributes;  // RawMessageDelivery, FilterPolicy, ...
};

// An API's CORS as the template configures it: a REST API's `Cors` (each value with SAM's quotes
// taken off) or an HTTP API's `CorsConfiguration`, over Globals.Api / Globals.HttpApi.
struct ApiCors {
  bool enabled = false;
  std::vector<std::string> allow_origins;   // REST: the one AllowOrigin ("*" unless given)
  std::vector<std::string> allow_methods;   // REST: one value, or none for each path's methods
  std::vector<std::string> allow_headers;   // REST: one value
  std::vector<std::string> expose_headers;  // HTTP APIs only
  std::string max_age;                      // seconds; "" when not set
  bool allow_credentials = false;
};

// One authorizer of an API's `Auth.Authorizers`.
struct ApiAuthorizerResource {
  std::string name;
  std::string type;      // "TOKEN", "REQUEST" (Lambda), "JWT" (HTTP APIs), "COGNITO_USER_POOLS" (REST)
  std::string function;  // a Lambda authorizer's FunctionArn, evaluated (an ARN or a name)
  // Identity sources as AWS's mapping expressions, in SAM's order (headers, query strings, stage
  // variables, context): REST "method.request.header.Authorization", HTTP "$request.header.x".
  std::vector<std::string> identity_sources;
  std::string validation_expression;  // TOKEN's Identity.ValidationExpression
  int ttl_s = 0;                      // Identity.ReauthorizeEvery (REST default 300)
  std::string payload_format = "1.0";  // HTTP APIs' AuthorizerPayloadFormatVersion
  bool simple_responses = false;       // HTTP APIs' EnableSimpleResponses
  // JWT authorizers' JwtConfiguration and AuthorizationScopes (recorded; not enforced yet).
  std::string jwt_issuer;
  std::vector<std::string> jwt_audience;
  std::vector<std::string> authorization_scopes;
  // Cognito: the issuers of the user pools (UserPoolArn / ProviderARNs), whose tokens it takes.
  std::vector<std::string> user_pool_issuers;
};

// The issuer of a Cognito user pool's tokens, "https://cognito-idp.<region>.amazonaws.com/<pool id>",
// from the pool's ARN (or its id alone, in `region`); "" when it is neither.
std::string UserPoolIssuer(const std::string& arn_or_id, const std::string& region);

// An API's `Auth` (over Globals.Api.Auth / Globals.HttpApi.Auth).
struct ApiAuth {
  std::vector<ApiAuthorizerResource> authorizers;
  std::string default_authorizer;  // DefaultAuthorizer: a name, "AWS_IAM", or "" for none
  bool api_key_required = false;   // REST: ApiKeyRequired for every method
  bool default_authorizer_on_preflight = true;  // AddDefaultAuthorizerToCorsPreflight
  bool api_key_on_preflight = true;             // AddApiKeyRequiredToCorsPreflight
};

// An API key: AWS::ApiGateway::ApiKey, or the one SAM's Auth.UsagePlan creates.
struct ApiKeyResource {
  std::string logical_id;
  std::string id;     // what !Ref gives
  std::string value;  // Value, or one made up when the template gives none
  bool generated = false;
  bool enabled = false;  // Enabled (false unless true, as CloudFormation's)
};

// An API Gateway API: AWS::Serverless::Api (REST) or AWS::Serverless::HttpApi, one of the
// implicit APIs SAM makes for events that name none (ServerlessRestApi, ServerlessHttpApi), or
// an AWS::ApiGateway::RestApi / AWS::ApiGatewayV2::Api (apigateway_rest.cc, apigateway_v2.cc).
struct ApiResource {
  std::string logical_id;
  std::string id;     // what !Ref gives: 10 lowercase letters and digits, stable per project
  bool http = false;  // an HTTP API (payload 2.0 by default, stage "$default")
  std::string stage;  // StageName
  std::map<std::string, std::string> variables;  // stage variables
  std::vector<std::string> binary_media_types;
  ApiCors cors;
  ApiAuth auth;
};

// A route of an API to a function: a function's `Events: Type: Api | HttpApi`, an OpenAPI
// definition's operation (openapi.cc), an AWS::ApiGateway::Method or AWS::ApiGatewayV2::Route.
struct ApiRouteResource {
  std::string api_id;  // the id of an ApiResource
  std::string method;  // upper-case, "ANY" for any
  std::string path;    // "/items/{id}", or "$default"
  std::string function_name;
  std::string payload_format;  // "1.0" or "2.0"
  int timeout_ms = 0;          // 0: the API's default
  std::string source;          // "Function.Event"
  // The event's Auth: an authorizer name, "AWS_IAM", "NONE", or "" for the API's default; and
  // (REST) ApiKeyRequired when given.
  std::string authorizer;
  std::optional<bool> api_key_required;
  std::optional<std::vector<std::string>> authorization_scopes;  // the event's AuthorizationScopes
  // Non-empty for a route lambda-local does not serve (a mock, HTTP or AWS service integration
  // declared with CloudFormation or OpenAPI): what it is, "GET /x has a mock integration". It
  // is listed at start and answered 501; function_name is then empty.
  std::string unserved;
};

// A function URL: a function's FunctionUrlConfig (SAM) or an AWS::Lambda::Url.
struct FunctionUrlResource {
  std::string function_name;
  std::string qualifier;  // "" or an alias
  std::string auth_type;  // NONE or AWS_IAM
  std::string invoke_mode = "BUFFERED";
  std::optional<FunctionUrlCors> cors;
  std::string source;  // the logical id, for messages
};

struct LoadedTemplate {
  std::vector<FunctionConfig> functions;
  std::vector<QueueResource> queues;  // dead-letter targets first
  std::vector<MappingResource> mappings;
  std::vector<BucketResource> buckets;
  // `Events: Type: S3` of functions, by bucket name (the bucket may be outside the template).
  std::vector<std::pair<std::string, BucketTarget>> bucket_events;
  std::vector<TopicResource> topics;
  std::vector<TopicSubscriptionResource> topic_subscriptions;
  std::vector<ApiResource> apis;
  std::vector<ApiRouteResource> api_routes;
  std::vector<ApiKeyResource> api_keys;
  std::vector<FunctionUrlResource> function_urls;
  std::vector<std::string> ignored;  // "LogicalId (AWS::Type)" for resources not emulated
  // What the template declares of emulated resources that lambda-local does not serve (a
  // WebSocket API, a definition in S3, a mock integration), one line each, listed at start.
  std::vector<std::string> notices;
};

// `base_dir` is the folder CodeUri paths are relative to.
Result<LoadedTemplate> ParseTemplate(std::string_view text, const std::filesystem::path& base_dir,
                                     const TemplateOptions& options);
Result<LoadedTemplate> LoadTemplateFile(const std::filesystem::path& path,
                                        const TemplateOptions& options);
// template.yaml, template.yml or template.json in `dir`; empty path when none exists.
std::filesystem::path FindDefaultTemplate(const std::filesystem::path& dir);

}  // namespace ll
