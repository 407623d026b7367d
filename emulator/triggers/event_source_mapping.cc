#include "triggers/event_source_mapping.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace ll {

std::string EventSourceMappingJson(const EventSourceMapping& m, const std::string& state,
                                   const std::string& region, const std::string& account_id) {
  std::string out = "{\"UUID\":" + JsonQuote(m.uuid);
  out += fmt::format(",\"BatchSize\":{},\"MaximumBatchingWindowInSeconds\":{}", m.batch_size,
                     m.maximum_batching_window_s);
  out += ",\"EventSourceArn\":" + JsonQuote(m.event_source_arn);
  if (!m.filter_patterns.empty()) {
    out += ",\"FilterCriteria\":{\"Filters\":[";
    for (size_t i = 0; i < m.filter_patterns.size(); ++i) {
      if (i) out += ",";
      out += "{\"Pattern\":" + JsonQuote(m.filter_patterns[i]) + "}";
    }
    out += "]}";
  }
  out += ",\"FunctionArn\":" + JsonQuote(m.function_arn);
  out += fmt::format(",\"LastModified\":{:.3f}", m.last_modified);
  out += ",\"State\":" + JsonQuote(state) + ",\"StateTransitionReason\":\"USER_INITIATED\"";
  out += ",\"FunctionResponseTypes\":[";
  for (size_t i = 0; i < m.function_response_types.size(); ++i) {
    if (i) out += ",";
    out += JsonQuote(m.function_response_types[i]);
  }
  out += "]";
  if (m.maximum_concurrency) {
    out += fmt::format(",\"ScalingConfig\":{{\"MaximumConcurrency\":{}}}", *m.maximum_concurrency);
  }
  out += ",\"EventSourceMappingArn\":" +
         JsonQuote(fmt::format("arn:aws:lambda:{}:{}:event-source-mapping:{}", region, account_id,
                               m.uuid));
  out += "}";
  return out;
}

}  // namespace ll
