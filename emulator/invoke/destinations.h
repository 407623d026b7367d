// Destinations: where asynchronous outcomes and dead letters go, found by the service named in
// the target's ARN (arn:aws:<service>:...). Each service registers one sender where the app is
// composed, so the invoke core includes no service.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ll {

// What is sent: a body, and for targets that keep them (queues, topics) message attributes and
// the FIFO group and deduplication ids.
struct DestinationMessage {
  struct Attribute {
    std::string data_type;     // "String", "Number", "Binary", "String.Array" (+ ".custom")
    std::string string_value;  // String, Number, String.Array
    std::string binary_value;  // Binary: the raw bytes
  };
  std::string body;
  std::map<std::string, Attribute> attributes;
  std::string group_id;
  std::string deduplication_id;
  std::string subject;  // topics: the message's Subject
};

// Delivers `message` to the resource `arn` names. Thread-safe; may block briefly.
using DestinationSender = std::function<Status(const std::string& arn, DestinationMessage message)>;

class Destinations {
 public:
  // Replaces the sender for ARNs of `service` ("lambda", "sqs", "sns", ...). Thread-safe.
  void Register(std::string service, DestinationSender sender);
  // Sends through the sender of the ARN's service; an error Status that says why when the ARN
  // is malformed or its service has no sender. Calls the sender without holding a lock.
  Status Send(const std::string& arn, DestinationMessage message) const;
  // A message of `payload` alone.
  Status Send(const std::string& arn, std::string payload) const;

  // "lambda" of "arn:aws:lambda:us-east-1:...", or "" when `arn` is not an ARN.
  static std::string_view ServiceOf(std::string_view arn);

 private:
  mutable std::mutex mu_;
  // Guarded by mu_.
  std::map<std::string, DestinationSender, std::less<>> senders_;
};

}  // namespace ll
