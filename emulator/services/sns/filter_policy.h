// FilterPolicy: one subscription's FilterPolicy in SNS's filter-policy language, deciding which
// publishes reach the subscriber, matched against the message attributes or the message body as
// the subscription's FilterPolicyScope says. Parsed once, then immutable: copies share one tree
// and the Matches functions may run on any thread.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "services/sns/message.h"

namespace ll::sns {

enum class FilterPolicyScope { kMessageAttributes, kMessageBody };

// "MessageAttributes" / "MessageBody" -> scope; nullopt otherwise.
std::optional<FilterPolicyScope> ParseFilterPolicyScope(std::string_view text);

class FilterPolicy {
 public:
  // InvalidParameter with AWS's message when the JSON is malformed, an operator is unknown or
  // misused, or a limit is exceeded (256 KB; 5 keys; 150 combinations; no nesting in the
  // MessageAttributes scope). Messages read as SetSubscriptionAttributes words them
  // ("Invalid parameter: FilterPolicy: ..."); Subscribe inserts "Attributes Reason: " after
  // "Invalid parameter: ". "{}" is accepted and matches every message.
  static Result<FilterPolicy> Parse(std::string_view json, FilterPolicyScope scope);

  FilterPolicyScope scope() const;

  // The MessageAttributes scope. String attributes hold a string, Number attributes a number,
  // String.Array attributes a JSON array any element of which may match; Binary attributes are
  // ignored, and a publish without any other attribute matches no policy but "{}".
  bool MatchesAttributes(const MessageAttributes& attributes) const;

  // The MessageBody scope: `message` must be a JSON object (anything else matches no policy but
  // "{}"). Nested policy keys and dotted keys name the same path ({"a": {"b": ..}} is "a.b"),
  // and a body array matches when any element does.
  bool MatchesBody(std::string_view message) const;

  struct Tree;  // the parsed policy; defined in filter_policy.cc

 private:
  explicit FilterPolicy(std::shared_ptr<const Tree> tree) : tree_(std::move(tree)) {}
  std::shared_ptr<const Tree> tree_;  // never null
};

}  // namespace ll::sns
