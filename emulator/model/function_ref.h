// Parses the FunctionName forms the Lambda API accepts: name, name:qualifier,
// arn:aws:lambda:region:account:function:name[:qualifier], account:function:name[:qualifier].
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace ll {

struct FunctionRef {
  std::string name;
  std::string qualifier;  // empty when none was given
  std::string region;     // empty unless an ARN named one
  std::string account_id; // empty unless an ARN or partial ARN named one
};

Result<FunctionRef> ParseFunctionRef(std::string_view text);

}  // namespace ll
