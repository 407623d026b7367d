// JSON shapes of the Lambda control plane for a template-defined function
// (FunctionConfiguration, GetFunction's answer).
#pragma once

#include <string>

#include "model/function_config.h"

namespace ll {

std::string FunctionConfigurationJson(const FunctionConfig& fn);
std::string FunctionJson(const FunctionConfig& fn);

}  // namespace ll
