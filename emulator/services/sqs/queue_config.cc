#include "services/sqs/queue_config.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iterator>

#include "services/sqs/sqs_errors.h"

namespace ll::sqs {
namespace {

constexpr std::string_view kAllNames[] = {
    "All",
    "Policy",
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
    "ApproximateNumberOfMessagesDelayed",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "RedriveAllowPolicy",
    "SqsManagedSseEnabled",
};

Status UnknownAttribute(std::string_view name) {
  return Status::Error(errors::kInvalidAttributeName, fmt::format("Unknown Attribute {}.", name));
}

Status InvalidValue(std::string_view name) {
  return Status::Error(errors::kInvalidAttributeValue,
                       fmt::format("Invalid value for the parameter {}.", name));
}

std::optional<int> ParseInt(std::string_view s) {
  int value = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

Status ParseBounded(std::string_view name, const std::string& text, int low, int high, int& out) {
  std::optional<int> v = ParseInt(text);
  if (!v || *v < low || *v > high) return InvalidValue(name);
  out = *v;
  return Status::Ok();
}

std::optional<bool> ParseBool(std::string_view s) {
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  if (lower == "true") return true;
  if (lower == "false") return false;
  return std::nullopt;
}

Status BadRedrive(std::string_view attribute, std::string_view value, std::string_view reason) {
  return InvalidParameterValue(
      fmt::format("Value {} for parameter {} is invalid. Reason: {}", value, attribute, reason));
}

Result<RedrivePolicy> ParseRedrivePolicy(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return BadRedrive("RedrivePolicy", text, "Redrive policy is not a valid JSON map.");
  }
  RedrivePolicy policy;
  auto arn = doc.FindMember("deadLetterTargetArn");
  if (arn == doc.MemberEnd() || !arn->value.IsString() ||
      std::string_view(arn->value.GetString()).rfind("arn:", 0) != 0) {
    return BadRedrive("RedrivePolicy", text, "Invalid value for deadLetterTargetArn.");
  }
  policy.dead_letter_target_arn = arn->value.GetString();
  auto count = doc.FindMember("maxReceiveCount");
  std::optional<int> n;
  if (count != doc.MemberEnd()) {
    if (count->value.IsInt()) n = count->value.GetInt();
    if (count->value.IsString()) n = ParseInt(count->value.GetString());
  }
  if (!n || *n < 1 || *n > 1000) {
    return BadRedrive(
        "RedrivePolicy", text,
        fmt::format("Invalid value for maxReceiveCount: {}, valid values are from 1 to 1000 both "
                    "inclusive.",
                    count == doc.MemberEnd() ? std::string("null")
                    : n                      ? std::to_string(*n)
                                             : std::string("invalid")));
  }
  policy.max_receive_count = *n;
  for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m) {
    std::string_view key = m->name.GetString();
    if (key != "deadLetterTargetArn" && key != "maxReceiveCount") {
      return BadRedrive("RedrivePolicy", text, fmt::format("Unknown key {}.", key));
    }
  }
  return policy;
}

Result<RedriveAllowPolicy> ParseRedriveAllowPolicy(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return BadRedrive("RedriveAllowPolicy", text, "Redrive allow policy is not a valid JSON map.");
  }
  RedriveAllowPolicy policy;
  auto permission = doc.FindMember("redrivePermission");
  if (permission == doc.MemberEnd() || !permission->value.IsString()) {
    return BadRedrive("RedriveAllowPolicy", text, "Missing redrivePermission.");
  }
  policy.permission = permission->value.GetString();
  if (policy.permission != "allowAll" && policy.permission != "denyAll" &&
      policy.permission != "byQueue") {
    return BadRedrive("RedriveAllowPolicy", text,
                      "redrivePermission must be one of allowAll, denyAll, byQueue.");
  }
  auto sources = doc.FindMember("sourceQueueArns");
  if (sources != doc.MemberEnd()) {
    if (!sources->value.IsArray()) {
      return BadRedrive("RedriveAllowPolicy", text, "sourceQueueArns must be a list.");
    }
    for (const auto& arn : sources->value.GetArray()) {
      if (!arn.IsString()) {
        return BadRedrive("RedriveAllowPolicy", text, "sourceQueueArns must hold strings.");
      }
      policy.source_queue_arns.emplace_back(arn.GetString());
    }
  }
  if (policy.permission == "byQueue" &&
      (policy.source_queue_arns.empty() || policy.source_queue_arns.size() > 10)) {
    return BadRedrive("RedriveAllowPolicy", text,
                      "byQueue requires between 1 and 10 sourceQueueArns.");
  }
  if (policy.permission != "byQueue" && !policy.source_queue_arns.empty()) {
    return BadRedrive("RedriveAllowPolicy", text,
                      "sourceQueueArns may only be given with redrivePermission byQueue.");
  }
  return policy;
}

