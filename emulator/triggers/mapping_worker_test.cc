#include "triggers/mapping_worker.h"

#include <rapidjson/document.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "model/error_names.h"
#include "triggers/mapping_registry.h"

using namespace ll;
using namespace std::chrono_literals;

namespace {

// Records to hand out, and what was settled. Receive blocks until there is something or Wake().
class FakeSource : public EventSource {
 public:
  explicit FakeSource(std::vector<std::string> bodies) {
    for (size_t i = 0; i < bodies.size(); ++i) pending_.push_back({"id" + std::to_string(i), bodies[i]});
  }

  Result<std::vector<SourceRecord>> Receive(size_t max, std::chrono::milliseconds wait,
                                            const std::atomic<bool>& stop,
                                            RecordPool& pool) override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, wait, [&] { return stop.load() || !pending_.empty(); });
    std::vector<SourceRecord> out;
    while (!pending_.empty() && out.size() < max) {
      auto [id, body] = pending_.front();
      pending_.pop_front();
      rapidjson::Value v(rapidjson::kObjectType);
      v.AddMember("messageId", rapidjson::Value(id.c_str(), pool), pool);
      v.AddMember("body", rapidjson::Value(body.c_str(), pool), pool);
      out.push_back(SourceRecord{id, "ack-" + id, std::move(v)});
    }
    return out;
  }
  void Wake() override { cv_.notify_all(); }
  void Acknowledge(const std::vector<const SourceRecord*>& done) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const SourceRecord* r : done) acked_.insert(r->ack);
    cv_.notify_all();
  }
  std::set<std::string> acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, std::string>> pending_;
  std::set<std::string> acked_;
};

// Answers every invoke with `answer` (a function error when `fail`), after `throttles` throttles.
class FakeFunctions : public InvokeSink {
 public:
  Result<ResolvedFunction> Resolve(const std::string& name, const std::string&) const override {
    auto config = std::make_shared<FunctionConfig>();
    config->name = name;
    ResolvedFunction fn;
    fn.config = config;
    return fn;
  }
  InvokeResult Invoke(const ResolvedFunction&, const Invocation& inv) override {
    std::lock_guard<std::mutex> lock(mu_);
    InvokeResult r;
    if (throttles > 0) {
      --throttles;
      r.status = Status::Error(errors::kTooManyRequests, "Rate Exceeded.");
    } else {
      payloads.push_back(inv.payload);
      r.outcome.payload = answer;
      r.outcome.function_error = fail;
    }
    cv_.notify_all();
    return r;
  }
  Status InvokeAsync(const ResolvedFunction&, Invocation) override { return Status::Ok(); }
  bool WaitForCapacity(const std::string&, std::optional<int>) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++capacity_waits;
    return true;
  }
  // Waits until `n` invocations ran (bounded, so a broken worker fails the test, not hangs it).
  bool WaitForInvokes(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 30s, [&] { return payloads.size() >= n; });
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> payloads;
  std::string answer = "null";
  bool fail = false;
  int throttles = 0;
  int capacity_waits = 0;
};

EventSourceMapping Mapping(int batch_size) {
  EventSourceMapping m;
  m.uuid = "u";
  m.function_name = "f";
  m.batch_size = batch_size;
  return m;
}

}  // namespace

TEST_CASE("a batch is one invocation of {\"Records\":[...]} and is settled on success") {
  FakeFunctions functions;
  auto* source = new FakeSource({"a", "b", "c"});
  auto owned = std::unique_ptr<EventSource>(source);
  MappingWorker worker(Mapping(10), {}, std::move(owned), 1, &functions, nullptr);
  REQUIRE(functions.WaitForInvokes(1));
  worker.Stop();
  worker.Join();
  CHECK(source->acked() == std::set<std::string>{"ack-id0", "ack-id1", "ack-id2"});
  rapidjson::Document event;
  event.Parse(functions.payloads[0].c_str());
  REQUIRE(event["Records"].IsArray());
  CHECK(event["Records"].Size() == 3);
  CHECK(std::string(event["Records"][1]["body"].GetString()) == "b");
}

TEST_CASE("a function error settles nothing") {
  FakeFunctions functions;
  functions.fail = true;
  auto* source = new FakeSource({"a", "b"});
  auto owned = std::unique_ptr<EventSource>(source);
  MappingWorker worker(Mapping(10), {}, std::move(owned), 1, &functions, nullptr);
  REQUIRE(functions.WaitForInvokes(1));
  worker.Stop();
  worker.Join();
  CHECK(source->acked().empty());
}

