#include "api/function_json.h"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>

using namespace ll;

namespace {

rapidjson::Document Parse(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

FunctionConfig Sample() {
  FunctionConfig fn;
  fn.name = "hello";
  fn.runtime = "python3.12";
  fn.handler = "app.handler";
  fn.role = "arn:aws:iam::000000000000:role/r";
  fn.code_sha256 = "abc=";
  fn.code_size = 42;
  fn.description = "say \"hi\"";
  fn.timeout_s = 30;
  fn.memory_mb = 256;
  fn.last_modified = "2024-01-02T03:04:05.678+0000";
  fn.revision_id = "rev-1";
  return fn;
}

}  // namespace

TEST_CASE("FunctionConfiguration has AWS's members and defaults") {
  FunctionConfig fn = Sample();
  auto doc = Parse(FunctionConfigurationJson(fn));
  CHECK(std::string(doc["FunctionName"].GetString()) == "hello");
  CHECK(std::string(doc["FunctionArn"].GetString()) ==
        "arn:aws:lambda:us-east-1:000000000000:function:hello");
  CHECK(std::string(doc["Runtime"].GetString()) == "python3.12");
  CHECK(std::string(doc["Role"].GetString()) == fn.role);
  CHECK(std::string(doc["Handler"].GetString()) == "app.handler");
  CHECK(doc["CodeSize"].GetInt64() == 42);
  CHECK(std::string(doc["Description"].GetString()) == "say \"hi\"");
  CHECK(doc["Timeout"].GetInt() == 30);
  CHECK(doc["MemorySize"].GetInt() == 256);
  CHECK(std::string(doc["LastModified"].GetString()) == fn.last_modified);
  CHECK(std::string(doc["CodeSha256"].GetString()) == "abc=");
  CHECK(std::string(doc["Version"].GetString()) == "$LATEST");
  CHECK(std::string(doc["RevisionId"].GetString()) == "rev-1");
  CHECK(std::string(doc["TracingConfig"]["Mode"].GetString()) == "PassThrough");
  CHECK(std::string(doc["State"].GetString()) == "Active");
  CHECK(std::string(doc["LastUpdateStatus"].GetString()) == "Successful");
  CHECK(std::string(doc["PackageType"].GetString()) == "Zip");
  CHECK(std::string(doc["Architectures"][0].GetString()) == "x86_64");
  CHECK(doc["EphemeralStorage"]["Size"].GetInt() == 512);
  CHECK(std::string(doc["LoggingConfig"]["LogFormat"].GetString()) == "Text");
  CHECK(std::string(doc["LoggingConfig"]["LogGroup"].GetString()) == "/aws/lambda/hello");
  CHECK(std::string(doc["SnapStart"]["ApplyOn"].GetString()) == "None");
  CHECK(std::string(doc["SnapStart"]["OptimizationStatus"].GetString()) == "Off");
  // Omitted when empty, as AWS does.
  CHECK_FALSE(doc.HasMember("Environment"));
  CHECK_FALSE(doc.HasMember("Layers"));
  CHECK_FALSE(doc.HasMember("DeadLetterConfig"));
}

TEST_CASE("FunctionConfiguration optional members and ARNs") {
  FunctionConfig fn = Sample();
  fn.environment = {{"A", "1"}, {"B", "two"}};
  fn.layers = {"arn:aws:lambda:us-east-1:000000000000:layer:l:1"};
  fn.dead_letter_target_arn = "arn:aws:sqs:us-east-1:000000000000:dlq";
  fn.version = "3";
  auto doc = Parse(FunctionConfigurationJson(fn));
  CHECK(std::string(doc["Environment"]["Variables"]["B"].GetString()) == "two");
  CHECK(std::string(doc["Layers"][0]["Arn"].GetString()) == fn.layers[0]);
  CHECK(std::string(doc["DeadLetterConfig"]["TargetArn"].GetString()) == fn.dead_letter_target_arn);
  // A published version reports its qualified ARN...
  CHECK(std::string(doc["FunctionArn"].GetString()) ==
        "arn:aws:lambda:us-east-1:000000000000:function:hello:3");
  // ...unless the caller named it another way (an alias).
  auto aliased = Parse(
      FunctionConfigurationJson(fn, "arn:aws:lambda:us-east-1:000000000000:function:hello:prod"));
  CHECK(std::string(aliased["FunctionArn"].GetString()) ==
        "arn:aws:lambda:us-east-1:000000000000:function:hello:prod");
  CHECK(std::string(aliased["Version"].GetString()) == "3");
}

TEST_CASE("GetFunction answer") {
  FunctionConfig fn = Sample();
  std::map<std::string, std::string> tags = {{"team", "core"}};
  GetFunctionView view;
  view.config = &fn;
  view.arn = fn.Arn();
  view.code_location = "http://127.0.0.1:4566/_lambda-local/code/hello/$LATEST.zip";
  view.tags = &tags;
  view.reserved_concurrency = 0;
  auto doc = Parse(GetFunctionJson(view));
  CHECK(std::string(doc["Configuration"]["FunctionName"].GetString()) == "hello");
  CHECK(std::string(doc["Code"]["RepositoryType"].GetString()) == "S3");
  CHECK(std::string(doc["Code"]["Location"].GetString()) == view.code_location);
  CHECK(std::string(doc["Tags"]["team"].GetString()) == "core");
  CHECK(doc["Concurrency"]["ReservedConcurrentExecutions"].GetInt() == 0);

  view.reserved_concurrency.reset();
  std::map<std::string, std::string> none;
  view.tags = &none;
  auto bare = Parse(GetFunctionJson(view));
  CHECK_FALSE(bare.HasMember("Concurrency"));
  CHECK_FALSE(bare.HasMember("Tags"));
}

TEST_CASE("AliasConfiguration") {
  AliasConfig alias{"prod", "1", "production", {}, "rev"};
  const std::string fn_arn = "arn:aws:lambda:us-east-1:000000000000:function:hello";
  auto doc = Parse(AliasConfigurationJson(fn_arn, alias));
  CHECK(std::string(doc["AliasArn"].GetString()) == fn_arn + ":prod");
  CHECK(std::string(doc["Name"].GetString()) == "prod");
  CHECK(std::string(doc["FunctionVersion"].GetString()) == "1");
  CHECK(std::string(doc["Description"].GetString()) == "production");
  CHECK(std::string(doc["RevisionId"].GetString()) == "rev");
  CHECK_FALSE(doc.HasMember("RoutingConfig"));
  alias.additional_weights["2"] = 0.25;
  auto routed = Parse(AliasConfigurationJson(fn_arn, alias));
  CHECK(routed["RoutingConfig"]["AdditionalVersionWeights"]["2"].GetDouble() == 0.25);
}

TEST_CASE("FunctionEventInvokeConfig") {
  EventInvokeConfig config;
  config.maximum_retry_attempts = 1;
  config.on_failure_arn = "arn:aws:sqs:us-east-1:000000000000:failed";
  config.last_modified = 1700000000.25;
  const std::string arn = "arn:aws:lambda:us-east-1:000000000000:function:hello:$LATEST";
  auto doc = Parse(EventInvokeConfigJson(arn, config));
  CHECK(doc["LastModified"].IsNumber());
  CHECK(doc["LastModified"].GetDouble() == 1700000000.25);
  CHECK(std::string(doc["FunctionArn"].GetString()) == arn);
  CHECK(doc["MaximumRetryAttempts"].GetInt() == 1);
  CHECK_FALSE(doc.HasMember("MaximumEventAgeInSeconds"));
  CHECK(std::string(doc["DestinationConfig"]["OnFailure"]["Destination"].GetString()) ==
        config.on_failure_arn);
  CHECK_FALSE(doc["DestinationConfig"].HasMember("OnSuccess"));
}