std::string RedrivePolicyJson(const RedrivePolicy& p) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("deadLetterTargetArn");
  w.String(p.dead_letter_target_arn.c_str(), rapidjson::SizeType(p.dead_letter_target_arn.size()));
  w.Key("maxReceiveCount");
  w.Int(p.max_receive_count);
  w.EndObject();
  return buffer.GetString();
}

std::string RedriveAllowPolicyJson(const RedriveAllowPolicy& p) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("redrivePermission");
  w.String(p.permission.c_str(), rapidjson::SizeType(p.permission.size()));
  if (p.permission == "byQueue") {
    w.Key("sourceQueueArns");
    w.StartArray();
    for (const std::string& arn : p.source_queue_arns) {
      w.String(arn.c_str(), rapidjson::SizeType(arn.size()));
    }
    w.EndArray();
  }
  w.EndObject();
  return buffer.GetString();
}

Status ApplyOne(const std::string& name, const std::string& value, bool creating, QueueConfig& c) {
  if (name == "VisibilityTimeout") return ParseBounded(name, value, 0, 43200, c.visibility_timeout);
  if (name == "DelaySeconds") return ParseBounded(name, value, 0, 900, c.delay_seconds);
  if (name == "MaximumMessageSize") {
    return ParseBounded(name, value, 1024, 1048576, c.maximum_message_size);
  }
  if (name == "MessageRetentionPeriod") {
    return ParseBounded(name, value, 60, 1209600, c.message_retention_period);
  }
  if (name == "ReceiveMessageWaitTimeSeconds") {
    return ParseBounded(name, value, 0, 20, c.receive_message_wait_time);
  }
  if (name == "FifoQueue") {
    if (!creating) return UnknownAttribute(name);
    std::optional<bool> b = ParseBool(value);
    if (!b) return InvalidValue(name);
    c.fifo = *b;
    return Status::Ok();
  }
  if (name == "ContentBasedDeduplication") {
    if (!c.fifo) return UnknownAttribute(name);
    std::optional<bool> b = ParseBool(value);
    if (!b) return InvalidValue(name);
    c.content_based_deduplication = *b;
    return Status::Ok();
  }
  if (name == "DeduplicationScope") {
    if (!c.fifo) return UnknownAttribute(name);
    if (value != "queue" && value != "messageGroup") return InvalidValue(name);
    c.deduplication_scope = value;
    return Status::Ok();
  }
  if (name == "FifoThroughputLimit") {
    if (!c.fifo) return UnknownAttribute(name);
    if (value != "perQueue" && value != "perMessageGroupId") return InvalidValue(name);
    c.fifo_throughput_limit = value;
    return Status::Ok();
  }
  if (name == "RedrivePolicy") {
    if (value.empty()) {
      c.redrive_policy.reset();
      return Status::Ok();
    }
    Result<RedrivePolicy> policy = ParseRedrivePolicy(value);
    if (!policy.ok()) return policy.status();
    c.redrive_policy = *policy;
    return Status::Ok();
  }
  if (name == "RedriveAllowPolicy") {
    if (value.empty()) {
      c.redrive_allow_policy.reset();
      return Status::Ok();
    }
    Result<RedriveAllowPolicy> policy = ParseRedriveAllowPolicy(value);
    if (!policy.ok()) return policy.status();
    c.redrive_allow_policy = *policy;
    return Status::Ok();
  }
  if (name == "Policy") {
    if (!value.empty()) {
      rapidjson::Document doc;
      doc.Parse(value.c_str(), value.size());
      if (doc.HasParseError() || !doc.IsObject()) return InvalidValue(name);
    }
    c.policy = value;
    return Status::Ok();
  }
  if (name == "KmsMasterKeyId") {
    c.kms_master_key_id = value;
    if (!value.empty()) c.sqs_managed_sse_enabled = false;
    return Status::Ok();
  }
  if (name == "KmsDataKeyReusePeriodSeconds") {
    return ParseBounded(name, value, 60, 86400, c.kms_data_key_reuse_period);
  }
  if (name == "SqsManagedSseEnabled") {
    std::optional<bool> b = ParseBool(value);
    if (!b) return InvalidValue(name);
    c.sqs_managed_sse_enabled = *b;
    return Status::Ok();
  }
  return UnknownAttribute(name);
}

}  // namespace

