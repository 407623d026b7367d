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
// A function's `Events: Type: Api` (http false) or `Type: HttpApi` (http true).
Status ReadApiEvent(const TemplateContext& context, const Resource& function, const std::string& event_id,
                    const YAML::Node& event, LoadedTemplate& out, bool http);
// function_url.cc: a function's FunctionUrlConfig (SAM), and AWS::Lambda::Url.
Status ReadFunctionUrlConfig(const TemplateContext& context, const Resource& function, LoadedTemplate& out);
Status LoadLambdaUrl(const TemplateContext& context, const Resource& resource, LoadedTemplate& out);
// event_source_mapping.cc
Status LoadEventSourceMapping(const TemplateContext& context, const Resource& resource,
                              LoadedTemplate& out);

}  // namespace ll