TEST_CASE("ReportBatchItemFailures settles all but the failed items; a malformed answer none") {
  auto m = Mapping(10);
  m.function_response_types = {"ReportBatchItemFailures"};
  struct Case {
    std::string answer;
    std::set<std::string> acked;
  };
  const std::vector<Case> cases = {
      {R"({"batchItemFailures":[{"itemIdentifier":"id1"}]})", {"ack-id0", "ack-id2"}},
      {R"({"batchItemFailures":[]})", {"ack-id0", "ack-id1", "ack-id2"}},
      {R"({"batchItemFailures":null})", {"ack-id0", "ack-id1", "ack-id2"}},
      {R"("not an object")", {"ack-id0", "ack-id1", "ack-id2"}},
      {R"({"batchItemFailures":[{"itemIdentifier":"nope"}]})", {}},
      {R"({"batchItemFailures":[{"itemIdentifier":""}]})", {}},
      {R"({"batchItemFailures":[{"id":"id1"}]})", {}},
      {R"({"batchItemFailures":"id1"})", {}},
      {R"(not json)", {}},
  };
  for (const auto& c : cases) {
    INFO(c.answer);
    FakeFunctions functions;
    functions.answer = c.answer;
    auto* source = new FakeSource({"a", "b", "c"});
    auto owned = std::unique_ptr<EventSource>(source);
    MappingWorker worker(m, {}, std::move(owned), 1, &functions, nullptr);
    REQUIRE(functions.WaitForInvokes(1));
    worker.Stop();
    worker.Join();
    CHECK(source->acked() == c.acked);
  }
}

TEST_CASE("filtered-out records are settled without an invocation") {
  FakeFunctions functions;
  auto keep_b = FilterPattern::Parse(R"({"body":["b"]})");
  REQUIRE(keep_b.ok());
  auto* source = new FakeSource({"a", "b"});
  auto owned = std::unique_ptr<EventSource>(source);
  MappingWorker worker(Mapping(10), {*keep_b}, std::move(owned), 1, &functions, nullptr);
  REQUIRE(functions.WaitForInvokes(1));
  worker.Stop();
  worker.Join();
  rapidjson::Document event;
  event.Parse(functions.payloads[0].c_str());
  CHECK(event["Records"].Size() == 1);
  CHECK(source->acked() == std::set<std::string>{"ack-id0", "ack-id1"});
}

TEST_CASE("a throttled batch waits for capacity and then runs") {
  FakeFunctions functions;
  functions.throttles = 2;
  auto* source = new FakeSource({"a"});
  auto owned = std::unique_ptr<EventSource>(source);
  MappingWorker worker(Mapping(10), {}, std::move(owned), 1, &functions, nullptr);
  REQUIRE(functions.WaitForInvokes(1));
  worker.Stop();
  worker.Join();
  CHECK(functions.capacity_waits == 2);
  CHECK(source->acked() == std::set<std::string>{"ack-id0"});
}

TEST_CASE("batches hold at most BatchSize records") {
  FakeFunctions functions;
  auto* source = new FakeSource({"a", "b", "c", "d", "e"});
  auto owned = std::unique_ptr<EventSource>(source);
  MappingWorker worker(Mapping(2), {}, std::move(owned), 1, &functions, nullptr);
  REQUIRE(functions.WaitForInvokes(3));
  worker.Stop();
  worker.Join();
  size_t total = 0;
  for (const auto& p : functions.payloads) {
    rapidjson::Document event;
    event.Parse(p.c_str());
    CHECK(event["Records"].Size() <= 2);
    total += event["Records"].Size();
  }
  CHECK(total == 5);
  CHECK(source->acked().size() == 5);
}

namespace {

class FakeKind : public SourceKind {
 public:
  std::string Describe() const override { return "fake streams"; }
  Status Validate(const EventSourceMapping&, const FunctionConfig&) const override {
    return Status::Ok();
  }
  int DefaultConcurrency() const override { return 2; }
  std::unique_ptr<EventSource> Open(const EventSourceMapping&) const override {
    return std::make_unique<FakeSource>(std::vector<std::string>{});
  }
};

}  // namespace

