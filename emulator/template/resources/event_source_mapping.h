// The properties SAM's `Events: Type: SQS` and AWS::Lambda::EventSourceMapping share.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "base/status.h"
#include "template/intrinsics.h"
#include "template/template_loader.h"

namespace ll {

// A mapping of `function_name` to the queue named by `props[source_key]` ("Queue" in a SAM
// event, "EventSourceArn" in the resource), which is required.
Result<MappingResource> ReadMappingProperties(const Resolver& resolver,
                                              const std::string& logical_id,
                                              const std::string& function_name,
                                              const YAML::Node& props, const char* source_key);

}  // namespace ll
