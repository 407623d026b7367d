#include "services/sqs/sqs_event_source.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "model/error_names.h"
#include "services/sqs/message_attributes.h"
#include "model/limits.h"

namespace ll::sqs {
namespace {

Status Invalid(std::string message) {
  return Status::Error(errors::kInvalidParameterValue, std::move(message));
}

rapidjson::Value Str(std::string_view s, RecordPool& pool) {
  return rapidjson::Value(s.data(), rapidjson::SizeType(s.size()), pool);
}

// The region field of arn:aws:sqs:<region>:<account>:<name>.
std::string RegionOf(const std::string& arn, const std::string& fallback) {
  size_t at = 0;
  for (int i = 0; i < 3; ++i) {
    at = arn.find(':', at);
    if (at == std::string::npos) return fallback;
    ++at;
  }
  size_t end = arn.find(':', at);
  return end == std::string::npos || end == at ? fallback : arn.substr(at, end - at);
}

class SqsSource : public EventSource {
 public:
  SqsSource(SqsService* sqs, std::string queue_arn)
      : sqs_(sqs),
        queue_arn_(std::move(queue_arn)),
        region_(RegionOf(queue_arn_, sqs->options().region)) {}

  Result<std::vector<SourceRecord>> Receive(size_t max, std::chrono::milliseconds wait,
                                            const std::atomic<bool>& stop,
                                            RecordPool& pool) override {
    auto messages = sqs_->Receive(queue_arn_, max, wait, std::nullopt, &stop);
    if (!messages.ok()) return messages.status();
    std::vector<SourceRecord> records;
    records.reserve(messages->size());
    for (const auto& m : *messages) {
      records.push_back(SourceRecord{m.message_id, m.receipt_handle,
                                     SqsSourceKind::Record(m, queue_arn_, region_, pool)});
    }
    return records;
  }

  void Wake() override { sqs_->Wake(); }

  void Acknowledge(const std::vector<const SourceRecord*>& done) override {
    for (const SourceRecord* r : done) (void)sqs_->Delete(queue_arn_, r->ack);
  }

  bool Matches(const FilterPattern& filter, const rapidjson::Value& record) const override {
    return filter.MatchesSqsRecord(record);
  }

 private:
  SqsService* const sqs_;
  const std::string queue_arn_;
  const std::string region_;
};

}  // namespace

rapidjson::Value SqsSourceKind::Record(const ReceivedMessage& m, const std::string& queue_arn,
                                       const std::string& region, RecordPool& pool) {
  rapidjson::Value r(rapidjson::kObjectType);
  r.AddMember("messageId", Str(m.message_id, pool), pool);
  r.AddMember("receiptHandle", Str(m.receipt_handle, pool), pool);
  r.AddMember("body", Str(m.body, pool), pool);
  rapidjson::Value attributes(rapidjson::kObjectType);
  for (const auto& [k, v] : m.attributes) attributes.AddMember(Str(k, pool), Str(v, pool), pool);
  r.AddMember("attributes", attributes, pool);
  rapidjson::Value message_attributes(rapidjson::kObjectType);
  for (const auto& [k, v] : m.message_attributes) {
    rapidjson::Value a(rapidjson::kObjectType);
    if (v.is_binary()) {
      a.AddMember("stringValue", rapidjson::Value(), pool);
      a.AddMember("binaryValue", Str(Base64Encode(v.binary_value), pool), pool);
    } else {
      a.AddMember("stringValue", Str(v.string_value, pool), pool);
      a.AddMember("binaryValue", rapidjson::Value(), pool);
    }
    a.AddMember("stringListValues", rapidjson::Value(rapidjson::kArrayType), pool);
    a.AddMember("binaryListValues", rapidjson::Value(rapidjson::kArrayType), pool);
    a.AddMember("dataType", Str(v.data_type, pool), pool);
    message_attributes.AddMember(Str(k, pool), a, pool);
  }
  r.AddMember("messageAttributes", message_attributes, pool);
  r.AddMember("md5OfBody", Str(m.md5_of_body, pool), pool);
  if (!m.message_attributes.empty()) {
    r.AddMember("md5OfMessageAttributes",
                Str(MessageAttributesMd5(m.message_attributes), pool), pool);
  }
  r.AddMember("eventSource", "aws:sqs", pool);
  r.AddMember("eventSourceARN", Str(queue_arn, pool), pool);
  r.AddMember("awsRegion", Str(region, pool), pool);
  return r;
}

Status SqsSourceKind::Validate(const EventSourceMapping& m, const FunctionConfig& function) const {
  auto queue = sqs_->FindByArn(m.event_source_arn);
  if (!queue.ok()) {
    return Invalid(fmt::format("Error occurred while ReceiveMessage. SQS Error Code: "
                               "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The "
                               "specified queue does not exist ({})",
                               m.event_source_arn));
  }
  const QueueConfig config = (*queue)->config();
  const int max_batch = config.fifo ? limits::kSqsFifoMaxBatchSize : limits::kSqsMaxBatchSize;
  if (m.batch_size < 1 || m.batch_size > max_batch) {
    return Invalid(fmt::format("BatchSize must be between 1 and {} for this queue, got {}",
                               max_batch, m.batch_size));
  }
  if (m.maximum_batching_window_s < 0 || m.maximum_batching_window_s > limits::kMaxBatchingWindowSeconds) {
    return Invalid(fmt::format("MaximumBatchingWindowInSeconds must be between 0 and {}",
                               limits::kMaxBatchingWindowSeconds));
  }
  if (config.fifo && m.maximum_batching_window_s > 0) {
    return Invalid("Batching window is not supported for FIFO queues");
  }
  if (m.batch_size > limits::kSqsBatchSizeWithoutWindow && m.maximum_batching_window_s < 1) {
    return Invalid(fmt::format("Maximum batch window in seconds must be greater than 0 if maximum "
                               "batch size is greater than {}",
                               limits::kSqsBatchSizeWithoutWindow));
  }
  if (config.visibility_timeout < function.timeout_s) {
    return Invalid(fmt::format("Queue visibility timeout: {} seconds is less than Function "
                               "timeout: {} seconds",
                               config.visibility_timeout, function.timeout_s));
  }
  return Status::Ok();
}

std::unique_ptr<EventSource> SqsSourceKind::Open(const EventSourceMapping& mapping) const {
  return std::make_unique<SqsSource>(sqs_, mapping.event_source_arn);
}

}  // namespace ll::sqs
