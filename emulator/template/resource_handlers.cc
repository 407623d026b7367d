#include "template/resource_handlers.h"

#include "template/resources/handlers.h"

namespace ll {

const ResourceHandlerTable& DefaultResourceHandlers() {
  static const ResourceHandlerTable table({
      {"AWS::Serverless::Function", {NameFunction, LoadServerlessFunction}},
      {"AWS::Lambda::Function", {NameFunction, LoadLambdaFunction}},
      {"AWS::SQS::Queue", {NameSqsQueue, LoadSqsQueue}},
      {"AWS::S3::Bucket", {NameS3Bucket, LoadS3Bucket}},
      {"AWS::Lambda::EventSourceMapping", {nullptr, LoadEventSourceMapping}},
      {"AWS::SNS::Topic", {NameSnsTopic, LoadSnsTopic}},
      {"AWS::Serverless::Api", {NameApi, LoadServerlessApi}},
      {"AWS::Serverless::HttpApi", {NameApi, LoadServerlessHttpApi}},
      {"AWS::SNS::Subscription", {nullptr, LoadSnsSubscription}},
      {"AWS::Lambda::Url", {nullptr, LoadLambdaUrl}},
      {"AWS::SNS::TopicPolicy", {nullptr, LoadAcceptedPolicy}},
      {"AWS::SQS::QueuePolicy", {nullptr, LoadAcceptedPolicy}},
  });
  return table;
}

}  // namespace ll
