#include "services/sqs/sqs_params.h"

#include <fmt/format.h>

#include <charconv>

#include "base/strings.h"
#include "services/sqs/sqs_errors.h"

namespace ll::sqs {
namespace {

Status WrongType(std::string_view name, std::string_view expected) {
  return InvalidParameterValue(
      fmt::format("Value for parameter {} is invalid. Reason: expected {}.", name, expected));
}

std::string AsString(const rapidjson::Value& v) {
  return std::string(v.GetString(), v.GetStringLength());
}

// The query protocol sends an empty list or map as "Name=" (an empty string).
bool IsEmptyQueryCollection(const rapidjson::Value& v) {
  return v.IsString() && v.GetStringLength() == 0;
}

}  // namespace

const rapidjson::Value* SqsParams::Find(std::string_view name) const {
  if (!object_.IsObject()) return nullptr;
  for (auto m = object_.MemberBegin(); m != object_.MemberEnd(); ++m) {
    if (std::string_view(m->name.GetString(), m->name.GetStringLength()) == name) {
      return m->value.IsNull() ? nullptr : &m->value;
    }
  }
  return nullptr;
}

Result<std::optional<std::string>> SqsParams::OptionalString(std::string_view name) const {
  const rapidjson::Value* v = Find(name);
  if (!v) return std::optional<std::string>();
  if (!v->IsString()) return WrongType(name, "a string");
  return std::optional<std::string>(AsString(*v));
}

Result<std::string> SqsParams::RequiredString(std::string_view name) const {
  Result<std::optional<std::string>> v = OptionalString(name);
  if (!v.ok()) return v.status();
  if (!v->has_value() || (*v)->empty()) return MissingParameter(name);
  return std::move(**v);
}

Result<std::optional<int>> SqsParams::OptionalInt(std::string_view name) const {
  const rapidjson::Value* v = Find(name);
  if (!v) return std::optional<int>();
  if (v->IsInt()) return std::optional<int>(v->GetInt());
  if (v->IsString()) {
    std::string_view s(v->GetString(), v->GetStringLength());
    int n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) {
      return std::optional<int>(n);
    }
    return InvalidParameterValue(
        fmt::format("Value {} for parameter {} is invalid. Reason: must be an integer.", s, name));
  }
  return WrongType(name, "an integer");
}

Result<std::vector<std::string>> SqsParams::StringList(std::string_view name) const {
  std::vector<std::string> out;
  const rapidjson::Value* v = Find(name);
  if (!v || IsEmptyQueryCollection(*v)) return out;
  if (!v->IsArray()) return WrongType(name, "a list of strings");
  for (const auto& item : v->GetArray()) {
    if (!item.IsString()) return WrongType(name, "a list of strings");
    out.push_back(AsString(item));
  }
  return out;
}

Result<std::map<std::string, std::string>> SqsParams::StringMap(std::string_view name) const {
  std::map<std::string, std::string> out;
  const rapidjson::Value* v = Find(name);
  if (!v || IsEmptyQueryCollection(*v)) return out;
  if (!v->IsObject()) return WrongType(name, "a map of strings");
  for (auto m = v->MemberBegin(); m != v->MemberEnd(); ++m) {
    if (!m->value.IsString()) return WrongType(name, "a map of strings");
    out[AsString(m->name)] = AsString(m->value);
  }
  return out;
}

Result<MessageAttributes> SqsParams::Attributes(std::string_view name) const {
  MessageAttributes out;
  const rapidjson::Value* v = Find(name);
  if (!v || IsEmptyQueryCollection(*v)) return out;
  if (!v->IsObject()) return WrongType(name, "a map of message attributes");
  for (auto m = v->MemberBegin(); m != v->MemberEnd(); ++m) {
    std::string attribute_name = AsString(m->name);
    SqsParams value(m->value);
    if (!m->value.IsObject()) return WrongType(name, "a map of message attributes");
    MessageAttributeValue attribute;
    Result<std::optional<std::string>> type = value.OptionalString("DataType");
    if (!type.ok()) return type.status();
    attribute.data_type = type->value_or("");
    Result<std::optional<std::string>> string_value = value.OptionalString("StringValue");
    if (!string_value.ok()) return string_value.status();
    attribute.string_value = string_value->value_or("");
    Result<std::optional<std::string>> binary = value.OptionalString("BinaryValue");
    if (!binary.ok()) return binary.status();
    if (binary->has_value()) {
      std::optional<std::string> decoded = Base64Decode(**binary);
      if (!decoded) {
        return InvalidParameterValue(
            fmt::format("The message attribute '{}' has a BinaryValue that is not valid base64.",
                        attribute_name));
      }
      attribute.binary_value = std::move(*decoded);
    }
    Result<std::vector<std::string>> strings = value.StringList("StringListValues");
    if (!strings.ok()) return strings.status();
    attribute.string_list_values = std::move(*strings);
    Result<std::vector<std::string>> binaries = value.StringList("BinaryListValues");
    if (!binaries.ok()) return binaries.status();
    attribute.binary_list_values = std::move(*binaries);
    out[attribute_name] = std::move(attribute);
  }
  return out;
}

Result<std::vector<SqsParams>> SqsParams::ObjectList(std::string_view name) const {
  std::vector<SqsParams> out;
  const rapidjson::Value* v = Find(name);
  if (!v || IsEmptyQueryCollection(*v)) return out;
  if (!v->IsArray()) return WrongType(name, "a list");
  for (const auto& item : v->GetArray()) {
    if (!item.IsObject()) return WrongType(name, "a list of structures");
    out.emplace_back(item);
  }
  return out;
}

}  // namespace ll::sqs
