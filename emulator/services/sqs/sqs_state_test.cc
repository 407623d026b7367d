#include "services/sqs/sqs_state.h"

#include <atomic>
#include <filesystem>

#include <catch2/catch.hpp>

#include "base/strings.h"
#include "services/sqs/sqs_errors.h"
#include "services/sqs/sqs_service.h"

using namespace ll;
using namespace ll::sqs;
using namespace std::chrono_literals;

namespace {

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("lambda-local-sqs-state-test-" + RandomHex(8));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// One "run" of the emulator: a store and a service on it, with a clock the test moves.
struct Run {
  std::unique_ptr<StateStore> store;
  std::unique_ptr<SqsService> sqs;

  Run(const std::filesystem::path& file, std::atomic<int64_t>* clock) {
    auto opened = StateStore::Open(file);
    INFO(opened.status().message());
    REQUIRE(opened.ok());
    store = std::move(*opened);
    SqsOptions options;
    options.now = [clock] { return clock->load(); };
    options.state = store.get();
    sqs = std::make_unique<SqsService>(options);
    Status s = sqs->Restore();
    INFO(s.message());
    REQUIRE(s.ok());
  }
  ~Run() {
    sqs.reset();  // the service first: the store outlives it
    store.reset();
  }

  std::shared_ptr<Queue> Q(const std::string& name) {
    auto q = sqs->FindByName(name);
    INFO(name);
    REQUIRE(q.ok());
    return *q;
  }
};

SendRequest Msg(std::string body, std::string group = "") {
  SendRequest r;
  r.body = std::move(body);
  r.group_id = std::move(group);
  return r;
}

std::vector<ReceivedMessage> Take(SqsService& sqs, Queue& q, size_t n,
                                  std::optional<int> visibility = std::nullopt) {
  ReceiveOptions options;
  options.max_messages = n;
  options.visibility_timeout = visibility;
  return sqs.ReceiveFrom(q, options);
}

std::vector<std::string> Bodies(const std::vector<ReceivedMessage>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.body);
  return out;
}

std::string Redrive(const std::string& arn, int count) {
  return R"({"deadLetterTargetArn":")" + arn + R"(","maxReceiveCount":)" + std::to_string(count) +
         "}";
}

}  // namespace

TEST_CASE("sqs state: a message's record keeps every field", "[sqs][store]") {
  Queue::StoredMessage m;
  m.id = "id-1";
  m.body = std::string("body with \0 and \xf0\x9f\x99\x82", 20);
  m.md5_of_body = "md5";
  m.attributes["a"] = MessageAttributeValue{"String", "text", "", {}, {}};
  m.attributes["b"] = MessageAttributeValue{"Binary.png", "", std::string("\0\1\2", 3), {}, {}};
  m.attributes["c"] = MessageAttributeValue{"Number", "42", "", {"x", "y"}, {"z"}};
  m.trace_header = "Root=1-abc";
  m.group_id = "g";
  m.deduplication_id = "d";
  m.sequence_number = "10000000000000000042";
  m.dead_letter_source_arn = "arn:aws:sqs:us-east-1:000000000000:src";
  m.sent_ms = 1700000000123;
  m.first_receive_ms = 1700000000456;
  m.visible_at_ms = 1700000030456;
  m.receive_count = 3;
  m.receipt_nonce = (uint64_t(1) << 40) + 7;
  m.state = Queue::State::kInFlight;
  const std::string bytes = EncodeMessage(m);

  Queue::StoredMessage back;
  REQUIRE(DecodeMessage(bytes, &back));
  CHECK(back.id == m.id);
  CHECK(back.body == m.body);
  CHECK(back.md5_of_body == m.md5_of_body);
  CHECK(back.attributes == m.attributes);
  CHECK(back.trace_header == m.trace_header);
  CHECK(back.group_id == m.group_id);
  CHECK(back.deduplication_id == m.deduplication_id);
  CHECK(back.sequence_number == m.sequence_number);
  CHECK(back.dead_letter_source_arn == m.dead_letter_source_arn);
  CHECK(back.sent_ms == m.sent_ms);
  CHECK(back.first_receive_ms == m.first_receive_ms);
  CHECK(back.visible_at_ms == m.visible_at_ms);
  CHECK(back.receive_count == m.receive_count);
  CHECK(back.receipt_nonce == m.receipt_nonce);
  CHECK(back.state == m.state);
  for (size_t n = 0; n < bytes.size(); ++n) {
    Queue::StoredMessage partial;
    CHECK_FALSE(DecodeMessage(std::string_view(bytes).substr(0, n), &partial));
  }
  CHECK_FALSE(DecodeMessage(bytes + "x", &back));
}

