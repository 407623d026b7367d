#include "invoke/async_queue.h"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>

using namespace ll;

TEST_CASE("invocation records have AWS's shape") {
  auto config = std::make_shared<FunctionConfig>();
  config->name = "f";
  ResolvedFunction fn;
  fn.config = config;
  fn.executed_version = "$LATEST";
  Invocation inv;
  inv.request_id = "req-1";
  inv.payload = "{\"a\":1}";
  InvokeOutcome outcome;
  outcome.function_error = true;
  outcome.payload = "{\"errorMessage\":\"boom\",\"errorType\":\"Error\"}";

  std::string record = AsyncQueue::InvocationRecord(fn, inv, "RetriesExhausted", 3, &outcome);
  rapidjson::Document doc;
  doc.Parse(record.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string(doc["version"].GetString()) == "1.0");
  CHECK(std::string(doc["requestContext"]["requestId"].GetString()) == "req-1");
  CHECK(std::string(doc["requestContext"]["functionArn"].GetString()) ==
        "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST");
  CHECK(std::string(doc["requestContext"]["condition"].GetString()) == "RetriesExhausted");
  CHECK(doc["requestContext"]["approximateInvokeCount"].GetInt() == 3);
  CHECK(doc["requestPayload"]["a"].GetInt() == 1);
  CHECK(doc["responseContext"]["statusCode"].GetInt() == 200);
  CHECK(std::string(doc["responseContext"]["functionError"].GetString()) == "Unhandled");
  CHECK(std::string(doc["responsePayload"]["errorMessage"].GetString()) == "boom");

  std::string aged = AsyncQueue::InvocationRecord(fn, inv, "EventAgeExceeded", 0, nullptr);
  rapidjson::Document aged_doc;
  aged_doc.Parse(aged.c_str());
  REQUIRE_FALSE(aged_doc.HasParseError());
  CHECK_FALSE(aged_doc.HasMember("responseContext"));

  inv.payload = "not json";
  std::string raw = AsyncQueue::InvocationRecord(fn, inv, "Success", 1, nullptr);
  rapidjson::Document raw_doc;
  raw_doc.Parse(raw.c_str());
  REQUIRE_FALSE(raw_doc.HasParseError());
  CHECK(std::string(raw_doc["requestPayload"].GetString()) == "not json");
}
