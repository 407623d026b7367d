// The query protocol (Action=<Op>&Version=2012-11-05, XML answers) of older SDKs and tools.
// Errors: <ErrorResponse><Error><Type>Sender</Type><Code>legacy code</Code>...</ErrorResponse>.
#include <string_view>

#include "base/strings.h"
#include "services/sqs/message_attributes.h"
#include "services/sqs/query_params.h"
#include "services/sqs/queue_url.h"
#include "services/sqs/sqs_errors.h"
#include "services/sqs/sqs_http.h"
#include "services/sqs/sqs_operations.h"

namespace ll::sqs {
namespace {

constexpr char kContentType[] = "text/xml";
constexpr char kNamespace[] = "http://queue.amazonaws.com/doc/2012-11-05/";

using Kind = SqsOutput::Kind;

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#xD;"; break;  // a literal CR would be normalised away by parsers
      default: out += c;
    }
  }
  return out;
}

class Xml {
 public:
  void Open(std::string_view tag) { (out_ += '<').append(tag) += '>'; }
  void Close(std::string_view tag) { (out_ += "</").append(tag) += '>'; }
  void Element(std::string_view tag, std::string_view text) {
    Open(tag);
    out_ += Escape(text);
    Close(tag);
  }
  void Optional(std::string_view tag, std::string_view text) {
    if (!text.empty()) Element(tag, text);
  }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

void NameValues(Xml& x, std::string_view tag, const std::map<std::string, std::string>& map,
                std::string_view key_tag, std::string_view value_tag) {
  for (const auto& [k, v] : map) {
    x.Open(tag);
    x.Element(key_tag, k);
    x.Element(value_tag, v);
    x.Close(tag);
  }
}

void SendFields(Xml& x, const SendResult& r) {
  x.Element("MessageId", r.message_id);
  x.Element("MD5OfMessageBody", r.md5_of_body);
  x.Optional("MD5OfMessageAttributes", r.md5_of_attributes);
  x.Optional("MD5OfMessageSystemAttributes", r.md5_of_system_attributes);
  x.Optional("SequenceNumber", r.sequence_number);
}

void Message(Xml& x, const ReceivedMessage& m) {
  x.Open("Message");
  x.Element("MessageId", m.message_id);
  x.Element("ReceiptHandle", m.receipt_handle);
  x.Element("MD5OfBody", m.md5_of_body);
  x.Element("Body", m.body);
  NameValues(x, "Attribute", m.attributes, "Name", "Value");
  if (!m.message_attributes.empty()) {
    x.Element("MD5OfMessageAttributes", MessageAttributesMd5(m.message_attributes));
    for (const auto& [name, value] : m.message_attributes) {
      x.Open("MessageAttribute");
      x.Element("Name", name);
      x.Open("Value");
      if (value.is_binary()) {
        x.Element("BinaryValue", Base64Encode(value.binary_value));
      } else {
        x.Element("StringValue", value.string_value);
      }
      x.Element("DataType", value.data_type);
      x.Close("Value");
      x.Close("MessageAttribute");
    }
  }
  x.Close("Message");
}

// The contents of <OpResult>, or nothing for operations without output.
void WriteResult(Xml& x, const std::string& op, const SqsOutput& out) {
  switch (out.kind) {
    case Kind::kEmpty: return;
    case Kind::kQueueUrl: x.Element("QueueUrl", out.queue_url); return;
    case Kind::kQueueUrls:
    case Kind::kDeadLetterSourceQueues:
      for (const std::string& url : out.queue_urls) x.Element("QueueUrl", url);
      x.Optional("NextToken", out.next_token);
      return;
    case Kind::kAttributes: NameValues(x, "Attribute", out.entries, "Name", "Value"); return;
    case Kind::kTags: NameValues(x, "Tag", out.entries, "Key", "Value"); return;
    case Kind::kSendMessage: SendFields(x, out.send); return;
    case Kind::kSendMessageBatch:
    case Kind::kBatch: {
      const std::string entry = op + "ResultEntry";
      for (const BatchResultEntry& e : out.successful) {
        x.Open(entry);
        x.Element("Id", e.id);
        if (e.send) SendFields(x, *e.send);
        x.Close(entry);
      }
      for (const BatchResultError& e : out.failed) {
        x.Open("BatchResultErrorEntry");
        x.Element("Id", e.id);
        x.Element("SenderFault", e.sender_fault ? "true" : "false");
        x.Element("Code", e.code);
        x.Element("Message", e.message);
        x.Close("BatchResultErrorEntry");
      }
      return;
    }
    case Kind::kReceiveMessage:
      for (const ReceivedMessage& m : out.messages) Message(x, m);
      return;
  }
}

SqsHttpResponse XmlError(const Status& status, const std::string& request_id) {
  SqsErrorWire wire = ErrorWire(status.code());
  Xml x;
  x.str() = "<?xml version=\"1.0\"?>";
  x.str() += std::string("<ErrorResponse xmlns=\"") + kNamespace + "\">";
  x.Open("Error");
  x.Element("Type", wire.sender_fault ? "Sender" : "Receiver");
  x.Element("Code", wire.query_code);
  x.Element("Message", status.message());
  x.str() += "<Detail/>";
  x.Close("Error");
  x.Element("RequestId", request_id);
  x.Close("ErrorResponse");
  SqsHttpResponse response;
  response.status = wire.http_status;
  response.content_type = kContentType;
  response.body = std::move(x.str());
  return response;
}

}  // namespace

SqsHttpResponse HandleSqsQuery(SqsService& service, const SqsHttpRequest& request,
                               const std::string& request_id) {
  FormParams params = ParseForm(request.query);
  for (auto& p : ParseForm(request.body)) params.push_back(std::move(p));
  SqsCall call;
  call.operation = FormValue(params, "Action");
  call.host = request.host;
  if (call.operation.empty()) return XmlError(MissingParameter("Action"), request_id);
  // Older clients POST to the queue's URL instead of naming it in QueueUrl.
  bool has_url = false;
  for (const auto& [key, value] : params) has_url = has_url || key == "QueueUrl";
  if (!has_url && request.path != "/" && ParseQueueUrl(request.path)) {
    params.emplace_back("QueueUrl", request.path);
  }
  rapidjson::Document doc = QueryParamsToJson(params, call.operation);
  Result<SqsOutput> out = ExecuteSqsOperation(service, call, SqsParams(doc));
  if (!out.ok()) return XmlError(out.status(), request_id);

  const std::string& op = call.operation;
  Xml x;
  x.str() = "<?xml version=\"1.0\"?>";
  x.str() += "<" + op + "Response xmlns=\"" + kNamespace + "\">";
  if (out->kind != Kind::kEmpty) {
    x.Open(op + "Result");
    WriteResult(x, op, *out);
    x.Close(op + "Result");
  }
  x.Open("ResponseMetadata");
  x.Element("RequestId", request_id);
  x.Close("ResponseMetadata");
  x.Close(op + "Response");
  SqsHttpResponse response;
  response.content_type = kContentType;
  response.body = std::move(x.str());
  return response;
}

}  // namespace ll::sqs