TEST_CASE("sqs state: a queue's record keeps its settings, tags and counters", "[sqs][store]") {
  QueueRecord r;
  r.name = "jobs.fifo";
  REQUIRE(ApplyQueueAttributes({{"FifoQueue", "true"},
                                {"ContentBasedDeduplication", "true"},
                                {"DeduplicationScope", "messageGroup"},
                                {"FifoThroughputLimit", "perMessageGroupId"},
                                {"VisibilityTimeout", "45"},
                                {"KmsDataKeyReusePeriodSeconds", "600"},
                                {"RedrivePolicy", Redrive("arn:aws:sqs:us-east-1:0:dlq.fifo", 3)},
                                {"Policy", R"({"Version":"2012-10-17"})"}},
                               true, r.config)
              .ok());
  r.tags = {{"team", "core"}};
  r.created_ms = 1700000000000;
  r.last_modified_ms = 1700000001000;
  r.handle_prefix = "abcdef";
  r.next_key = 1 << 20;
  r.next_nonce = 2 << 20;
  r.next_sequence_number = 10000000000001048576ull;
  QueueRecord back;
  REQUIRE(DecodeQueueRecord(EncodeQueueRecord(r), &back));
  CHECK(back.name == r.name);
  CHECK_FALSE(FirstDifference(back.config, r.config));
  CHECK(back.config.kms_data_key_reuse_period == 600);
  CHECK(back.tags == r.tags);
  CHECK(back.created_ms == r.created_ms);
  CHECK(back.last_modified_ms == r.last_modified_ms);
  CHECK(back.handle_prefix == r.handle_prefix);
  CHECK(back.next_key == r.next_key);
  CHECK(back.next_nonce == r.next_nonce);
  CHECK(back.next_sequence_number == r.next_sequence_number);
  CHECK_FALSE(DecodeQueueRecord("\x01", &back));
  CHECK(MessageRowKey("q", 255) == "q/00000000000000ff");
}

TEST_CASE("sqs state: queues and messages come back after a restart", "[sqs][store]") {
  TempDir dir;
  const auto file = dir.path / "state.db";
  std::atomic<int64_t> clock{1700000000000};
  std::string in_flight_handle, dlq_arn, sent_id;
  {
    Run run(file, &clock);
    SqsService& sqs = *run.sqs;
    REQUIRE(sqs.CreateQueue("dlq", {}, {}).ok());
    dlq_arn = run.Q("dlq")->arn();
    REQUIRE(sqs.CreateQueue("work", {{"VisibilityTimeout", "30"},
                                     {"RedrivePolicy", Redrive(dlq_arn, 3)}},
                            {{"team", "core"}})
                .ok());
    REQUIRE(sqs.CreateQueue("gone", {}, {}).ok());
    auto work = run.Q("work");
    REQUIRE(work->Tag({{"env", "dev"}}).ok());
    for (std::string body : {"a", "b", "c", "d", "e"}) {
      auto sent = work->Send(Msg(body));
      REQUIRE(sent.ok());
      if (body == "a") sent_id = sent->message_id;
    }
    // a: in flight with a 100 s visibility; b: received three times (counted) and visible
    // again; c: deleted; d, e: never received. A delayed message too.
    auto a = Take(sqs, *work, 1, 100);
    REQUIRE(Bodies(a) == std::vector<std::string>{"a"});
    in_flight_handle = a[0].receipt_handle;
    auto b = Take(sqs, *work, 1, 0);
    REQUIRE(Bodies(b) == std::vector<std::string>{"b"});
    b = Take(sqs, *work, 1);
    REQUIRE(Bodies(b) == std::vector<std::string>{"b"});
    REQUIRE(work->ChangeVisibility(b[0].receipt_handle, 0).ok());
    auto c = Take(sqs, *work, 2);
    REQUIRE(Bodies(c) == std::vector<std::string>{"b", "c"});
    REQUIRE(work->Delete(c[1].receipt_handle).ok());
    REQUIRE(work->ChangeVisibility(c[0].receipt_handle, 0).ok());
    SendRequest delayed = Msg("later");
    delayed.delay_seconds = 60;
    REQUIRE(work->Send(delayed).ok());
    REQUIRE(sqs.DeleteQueue("gone").ok());
    auto counts = work->Counts();
    CHECK(counts.visible == 3);  // b, d, e
    CHECK(counts.not_visible == 1);
    CHECK(counts.delayed == 1);
  }
  clock += 10000;
  {
    Run run(file, &clock);
    SqsService& sqs = *run.sqs;
    CHECK_FALSE(sqs.FindByName("gone").ok());
    auto work = run.Q("work");
    CHECK(work->tags() == std::map<std::string, std::string>{{"team", "core"}, {"env", "dev"}});
    CHECK(work->config().redrive_policy->dead_letter_target_arn == dlq_arn);
    CHECK(work->created_ms() == 1700000000000);
    auto counts = work->Counts();
    CHECK(counts.visible == 3);
    CHECK(counts.not_visible == 1);
    CHECK(counts.delayed == 1);
    // b had 3 receives: the next one (past maxReceiveCount 3) moves it to the DLQ.
    auto got = Take(sqs, *work, 10);
    CHECK(Bodies(got) == std::vector<std::string>{"d", "e"});
    CHECK(got[0].attributes.at("ApproximateReceiveCount") == "1");
    CHECK(run.Q("dlq")->Counts().visible == 1);
    // The handle from before the restart still names the in-flight message.
    CHECK(work->ChangeVisibility(in_flight_handle, 5).ok());
  }
  clock += 6000;
  {
    Run run(file, &clock);
    SqsService& sqs = *run.sqs;
    auto work = run.Q("work");
    // a's visibility (changed to 5 s before the restart) has run out; d and e are in flight.
    auto got = Take(sqs, *work, 10);
    REQUIRE(Bodies(got) == std::vector<std::string>{"a"});
    CHECK(got[0].message_id == sent_id);
    CHECK(got[0].attributes.at("ApproximateReceiveCount") == "2");
    CHECK(got[0].attributes.at("SentTimestamp") == "1700000000000");
    CHECK(got[0].attributes.at("ApproximateFirstReceiveTimestamp") == "1700000000000");
    REQUIRE(work->Delete(got[0].receipt_handle).ok());
    auto moved = Take(sqs, *run.Q("dlq"), 10);
    REQUIRE(Bodies(moved) == std::vector<std::string>{"b"});
    CHECK(moved[0].attributes.at("DeadLetterQueueSourceArn") == work->arn());
    // Delayed 60 s at t0+0: still delayed at t0+16 s.
    CHECK(work->Counts().delayed == 1);
  }
  clock += 60000;
  {
    Run run(file, &clock);
    auto work = run.Q("work");
    auto counts = work->Counts();
    CHECK(counts.visible == 3);  // d, e (visibility over) and "later"
    CHECK(counts.not_visible == 0);
    CHECK(counts.delayed == 0);
    REQUIRE(work->Purge().ok());
  }
  {
    Run run(file, &clock);
    CHECK(run.Q("work")->Counts().visible == 0);
    CHECK(run.Q("dlq")->Counts().visible == 1);
  }
}

