// AWS::Lambda::Function: a function whose Code is a local folder; Globals do not apply.
#include "template/resources/function_events.h"
#include "template/resources/function_properties.h"
#include "template/resources/handlers.h"

namespace ll {

Status LoadLambdaFunction(const TemplateContext& context, const Resource& resource,
                          LoadedTemplate& out) {
  // CloudFormation has no Events here, but SAM-style Events given anyway have always been
  // read, so a template that relies on them keeps its mappings.
  Status events = ReadFunctionEvents(context, resource, out);
  if (!events.ok()) return events;
  return AddFunction(context, resource, "Code", YAML::Node(YAML::NodeType::Undefined), out);
}

}  // namespace ll
