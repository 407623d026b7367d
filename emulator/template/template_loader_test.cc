#include "template/template_loader.h"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

using namespace ll;

namespace {

std::filesystem::path MakeProject() {
  auto dir = std::filesystem::temp_directory_path() / ("ll-template-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "src");
  return dir;
}

}  // namespace

TEST_CASE("SAM template with globals, parameters and intrinsics") {
  auto dir = MakeProject();
  const char* yaml = R"(
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Globals:
  Function:
    Timeout: 10
    MemorySize: 256
    Environment:
      Variables:
        SHARED: yes
        STAGE: !Ref Stage
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "hello-${Stage}"
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Timeout: 5
      ReservedConcurrentExecutions: 2
      Environment:
        Variables:
          REGION: !Ref AWS::Region
          ACCOUNT: !Sub "${AWS::AccountId}-x"
          OTHER_ARN: !GetAtt Other.Arn
          JOINED: !Join [",", [a, !Ref Stage]]
  Other:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      CodeUri: ./src
  Queue:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::Kinesis::Stream
)";
  TemplateOptions opts;
  opts.region = "eu-west-1";
  opts.account_id = "123456789012";
  auto t = ParseTemplate(yaml, dir, opts);
  INFO(t.status().message());
  REQUIRE(t.ok());
  REQUIRE(t->functions.size() == 2);
  const FunctionConfig& hello = t->functions[0];
  CHECK(hello.name == "hello-dev");
  CHECK(hello.logical_id == "Hello");
  CHECK(hello.timeout_s == 5);
  CHECK(hello.memory_mb == 256);
  CHECK(hello.reserved_concurrency == 2);
  CHECK(hello.code_dir == std::filesystem::weakly_canonical(dir / "src"));
  CHECK(hello.environment.at("SHARED") == "yes");
  CHECK(hello.environment.at("STAGE") == "dev");
  CHECK(hello.environment.at("REGION") == "eu-west-1");
  CHECK(hello.environment.at("ACCOUNT") == "123456789012-x");
  CHECK(hello.environment.at("OTHER_ARN") == "arn:aws:lambda:eu-west-1:123456789012:function:Other");
  CHECK(hello.environment.at("JOINED") == "a,dev");
  CHECK(t->functions[1].name == "Other");
  CHECK(t->functions[1].timeout_s == 10);
  REQUIRE(t->ignored.size() == 1);
  CHECK(t->ignored[0] == "Topic (AWS::Kinesis::Stream)");
  REQUIRE(t->queues.size() == 1);
  CHECK(t->queues[0].name == "Queue");
  std::filesystem::remove_all(dir);
}

TEST_CASE("JSON templates with long-form intrinsics") {
  auto dir = MakeProject();
  const char* json = R"({"Resources": {"F": {"Type": "AWS::Serverless::Function",
    "Properties": {"Runtime": "nodejs20.x", "Handler": "index.handler", "CodeUri": "src",
      "Environment": {"Variables": {"A": {"Fn::Sub": "${AWS::Region}"}, "B": {"Ref": "AWS::AccountId"}}}}}}})";
  auto t = ParseTemplate(json, dir, TemplateOptions{});
  INFO(t.status().message());
  REQUIRE(t.ok());
  CHECK(t->functions[0].environment.at("A") == "us-east-1");
  CHECK(t->functions[0].environment.at("B") == "000000000000");
  std::filesystem::remove_all(dir);
}

TEST_CASE("template errors are one clear line") {
  auto dir = MakeProject();
  auto bad_yaml = ParseTemplate("Resources: [unclosed", dir, {});
  REQUIRE_FALSE(bad_yaml.ok());
  CHECK(bad_yaml.status().message().find("not valid YAML") != std::string::npos);

  auto missing_dir = ParseTemplate(
      "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n"
      "      Handler: a.b\n      CodeUri: nope/\n",
      dir, {});
  REQUIRE_FALSE(missing_dir.ok());
  CHECK(missing_dir.status().message().find("CodeUri 'nope/' is not a folder") != std::string::npos);

  auto bad_timeout = ParseTemplate(
      "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n"
      "      Handler: a.b\n      CodeUri: src\n      Timeout: 901\n",
      dir, {});
  REQUIRE_FALSE(bad_timeout.ok());
  INFO(bad_timeout.status().message());
  CHECK(bad_timeout.status().message().find("Timeout 901") != std::string::npos);

  auto no_resources = ParseTemplate("Foo: 1\n", dir, {});
  REQUIRE_FALSE(no_resources.ok());
  std::filesystem::remove_all(dir);
}

TEST_CASE("queues and SQS event source mappings") {
  auto dir = MakeProject();
  const char* yaml = R"(
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: 5
            MaximumBatchingWindowInSeconds: 2
            FunctionResponseTypes: [ReportBatchItemFailures]
            FilterCriteria:
              Filters:
                - Pattern: '{"body": {"kind": ["a"]}}'
                - Pattern:
                    body:
                      n: [{numeric: [">", 5]}]
        Stream:
          Type: Kinesis
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt JobsDlq.Arn
        maxReceiveCount: 3
  JobsDlq:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: jobs-dlq
  Ordered:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !GetAtt Ordered.Arn
      Enabled: false
)";
  auto t = ParseTemplate(yaml, dir, TemplateOptions{});
  INFO(t.status().message());
  REQUIRE(t.ok());
  REQUIRE(t->queues.size() == 3);
  CHECK(t->queues.back().name == "Jobs");  // has a redrive policy: created last
  CHECK(t->queues.back().attributes.at("VisibilityTimeout") == "60");
  CHECK(t->queues.back().attributes.at("RedrivePolicy") ==
        "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:jobs-dlq\",\"maxReceiveCount\":3}");
  bool fifo_named = false;
  for (const auto& q : t->queues) fifo_named |= q.name == "Ordered.fifo";
  CHECK(fifo_named);
  REQUIRE(t->mappings.size() == 2);
  const MappingResource& m = t->mappings[0];
  CHECK(m.function_name == "Worker");
  CHECK(m.event_source_arn == "arn:aws:sqs:us-east-1:000000000000:Jobs");
  CHECK(m.batch_size == 5);
  CHECK(m.maximum_batching_window_s == 2);
  CHECK(m.function_response_types == std::vector<std::string>{"ReportBatchItemFailures"});
  REQUIRE(m.filter_patterns.size() == 2);
  CHECK(m.filter_patterns[0] == "{\"body\": {\"kind\": [\"a\"]}}");
  CHECK(m.filter_patterns[1] == "{\"body\":{\"n\":[{\"numeric\":[\">\",5]}]}}");
  CHECK(t->mappings[1].event_source_arn == "arn:aws:sqs:us-east-1:000000000000:Ordered.fifo");
  CHECK_FALSE(t->mappings[1].enabled);
  std::filesystem::remove_all(dir);
}