TEST_CASE("sqs state: FIFO order, sequence numbers and deduplication go on", "[sqs][store]") {
  TempDir dir;
  const auto file = dir.path / "state.db";
  std::atomic<int64_t> clock{1700000000000};
  std::string last_sequence, first_id;
  {
    Run run(file, &clock);
    REQUIRE(run.sqs->CreateQueue("jobs.fifo", {{"FifoQueue", "true"},
                                               {"ContentBasedDeduplication", "true"}},
                                 {})
                .ok());
    auto q = run.Q("jobs.fifo");
    for (int i = 0; i < 3; ++i) {
      auto sent = q->Send(Msg("g1-" + std::to_string(i), "g1"));
      REQUIRE(sent.ok());
      if (i == 0) first_id = sent->message_id;
      last_sequence = sent->sequence_number;
    }
    REQUIRE(q->Send(Msg("g2-0", "g2")).ok());
    // g1's head in flight: g1 is locked, g2 is not.
    auto got = Take(*run.sqs, *q, 1);
    REQUIRE(Bodies(got) == std::vector<std::string>{"g1-0"});
    auto deleted = q->Send(Msg("dup", "g3"));
    REQUIRE(deleted.ok());
    auto dup_received = Take(*run.sqs, *q, 1);
    REQUIRE(Bodies(dup_received) == std::vector<std::string>{"g2-0"});
  }
  clock += 1000;
  {
    Run run(file, &clock);
    auto q = run.Q("jobs.fifo");
    // Within the deduplication window: the same body is answered with the first send's id.
    auto again = q->Send(Msg("g1-0", "g1"));
    REQUIRE(again.ok());
    CHECK(again->message_id == first_id);
    auto next = q->Send(Msg("g1-3", "g1"));
    REQUIRE(next.ok());
    CHECK(next->sequence_number > last_sequence);
    CHECK(next->sequence_number.size() == 20);
    // g1 and g2 are still locked by their in-flight heads; g3 is free.
    CHECK(Bodies(Take(*run.sqs, *q, 10)) == std::vector<std::string>{"dup"});
  }
  clock += 31000;  // the 30 s visibility timeouts are over
  {
    Run run(file, &clock);
    auto q = run.Q("jobs.fifo");
    auto got = Take(*run.sqs, *q, 10);
    CHECK(Bodies(got) ==
          std::vector<std::string>{"g1-0", "g1-1", "g1-2", "g1-3", "g2-0", "dup"});
    CHECK(got[0].attributes.at("ApproximateReceiveCount") == "2");
  }
  clock += 5 * 60 * 1000;
  {
    Run run(file, &clock);
    auto q = run.Q("jobs.fifo");
    // Past the window: the same body is a new message.
    auto again = q->Send(Msg("g1-0", "g1"));
    REQUIRE(again.ok());
    CHECK(again->message_id != first_id);
  }
}

