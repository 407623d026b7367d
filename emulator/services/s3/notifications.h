// S3 bucket notifications, the pure part: the NotificationConfiguration XML that
// Put/GetBucketNotificationConfiguration carry, event-name and key-filter matching, and the JSON
// bodies S3 delivers (the 2.1 event record and the s3:TestEvent message). No I/O, no state.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ll::s3 {

// Where a configuration delivers: <CloudFunctionConfiguration>, <QueueConfiguration>,
// <TopicConfiguration>.
enum class TargetKind { kLambda, kQueue, kTopic };

struct NotificationTarget {
  TargetKind kind = TargetKind::kLambda;
  std::string id;                   // given, or generated when the request had none
  std::string arn;                  // <CloudFunction> / <Queue> / <Topic>
  std::vector<std::string> events;  // "s3:ObjectCreated:*", "s3:ObjectRemoved:Delete", ...
  std::optional<std::string> prefix;  // FilterRule "prefix" (any case), at most one
  std::optional<std::string> suffix;  // FilterRule "suffix" (any case), at most one
};

struct NotificationConfig {
  std::vector<NotificationTarget> targets;  // in request order
  bool event_bridge_enabled = false;        // <EventBridgeConfiguration/>
  bool empty() const { return targets.empty() && !event_bridge_enabled; }
};

// An error as S3 answers it. InvalidArgument carries <ArgumentName>/<ArgumentValue> when
// argument_name is set; destination validation instead lists each rejected destination as
// <ArgumentName1>/<ArgumentValue1>, <ArgumentName2>/... (numbered_arguments).
struct NotificationError {
  std::string code;  // "MalformedXML" or "InvalidArgument"
  std::string message;
  std::string argument_name;
  std::string argument_value;
  std::vector<std::pair<std::string, std::string>> numbered_arguments;
};

// The extra elements of the <Error> document for `error` (empty when it has none), escaped,
// to be placed after <Message>: "<ArgumentName>Event</ArgumentName><ArgumentValue>…".
std::string ErrorArgumentsXml(const NotificationError& error);

class [[nodiscard]] NotificationConfigResult {
 public:
  NotificationConfigResult(NotificationConfig config) : v_(std::move(config)) {}  // NOLINT
  NotificationConfigResult(NotificationError error) : v_(std::move(error)) {}     // NOLINT
  bool ok() const { return v_.index() == 0; }
  const NotificationConfig& value() const { return std::get<0>(v_); }
  NotificationConfig& value() { return std::get<0>(v_); }
  const NotificationError& error() const { return std::get<1>(v_); }

 private:
  std::variant<NotificationConfig, NotificationError> v_;
};

// Parses and validates a PutBucketNotificationConfiguration body, as S3 does: element local
// names (with or without the S3 namespace or a prefix), ARNs of the right service, supported
// event names, prefix/suffix rules, no two configurations that could both match one event.
// Missing Ids are generated. Destinations are not checked here (see DestinationValidationError).
NotificationConfigResult ParseNotificationConfiguration(std::string_view xml);

// The GetBucketNotificationConfiguration body: Topic, Queue, then CloudFunction configurations
// (each in request order), then EventBridgeConfiguration. FilterRule names come back as
// "Prefix" / "Suffix", as S3 returns them.
std::string SerializeNotificationConfiguration(const NotificationConfig& config);

// --- Destination validation (the caller knows which queues, topics and functions exist) -----
struct DestinationFailure {
  std::string name;    // ArgumentNameN
  std::string reason;  // ArgumentValueN
};
DestinationFailure MissingQueue(std::string_view queue_arn);
DestinationFailure MissingTopic(std::string_view topic_arn);
DestinationFailure MissingFunction(std::string_view function_arn);  // S3 words it as "Not authorized"
// InvalidArgument "Unable to validate the following destination configurations". `failures`
// must not be empty.
NotificationError DestinationValidationError(const std::vector<DestinationFailure>& failures);

// --- Event names --------------------------------------------------------------------------------
// Every event name a configuration may list (botocore's s3 `Event` enum), wildcards included.
std::span<const std::string_view> SupportedEventNames();
bool IsSupportedEventName(std::string_view name);
// "s3:ObjectCreated:*" matches "s3:ObjectCreated:Put"; a name without '*' matches only itself.
bool EventPatternMatches(std::string_view pattern, std::string_view event_name);
// True when S3 would deliver `event_name` ("s3:ObjectCreated:Put") for `key` (the raw key) to
// `target`: one of its events matches and the key has its prefix and suffix (case-sensitive).
bool Matches(const NotificationTarget& target, std::string_view event_name, std::string_view key);

// --- Message bodies -----------------------------------------------------------------------------
struct S3EventInfo {
  std::string region;
  std::string event_name;  // with the "s3:" prefix: "s3:ObjectCreated:Put"
  std::chrono::system_clock::time_point event_time;
  std::string principal_id;  // userIdentity.principalId, e.g. "AWS:AIDAINPONIXQXHT3IKHL2"
  std::string source_ip;     // requestParameters.sourceIPAddress
  std::string request_id;    // x-amz-request-id of the request that caused the event
  std::string host_id;       // x-amz-id-2 of that request
  std::string configuration_id;  // the target's Id
  std::string bucket;
  std::string bucket_owner_principal_id;
  std::string key;  // raw; encoded here
  uint64_t size = 0;
  std::string etag;                       // with or without its quotes
  std::optional<std::string> version_id;  // only for a bucket with versioning
  std::string sequencer;                  // see Sequencer()
};

// {"Records":[{...}]}: AWS's record, eventVersion 2.1. eventName loses its "s3:" prefix; the key
// is form-encoded. ObjectCreated/ObjectRestore records carry size and eTag; ObjectRemoved and
// LifecycleExpiration carry neither; ObjectTagging/ObjectAcl are version 2.3 with eTag but no
// size or sequencer.
std::string BuildEventRecordJson(const S3EventInfo& info);

// The message S3 sends to a queue or topic when a configuration is saved.
std::string BuildTestEventJson(std::string_view bucket, std::string_view request_id,
                               std::string_view host_id, std::chrono::system_clock::time_point time);

// The key as S3 writes it in a record: form URL-encoding ("red flower.jpg" -> "red+flower.jpg",
// "a@b" -> "a%40b"), with '/' left as is and upper-case hex escapes.
std::string EncodeEventKey(std::string_view key);

// A sequencer for the n-th change of a key: 18 upper-case hex digits, zero-padded, so later
// changes compare greater as strings ("0000000000000000A1").
std::string Sequencer(uint64_t n);

}  // namespace ll::s3
