#include "services/s3/notifications.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <pugixml.hpp>

#include "base/strings.h"
#include "services/s3/s3_xml.h"

namespace ll::s3 {
namespace {

// botocore s3 2006-03-01, shape `Event`.
constexpr std::array<std::string_view, 27> kEventNames = {
    "s3:ReducedRedundancyLostObject", "s3:ObjectCreated:*", "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:Replication:*",
    "s3:Replication:OperationFailedReplication", "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:ObjectRestore:Delete", "s3:LifecycleTransition", "s3:IntelligentTiering",
    "s3:ObjectAcl:Put", "s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated", "s3:ObjectTagging:*", "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete"};

constexpr char kNamespace[] = "http://s3.amazonaws.com/doc/2006-03-01/";
constexpr char kHexUpper[] = "0123456789ABCDEF";

NotificationError Malformed() {
  NotificationError e;
  e.code = "MalformedXML";
  e.message = "The XML you provided was not well-formed or did not validate against our published schema";
  return e;
}

NotificationError Invalid(std::string message, std::string name = "", std::string value = "") {
  return {"InvalidArgument", std::move(message), std::move(name), std::move(value), {}};
}

struct KindNames {
  std::string_view element;  // "QueueConfiguration"
  std::string_view arn;      // "Queue"
  std::string_view service;  // "sqs"
};

KindNames NamesOf(TargetKind kind) {
  switch (kind) {
    case TargetKind::kLambda: return {"CloudFunctionConfiguration", "CloudFunction", "lambda"};
    case TargetKind::kQueue: return {"QueueConfiguration", "Queue", "sqs"};
    case TargetKind::kTopic: return {"TopicConfiguration", "Topic", "sns"};
  }
  return {};
}

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
  return out;
}

// arn:partition:service:region:account:resource..., with the service the kind delivers to.
bool ArnParses(std::string_view arn, std::string_view service) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t colon = arn.find(':', start);
    parts.push_back(arn.substr(start, colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 6 || parts[0] != "arn" || !parts[1].starts_with("aws")) return false;
  return parts[2] == service && !parts[3].empty() && !parts[4].empty() && !parts[5].empty();
}

// A configuration as written, before its names are checked.
struct RawTarget {
  NotificationTarget target;
  std::vector<std::pair<std::string, std::string>> rules;  // FilterRule Name, Value
};

std::vector<pugi::xml_node> Elements(const pugi::xml_node& node) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_element) out.push_back(child);
  }
  return out;
}

// <Filter><S3Key><FilterRule><Name/><Value/></FilterRule>...</S3Key></Filter>
bool ReadFilter(const pugi::xml_node& filter, RawTarget& raw) {
  for (pugi::xml_node key : Elements(filter)) {
    if (LocalName(key) != "S3Key") return false;
    for (pugi::xml_node rule : Elements(key)) {
      if (LocalName(rule) != "FilterRule") return false;
      auto& [name, value] = raw.rules.emplace_back();
      for (pugi::xml_node field : Elements(rule)) {
        if (LocalName(field) == "Name") name = Trim(field.text().get());
        else if (LocalName(field) == "Value") value = field.text().get();
        else return false;
      }
    }
  }
  return true;
}

// Fills `raw` from a <...Configuration> element; false when it does not fit the schema.
bool ReadTarget(const pugi::xml_node& node, TargetKind kind, RawTarget& raw) {
  raw.target.kind = kind;
  int ids = 0, arns = 0, filters = 0;
  for (pugi::xml_node child : Elements(node)) {
    std::string_view name = LocalName(child);
    if (name == "Id") {
      ++ids;
      raw.target.id = child.text().get();
    } else if (name == NamesOf(kind).arn) {
      ++arns;
      raw.target.arn = Trim(child.text().get());
    } else if (name == "Event") {
      raw.target.events.emplace_back(Trim(child.text().get()));
    } else if (name != "Filter" || ++filters > 1 || !ReadFilter(child, raw)) {
      return false;
    }
  }
  return ids <= 1 && arns == 1 && !raw.target.events.empty();
}

