// The resource handlers DefaultResourceHandlers() registers, one file each in this folder.
#pragma once

#include "template/resource_handlers.h"

namespace ll {

// AWS::Serverless::Function and AWS::Lambda::Function (function_properties.cc).
Result<ResourceSymbols> NameFunction(const TemplateContext& context, const Resource& resource);
// serverless_function.cc
Status LoadServerlessFunction(const TemplateContext& context, const Resource& resource,
                              LoadedTemplate& out);
// lambda_function.cc
Status LoadLambdaFunction(const TemplateContext& context, const Resource& resource,
                          LoadedTemplate& out);
// sqs_queue.cc
Result<ResourceSymbols> NameSqsQueue(const TemplateContext& context, const Resource& resource);
Status LoadSqsQueue(const TemplateContext& context, const Resource& resource, LoadedTemplate& out);
// s3_bucket.cc
Result<ResourceSymbols> NameS3Bucket(const TemplateContext& context, const Resource& resource);
Status LoadS3Bucket(const TemplateContext& context, const Resource& resource, LoadedTemplate& out);
// A hash of the project folder, for names that stay the same from run to run of one project
// and differ between projects, as a deployed stack's generated names do (s3_bucket.cc).
uint32_t ProjectHash(const TemplateContext& context);
// A property that is one string or a list of strings (an S3 notification's Event, a SAM S3
// event's Events), evaluated.
Result<std::vector<std::string>> EvalStringOrList(const Resolver& resolver, const YAML::Node& node);
// The filter rules of a notification (Filter: S3Key: Rules: [{Name, Value}]) into `target`.
Status ReadS3KeyFilter(const Resolver& resolver, const YAML::Node& filter, BucketTarget& target);
// sns_topic.cc
Result<ResourceSymbols> NameSnsTopic(const TemplateContext& context, const Resource& resource);
Status LoadSnsTopic(const TemplateContext& context, const Resource& resource, LoadedTemplate& out);
Status LoadSnsSubscription(const TemplateContext& context, const Resource& resource,
                           LoadedTemplate& out);
// AWS::SNS::TopicPolicy, AWS::SQS::QueuePolicy: accepted, not enforced.
Status LoadAcceptedPolicy(const TemplateContext& context, const Resource& resource,
                          LoadedTemplate& out);
// serverless_api.cc
Result<ResourceSymbols> NameApi(const TemplateContext& context, const Resource& resource);
Status LoadServerlessApi(const TemplateContext& context, const Resource& resource, LoadedTemplate& out);
Status LoadServerlessHttpApi(const TemplateContext& context, const Resource& resource,
                             LoadedTemplate& out);
// A property that must be true or false (`what` names it in the error).
Result<bool> EvalBool(const Resolver& resolver, const YAML::Node& node, const std::string& what);
// InvalidTemplate naming the first key of `map` not in `known` (SAM refuses unknown properties).
Status UnknownKeys(const YAML::Node& map, std::initializer_list<const char*> known, const std::string& what);
// A function's `Events: Type: Api` (http false) or `Type: HttpApi` (http true).
Status ReadApiEvent(const TemplateContext& context, const Resource& function, const std::string& event_id,
                    const YAML::Node& event, LoadedTemplate& out, bool http);
// function_url.cc: a function's FunctionUrlConfig (SAM), and AWS::Lambda::Url.
Status ReadFunctionUrlConfig(const TemplateContext& context, const Resource& function, LoadedTemplate& out);
Status LoadLambdaUrl(const TemplateContext& context, const Resource& resource, LoadedTemplate& out);
// api_auth.cc: an API's `Auth` (over its Globals, merged by the caller), with the key SAM's
// UsagePlan creates added to out.api_keys; a function's Api / HttpApi event's `Auth`;
// AWS::ApiGateway::ApiKey.
Result<ApiAuth> ReadApiAuth(const TemplateContext& context, const YAML::Node& auth, bool http,
                            const std::string& api_logical_id, LoadedTemplate& out);
Status ReadEventAuth(const TemplateContext& context, const YAML::Node& auth, bool http, const std::string& where,
                     ApiRouteResource& route);
Result<ResourceSymbols> NameApiKey(const TemplateContext& context, const Resource& resource);
Status LoadApiKey(const TemplateContext& context, const Resource& resource, LoadedTemplate& out);
// apigateway_rest.cc: AWS::ApiGateway::RestApi, Resource, Method, Stage, Deployment, Authorizer.
Result<ResourceSymbols> NameRestApi(const TemplateContext& context, const Resource& resource);
Status LoadRestApi(const TemplateContext& context, const Resource& resource, LoadedTemplate& out);
Result<ResourceSymbols> NameRestResource(const TemplateContext& context, const Resource& resource);
Status LoadRestResource(const TemplateContext& context, const Resource& resource, LoadedTemplate& out);
Status LoadRestMethod(const TemplateContext& context, const Resource& resource, LoadedTemplate& out);
Result<ResourceSymbols> NameRestStage(const TemplateContext& context, const Resource& resource);
// A Deployment's or an Authorizer's id (what methods and stages refer to them by).
Result<ResourceSymbols> NameApiPart(const TemplateContext& context, const Resource& resource);
// Stages, deployments and authorizers are read by their API's handler, which looks them up.
Status LoadApiPart(const TemplateContext& context, const Resource& resource, LoadedTemplate& out);
// apigateway_v2.cc: AWS::ApiGatewayV2::Api, Integration, Route, Stage, Authorizer.
Result<ResourceSymbols> NameHttpApi(const TemplateContext& context, const Resource& resource);
Status LoadHttpApi(const TemplateContext& context, const Resource& resource, LoadedTemplate& out);
// An Integration's, a Route's or an Authorizer's id.
Result<ResourceSymbols> NameHttpApiPart(const TemplateContext& context, const Resource& resource);
Status LoadHttpIntegration(const TemplateContext& context, const Resource& resource, LoadedTemplate& out);
Status LoadHttpRoute(const TemplateContext& context, const Resource& resource, LoadedTemplate& out);
Result<ResourceSymbols> NameHttpStage(const TemplateContext& context, const Resource& resource);
// event_source_mapping.cc
Status LoadEventSourceMapping(const TemplateContext& context, const Resource& resource,
                              LoadedTemplate& out);

}  // namespace ll
