// The properties AWS::Serverless::Function and AWS::Lambda::Function share, read into a
// FunctionConfig.
#pragma once

#include <yaml-cpp/yaml.h>

#include "base/status.h"
#include "template/resource_handlers.h"

namespace ll {

// Reads the function (Runtime, Handler, its code folder from `code_key`, MemorySize, Timeout,
// ReservedConcurrentExecutions, Environment), each property from the resource or else from
// `globals` (undefined for none), and appends it to `out.functions`. Two functions may not
// share a name.
Status AddFunction(const TemplateContext& context, const Resource& resource,
                   const char* code_key, const YAML::Node& globals, LoadedTemplate& out);

}  // namespace ll