std::optional<NotificationError> Validate(RawTarget& raw) {
  NotificationTarget& t = raw.target;
  if (!ArnParses(t.arn, NamesOf(t.kind).service)) {
    return Invalid("The ARN could not be parsed", std::string(NamesOf(t.kind).arn), t.arn);
  }
  for (const std::string& event : t.events) {
    if (!IsSupportedEventName(event)) {
      return Invalid("The event is not supported for notifications", "Event", event);
    }
  }
  for (auto& [name, value] : raw.rules) {
    std::string lower = Lower(name);
    std::optional<std::string>* slot = lower == "prefix"   ? &t.prefix
                                       : lower == "suffix" ? &t.suffix
                                                           : nullptr;
    if (slot == nullptr) {
      return Invalid("filter rule name must be either prefix or suffix", "FilterRule.Name", name);
    }
    if (slot->has_value()) {
      return Invalid("Cannot specify more than one " + lower + " rule in a filter.",
                     "FilterRule.Name", name);
    }
    *slot = std::move(value);
  }
  if (t.id.empty()) t.id = ll::Base64Encode(ll::NewUuid());  // 48 characters, like the Ids S3 makes
  return std::nullopt;
}

bool PatternsOverlap(std::string_view a, std::string_view b) {
  return EventPatternMatches(a, b) || EventPatternMatches(b, a);
}

// Two configurations conflict when some event and some key could match both: they share an
// event type, their prefixes overlap (one starts the other) and so do their suffixes. A missing
// rule overlaps everything.
std::optional<NotificationError> Overlap(const NotificationTarget& a, const NotificationTarget& b) {
  const std::string* shared_a = nullptr;
  const std::string* shared_b = nullptr;
  for (const std::string& ea : a.events) {
    for (const std::string& eb : b.events) {
      if (!shared_a && PatternsOverlap(ea, eb)) shared_a = &ea, shared_b = &eb;
    }
  }
  if (!shared_a) return std::nullopt;
  auto view = [](const std::optional<std::string>& rule) {
    return rule ? std::string_view(*rule) : std::string_view();
  };
  std::string_view pa = view(a.prefix), pb = view(b.prefix), sa = view(a.suffix), sb = view(b.suffix);
  if (!(pa.starts_with(pb) || pb.starts_with(pa))) return std::nullopt;
  if (!(sa.ends_with(sb) || sb.ends_with(sa))) return std::nullopt;
  bool filtered = a.prefix || a.suffix || b.prefix || b.suffix;
  if (filtered) {
    return Invalid(
        "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if "
        "the prefixes are overlapping for the same event type.");
  }
  return Invalid("Configurations overlap. Configurations on the same bucket cannot share a common "
                 "event type.",
                 "Event", *shared_a + ", " + *shared_b);
}

void AppendElement(std::string& out, std::string_view name, std::string_view text) {
  out += XmlElement(name, text);
}

void AppendTarget(std::string& out, const NotificationTarget& t) {
  KindNames names = NamesOf(t.kind);
  out.append("<").append(names.element).append(">");
  AppendElement(out, "Id", t.id);
  AppendElement(out, names.arn, t.arn);
  for (const std::string& event : t.events) AppendElement(out, "Event", event);
  if (t.prefix || t.suffix) {
    out += "<Filter><S3Key>";
    for (auto [name, value] : {std::pair{"Prefix", &t.prefix}, std::pair{"Suffix", &t.suffix}}) {
      if (!value->has_value()) continue;
      out += "<FilterRule>";
      AppendElement(out, "Name", name);
      AppendElement(out, "Value", **value);
      out += "</FilterRule>";
    }
    out += "</S3Key></Filter>";
  }
  out.append("</").append(names.element).append(">");
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer& w, std::string_view s) { w.String(s.data(), rapidjson::SizeType(s.size())); }

void Field(Writer& w, std::string_view key, std::string_view value) {
  Str(w, key);
  Str(w, value);
}

