#include "services/sns/envelopes.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>

#include "base/strings.h"

namespace ll::sns {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(JsonWriter& w, std::string_view s) { w.String(s.data(), rapidjson::SizeType(s.size())); }

void Field(JsonWriter& w, const char* key, std::string_view value) {
  w.Key(key);
  Str(w, value);
}

std::string Timestamp(int64_t ms) {
  return IsoTimestampUtc(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

void Attributes(JsonWriter& w, const MessageAttributes& attributes) {
  w.StartObject();
  for (const auto& [name, a] : attributes) {
    w.Key(name.data(), rapidjson::SizeType(name.size()));
    w.StartObject();
    Field(w, "Type", a.data_type);
    Field(w, "Value", StartsWith(a.data_type, "Binary") ? Base64Encode(a.binary_value) : a.string_value);
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace

std::string NotificationSignature(const PublishedMessage& m, std::string_view text, int version,
                                  const MessageSigner& signer) {
  const std::string timestamp = Timestamp(m.timestamp_ms);
  SignedFields fields;
  fields.type = "Notification";
  fields.message = std::string(text);
  fields.message_id = m.message_id;
  if (!m.subject.empty()) fields.subject = m.subject;
  fields.timestamp = timestamp;
  fields.topic_arn = m.topic_arn;
  return signer.Sign(fields, version);
}

const std::string& MessageFor(const PublishedMessage& message, std::string_view protocol) {
  auto it = message.per_protocol.find(std::string(protocol));
  return it != message.per_protocol.end() ? it->second : message.message;
}

std::string NotificationEnvelope(const PublishedMessage& m, std::string_view text,
                                 const DeliveryContext& context, std::string_view signature) {
  const std::string timestamp = Timestamp(m.timestamp_ms);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  Field(w, "Type", "Notification");
  Field(w, "MessageId", m.message_id);
  if (!m.sequence_number.empty()) Field(w, "SequenceNumber", m.sequence_number);
  Field(w, "TopicArn", m.topic_arn);
  if (!m.subject.empty()) Field(w, "Subject", m.subject);
  Field(w, "Message", text);
  Field(w, "Timestamp", timestamp);
  Field(w, "SignatureVersion", std::to_string(context.signature_version));
  Field(w, "Signature", signature);
  Field(w, "SigningCertURL", context.signing_cert_url);
  Field(w, "UnsubscribeURL", context.unsubscribe_url);
  if (!m.attributes.empty()) {
    w.Key("MessageAttributes");
    Attributes(w, m.attributes);
  }
  w.EndObject();
  return buf.GetString();
}

std::string LambdaEvent(const PublishedMessage& m, std::string_view text,
                        const DeliveryContext& context, std::string_view signature) {
  const std::string timestamp = Timestamp(m.timestamp_ms);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Records");
  w.StartArray();
  w.StartObject();
  Field(w, "EventVersion", "1.0");
  Field(w, "EventSubscriptionArn", context.subscription_arn);
  Field(w, "EventSource", "aws:sns");
  w.Key("Sns");
  w.StartObject();
  Field(w, "SignatureVersion", std::to_string(context.signature_version));
  Field(w, "Timestamp", timestamp);
  Field(w, "Signature", signature);
  Field(w, "SigningCertUrl", context.signing_cert_url);
  Field(w, "MessageId", m.message_id);
  Field(w, "Message", text);
  w.Key("MessageAttributes");
  Attributes(w, m.attributes);
  Field(w, "Type", "Notification");
  Field(w, "UnsubscribeUrl", context.unsubscribe_url);
  Field(w, "TopicArn", m.topic_arn);
  w.Key("Subject");
  if (m.subject.empty()) {
    w.Null();
  } else {
    Str(w, m.subject);
  }
  w.EndObject();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

std::string ConfirmationEnvelope(const Confirmation& c, int signature_version,
                                 const std::string& signing_cert_url, const MessageSigner& signer) {
  const std::string timestamp = Timestamp(c.timestamp_ms);
  const std::string message = "You have chosen to subscribe to the topic " + c.topic_arn +
                              ".\nTo confirm the subscription, visit the SubscribeURL included "
                              "in this message.";
  SignedFields fields;
  fields.type = "SubscriptionConfirmation";
  fields.message = message;
  fields.message_id = c.message_id;
  fields.subscribe_url = c.subscribe_url;
  fields.timestamp = timestamp;
  fields.token = c.token;
  fields.topic_arn = c.topic_arn;
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  Field(w, "Type", "SubscriptionConfirmation");
  Field(w, "MessageId", c.message_id);
  Field(w, "Token", c.token);
  Field(w, "TopicArn", c.topic_arn);
  Field(w, "Message", message);
  Field(w, "SubscribeURL", c.subscribe_url);
  Field(w, "Timestamp", timestamp);
  Field(w, "SignatureVersion", std::to_string(signature_version));
  Field(w, "Signature", signer.Sign(fields, signature_version));
  Field(w, "SigningCertURL", signing_cert_url);
  w.EndObject();
  return buf.GetString();
}

}  // namespace ll::sns
