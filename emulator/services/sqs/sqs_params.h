// Readers for an SQS operation's input, given as the JSON protocol's input shape (the query
// protocol converts its form parameters into the same shape, query_params.h). Numbers may
// arrive as JSON numbers or as numeric strings. Wrong types are InvalidParameterValue.
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "services/sqs/message.h"

namespace ll::sqs {

class SqsParams {
 public:
  // `object` must outlive this; a non-object is treated as empty.
  explicit SqsParams(const rapidjson::Value& object) : object_(object) {}

  bool Has(std::string_view name) const { return Find(name) != nullptr; }
  const rapidjson::Value* Find(std::string_view name) const;

  Result<std::optional<std::string>> OptionalString(std::string_view name) const;
  // MissingParameter when absent or empty.
  Result<std::string> RequiredString(std::string_view name) const;
  Result<std::optional<int>> OptionalInt(std::string_view name) const;
  Result<std::vector<std::string>> StringList(std::string_view name) const;
  Result<std::map<std::string, std::string>> StringMap(std::string_view name) const;
  // A map of MessageAttributeValue ({DataType, StringValue, BinaryValue (base64), ...}).
  Result<MessageAttributes> Attributes(std::string_view name) const;
  // A list of objects, each wrapped; empty when absent.
  Result<std::vector<SqsParams>> ObjectList(std::string_view name) const;

 private:
  const rapidjson::Value& object_;
};

}  // namespace ll::sqs
