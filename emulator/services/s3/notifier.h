// Notifier: S3's event notifications, delivered. Keeps each bucket's parsed configuration,
// matches an object event against it, and sends AWS's record through the destination registry
// (functions invoked asynchronously, queues, topics), so that S3 includes no other service.
//
// Thread-safety: every method is thread-safe; nothing is sent under the lock.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "invoke/destinations.h"
#include "invoke/invoke_sink.h"
#include "services/s3/notifications.h"

namespace ll::s3 {

// One change to an object, as a notification describes it.
struct ObjectEvent {
  std::string event_name;  // "s3:ObjectCreated:Put", ...
  std::string bucket;
  std::string key;
  uint64_t size = 0;
  std::string etag;
  std::string request_id;
  std::string host_id;
  std::string principal_id;
  std::optional<std::string> version_id;  // for a versioned bucket ("null" for the null version)
};

class Notifier {
 public:
  // `notice` reports a delivery that failed (one line for the console).
  Notifier(Destinations* destinations, InvokeSink* functions, std::string region,
           std::function<void(const std::string&)> notice);

  // Checks that every destination exists, as S3 does when a configuration is put: functions
  // are looked up; queues and topics are sent the s3:TestEvent message.
  std::optional<NotificationError> ValidateDestinations(const NotificationConfig& config,
                                                        const std::string& bucket,
                                                        const std::string& request_id,
                                                        const std::string& host_id);
  // The configuration events of `bucket` go to from now on (empty: none).
  void SetConfig(const std::string& bucket, NotificationConfig config);
  void Notify(const ObjectEvent& event);

 private:
  Destinations* const destinations_;
  InvokeSink* const functions_;
  const std::string region_;
  const std::function<void(const std::string&)> notice_;
  std::atomic<uint64_t> sequence_;  // grows with every event, so sequencers grow per key

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const NotificationConfig>> configs_;  // guarded by mu_
};

}  // namespace ll::s3
