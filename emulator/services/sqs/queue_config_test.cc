#include "services/sqs/queue_config.h"

#include <catch2/catch.hpp>

#include "services/sqs/sqs_errors.h"

using namespace ll::sqs;

TEST_CASE("queue settings default to AWS's") {
  AttributeMap a = ConfigAttributes(QueueConfig{});
  CHECK(a.at("VisibilityTimeout") == "30");
  CHECK(a.at("DelaySeconds") == "0");
  CHECK(a.at("MaximumMessageSize") == "1048576");
  CHECK(a.at("MessageRetentionPeriod") == "345600");
  CHECK(a.at("ReceiveMessageWaitTimeSeconds") == "0");
  CHECK(a.at("SqsManagedSseEnabled") == "true");
  CHECK_FALSE(a.count("FifoQueue"));
  CHECK_FALSE(a.count("RedrivePolicy"));
}

TEST_CASE("queue attributes are validated by name and range") {
  QueueConfig c;
  CHECK(ApplyQueueAttributes({{"VisibilityTimeout", "0"},
                              {"DelaySeconds", "900"},
                              {"MaximumMessageSize", "1024"},
                              {"MessageRetentionPeriod", "60"},
                              {"ReceiveMessageWaitTimeSeconds", "20"}},
                             false, c)
            .ok());
  CHECK(c.visibility_timeout == 0);
  CHECK(c.delay_seconds == 900);
  CHECK(c.receive_message_wait_time == 20);

  auto code = [](AttributeMap m, bool creating = false) {
    QueueConfig config;
    return ApplyQueueAttributes(m, creating, config).code();
  };
  CHECK(code({{"VisibilityTimeout", "43201"}}) == errors::kInvalidAttributeValue);
  CHECK(code({{"VisibilityTimeout", "-1"}}) == errors::kInvalidAttributeValue);
  CHECK(code({{"VisibilityTimeout", "ten"}}) == errors::kInvalidAttributeValue);
  CHECK(code({{"DelaySeconds", "901"}}) == errors::kInvalidAttributeValue);
  CHECK(code({{"MaximumMessageSize", "1023"}}) == errors::kInvalidAttributeValue);
  CHECK(code({{"MaximumMessageSize", "1048577"}}) == errors::kInvalidAttributeValue);
  CHECK(code({{"MessageRetentionPeriod", "1209601"}}) == errors::kInvalidAttributeValue);
  CHECK(code({{"ReceiveMessageWaitTimeSeconds", "21"}}) == errors::kInvalidAttributeValue);
  CHECK(code({{"Colour", "blue"}}) == errors::kInvalidAttributeName);
  CHECK(code({{"QueueArn", "x"}}) == errors::kInvalidAttributeName);
  // FIFO-only attributes, and FifoQueue only at creation.
  CHECK(code({{"ContentBasedDeduplication", "true"}}) == errors::kInvalidAttributeName);
  CHECK(code({{"FifoQueue", "true"}}) == errors::kInvalidAttributeName);
  CHECK(code({{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}}, true).empty());
  CHECK(code({{"FifoQueue", "true"}, {"DeduplicationScope", "everywhere"}}, true) ==
        errors::kInvalidAttributeValue);
}

TEST_CASE("FIFO queues report their FIFO attributes") {
  QueueConfig c;
  REQUIRE(
      ApplyQueueAttributes({{"FifoQueue", "true"}, {"ContentBasedDeduplication", "TRUE"}}, true, c)
          .ok());
  AttributeMap a = ConfigAttributes(c);
  CHECK(a.at("FifoQueue") == "true");
  CHECK(a.at("ContentBasedDeduplication") == "true");
  CHECK(a.at("DeduplicationScope") == "queue");
  CHECK(a.at("FifoThroughputLimit") == "perQueue");
}

TEST_CASE("redrive policies parse, normalise and can be removed") {
  QueueConfig c;
  REQUIRE(
      ApplyQueueAttributes(
          {{"RedrivePolicy",
            R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"3"})"}},
          false, c)
          .ok());
  REQUIRE(c.redrive_policy);
  CHECK(c.redrive_policy->max_receive_count == 3);
  CHECK(ConfigAttributes(c).at("RedrivePolicy") ==
        R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":3})");
  REQUIRE(ApplyQueueAttributes({{"RedrivePolicy", ""}}, false, c).ok());
  CHECK_FALSE(c.redrive_policy);

  auto code = [](std::string policy) {
    QueueConfig config;
    return ApplyQueueAttributes({{"RedrivePolicy", policy}}, false, config).code();
  };
  CHECK(code("not json") == errors::kInvalidParameterValue);
  CHECK(code(R"({"maxReceiveCount":3})") == errors::kInvalidParameterValue);
  CHECK(code(R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:0:d","maxReceiveCount":0})") ==
        errors::kInvalidParameterValue);
  CHECK(code(R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:0:d","maxReceiveCount":1001})") ==
        errors::kInvalidParameterValue);
}

TEST_CASE("redrive allow policies decide which sources may use a dead-letter queue") {
  QueueConfig c;
  REQUIRE(ApplyQueueAttributes(
              {{"RedriveAllowPolicy",
                R"({"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:r:a:src"]})"}},
              false, c)
              .ok());
  CHECK(c.redrive_allow_policy->Allows("arn:aws:sqs:r:a:src"));
  CHECK_FALSE(c.redrive_allow_policy->Allows("arn:aws:sqs:r:a:other"));
  REQUIRE(
      ApplyQueueAttributes({{"RedriveAllowPolicy", R"({"redrivePermission":"denyAll"})"}}, false, c)
          .ok());
  CHECK_FALSE(c.redrive_allow_policy->Allows("arn:aws:sqs:r:a:src"));
  CHECK_FALSE(
      ApplyQueueAttributes({{"RedriveAllowPolicy", R"({"redrivePermission":"byQueue"})"}}, false, c)
          .ok());
}

TEST_CASE("FirstDifference names a differing attribute") {
  QueueConfig a;
  QueueConfig b;
  CHECK_FALSE(FirstDifference(a, b));
  b.visibility_timeout = 60;
  CHECK(FirstDifference(a, b) == std::optional<std::string>("VisibilityTimeout"));
}
