// AWS::Serverless::Function: a function with SAM's defaults (CodeUri, Globals.Function) and
// its Events.
#include "template/resources/function_events.h"
#include "template/resources/function_properties.h"
#include "template/resources/handlers.h"

namespace ll {

Status LoadServerlessFunction(const TemplateContext& context, const Resource& resource,
                              LoadedTemplate& out) {
  Status events = ReadFunctionEvents(context, resource, out);
  if (!events.ok()) return events;
  if (Status url = ReadFunctionUrlConfig(context, resource, out); !url.ok()) return url;
  return AddFunction(context, resource, "CodeUri", context.function_globals, out);
}

}  // namespace ll
