#include "services/s3/notifier.h"

#include <chrono>

#include "base/strings.h"
#include "model/function_ref.h"

namespace ll::s3 {
namespace {

// What S3 publishes to a topic: the record, with S3's subject.
DestinationMessage TopicMessage(std::string record) {
  DestinationMessage m;
  m.body = std::move(record);
  m.subject = "Amazon S3 Notification";
  return m;
}

}  // namespace

Notifier::Notifier(Destinations* destinations, InvokeSink* functions, std::string region,
                   std::function<void(const std::string&)> notice)
    : destinations_(destinations),
      functions_(functions),
      region_(std::move(region)),
      notice_(std::move(notice)),
      // Sequencers keep growing across restarts: start from the clock.
      sequence_(uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count())) {}

std::optional<NotificationError> Notifier::ValidateDestinations(const NotificationConfig& config,
                                                                const std::string& bucket,
                                                                const std::string& request_id,
                                                                const std::string& host_id) {
  std::vector<DestinationFailure> failures;
  const std::string test_event =
      BuildTestEventJson(bucket, request_id, host_id, std::chrono::system_clock::now());
  for (const NotificationTarget& target : config.targets) {
    switch (target.kind) {
      case TargetKind::kLambda: {
        auto ref = ParseFunctionRef(target.arn);
        if (!ref.ok() || !functions_->Resolve(ref->name, ref->qualifier).ok()) {
          failures.push_back(MissingFunction(target.arn));
        }
        break;
      }
      case TargetKind::kQueue:
        if (!destinations_->Send(target.arn, test_event).ok()) failures.push_back(MissingQueue(target.arn));
        break;
      case TargetKind::kTopic:
        if (!destinations_->Send(target.arn, TopicMessage(test_event)).ok()) {
          failures.push_back(MissingTopic(target.arn));
        }
        break;
    }
  }
  if (failures.empty()) return std::nullopt;
  return DestinationValidationError(failures);
}

void Notifier::SetConfig(const std::string& bucket, NotificationConfig config) {
  std::lock_guard lock(mu_);
  if (config.targets.empty()) {
    configs_.erase(bucket);
  } else {
    configs_[bucket] = std::make_shared<const NotificationConfig>(std::move(config));
  }
}

void Notifier::Notify(const ObjectEvent& event) {
  std::shared_ptr<const NotificationConfig> config;
  {
    std::lock_guard lock(mu_);
    auto it = configs_.find(event.bucket);
    if (it == configs_.end()) return;
    config = it->second;
  }
  S3EventInfo info;
  info.region = region_;
  info.event_name = event.event_name;
  info.event_time = std::chrono::system_clock::now();
  info.principal_id = event.principal_id;
  info.source_ip = "127.0.0.1";
  info.request_id = event.request_id;
  info.host_id = event.host_id;
  info.bucket = event.bucket;
  info.bucket_owner_principal_id = event.principal_id;
  info.key = event.key;
  info.size = event.size;
  info.etag = event.etag;
  info.version_id = event.version_id;
  info.sequencer = Sequencer(sequence_.fetch_add(1));
  for (const NotificationTarget& target : config->targets) {
    if (!Matches(target, event.event_name, event.key)) continue;
    info.configuration_id = target.id;
    // Functions are invoked with InvocationType Event: the async queue's retries and
    // destinations apply, as on AWS.
    std::string record = BuildEventRecordJson(info);
    Status sent = target.kind == TargetKind::kTopic
                      ? destinations_->Send(target.arn, TopicMessage(std::move(record)))
                      : destinations_->Send(target.arn, std::move(record));
    if (!sent.ok() && notice_) {
      notice_("S3 notification for s3://" + event.bucket + "/" + event.key + " to " + target.arn +
              " not delivered: " + sent.message());
    }
  }
}

}  // namespace ll::s3
