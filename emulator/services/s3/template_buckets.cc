#include "services/s3/template_buckets.h"

#include <fmt/format.h>

#include <map>

#include "model/error_names.h"
#include "services/s3/s3_xml.h"

namespace ll::s3 {
namespace {

NotificationTarget TargetOf(const BucketTarget& t) {
  NotificationTarget target;
  target.kind = t.kind == "queue" ? TargetKind::kQueue
                : t.kind == "topic" ? TargetKind::kTopic
                                    : TargetKind::kLambda;
  target.id = t.id;
  target.arn = t.arn;
  target.events = t.events;
  if (!t.prefix.empty()) target.prefix = t.prefix;
  if (!t.suffix.empty()) target.suffix = t.suffix;
  return target;
}

}  // namespace

Status ProvisionBuckets(const LoadedTemplate& loaded, S3Service& s3, Notifier& notifier) {
  ObjectStore& objects = s3.objects();
  std::map<std::string, NotificationConfig> configs;
  for (const BucketResource& bucket : loaded.buckets) {
    auto invalid = [&](const Status& s) {
      return Status::Error(ll::errors::kInvalidTemplate,
                           fmt::format("bucket {}: {}", bucket.logical_id, s.message()));
    };
    if (Status s = ValidateBucketName(bucket.name); !s.ok()) return invalid(s);
    if (Status s = objects.CreateBucket(bucket.name, s3.options().region, true); !s.ok()) {
      return invalid(s);
    }
    if (!bucket.versioning.empty()) {
      XmlWriter x;
      x.Open("VersioningConfiguration", kS3Namespace).Leaf("Status", bucket.versioning);
      x.Close("VersioningConfiguration");
      if (Status s = objects.SetVersioning(bucket.name, bucket.versioning, x.Take()); !s.ok()) {
        return invalid(s);
      }
    }
    if (!bucket.tags.empty()) {
      XmlWriter x;
      x.Open("Tagging", kS3Namespace).Open("TagSet");
      for (const auto& [k, v] : bucket.tags) x.Open("Tag").Leaf("Key", k).Leaf("Value", v).Close("Tag");
      x.Close("TagSet").Close("Tagging");
      if (Status s = objects.SetBucketSetting(bucket.name, "tagging", x.Take()); !s.ok()) {
        return invalid(s);
      }
    }
    NotificationConfig& config = configs[bucket.name];
    for (const BucketTarget& t : bucket.notifications) config.targets.push_back(TargetOf(t));
  }
  for (const auto& [bucket, target] : loaded.bucket_events) {
    if (!objects.GetBucket(bucket).ok()) {
      // A bucket outside the template (as SAM requires it to be inside, say so).
      return Status::Error(ll::errors::kInvalidTemplate,
                           fmt::format("event {}: bucket {} is not a bucket of this template",
                                       target.id, bucket));
    }
    configs[bucket].targets.push_back(TargetOf(target));
  }
  // The template's notifications replace what the API set on these buckets before.
  for (auto& [bucket, config] : configs) {
    if (config.targets.empty()) continue;
    std::string xml = SerializeNotificationConfiguration(config);
    if (Status s = objects.SetBucketSetting(bucket, "notification", xml); !s.ok()) return s;
    notifier.SetConfig(bucket, std::move(config));
  }
  return Status::Ok();
}

}  // namespace ll::s3
