#include "services/sqs/queue.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <thread>

#include "services/sqs/sqs_errors.h"

using namespace ll::sqs;
using namespace std::chrono_literals;

namespace {

constexpr char kArn[] = "arn:aws:sqs:us-east-1:000000000000:q";

struct FakeClock {
  std::atomic<int64_t> ms{1'700'000'000'000};
  NowMsFn fn() {
    return [this] { return ms.load(); };
  }
  void Advance(int64_t by) { ms += by; }
};

SendRequest Msg(std::string body, std::string group = "", std::string dedup = "") {
  SendRequest r;
  r.body = std::move(body);
  r.group_id = std::move(group);
  r.deduplication_id = std::move(dedup);
  return r;
}

QueueConfig Fifo(bool content_based = false) {
  QueueConfig c;
  c.fifo = true;
  c.content_based_deduplication = content_based;
  return c;
}

std::vector<ReceivedMessage> Take(Queue& q, size_t n = 10, Queue* dlq = nullptr,
                                  std::optional<int> visibility = std::nullopt) {
  ReceiveOptions o;
  o.max_messages = n;
  o.visibility_timeout = visibility;
  return q.Receive(o, dlq);
}

std::vector<std::string> Bodies(const std::vector<ReceivedMessage>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.body);
  return out;
}

}  // namespace

