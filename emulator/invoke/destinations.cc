#include "invoke/destinations.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "model/error_names.h"

namespace ll {

void Destinations::Register(std::string service, DestinationSender sender) {
  std::lock_guard<std::mutex> lock(mu_);
  senders_[std::move(service)] = std::move(sender);
}

std::string_view Destinations::ServiceOf(std::string_view arn) {
  // arn:<partition>:<service>:...
  if (!StartsWith(arn, "arn:")) return {};
  size_t partition_end = arn.find(':', 4);
  if (partition_end == std::string_view::npos) return {};
  size_t service_end = arn.find(':', partition_end + 1);
  if (service_end == std::string_view::npos) return {};
  return arn.substr(partition_end + 1, service_end - partition_end - 1);
}

Status Destinations::Send(const std::string& arn, std::string payload) const {
  DestinationMessage message;
  message.body = std::move(payload);
  return Send(arn, std::move(message));
}

Status Destinations::Send(const std::string& arn, DestinationMessage message) const {
  const std::string_view service = ServiceOf(arn);
  DestinationSender sender;
  std::string served;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = senders_.find(service);
    if (it != senders_.end()) {
      sender = it->second;
    } else {
      for (const auto& [name, unused] : senders_) served += (served.empty() ? "" : ", ") + name;
    }
  }
  if (!sender) {
    return Status::Error(errors::kInvalidParameterValue,
                         fmt::format("{} is not a destination this version of lambda-local serves "
                                     "(it serves {})",
                                     arn, served.empty() ? "none" : served));
  }
  return sender(arn, std::move(message));
}

}  // namespace ll