// "key": {"inner_key": "value"}
void Wrapped(Writer& w, std::string_view key, std::string_view inner_key, std::string_view value) {
  Str(w, key);
  w.StartObject();
  Field(w, inner_key, value);
  w.EndObject();
}

void StartObject(Writer& w, std::string_view key) {
  Str(w, key);
  w.StartObject();
}

}  // namespace

std::string ErrorArgumentsXml(const NotificationError& error) {
  std::string out;
  if (!error.argument_name.empty()) {
    AppendElement(out, "ArgumentName", error.argument_name);
    AppendElement(out, "ArgumentValue", error.argument_value);
  }
  for (size_t i = 0; i < error.numbered_arguments.size(); ++i) {
    std::string n = std::to_string(i + 1);
    AppendElement(out, "ArgumentName" + n, error.numbered_arguments[i].first);
    AppendElement(out, "ArgumentValue" + n, error.numbered_arguments[i].second);
  }
  return out;
}

NotificationConfigResult ParseNotificationConfiguration(std::string_view xml) {
  pugi::xml_document doc;
  // As a fragment, so that text beside the root is kept and can be refused below.
  if (!doc.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_fragment)) {
    return Malformed();
  }
  int roots = 0;
  for (pugi::xml_node top : doc.children()) {
    if (top.type() == pugi::node_pcdata || top.type() == pugi::node_cdata) return Malformed();
    roots += top.type() == pugi::node_element;
  }
  pugi::xml_node root = doc.document_element();
  if (roots != 1 || LocalName(root) != "NotificationConfiguration") return Malformed();

  NotificationConfig config;
  std::vector<RawTarget> raws;
  for (pugi::xml_node child : Elements(root)) {
    std::string_view name = LocalName(child);
    if (name == "EventBridgeConfiguration") {
      config.event_bridge_enabled = true;
      continue;
    }
    std::optional<TargetKind> kind;
    for (TargetKind k : {TargetKind::kLambda, TargetKind::kQueue, TargetKind::kTopic}) {
      if (name == NamesOf(k).element) kind = k;
    }
    if (!kind || !ReadTarget(child, *kind, raws.emplace_back())) return Malformed();
  }
  for (RawTarget& raw : raws) {
    if (auto error = Validate(raw)) return *error;
    config.targets.push_back(std::move(raw.target));
  }
  for (size_t i = 0; i < config.targets.size(); ++i) {
    for (size_t j = i + 1; j < config.targets.size(); ++j) {
      if (auto error = Overlap(config.targets[i], config.targets[j])) return *error;
    }
  }
  return config;
}

std::string SerializeNotificationConfiguration(const NotificationConfig& config) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NotificationConfiguration xmlns=\"";
  out += kNamespace;
  if (config.empty()) return out + "\"/>";
  out += "\">";
  for (TargetKind kind : {TargetKind::kTopic, TargetKind::kQueue, TargetKind::kLambda}) {
    for (const NotificationTarget& t : config.targets) {
      if (t.kind == kind) AppendTarget(out, t);
    }
  }
  if (config.event_bridge_enabled) out += "<EventBridgeConfiguration></EventBridgeConfiguration>";
  return out + "</NotificationConfiguration>";
}

DestinationFailure MissingQueue(std::string_view queue_arn) {
  return {std::string(queue_arn), "The destination queue does not exist"};
}

DestinationFailure MissingTopic(std::string_view topic_arn) {
  return {std::string(topic_arn), "The destination topic does not exist"};
}

DestinationFailure MissingFunction(std::string_view function_arn) {
  return {std::string(function_arn) + ", null",
          "Not authorized to invoke function [" + std::string(function_arn) + "]"};
}

NotificationError DestinationValidationError(const std::vector<DestinationFailure>& failures) {
  NotificationError error = Invalid("Unable to validate the following destination configurations");
  for (const DestinationFailure& f : failures) error.numbered_arguments.emplace_back(f.name, f.reason);
  return error;
}