TEST_CASE("the registry picks the source by the ARN's service and joins retired workers") {
  FakeFunctions functions;
  MappingRegistry registry(&functions, "us-east-1", "000000000000", nullptr);
  registry.RegisterSource("fake", std::make_unique<FakeKind>());

  EventSourceMapping unsupported;
  unsupported.function_name = "f";
  unsupported.event_source_arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
  auto refused = registry.Create(unsupported);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("fake streams") != std::string::npos);

  for (int i = 0; i < 50; ++i) {
    EventSourceMapping m;
    m.function_name = "f";
    m.event_source_arn = "arn:aws:fake:us-east-1:000000000000:thing/" + std::to_string(i);
    auto created = registry.Create(m);
    REQUIRE(created.ok());
    REQUIRE(registry.Update(created->uuid, [](EventSourceMapping& x) {
      x.batch_size = 5;
      return Status::Ok();
    }).ok());
    REQUIRE(registry.Delete(created->uuid).ok());
  }
  // The retirement thread joins them as they finish; none is left running for long.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (registry.worker_count() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  CHECK(registry.worker_count() == 0);
  registry.Stop();
}

TEST_CASE("a mapping's kept state reads back as it was written") {
  EventSourceMapping m;
  m.uuid = "1f0c";
  m.event_source_arn = "arn:aws:sqs:us-east-1:000000000000:q";
  m.function_name = "f";
  m.qualifier = "live";
  m.batch_size = 7;
  m.maximum_batching_window_s = 3;
  m.enabled = false;
  m.function_response_types = {"ReportBatchItemFailures"};
  m.maximum_concurrency = 4;
  m.filter_patterns = {R"({"body":["a\"b"]})"};
  m.last_modified = 1700000000.125;
  auto back = ParseMappingState(MappingStateJson(m));
  REQUIRE(back.ok());
  CHECK(back->uuid == m.uuid);
  CHECK(back->event_source_arn == m.event_source_arn);
  CHECK(back->qualifier == "live");
  CHECK(back->batch_size == 7);
  CHECK(back->maximum_batching_window_s == 3);
  CHECK_FALSE(back->enabled);
  CHECK(back->function_response_types == m.function_response_types);
  CHECK(back->maximum_concurrency == 4);
  CHECK(back->filter_patterns == m.filter_patterns);
  CHECK(back->last_modified == m.last_modified);
  CHECK_FALSE(ParseMappingState("{}").ok());
  CHECK_FALSE(ParseMappingState("[").ok());
  CHECK_FALSE(ParseMappingState(R"({"uuid":1})").ok());
}

TEST_CASE("API-created mappings are saved and removed before the change is acknowledged") {
  FakeFunctions functions;
  MappingRegistry registry(&functions, "us-east-1", "000000000000", nullptr);
  registry.RegisterSource("fake", std::make_unique<FakeKind>());
  std::map<std::string, std::string> kept;
  bool fail_writes = false;
  registry.SetPersistence(MappingPersistence{
      [&](const EventSourceMapping& m) {
        if (fail_writes) return Status::Error("StateNotSaved", "disk full");
        kept[m.uuid] = MappingStateJson(m);
        return Status::Ok();
      },
      [&](const std::string& uuid) {
        kept.erase(uuid);
        return Status::Ok();
      }});
  EventSourceMapping m;
  m.function_name = "f";
  m.event_source_arn = "arn:aws:fake:us-east-1:000000000000:thing/a";
  auto created = registry.Create(m);
  REQUIRE(created.ok());
  CHECK(kept.count(created->uuid) == 1);

  EventSourceMapping from_template = m;
  from_template.event_source_arn += "2";
  from_template.from_template = true;
  REQUIRE(registry.Create(from_template).ok());
  CHECK(kept.size() == 1);

  fail_writes = true;
  auto refused = registry.Update(created->uuid, [](EventSourceMapping& x) {
    x.batch_size = 3;
    return Status::Ok();
  });
  CHECK_FALSE(refused.ok());
  CHECK(registry.Get(created->uuid)->batch_size == 10);
  fail_writes = false;

  // What a restart brings back: the same UUID and settings.
  MappingRegistry restarted(&functions, "us-east-1", "000000000000", nullptr);
  restarted.RegisterSource("fake", std::make_unique<FakeKind>());
  for (const auto& [uuid, json] : kept) restarted.Restore(*ParseMappingState(json));
  auto back = restarted.Get(created->uuid);
  REQUIRE(back.ok());
  CHECK(back->event_source_arn == m.event_source_arn);
  restarted.Stop();

  REQUIRE(registry.Delete(created->uuid).ok());
  CHECK(kept.empty());
  registry.Stop();
}