TEST_CASE("a received message is invisible until its visibility timeout runs out") {
  FakeClock clock;
  Queue q("q", kArn, QueueConfig{}, clock.fn());
  auto sent = q.Send(Msg("hello"));
  REQUIRE(sent.ok());
  CHECK(sent->md5_of_body == "5d41402abc4b2a76b9719d911017c592");
  CHECK(sent->sequence_number.empty());

  auto got = Take(q);
  REQUIRE(got.size() == 1);
  CHECK(got[0].body == "hello");
  CHECK(got[0].message_id == sent->message_id);
  CHECK(got[0].attributes.at("ApproximateReceiveCount") == "1");
  CHECK(got[0].attributes.at("SentTimestamp") == std::to_string(clock.ms.load()));
  CHECK(got[0].attributes.at("ApproximateFirstReceiveTimestamp") ==
        std::to_string(clock.ms.load()));
  CHECK(got[0].attributes.at("SenderId") == "000000000000");
  CHECK(q.Counts().not_visible == 1);
  CHECK(Take(q).empty());

  clock.Advance(29'999);
  CHECK(Take(q).empty());
  clock.Advance(1);
  auto again = Take(q);
  REQUIRE(again.size() == 1);
  CHECK(again[0].attributes.at("ApproximateReceiveCount") == "2");
  CHECK(again[0].receipt_handle != got[0].receipt_handle);
  CHECK(again[0].attributes.at("ApproximateFirstReceiveTimestamp") ==
        got[0].attributes.at("ApproximateFirstReceiveTimestamp"));

  REQUIRE(q.Delete(again[0].receipt_handle).ok());
  CHECK(q.Delete(again[0].receipt_handle).ok());  // deleting twice is fine
  clock.Advance(60'000);
  CHECK(Take(q).empty());
  QueueCounts c = q.Counts();
  CHECK(c.visible + c.not_visible + c.delayed == 0);
}

TEST_CASE("receive takes up to max messages, oldest first, with a visibility override") {
  FakeClock clock;
  Queue q("q", kArn, QueueConfig{}, clock.fn());
  for (int i = 0; i < 15; ++i) REQUIRE(q.Send(Msg(std::to_string(i))).ok());
  auto first = Take(q, 10, nullptr, 5);
  CHECK(first.size() == 10);
  CHECK(first.front().body == "0");
  auto rest = Take(q, 10);
  CHECK(rest.size() == 5);
  CHECK(q.Counts().not_visible == 15);
  clock.Advance(5'000);  // only the first ten had a 5 s timeout
  auto back = Take(q, 10);
  CHECK(back.size() == 10);
  CHECK(back.front().body == "0");
}

TEST_CASE("visibility timeout 0 on receive leaves the message visible") {
  FakeClock clock;
  Queue q("q", kArn, QueueConfig{}, clock.fn());
  REQUIRE(q.Send(Msg("a")).ok());
  CHECK(Take(q, 1, nullptr, 0).size() == 1);
  auto again = Take(q, 1);
  REQUIRE(again.size() == 1);
  CHECK(again[0].attributes.at("ApproximateReceiveCount") == "2");
}

TEST_CASE("ChangeVisibility extends, shortens and rejects") {
  FakeClock clock;
  Queue q("q", kArn, QueueConfig{}, clock.fn());
  REQUIRE(q.Send(Msg("a")).ok());
  auto got = Take(q);
  REQUIRE(got.size() == 1);
  const std::string handle = got[0].receipt_handle;

  REQUIRE(q.ChangeVisibility(handle, 100).ok());
  clock.Advance(99'000);
  CHECK(Take(q).empty());
  REQUIRE(q.ChangeVisibility(handle, 0).ok());
  auto again = Take(q);
  REQUIRE(again.size() == 1);

  // The old handle no longer names the current receive.
  CHECK(q.ChangeVisibility(handle, 10).code() == errors::kInvalidParameterValue);
  CHECK(q.ChangeVisibility(again[0].receipt_handle, 43201).code() ==
        errors::kInvalidParameterValue);
  CHECK(q.ChangeVisibility("garbage", 10).code() == errors::kReceiptHandleIsInvalid);
  CHECK(q.Delete("garbage").code() == errors::kReceiptHandleIsInvalid);
  REQUIRE(q.ChangeVisibility(again[0].receipt_handle, 0).ok());
  CHECK(q.ChangeVisibility(again[0].receipt_handle, 10).code() == errors::kMessageNotInflight);
  REQUIRE(q.Delete(again[0].receipt_handle).ok());
  CHECK(q.ChangeVisibility(again[0].receipt_handle, 10).code() == errors::kInvalidParameterValue);

  // A handle from another queue is invalid here.
  Queue other("other", "arn:aws:sqs:us-east-1:000000000000:other", QueueConfig{}, clock.fn());
  REQUIRE(other.Send(Msg("b")).ok());
  auto from_other = Take(other);
  CHECK(q.Delete(from_other[0].receipt_handle).code() == errors::kReceiptHandleIsInvalid);
}

TEST_CASE("delays hold messages back, per message or per queue") {
  FakeClock clock;
  QueueConfig config;
  config.delay_seconds = 10;
  Queue q("q", kArn, config, clock.fn());
  REQUIRE(q.Send(Msg("queue-delay")).ok());
  SendRequest now = Msg("no-delay");
  now.delay_seconds = 0;
  REQUIRE(q.Send(now).ok());
  SendRequest bad = Msg("x");
  bad.delay_seconds = 901;
  CHECK(q.Send(bad).status().code() == errors::kInvalidParameterValue);

  QueueCounts c = q.Counts();
  CHECK(c.visible == 1);
  CHECK(c.delayed == 1);
  CHECK(Bodies(Take(q)) == std::vector<std::string>{"no-delay"});
  clock.Advance(10'000);
  CHECK(Bodies(Take(q)) == std::vector<std::string>{"queue-delay"});
}

TEST_CASE("sends are validated against the queue") {
  FakeClock clock;
  QueueConfig config;
  config.maximum_message_size = 1024;
  Queue q("q", kArn, config, clock.fn());
  CHECK(q.Send(Msg("")).status().code() == errors::kMissingParameter);
  CHECK(q.Send(Msg(std::string(1025, 'x'))).status().code() == errors::kInvalidParameterValue);
  CHECK(q.Send(Msg(std::string(1024, 'x'))).ok());
  CHECK(q.Send(Msg(std::string("\0", 1))).status().code() == errors::kInvalidMessageContents);
  CHECK(q.Send(Msg("x", "", "dedup")).status().code() == errors::kInvalidParameterValue);
  // Standard queues accept a group id (fair queues) and report it.
  REQUIRE(q.Send(Msg("grouped", "tenant-1")).ok());
  Take(q, 1);
  auto got = Take(q, 1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].attributes.at("MessageGroupId") == "tenant-1");
}

TEST_CASE("message attributes and the trace header travel with the message") {
  FakeClock clock;
  Queue q("q", kArn, QueueConfig{}, clock.fn());
  SendRequest r = Msg("body");
  r.attributes["k"] = MessageAttributeValue{"String", "v", "", {}, {}};
  r.system_attributes["AWSTraceHeader"] = MessageAttributeValue{"String", "Root=1-a", "", {}, {}};
  auto sent = q.Send(r);
  REQUIRE(sent.ok());
  CHECK(sent->md5_of_attributes.size() == 32);
  CHECK(sent->md5_of_system_attributes.size() == 32);
  auto got = Take(q);
  REQUIRE(got.size() == 1);
  CHECK(got[0].message_attributes.at("k").string_value == "v");
  CHECK(got[0].attributes.at("AWSTraceHeader") == "Root=1-a");
}

TEST_CASE("a long poll returns the moment a message arrives") {
  Queue q("q", kArn, QueueConfig{}, nullptr);
  std::thread sender([&] {
    std::this_thread::sleep_for(100ms);
    (void)q.Send(Msg("late"));
  });
  auto start = std::chrono::steady_clock::now();
  ReceiveOptions o;
  o.wait = 10s;
  auto got = q.Receive(o, nullptr);
  auto took = std::chrono::steady_clock::now() - start;
  sender.join();
  REQUIRE(got.size() == 1);
  CHECK(got[0].body == "late");
  CHECK(took >= 90ms);
  CHECK(took < 2s);
}

TEST_CASE("a long poll wakes when a delayed or invisible message becomes visible") {
  Queue q("q", kArn, QueueConfig{}, nullptr);
  SendRequest r = Msg("delayed");
  r.delay_seconds = 1;
  REQUIRE(q.Send(r).ok());
  auto start = std::chrono::steady_clock::now();
  ReceiveOptions o;
  o.wait = 5s;
  auto got = q.Receive(o, nullptr);
  auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(got.size() == 1);
  CHECK(took >= 900ms);
  CHECK(took < 3s);
}

TEST_CASE("a long poll times out empty, and stops on request") {
  Queue q("q", kArn, QueueConfig{}, nullptr);
  ReceiveOptions o;
  o.wait = 200ms;
  auto start = std::chrono::steady_clock::now();
  CHECK(q.Receive(o, nullptr).empty());
  CHECK(std::chrono::steady_clock::now() - start >= 190ms);

  std::atomic<bool> stop{false};
  o.wait = 20s;
  o.stop = &stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(50ms);
    stop = true;
    q.Wake();
  });
  start = std::chrono::steady_clock::now();
  CHECK(q.Receive(o, nullptr).empty());
  stopper.join();
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("WaitForMessages blocks until a message is receivable") {
  Queue q("q", kArn, QueueConfig{}, nullptr);
  std::atomic<bool> stop{false};
  CHECK_FALSE(q.WaitForMessages(std::chrono::steady_clock::now() + 50ms, stop));
  std::thread sender([&] {
    std::this_thread::sleep_for(50ms);
    (void)q.Send(Msg("x"));
  });
  CHECK(q.WaitForMessages(std::chrono::steady_clock::now() + 10s, stop));
  sender.join();

  std::thread closer([&] {
    std::this_thread::sleep_for(50ms);
    q.Close();
  });
  Take(q);  // nothing receivable now
  CHECK_FALSE(q.WaitForMessages(std::chrono::steady_clock::now() + 10s, stop));
  closer.join();
  CHECK(q.Send(Msg("after close")).status().code() == errors::kQueueDoesNotExist);
}

TEST_CASE("purge removes every message, in flight or not") {
  FakeClock clock;
  Queue q("q", kArn, QueueConfig{}, clock.fn());
  for (int i = 0; i < 5; ++i) REQUIRE(q.Send(Msg("m")).ok());
  auto got = Take(q, 2);
  REQUIRE(q.Purge().ok());
  QueueCounts c = q.Counts();
  CHECK(c.visible + c.not_visible + c.delayed == 0);
  CHECK(q.Delete(got[0].receipt_handle).ok());
  clock.Advance(60'000);
  CHECK(Take(q).empty());
}

TEST_CASE("messages older than the retention period expire") {
  FakeClock clock;
  QueueConfig config;
  config.message_retention_period = 60;
  Queue q("q", kArn, config, clock.fn());
  REQUIRE(q.Send(Msg("old")).ok());
  clock.Advance(30'000);
  REQUIRE(q.Send(Msg("new")).ok());
  clock.Advance(30'000);
  CHECK(Bodies(Take(q)) == std::vector<std::string>{"new"});
}

TEST_CASE("a message is moved to the dead-letter queue after maxReceiveCount receives") {
  FakeClock clock;
  QueueConfig config;
  config.redrive_policy = RedrivePolicy{"arn:aws:sqs:us-east-1:000000000000:dlq", 2};
  Queue q("q", kArn, config, clock.fn());
  Queue dlq("dlq", "arn:aws:sqs:us-east-1:000000000000:dlq", QueueConfig{}, clock.fn());
  auto sent = q.Send(Msg("poison"));
  REQUIRE(sent.ok());
  REQUIRE(q.Send(Msg("fine")).ok());

  CHECK(Take(q, 10, &dlq, 0).size() == 2);  // count 1
  CHECK(Take(q, 1, &dlq, 0).size() == 1);   // poison, count 2
  auto third = Take(q, 10, &dlq);           // poison moves; "fine" is received a second time
  CHECK(Bodies(third) == std::vector<std::string>{"fine"});
  CHECK(q.Counts().visible == 0);

  auto dead = Take(dlq);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].body == "poison");
  CHECK(dead[0].message_id == sent->message_id);
  CHECK(dead[0].attributes.at("ApproximateReceiveCount") == "1");
  CHECK(dead[0].attributes.at("DeadLetterQueueSourceArn") == kArn);

  // Without a dead-letter queue to move to, the message keeps being delivered.
  Queue lonely("lonely", "arn:aws:sqs:us-east-1:000000000000:lonely", config, clock.fn());
  REQUIRE(lonely.Send(Msg("stays")).ok());
  for (int i = 0; i < 4; ++i) CHECK(Take(lonely, 1, nullptr, 0).size() == 1);
}

TEST_CASE("FIFO: one group is delivered in order, one batch at a time") {
  FakeClock clock;
  Queue q("q.fifo", kArn, Fifo(), clock.fn());
  for (int i = 1; i <= 3; ++i) {
    REQUIRE(q.Send(Msg("a" + std::to_string(i), "A", "a" + std::to_string(i))).ok());
  }
  REQUIRE(q.Send(Msg("b1", "B", "b1")).ok());

  auto first = Take(q, 2);
  CHECK(Bodies(first) == std::vector<std::string>{"a1", "a2"});
  CHECK(first[0].attributes.at("MessageGroupId") == "A");
  CHECK(first[0].attributes.at("MessageDeduplicationId") == "a1");
  CHECK(first[0].attributes.at("SequenceNumber").size() == 20);
  CHECK(first[0].attributes.at("SequenceNumber") < first[1].attributes.at("SequenceNumber"));
  // Group A is locked while a1/a2 are in flight: only B is available.
  CHECK(Bodies(Take(q, 10)) == std::vector<std::string>{"b1"});
  CHECK(Take(q, 10).empty());
  REQUIRE(q.Delete(first[0].receipt_handle).ok());
  CHECK(Take(q, 10).empty());  // a2 is still in flight
  REQUIRE(q.Delete(first[1].receipt_handle).ok());
  CHECK(Bodies(Take(q, 10)) == std::vector<std::string>{"a3"});
}

TEST_CASE("FIFO: a message back from flight is delivered before later ones of its group") {
  FakeClock clock;
  Queue q("q.fifo", kArn, Fifo(true), clock.fn());
  REQUIRE(q.Send(Msg("m1", "G")).ok());
  auto first = Take(q, 1, nullptr, 1);
  REQUIRE(q.Send(Msg("m2", "G")).ok());
  CHECK(Take(q).empty());
  clock.Advance(1'000);
  CHECK(Bodies(Take(q, 10)) == std::vector<std::string>{"m1", "m2"});
}

TEST_CASE("FIFO: a batch is filled from several groups, oldest group first") {
  FakeClock clock;
  Queue q("q.fifo", kArn, Fifo(true), clock.fn());
  REQUIRE(q.Send(Msg("b1", "B")).ok());
  REQUIRE(q.Send(Msg("a1", "A")).ok());
  REQUIRE(q.Send(Msg("b2", "B")).ok());
  CHECK(Bodies(Take(q, 10)) == std::vector<std::string>{"b1", "b2", "a1"});
}

TEST_CASE("FIFO: duplicates within five minutes are accepted but not enqueued") {
  FakeClock clock;
  Queue q("q.fifo", kArn, Fifo(), clock.fn());
  auto first = q.Send(Msg("x", "G", "id-1"));
  REQUIRE(first.ok());
  auto dup = q.Send(Msg("different body", "G", "id-1"));
  REQUIRE(dup.ok());
  CHECK(dup->message_id == first->message_id);
  CHECK(dup->sequence_number == first->sequence_number);
  CHECK(q.Counts().visible == 1);
  // Deleting does not end the window.
  auto got = Take(q);
  REQUIRE(q.Delete(got[0].receipt_handle).ok());
  CHECK(q.Send(Msg("x", "G", "id-1"))->message_id == first->message_id);
  clock.Advance(5 * 60 * 1000);
  auto later = q.Send(Msg("x", "G", "id-1"));
  REQUIRE(later.ok());
  CHECK(later->message_id != first->message_id);
  CHECK(q.Counts().visible == 1);
}

TEST_CASE("FIFO: content-based deduplication hashes the body") {
  FakeClock clock;
  Queue q("q.fifo", kArn, Fifo(true), clock.fn());
  auto a = q.Send(Msg("same", "G1"));
  auto b = q.Send(Msg("same", "G2"));  // scope "queue": other groups deduplicate too
  auto c = q.Send(Msg("other", "G1"));
  REQUIRE((a.ok() && b.ok() && c.ok()));
  CHECK(a->message_id == b->message_id);
  CHECK(a->message_id != c->message_id);
  CHECK(q.Counts().visible == 2);

  QueueConfig per_group = Fifo(true);
  per_group.deduplication_scope = "messageGroup";
  Queue g("g.fifo", kArn, per_group, clock.fn());
  CHECK(g.Send(Msg("same", "G1"))->message_id != g.Send(Msg("same", "G2"))->message_id);
}

TEST_CASE("FIFO: sends need a group and a deduplication id, and take no per-message delay") {
  FakeClock clock;
  Queue q("q.fifo", kArn, Fifo(), clock.fn());
  CHECK(q.Send(Msg("x")).status().code() == errors::kMissingParameter);
  CHECK(q.Send(Msg("x", "G")).status().code() == errors::kInvalidParameterValue);
  SendRequest delayed = Msg("x", "G", "d");
  delayed.delay_seconds = 5;
  CHECK(q.Send(delayed).status().code() == errors::kInvalidParameterValue);
  CHECK(q.Send(Msg("x", "bad group \x01", "d")).status().code() == errors::kInvalidParameterValue);
}

TEST_CASE("FIFO: redrive moves the head of a group and delivery continues behind it") {
  FakeClock clock;
  QueueConfig config = Fifo(true);
  config.redrive_policy = RedrivePolicy{"arn:aws:sqs:us-east-1:000000000000:dlq.fifo", 1};
  Queue q("q.fifo", kArn, config, clock.fn());
  Queue dlq("dlq.fifo", "arn:aws:sqs:us-east-1:000000000000:dlq.fifo", Fifo(true), clock.fn());
  REQUIRE(q.Send(Msg("m1", "G")).ok());
  REQUIRE(q.Send(Msg("m2", "G")).ok());
  CHECK(Bodies(Take(q, 1, &dlq, 0)) == std::vector<std::string>{"m1"});
  CHECK(Bodies(Take(q, 1, &dlq)) == std::vector<std::string>{"m2"});
  auto dead = Take(dlq);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].body == "m1");
  CHECK(dead[0].attributes.at("MessageGroupId") == "G");
}

TEST_CASE("FIFO: a delete frees the group for a waiting long poll") {
  Queue q("q.fifo", kArn, Fifo(true), nullptr);
  REQUIRE(q.Send(Msg("m1", "G")).ok());
  REQUIRE(q.Send(Msg("m2", "G")).ok());
  auto first = Take(q, 1);
  REQUIRE(first.size() == 1);
  std::thread deleter([&] {
    std::this_thread::sleep_for(100ms);
    (void)q.Delete(first[0].receipt_handle);
  });
  ReceiveOptions o;
  o.wait = 10s;
  auto start = std::chrono::steady_clock::now();
  auto got = q.Receive(o, nullptr);
  deleter.join();
  CHECK(Bodies(got) == std::vector<std::string>{"m2"});
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("concurrent producers and consumers account for every message") {
  Queue q("q", kArn, QueueConfig{}, nullptr);
  constexpr int kPerProducer = 2000;
  std::atomic<int> received{0};
  std::atomic<int> failures{0};  // Catch2 assertions are not thread-safe: count, check after
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int p = 0; p < 2; ++p) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerProducer; ++i) failures += !q.Send(Msg("m")).ok();
    });
  }
  for (int c = 0; c < 3; ++c) {
    threads.emplace_back([&] {
      ReceiveOptions o;
      o.max_messages = 10;
      o.wait = 50ms;
      while (!done) {
        for (const auto& m : q.Receive(o, nullptr)) {
          failures += !q.Delete(m.receipt_handle).ok();
          ++received;
        }
      }
    });
  }
  for (int i = 0; i < 2; ++i) threads[i].join();
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (received < 2 * kPerProducer && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  done = true;
  for (size_t i = 2; i < threads.size(); ++i) threads[i].join();
  CHECK(failures == 0);
  CHECK(received == 2 * kPerProducer);
  QueueCounts c = q.Counts();
  CHECK(c.visible + c.not_visible + c.delayed == 0);
}

TEST_CASE("operations stay fast with many messages queued") {
  FakeClock clock;
  Queue q("q", kArn, QueueConfig{}, clock.fn());
  constexpr int kMessages = 100'000;
  for (int i = 0; i < kMessages; ++i) REQUIRE(q.Send(Msg("m")).ok());
  auto start = std::chrono::steady_clock::now();
  int taken = 0;
  for (int i = 0; i < 1000; ++i) {
    for (const auto& m : Take(q, 10)) {
      REQUIRE(q.Delete(m.receipt_handle).ok());
      ++taken;
    }
  }
  CHECK(taken == 10'000);
  // 1,000 receives of 10 plus 10,000 deletes: well under a second unless something is O(n).
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK(q.Counts().visible == size_t(kMessages - taken));
}