bool RedriveAllowPolicy::Allows(std::string_view source_arn) const {
  if (permission == "allowAll") return true;
  if (permission == "denyAll") return false;
  return std::find(source_queue_arns.begin(), source_queue_arns.end(), source_arn) !=
         source_queue_arns.end();
}

Status ApplyQueueAttributes(const AttributeMap& attributes, bool creating, QueueConfig& config) {
  // FifoQueue first: the FIFO-only attributes depend on it.
  if (auto fifo = attributes.find("FifoQueue"); fifo != attributes.end()) {
    if (Status s = ApplyOne(fifo->first, fifo->second, creating, config); !s.ok()) return s;
  }
  for (const auto& [name, value] : attributes) {
    if (name == "FifoQueue") continue;
    if (Status s = ApplyOne(name, value, creating, config); !s.ok()) return s;
  }
  return Status::Ok();
}

AttributeMap ConfigAttributes(const QueueConfig& c) {
  AttributeMap out;
  out["VisibilityTimeout"] = std::to_string(c.visibility_timeout);
  out["DelaySeconds"] = std::to_string(c.delay_seconds);
  out["MaximumMessageSize"] = std::to_string(c.maximum_message_size);
  out["MessageRetentionPeriod"] = std::to_string(c.message_retention_period);
  out["ReceiveMessageWaitTimeSeconds"] = std::to_string(c.receive_message_wait_time);
  out["SqsManagedSseEnabled"] = c.sqs_managed_sse_enabled ? "true" : "false";
  if (!c.kms_master_key_id.empty()) {
    out["KmsMasterKeyId"] = c.kms_master_key_id;
    out["KmsDataKeyReusePeriodSeconds"] = std::to_string(c.kms_data_key_reuse_period);
  }
  if (c.fifo) {
    out["FifoQueue"] = "true";
    out["ContentBasedDeduplication"] = c.content_based_deduplication ? "true" : "false";
    out["DeduplicationScope"] = c.deduplication_scope;
    out["FifoThroughputLimit"] = c.fifo_throughput_limit;
  }
  if (c.redrive_policy) out["RedrivePolicy"] = RedrivePolicyJson(*c.redrive_policy);
  if (c.redrive_allow_policy) {
    out["RedriveAllowPolicy"] = RedriveAllowPolicyJson(*c.redrive_allow_policy);
  }
  if (!c.policy.empty()) out["Policy"] = c.policy;
  return out;
}

bool IsQueueAttributeName(std::string_view name) {
  return std::find(std::begin(kAllNames), std::end(kAllNames), name) != std::end(kAllNames);
}

std::optional<std::string> FirstDifference(const QueueConfig& a, const QueueConfig& b) {
  AttributeMap ma = ConfigAttributes(a);
  AttributeMap mb = ConfigAttributes(b);
  for (const auto& [name, value] : ma) {
    auto it = mb.find(name);
    if (it == mb.end() || it->second != value) return name;
  }
  for (const auto& [name, value] : mb) {
    if (!ma.count(name)) return name;
  }
  return std::nullopt;
}

}  // namespace ll::sqs
