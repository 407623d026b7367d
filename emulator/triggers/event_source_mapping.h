// EventSourceMapping: one event source mapping as the Lambda API describes it, as a value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ll {

struct EventSourceMapping {
  std::string uuid;
  std::string event_source_arn;
  std::string function_name;
  std::string qualifier;       // "" for the unqualified function
  std::string function_arn;    // as reported: qualified when a qualifier was given
  int batch_size = 10;
  int maximum_batching_window_s = 0;
  bool enabled = true;
  std::vector<std::string> function_response_types;
  std::optional<int> maximum_concurrency;    // ScalingConfig.MaximumConcurrency
  std::vector<std::string> filter_patterns;  // FilterCriteria.Filters[].Pattern
  double last_modified = 0;                  // epoch seconds
  bool from_template = false;  // made anew from the template at each start, so never kept

  bool reports_batch_item_failures() const {
    for (const auto& t : function_response_types) {
      if (t == "ReportBatchItemFailures") return true;
    }
    return false;
  }
};

// The mapping as kept across restarts, and back. StateInvalid for what was not written by
// MappingStateJson.
std::string MappingStateJson(const EventSourceMapping& m);
Result<EventSourceMapping> ParseMappingState(std::string_view json);

// EventSourceMappingConfiguration JSON; `state` is e.g. "Enabled", "Creating", "Deleting".
std::string EventSourceMappingJson(const EventSourceMapping& m, const std::string& state,
                                   const std::string& region, const std::string& account_id);

}  // namespace ll