std::span<const std::string_view> SupportedEventNames() { return kEventNames; }

bool IsSupportedEventName(std::string_view name) {
  for (std::string_view known : kEventNames) {
    if (known == name) return true;
  }
  return false;
}

bool EventPatternMatches(std::string_view pattern, std::string_view event_name) {
  if (pattern.ends_with('*')) return event_name.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == event_name;
}

bool Matches(const NotificationTarget& target, std::string_view event_name, std::string_view key) {
  bool event_matches = false;
  for (const std::string& pattern : target.events) {
    event_matches = event_matches || EventPatternMatches(pattern, event_name);
  }
  return event_matches && (!target.prefix || key.starts_with(*target.prefix)) &&
         (!target.suffix || key.ends_with(*target.suffix));
}

std::string BuildEventRecordJson(const S3EventInfo& info) {
  std::string_view name = info.event_name;
  if (name.starts_with("s3:")) name.remove_prefix(3);
  bool removal = name.starts_with("ObjectRemoved:") || name.starts_with("LifecycleExpiration:");
  bool metadata_change = name.starts_with("ObjectTagging:") || name.starts_with("ObjectAcl:");

  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Str(w, "Records");
  w.StartArray();
  w.StartObject();
  Field(w, "eventVersion", metadata_change ? "2.3" : "2.1");
  Field(w, "eventSource", "aws:s3");
  Field(w, "awsRegion", info.region);
  Field(w, "eventTime", IsoTimestampUtc(info.event_time));
  Field(w, "eventName", name);
  Wrapped(w, "userIdentity", "principalId", info.principal_id);
  Wrapped(w, "requestParameters", "sourceIPAddress", info.source_ip);
  StartObject(w, "responseElements");
  Field(w, "x-amz-request-id", info.request_id);
  Field(w, "x-amz-id-2", info.host_id);
  w.EndObject();
  StartObject(w, "s3");
  Field(w, "s3SchemaVersion", "1.0");
  Field(w, "configurationId", info.configuration_id);
  StartObject(w, "bucket");
  Field(w, "name", info.bucket);
  Wrapped(w, "ownerIdentity", "principalId", info.bucket_owner_principal_id);
  Field(w, "arn", "arn:aws:s3:::" + info.bucket);
  w.EndObject();
  StartObject(w, "object");
  Field(w, "key", EncodeEventKey(info.key));
  if (!removal && !metadata_change) {
    Str(w, "size");
    w.Uint64(info.size);
  }
  if (!removal) Field(w, "eTag", UnquotedEtag(info.etag));
  if (info.version_id) Field(w, "versionId", *info.version_id);
  if (!metadata_change) Field(w, "sequencer", info.sequencer);
  for (int i = 0; i < 3; ++i) w.EndObject();  // object, s3, the record
  w.EndArray();
  w.EndObject();
  return buffer.GetString();
}

std::string BuildTestEventJson(std::string_view bucket, std::string_view request_id,
                               std::string_view host_id, std::chrono::system_clock::time_point time) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Field(w, "Service", "Amazon S3");
  Field(w, "Event", "s3:TestEvent");
  Field(w, "Time", IsoTimestampUtc(time));
  Field(w, "Bucket", bucket);
  Field(w, "RequestId", request_id);
  Field(w, "HostId", host_id);
  w.EndObject();
  return buffer.GetString();
}

std::string EncodeEventKey(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    auto u = static_cast<unsigned char>(c);
    bool plain = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                 u == '-' || u == '_' || u == '.' || u == '~' || u == '/';
    if (plain) {
      out += c;
    } else if (u == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHexUpper[u >> 4];
      out += kHexUpper[u & 0xf];
    }
  }
  return out;
}

std::string Sequencer(uint64_t n) {
  std::string out(18, '0');
  for (size_t i = out.size(); i-- > 0 && n != 0; n >>= 4) out[i] = kHexUpper[n & 0xf];
  return out;
}

}  // namespace ll::s3
