// The JSON 1.0 protocol (X-Amz-Target: AmazonSQS.<Op>), what current SDKs speak.
// Errors: {"__type":"com.amazonaws.sqs#<Shape>","message":...} plus the header
// x-amzn-query-error: <legacy code>;Sender, from which botocore (awsQueryCompatible) takes the
// error code and its modelled exception class.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string_view>

#include "base/strings.h"
#include "services/sqs/message_attributes.h"
#include "services/sqs/sqs_errors.h"
#include "services/sqs/sqs_http.h"
#include "services/sqs/sqs_operations.h"

namespace ll::sqs {
namespace {

constexpr char kContentType[] = "application/x-amz-json-1.0";

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using Kind = SqsOutput::Kind;

void Str(Writer& w, std::string_view s) { w.String(s.data(), rapidjson::SizeType(s.size())); }

void Field(Writer& w, std::string_view key, std::string_view value) {
  Str(w, key);
  Str(w, value);
}

void OptionalField(Writer& w, std::string_view key, std::string_view value) {
  if (!value.empty()) Field(w, key, value);
}

void StringMap(Writer& w, std::string_view key, const std::map<std::string, std::string>& map) {
  Str(w, key);
  w.StartObject();
  for (const auto& [k, v] : map) Field(w, k, v);
  w.EndObject();
}

void StringList(Writer& w, std::string_view key, const std::vector<std::string>& list) {
  Str(w, key);
  w.StartArray();
  for (const std::string& s : list) Str(w, s);
  w.EndArray();
}

void SendFields(Writer& w, const SendResult& r) {
  Field(w, "MessageId", r.message_id);
  Field(w, "MD5OfMessageBody", r.md5_of_body);
  OptionalField(w, "MD5OfMessageAttributes", r.md5_of_attributes);
  OptionalField(w, "MD5OfMessageSystemAttributes", r.md5_of_system_attributes);
  OptionalField(w, "SequenceNumber", r.sequence_number);
}

void Message(Writer& w, const ReceivedMessage& m) {
  w.StartObject();
  Field(w, "MessageId", m.message_id);
  Field(w, "ReceiptHandle", m.receipt_handle);
  Field(w, "MD5OfBody", m.md5_of_body);
  Field(w, "Body", m.body);
  if (!m.attributes.empty()) StringMap(w, "Attributes", m.attributes);
  if (!m.message_attributes.empty()) {
    Field(w, "MD5OfMessageAttributes", MessageAttributesMd5(m.message_attributes));
    Str(w, "MessageAttributes");
    w.StartObject();
    for (const auto& [name, value] : m.message_attributes) {
      Str(w, name);
      w.StartObject();
      if (value.is_binary()) {
        Field(w, "BinaryValue", Base64Encode(value.binary_value));
      } else {
        Field(w, "StringValue", value.string_value);
      }
      Field(w, "DataType", value.data_type);
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndObject();
}

void BatchResults(Writer& w, const SqsOutput& out) {
  Str(w, "Successful");
  w.StartArray();
  for (const BatchResultEntry& e : out.successful) {
    w.StartObject();
    Field(w, "Id", e.id);
    if (e.send) SendFields(w, *e.send);
    w.EndObject();
  }
  w.EndArray();
  Str(w, "Failed");
  w.StartArray();
  for (const BatchResultError& e : out.failed) {
    w.StartObject();
    Field(w, "Id", e.id);
    Str(w, "SenderFault");
    w.Bool(e.sender_fault);
    Field(w, "Code", e.code);
    Field(w, "Message", e.message);
    w.EndObject();
  }
  w.EndArray();
}

std::string Render(const SqsOutput& out) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  switch (out.kind) {
    case Kind::kEmpty: break;
    case Kind::kQueueUrl: Field(w, "QueueUrl", out.queue_url); break;
    case Kind::kQueueUrls:
      if (!out.queue_urls.empty()) StringList(w, "QueueUrls", out.queue_urls);
      OptionalField(w, "NextToken", out.next_token);
      break;
    case Kind::kDeadLetterSourceQueues:
      StringList(w, "queueUrls", out.queue_urls);
      OptionalField(w, "NextToken", out.next_token);
      break;
    case Kind::kAttributes:
      if (!out.entries.empty()) StringMap(w, "Attributes", out.entries);
      break;
    case Kind::kTags:
      if (!out.entries.empty()) StringMap(w, "Tags", out.entries);
      break;
    case Kind::kSendMessage: SendFields(w, out.send); break;
    case Kind::kSendMessageBatch:
    case Kind::kBatch: BatchResults(w, out); break;
    case Kind::kReceiveMessage:
      if (!out.messages.empty()) {
        Str(w, "Messages");
        w.StartArray();
        for (const ReceivedMessage& m : out.messages) Message(w, m);
        w.EndArray();
      }
      break;
  }
  w.EndObject();
  return buffer.GetString();
}

SqsHttpResponse JsonError(const Status& status) {
  SqsErrorWire wire = ErrorWire(status.code());
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Field(w, "__type", wire.json_type);
  Field(w, "message", status.message());
  w.EndObject();
  SqsHttpResponse response;
  response.status = wire.http_status;
  response.content_type = kContentType;
  response.body = buffer.GetString();
  response.headers.emplace_back("x-amzn-query-error",
                                wire.query_code + (wire.sender_fault ? ";Sender" : ";Receiver"));
  return response;
}

}  // namespace

SqsHttpResponse HandleSqsJson(SqsService& service, const SqsHttpRequest& request,
                              const std::string& request_id) {
  SqsCall call;
  call.operation = request.target.substr(request.target.find('.') + 1);
  call.host = request.host;
  rapidjson::Document doc;
  if (request.body.empty()) {
    doc.SetObject();
  } else {
    doc.Parse(request.body.c_str(), request.body.size());
    if (doc.HasParseError() || !doc.IsObject()) {
      return JsonError(
          Status::Error(errors::kMalformedRequest, "The request body is not a valid JSON object."));
    }
  }
  Result<SqsOutput> out = ExecuteSqsOperation(service, call, SqsParams(doc));
  if (!out.ok()) return JsonError(out.status());
  SqsHttpResponse response;
  response.content_type = kContentType;
  response.body = Render(*out);
  return response;
}

}  // namespace ll::sqs