TEST_CASE("sqs state: the template's queue takes the template's settings", "[sqs][store]") {
  TempDir dir;
  const auto file = dir.path / "state.db";
  std::atomic<int64_t> clock{1700000000000};
  {
    Run run(file, &clock);
    REQUIRE(run.sqs->CreateOrUpdateQueue("t", {{"VisibilityTimeout", "60"}}).ok());
    REQUIRE(run.Q("t")->Send(Msg("kept")).ok());
  }
  {
    Run run(file, &clock);
    // Unchanged: nothing to do. Changed: the template wins, the messages stay.
    REQUIRE(run.sqs->CreateOrUpdateQueue("t", {{"VisibilityTimeout", "60"}}).ok());
    REQUIRE(run.sqs->CreateOrUpdateQueue("t", {{"DelaySeconds", "5"}}).ok());
    QueueConfig config = run.Q("t")->config();
    CHECK(config.visibility_timeout == 30);
    CHECK(config.delay_seconds == 5);
    CHECK(run.Q("t")->Counts().visible == 1);
  }
  {
    Run run(file, &clock);
    CHECK(run.Q("t")->config().delay_seconds == 5);
  }
}

TEST_CASE("sqs state: a deleted queue's name can be reused at once", "[sqs][store]") {
  TempDir dir;
  const auto file = dir.path / "state.db";
  std::atomic<int64_t> clock{1700000000000};
  {
    Run run(file, &clock);
    REQUIRE(run.sqs->CreateQueue("q", {}, {}).ok());
    auto old_queue = run.Q("q");
    REQUIRE(old_queue->Send(Msg("old")).ok());
    auto received = Take(*run.sqs, *old_queue, 1);
    REQUIRE(run.sqs->DeleteQueue("q").ok());
    REQUIRE(run.sqs->CreateQueue("q", {{"DelaySeconds", "1"}}, {}).ok());
    REQUIRE(run.Q("q")->Send(Msg("new")).ok());
    // The old queue object, still held, saves nothing that could land in the new queue.
    CHECK(old_queue->Delete(received[0].receipt_handle).code() == errors::kQueueDoesNotExist);
    CHECK_FALSE(old_queue->Send(Msg("late")).ok());
  }
  clock += 2000;
  {
    Run run(file, &clock);
    CHECK(run.Q("q")->config().delay_seconds == 1);
    CHECK(Bodies(Take(*run.sqs, *run.Q("q"), 10)) == std::vector<std::string>{"new"});
  }
}

TEST_CASE("sqs state: an unreadable row stops the start with its name", "[sqs][store]") {
  TempDir dir;
  const auto file = dir.path / "state.db";
  std::atomic<int64_t> clock{1700000000000};
  {
    Run run(file, &clock);
    REQUIRE(run.sqs->CreateQueue("q", {}, {}).ok());
    REQUIRE(run.store->Section("sqs.messages").Put("q/0000000000000001", "garbage").ok());
  }
  auto store = StateStore::Open(file);
  REQUIRE(store.ok());
  SqsOptions options;
  options.state = store->get();
  SqsService sqs(options);
  Status s = sqs.Restore();
  CHECK(s.code() == "StateStoreInvalid");
  CHECK(s.message().find("sqs.messages row \"q/0000000000000001\"") != std::string::npos);
}

TEST_CASE("sqs state: without a store nothing is kept", "[sqs][store]") {
  auto store = StateStore::Disabled();
  SqsOptions options;
  options.state = store.get();
  {
    SqsService sqs(options);
    REQUIRE(sqs.Restore().ok());
    REQUIRE(sqs.CreateQueue("q", {}, {}).ok());
    REQUIRE((*sqs.FindByName("q"))->Send(Msg("x")).ok());
  }
  SqsService sqs(options);
  REQUIRE(sqs.Restore().ok());
  CHECK_FALSE(sqs.FindByName("q").ok());
}
