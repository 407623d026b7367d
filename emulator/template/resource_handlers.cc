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
      {"AWS::ApiGateway::ApiKey", {NameApiKey, LoadApiKey}},
      {"AWS::ApiGateway::RestApi", {NameRestApi, LoadRestApi}},
      {"AWS::ApiGateway::Resource", {NameRestResource, LoadRestResource}},
      {"AWS::ApiGateway::Method", {nullptr, LoadRestMethod}},
      {"AWS::ApiGateway::Stage", {NameRestStage, LoadApiPart}},
      {"AWS::ApiGateway::Deployment", {NameApiPart, LoadApiPart}},
      {"AWS::ApiGateway::Authorizer", {NameApiPart, LoadApiPart}},
      {"AWS::ApiGatewayV2::Api", {NameHttpApi, LoadHttpApi}},
      {"AWS::ApiGatewayV2::Integration", {NameHttpApiPart, LoadHttpIntegration}},
      {"AWS::ApiGatewayV2::Route", {NameHttpApiPart, LoadHttpRoute}},
      {"AWS::ApiGatewayV2::Stage", {NameHttpStage, LoadApiPart}},
      {"AWS::ApiGatewayV2::Authorizer", {NameHttpApiPart, LoadApiPart}},
      {"AWS::SNS::Subscription", {nullptr, LoadSnsSubscription}},
      {"AWS::Lambda::Url", {nullptr, LoadLambdaUrl}},
      {"AWS::SNS::TopicPolicy", {nullptr, LoadAcceptedPolicy}},
      {"AWS::SQS::QueuePolicy", {nullptr, LoadAcceptedPolicy}},
  });
  return table;
}

}  // namespace ll
