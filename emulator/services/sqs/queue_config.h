// QueueConfig: a queue's settable attributes, parsed and validated from the string map that
// CreateQueue / SetQueueAttributes carry, and rendered back as GetQueueAttributes reports them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ll::sqs {

using AttributeMap = std::map<std::string, std::string>;

struct RedrivePolicy {
  std::string dead_letter_target_arn;
  int max_receive_count = 10;
  bool operator==(const RedrivePolicy&) const = default;
};

// RedriveAllowPolicy: which source queues may use this queue as their dead-letter queue.
struct RedriveAllowPolicy {
  std::string permission = "allowAll";  // allowAll | denyAll | byQueue
  std::vector<std::string> source_queue_arns;
  bool operator==(const RedriveAllowPolicy&) const = default;
  bool Allows(std::string_view source_arn) const;
};

struct QueueConfig {
  int visibility_timeout = 30;            // 0 .. 43,200 s
  int delay_seconds = 0;                  // 0 .. 900 s
  int maximum_message_size = 1048576;     // 1,024 .. 1,048,576 bytes
  int message_retention_period = 345600;  // 60 .. 1,209,600 s
  int receive_message_wait_time = 0;      // 0 .. 20 s
  bool fifo = false;
  bool content_based_deduplication = false;
  std::string deduplication_scope = "queue";       // queue | messageGroup
  std::string fifo_throughput_limit = "perQueue";  // perQueue | perMessageGroupId
  std::optional<RedrivePolicy> redrive_policy;
  std::optional<RedriveAllowPolicy> redrive_allow_policy;
  std::string policy;  // IAM policy JSON, stored as given
  std::string kms_master_key_id;
  int kms_data_key_reuse_period = 300;
  bool sqs_managed_sse_enabled = true;
};

// Applies `attributes` to `config`. `creating` admits FifoQueue, which only CreateQueue may
// set. InvalidAttributeName for an unknown or read-only name, InvalidAttributeValue (or
// InvalidParameterValue for the redrive policies, as AWS answers) for a bad value; on error
// `config` may be partly updated, so apply to a copy.
Status ApplyQueueAttributes(const AttributeMap& attributes, bool creating, QueueConfig& config);

// The settable attributes as GetQueueAttributes reports them (strings, as on the wire).
AttributeMap ConfigAttributes(const QueueConfig& config);

// Every name GetQueueAttributes accepts, "All" included.
bool IsQueueAttributeName(std::string_view name);

// "<attribute>" when `a` and `b` differ in some attribute, for QueueNameExists.
std::optional<std::string> FirstDifference(const QueueConfig& a, const QueueConfig& b);

}  // namespace ll::sqs
