// A function's SAM `Events:`, translated to what lambda-local emulates for them.
#pragma once

#include "base/status.h"
#include "template/resource_handlers.h"

namespace ll {

// Each event of `function`'s Events map: an SQS event becomes an event source mapping in
// `out.mappings` named "Function.Event"; any other type is listed in `out.ignored`.
Status ReadFunctionEvents(const TemplateContext& context, const Resource& function,
                          LoadedTemplate& out);

}  // namespace ll
