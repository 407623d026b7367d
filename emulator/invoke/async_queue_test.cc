#include "invoke/async_queue.h"

#include <rapidjson/document.h>

#include <condition_variable>
#include <mutex>
#include <thread>

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

namespace {

// Counts invocations; every one succeeds.
class CountingInvoker : public SyncInvoker {
 public:
  InvokeResult Invoke(const ResolvedFunction&, const Invocation&) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++invocations;
    cv_.notify_all();
    return InvokeResult{};
  }
  bool WaitForCapacity(const std::string&, std::optional<int>) override { return true; }
  bool WaitFor(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return invocations >= n; });
  }
  std::mutex mu_;
  std::condition_variable cv_;
  int invocations = 0;
};

ResolvedFunction Function(const std::string& name) {
  auto config = std::make_shared<FunctionConfig>();
  config->name = name;
  ResolvedFunction fn;
  fn.config = config;
  fn.executed_version = "$LATEST";
  return fn;
}

}  // namespace

TEST_CASE("an idle lane ends with its thread; a new event starts it again") {
  CountingInvoker invoker;
  Destinations destinations;
  AsyncOptions options;
  options.lane_linger = std::chrono::milliseconds(1);
  AsyncQueue queue(&invoker, &destinations, options, nullptr);
  for (int i = 0; i < 50; ++i) {
    REQUIRE(queue.Enqueue(Function("f" + std::to_string(i)), Invocation{}).ok());
  }
  REQUIRE(invoker.WaitFor(50));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (queue.lane_count() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  CHECK(queue.lane_count() == 0);
  REQUIRE(queue.Enqueue(Function("f0"), Invocation{}).ok());
  REQUIRE(invoker.WaitFor(51));
  queue.Stop();
}

TEST_CASE("destinations are found by the ARN's service") {
  Destinations destinations;
  std::string got;
  destinations.Register("sqs", [&](const std::string& arn, DestinationMessage message) {
    got = arn + " " + message.body;
    return Status::Ok();
  });
  CHECK(destinations.Send("arn:aws:sqs:us-east-1:000000000000:q", "{}").ok());
  CHECK(got == "arn:aws:sqs:us-east-1:000000000000:q {}");
  Status refused = destinations.Send("arn:aws:sns:us-east-1:000000000000:t", "{}");
  CHECK_FALSE(refused.ok());
  CHECK(refused.message().find("it serves sqs") != std::string::npos);
  CHECK_FALSE(destinations.Send("not-an-arn", "{}").ok());
  CHECK(Destinations::ServiceOf("arn:aws:lambda:us-east-1:1:function:f") == "lambda");
  CHECK(Destinations::ServiceOf("arn:aws") == "");
}
