// The value types of one SNS publish: its message attributes and the message as it is fanned
// out to subscribers.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace ll::sns {

// One MessageAttributes entry of Publish: DataType "String", "String.Array", "Number" or
// "Binary" (each may carry a ".custom" suffix); StringValue or BinaryValue (raw bytes).
struct MessageAttribute {
  std::string data_type;
  std::string string_value;
  std::string binary_value;
};

// By attribute name, in name order.
using MessageAttributes = std::map<std::string, MessageAttribute>;

// A message accepted by Publish, as every subscriber's delivery starts from it.
struct PublishedMessage {
  std::string message_id;
  std::string topic_arn;
  std::string message;            // the default message (MessageStructure json: "default")
  std::map<std::string, std::string> per_protocol;  // MessageStructure json: "sqs", "lambda", ...
  std::string subject;            // "" when none was given
  MessageAttributes attributes;
  std::string group_id;           // FIFO topics
  std::string deduplication_id;   // FIFO topics
  std::string sequence_number;    // FIFO topics
  int64_t timestamp_ms = 0;       // when it was accepted
};

}  // namespace ll::sns
