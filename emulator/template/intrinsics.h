// Reading a template document and resolving its intrinsic functions (!Ref, !Sub, !GetAtt,
// !Join and their Fn:: forms) to strings over Parameters, pseudo parameters and the names
// the resource handlers gave their resources. Every resource handler reads values through here.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "base/status.h"
#include "template/template_loader.h"

namespace ll {

// Every template problem is one InvalidTemplate line.
Status TemplateError(std::string message);

// The document's root, which must be a map. Syntax errors become one InvalidTemplate line.
Result<YAML::Node> ReadTemplateDocument(std::string_view text);

// Parameters' Default values, then `overrides` on top. Throws YAML::Exception on a Default
// that is not a scalar (the loader turns it into one line).
std::map<std::string, std::string> ReadParameters(
    const YAML::Node& root, const std::map<std::string, std::string>& overrides);

// One resource as intrinsic functions see it, chosen by its handler before any resource is read.
struct ResourceSymbols {
  std::string name;  // the physical name lambda-local gives it (a queue's or a function's name)
  std::string ref;   // what !Ref gives: a function's name, a queue's URL
  std::map<std::string, std::string> attributes;  // what !GetAtt gives, by attribute name
};

// Evaluates intrinsic functions to strings. Immutable after construction, so handlers may
// share one; borrows `options`, which must outlive it.
class Resolver {
 public:
  Resolver(const TemplateOptions& options, std::map<std::string, std::string> parameters,
           std::map<std::string, ResourceSymbols> resources = {});

  // A scalar (any tag but an intrinsic's: unknown tags on scalars pass through) or an
  // intrinsic function, short or long form.
  Result<std::string> Eval(const YAML::Node& node) const;
  // A parameter, a pseudo parameter, a named resource; another resource's logical id stands
  // in for its physical id.
  Result<std::string> Ref(const std::string& name) const;
  // A named resource's attribute; for any other resource, Arn is a made-up local ARN and
  // every other attribute gives the logical id.
  Result<std::string> GetAttr(const std::string& resource, const std::string& attribute) const;

 private:
  Result<std::string> GetAtt(const YAML::Node& node) const;
  Result<std::string> Join(const YAML::Node& node) const;
  Result<std::string> Sub(const YAML::Node& node) const;

  const TemplateOptions& options_;
  const std::map<std::string, std::string> parameters_;
  const std::map<std::string, ResourceSymbols> resources_;
};

// An integer property; `what` names it in the error ("function F: Timeout").
Result<int> EvalInt(const Resolver& resolver, const YAML::Node& node, const std::string& what);

// A value that may be given as a map or as a JSON string (RedrivePolicy, a filter Pattern), as
// JSON text with intrinsics evaluated; plain scalars that look like numbers, booleans or null
// stay unquoted (filter patterns compare numbers).
Result<std::string> JsonOrString(const Resolver& resolver, const YAML::Node& node);

}  // namespace ll
