#include "services/sqs/sqs_service.h"

#include <catch2/catch.hpp>
#include <thread>

#include "services/sqs/queue_url.h"
#include "services/sqs/sqs_errors.h"

using namespace ll::sqs;
using namespace std::chrono_literals;

namespace {

std::string Redrive(const std::string& arn, int count) {
  return R"({"deadLetterTargetArn":")" + arn + R"(","maxReceiveCount":)" + std::to_string(count) +
         "}";
}

SendRequest Msg(std::string body) {
  SendRequest r;
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST_CASE("queue URLs are built from the caller's host and parsed from any host") {
  CHECK(MakeQueueUrl("127.0.0.1:4566", "000000000000", "q") ==
        "http://127.0.0.1:4566/000000000000/q");
  auto p = ParseQueueUrl("https://sqs.us-east-1.amazonaws.com/123456789012/my-q");
  REQUIRE(p);
  CHECK(p->account == "123456789012");
  CHECK(p->name == "my-q");
  CHECK(ParseQueueUrl("http://localhost:4566/000000000000/q.fifo")->name == "q.fifo");
  CHECK(ParseQueueUrl("/000000000000/q")->name == "q");
  CHECK(ParseQueueUrl("http://localhost:4566/000000000000/q/")->name == "q");
  auto legacy = ParseQueueUrl("http://localhost:4576/queue/old");
  REQUIRE(legacy);
  CHECK(legacy->account.empty());
  CHECK(legacy->name == "old");
  CHECK_FALSE(ParseQueueUrl("q"));
  CHECK_FALSE(ParseQueueUrl("http://localhost:4566/"));
  CHECK_FALSE(ParseQueueUrl("http://localhost:4566/a/b/c"));
}

TEST_CASE("CreateQueue is idempotent with the same attributes") {
  SqsService sqs(SqsOptions{});
  auto q = sqs.CreateQueue("q", {{"VisibilityTimeout", "60"}}, {{"team", "a"}});
  REQUIRE(q.ok());
  CHECK((*q)->arn() == "arn:aws:sqs:us-east-1:000000000000:q");
  CHECK(sqs.CreateQueue("q", {{"VisibilityTimeout", "60"}}, {})->get() == q->get());
  CHECK(sqs.CreateQueue("q", {}, {})->get() == q->get());
  auto clash = sqs.CreateQueue("q", {{"VisibilityTimeout", "30"}}, {});
  CHECK(clash.status().code() == errors::kQueueNameExists);
  CHECK(clash.status().message().find("VisibilityTimeout") != std::string::npos);
  CHECK((*q)->tags().at("team") == "a");
}

TEST_CASE("queue names are validated, FIFO names end in .fifo") {
  SqsService sqs(SqsOptions{});
  CHECK(sqs.CreateQueue("ok-name_1", {}, {}).ok());
  CHECK(sqs.CreateQueue("bad name", {}, {}).status().code() == errors::kInvalidParameterValue);
  CHECK(sqs.CreateQueue(std::string(81, 'a'), {}, {}).status().code() ==
        errors::kInvalidParameterValue);
  CHECK(sqs.CreateQueue("x.fifo", {}, {}).status().code() == errors::kInvalidParameterValue);
  CHECK(sqs.CreateQueue("x", {{"FifoQueue", "true"}}, {}).status().code() ==
        errors::kInvalidParameterValue);
  auto fifo = sqs.CreateQueue("x.fifo", {{"FifoQueue", "true"}}, {});
  REQUIRE(fifo.ok());
  CHECK((*fifo)->config().fifo);
}

TEST_CASE("queues are found by name, URL and ARN, and deleted") {
  SqsService sqs(SqsOptions{});
  REQUIRE(sqs.CreateQueue("q", {}, {}).ok());
  CHECK(sqs.FindByUrl("http://elsewhere:1234/000000000000/q").ok());
  CHECK(sqs.FindByUrl("http://localhost:4566/111111111111/q").status().code() ==
        errors::kQueueDoesNotExist);
  CHECK(sqs.FindByUrl("not a url").status().code() == errors::kInvalidAddress);
  CHECK(sqs.FindByArn("arn:aws:sqs:us-east-1:000000000000:q").ok());
  CHECK(sqs.FindByArn("arn:aws:sqs:eu-west-1:000000000000:q").status().code() ==
        errors::kQueueDoesNotExist);
  CHECK(sqs.QueueUrl("", "q") == "http://localhost:4566/000000000000/q");
  REQUIRE(sqs.DeleteQueue("q").ok());
  CHECK(sqs.FindByName("q").status().code() == errors::kQueueDoesNotExist);
  CHECK(sqs.DeleteQueue("q").code() == errors::kQueueDoesNotExist);
}

TEST_CASE("ListQueues filters by prefix, sorted") {
  SqsService sqs(SqsOptions{});
  for (std::string name : {"b-2", "a-1", "b-1", "c"}) REQUIRE(sqs.CreateQueue(name, {}, {}).ok());
  auto b = sqs.ListQueues("b-");
  REQUIRE(b.size() == 2);
  CHECK(b[0]->name() == "b-1");
  CHECK(b[1]->name() == "b-2");
  CHECK(sqs.ListQueues("").size() == 4);
}

TEST_CASE("GetQueueAttributes reports settings, counts and identity") {
  SqsService sqs(SqsOptions{});
  auto q = sqs.CreateQueue("q", {{"DelaySeconds", "5"}}, {});
  REQUIRE(q.ok());
  REQUIRE((*q)->Send(Msg("a")).ok());
  auto all = sqs.GetQueueAttributes(**q, {"All"});
  REQUIRE(all.ok());
  CHECK(all->at("QueueArn") == "arn:aws:sqs:us-east-1:000000000000:q");
  CHECK(all->at("ApproximateNumberOfMessagesDelayed") == "1");
  CHECK(all->at("ApproximateNumberOfMessages") == "0");
  CHECK(all->at("DelaySeconds") == "5");
  CHECK(all->at("CreatedTimestamp").size() == 10);
  auto some = sqs.GetQueueAttributes(**q, {"QueueArn"});
  CHECK(some->size() == 1);
  CHECK(sqs.GetQueueAttributes(**q, {})->empty());
  CHECK(sqs.GetQueueAttributes(**q, {"Nope"}).status().code() == errors::kInvalidAttributeName);
}

TEST_CASE("redrive policies must name an existing dead-letter queue of the same type") {
  SqsService sqs(SqsOptions{});
  const std::string dlq_arn = "arn:aws:sqs:us-east-1:000000000000:dlq";
  CHECK(sqs.CreateQueue("src", {{"RedrivePolicy", Redrive(dlq_arn, 3)}}, {}).status().code() ==
        errors::kInvalidParameterValue);
  REQUIRE(sqs.CreateQueue("dlq", {}, {}).ok());
  auto src = sqs.CreateQueue("src", {{"RedrivePolicy", Redrive(dlq_arn, 3)}}, {});
  REQUIRE(src.ok());
  auto fifo = sqs.CreateQueue("f.fifo", {{"FifoQueue", "true"}}, {});
  REQUIRE(fifo.ok());
  CHECK(sqs.SetQueueAttributes(**fifo, {{"RedrivePolicy", Redrive(dlq_arn, 3)}}).code() ==
        errors::kInvalidParameterValue);

  auto dlq = sqs.FindByName("dlq");
  auto sources = sqs.DeadLetterSourceQueues(**dlq);
  REQUIRE(sources.size() == 1);
  CHECK(sources[0]->name() == "src");

  REQUIRE(
      sqs.SetQueueAttributes(**dlq, {{"RedriveAllowPolicy", R"({"redrivePermission":"denyAll"})"}})
          .ok());
  auto other = sqs.CreateQueue("other", {}, {});
  CHECK(sqs.SetQueueAttributes(**other, {{"RedrivePolicy", Redrive(dlq_arn, 3)}}).code() ==
        errors::kInvalidParameterValue);
}

TEST_CASE("the ARN API receives, redrives, deletes and waits") {
  SqsService sqs(SqsOptions{});
  const std::string dlq_arn = "arn:aws:sqs:us-east-1:000000000000:dlq";
  const std::string arn = "arn:aws:sqs:us-east-1:000000000000:src";
  REQUIRE(sqs.CreateQueue("dlq", {}, {}).ok());
  REQUIRE(sqs.CreateQueue("src", {{"RedrivePolicy", Redrive(dlq_arn, 1)}}, {}).ok());
  REQUIRE(sqs.Send(arn, Msg("m")).ok());
  CHECK(sqs.Send("arn:aws:sqs:us-east-1:000000000000:none", Msg("m")).status().code() ==
        errors::kQueueDoesNotExist);

  auto got = sqs.Receive(arn, 100, 0ms, 0);
  REQUIRE(got.ok());
  REQUIRE(got->size() == 1);
  CHECK(got->at(0).attributes.count("SentTimestamp"));
  // The second receive would exceed maxReceiveCount 1: the message goes to the DLQ.
  CHECK(sqs.Receive(arn, 10, 0ms, std::nullopt)->empty());
  auto dead = sqs.Receive(dlq_arn, 10, 0ms, std::nullopt);
  REQUIRE(dead->size() == 1);
  REQUIRE(sqs.ChangeVisibility(dlq_arn, dead->at(0).receipt_handle, 60).ok());
  REQUIRE(sqs.Delete(dlq_arn, dead->at(0).receipt_handle).ok());

  std::atomic<bool> stop{false};
  std::thread sender([&] {
    std::this_thread::sleep_for(50ms);
    (void)sqs.Send(arn, Msg("wake"));
  });
  auto waited = sqs.WaitForMessages(arn, std::chrono::steady_clock::now() + 10s, stop);
  sender.join();
  REQUIRE(waited.ok());
  CHECK(*waited);

  REQUIRE(sqs.CreateQueue("empty", {}, {}).ok());
  std::thread stopper([&] {
    std::this_thread::sleep_for(50ms);
    stop = true;
    sqs.Wake();
  });
  auto start = std::chrono::steady_clock::now();
  auto stopped = sqs.WaitForMessages("arn:aws:sqs:us-east-1:000000000000:empty",
                                     std::chrono::steady_clock::now() + 20s, stop);
  stopper.join();
  CHECK_FALSE(*stopped);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("after Shutdown, receives fail instead of returning empty at once") {
  SqsService sqs(SqsOptions{});
  REQUIRE(sqs.CreateQueue("q", {}, {}).ok());
  sqs.Shutdown();
  CHECK(sqs.Receive("arn:aws:sqs:us-east-1:000000000000:q", 1, 20s, std::nullopt).status().code() ==
        errors::kQueueDoesNotExist);
}

TEST_CASE("deleting a queue wakes its long pollers") {
  SqsService sqs(SqsOptions{});
  REQUIRE(sqs.CreateQueue("q", {}, {}).ok());
  std::thread deleter([&] {
    std::this_thread::sleep_for(50ms);
    (void)sqs.DeleteQueue("q");
  });
  auto start = std::chrono::steady_clock::now();
  auto got = sqs.Receive("arn:aws:sqs:us-east-1:000000000000:q", 1, 20s, std::nullopt);
  deleter.join();
  CHECK(got.status().code() == errors::kQueueDoesNotExist);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}
