// Plain records for SQS messages as clients send and receive them, independent of the wire.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ll::sqs {

// One message attribute. `data_type` is "String", "Number" or "Binary", optionally followed by
// ".<label>"; String and Number carry `string_value`, Binary carries raw bytes in `binary_value`.
struct MessageAttributeValue {
  std::string data_type;
  std::string string_value;
  std::string binary_value;
  std::vector<std::string> string_list_values;  // accepted on the wire, rejected on send
  std::vector<std::string> binary_list_values;

  bool is_binary() const { return data_type.rfind("Binary", 0) == 0; }
  bool operator==(const MessageAttributeValue&) const = default;
};

// Sorted by name, the order AWS's MD5OfMessageAttributes digests them in.
using MessageAttributes = std::map<std::string, MessageAttributeValue>;

struct SendRequest {
  std::string body;
  MessageAttributes attributes;
  MessageAttributes system_attributes;  // only AWSTraceHeader is accepted
  std::optional<int> delay_seconds;     // unset: the queue's DelaySeconds
  std::string group_id;                 // FIFO: MessageGroupId
  std::string deduplication_id;         // FIFO: MessageDeduplicationId
};

struct SendResult {
  std::string message_id;
  std::string md5_of_body;
  std::string md5_of_attributes;         // empty when the message has none
  std::string md5_of_system_attributes;  // empty when the message has none
  std::string sequence_number;           // FIFO only
};

// A message handed to a consumer: everything about it, unfiltered. `attributes` holds the
// system attributes as AWS spells them ("SentTimestamp", "ApproximateReceiveCount", ...), all
// values strings.
struct ReceivedMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  std::string md5_of_body;
  std::map<std::string, std::string> attributes;
  MessageAttributes message_attributes;
};

}  // namespace ll::sqs
