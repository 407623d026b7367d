#include "services/sns/topics.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "base/json_parse.h"
#include "services/sns/sns_errors.h"

namespace ll::sns {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void Map(JsonWriter& w, const char* key, const std::map<std::string, std::string>& map) {
  w.Key(key);
  w.StartObject();
  for (const auto& [k, v] : map) {
    w.Key(k.data(), rapidjson::SizeType(k.size()));
    w.String(v.data(), rapidjson::SizeType(v.size()));
  }
  w.EndObject();
}

void Str(JsonWriter& w, const char* key, const std::string& v) {
  w.Key(key);
  w.String(v.data(), rapidjson::SizeType(v.size()));
}

std::map<std::string, std::string> ReadMap(const rapidjson::Value& doc, const char* key) {
  std::map<std::string, std::string> out;
  auto it = doc.FindMember(key);
  if (it == doc.MemberEnd() || !it->value.IsObject()) return out;
  for (const auto& m : it->value.GetObject()) {
    if (m.value.IsString()) out[m.name.GetString()] = m.value.GetString();
  }
  return out;
}

std::string ReadString(const rapidjson::Value& doc, const char* key) {
  auto it = doc.FindMember(key);
  return it != doc.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

bool ReadBool(const rapidjson::Value& doc, const char* key) {
  auto it = doc.FindMember(key);
  return it != doc.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

Status Corrupt(std::string_view what) {
  return Status::Error(errors::kInternalError, "a kept SNS " + std::string(what) + " is not readable");
}

}  // namespace

std::string Subscription::Attribute(std::string_view name) const {
  auto it = attributes.find(std::string(name));
  return it == attributes.end() ? "" : it->second;
}

std::string Topic::Attribute(std::string_view name) const {
  auto it = attributes.find(std::string(name));
  return it == attributes.end() ? "" : it->second;
}

std::string TopicRecordJson(const Topic& t) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  Str(w, "arn", t.arn);
  Str(w, "name", t.name);
  w.Key("fifo");
  w.Bool(t.fifo);
  Map(w, "attributes", t.attributes);
  Map(w, "tags", t.tags);
  w.Key("deleted");
  w.Uint64(t.deleted_subscriptions);
  w.EndObject();
  return buf.GetString();
}

Result<Topic> ParseTopicRecord(std::string_view json) {
  rapidjson::Document doc;
  (void)ParseJson(doc, json);
  if (doc.HasParseError() || !doc.IsObject()) return Corrupt("topic");
  Topic t;
  t.arn = ReadString(doc, "arn");
  t.name = ReadString(doc, "name");
  if (t.arn.empty() || t.name.empty()) return Corrupt("topic");
  t.fifo = ReadBool(doc, "fifo");
  t.attributes = ReadMap(doc, "attributes");
  t.tags = ReadMap(doc, "tags");
  if (auto it = doc.FindMember("deleted"); it != doc.MemberEnd() && it->value.IsUint64()) {
    t.deleted_subscriptions = it->value.GetUint64();
  }
  return t;
}

std::string SubscriptionRecordJson(const Subscription& s) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  Str(w, "arn", s.arn);
  Str(w, "topic", s.topic_arn);
  Str(w, "protocol", s.protocol);
  Str(w, "endpoint", s.endpoint);
  Map(w, "attributes", s.attributes);
  w.Key("pending");
  w.Bool(s.pending);
  w.Key("authenticated");
  w.Bool(s.authenticated);
  Str(w, "token", s.token);
  w.EndObject();
  return buf.GetString();
}

Result<Subscription> ParseSubscriptionRecord(std::string_view json) {
  rapidjson::Document doc;
  (void)ParseJson(doc, json);
  if (doc.HasParseError() || !doc.IsObject()) return Corrupt("subscription");
  Subscription s;
  s.arn = ReadString(doc, "arn");
  s.topic_arn = ReadString(doc, "topic");
  s.protocol = ReadString(doc, "protocol");
  s.endpoint = ReadString(doc, "endpoint");
  if (s.arn.empty() || s.topic_arn.empty()) return Corrupt("subscription");
  s.attributes = ReadMap(doc, "attributes");
  s.pending = ReadBool(doc, "pending");
  s.authenticated = ReadBool(doc, "authenticated");
  s.token = ReadString(doc, "token");
  auto filter = FilterOf(s.attributes);
  if (!filter.ok()) return filter.status();
  s.filter = std::move(*filter);
  return s;
}

Result<std::optional<FilterPolicy>> FilterOf(const AttributeMap& attributes) {
  auto policy = attributes.find("FilterPolicy");
  if (policy == attributes.end() || policy->second.empty()) return std::optional<FilterPolicy>();
  FilterPolicyScope scope = FilterPolicyScope::kMessageAttributes;
  if (auto s = attributes.find("FilterPolicyScope"); s != attributes.end()) {
    auto parsed = ParseFilterPolicyScope(s->second);
    if (!parsed) {
      return InvalidParameter("Attributes Reason: FilterPolicyScope: Invalid value [" + s->second +
                              "]. Please use either MessageBody or MessageAttributes");
    }
    scope = *parsed;
  }
  auto parsed = FilterPolicy::Parse(policy->second, scope);
  if (!parsed.ok()) return parsed.status();
  return std::optional<FilterPolicy>(std::move(*parsed));
}

}  // namespace ll::sns
