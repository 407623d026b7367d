#include "template/template_loader.h"

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "base/strings.h"

namespace ll {
namespace {

constexpr char kServerlessFunction[] = "AWS::Serverless::Function";
constexpr char kLambdaFunction[] = "AWS::Lambda::Function";
constexpr char kSqsQueue[] = "AWS::SQS::Queue";
constexpr char kEventSourceMapping[] = "AWS::Lambda::EventSourceMapping";

Status TemplateError(std::string message) {
  return Status::Error("InvalidTemplate", std::move(message));
}

// Evaluates intrinsic functions to strings. Holds the template's symbol tables.
class Evaluator {
 public:
  Evaluator(const TemplateOptions& options, std::map<std::string, std::string> parameters,
            std::map<std::string, std::string> function_names,
            std::map<std::string, std::string> queue_names = {})
      : options_(options),
        parameters_(std::move(parameters)),
        function_names_(std::move(function_names)),
        queue_names_(std::move(queue_names)) {}

  Result<std::string> Eval(const YAML::Node& node) const {
    const std::string& tag = node.Tag();
    if (tag == "!Ref") return Ref(node.as<std::string>());
    if (tag == "!Sub") return Sub(node);
    if (tag == "!GetAtt") return GetAtt(node);
    if (tag == "!Join") return Join(node);
    if (node.IsMap() && node.size() == 1) {
      auto it = node.begin();
      const std::string key = it->first.as<std::string>();
      if (key == "Ref") return Ref(it->second.as<std::string>());
      if (key == "Fn::Sub") return Sub(it->second);
      if (key == "Fn::GetAtt") return GetAtt(it->second);
      if (key == "Fn::Join") return Join(it->second);
    }
    if (node.IsScalar()) return node.as<std::string>();
    if (!tag.empty() && tag != "?" && tag != "!") {
      return TemplateError(fmt::format("unsupported intrinsic function {}", tag));
    }
    return TemplateError("expected a string value");
  }

  Result<std::string> Ref(const std::string& name) const {
    if (auto it = parameters_.find(name); it != parameters_.end()) return it->second;
    if (name == "AWS::Region") return options_.region;
    if (name == "AWS::AccountId") return options_.account_id;
    if (name == "AWS::Partition") return std::string("aws");
    if (name == "AWS::URLSuffix") return std::string("amazonaws.com");
    if (name == "AWS::StackName") return std::string("lambda-local");
    if (name == "AWS::StackId") {
      return fmt::format("arn:aws:cloudformation:{}:{}:stack/lambda-local/local", options_.region,
                         options_.account_id);
    }
    if (name == "AWS::NoValue") return std::string();
    if (auto it = function_names_.find(name); it != function_names_.end()) return it->second;
    if (auto it = queue_names_.find(name); it != queue_names_.end()) {
      return fmt::format("{}/{}/{}", options_.endpoint, options_.account_id, it->second);
    }
    return name;  // another resource: its logical id stands in for the physical id
  }

 private:
  Result<std::string> GetAttr(const std::string& resource, const std::string& attribute) const {
    if (auto it = function_names_.find(resource); it != function_names_.end()) {
      if (attribute == "Arn") {
        return fmt::format("arn:aws:lambda:{}:{}:function:{}", options_.region,
                           options_.account_id, it->second);
      }
    }
    if (auto it = queue_names_.find(resource); it != queue_names_.end()) {
      if (attribute == "Arn") {
        return fmt::format("arn:aws:sqs:{}:{}:{}", options_.region, options_.account_id, it->second);
      }
      if (attribute == "QueueName") return it->second;
      if (attribute == "QueueUrl") {
        return fmt::format("{}/{}/{}", options_.endpoint, options_.account_id, it->second);
      }
    }
    if (attribute == "Arn") {
      return fmt::format("arn:aws:local:{}:{}:{}", options_.region, options_.account_id, resource);
    }
    return resource;
  }

  Result<std::string> GetAtt(const YAML::Node& node) const {
    if (node.IsScalar()) {
      std::string s = node.as<std::string>();
      size_t dot = s.find('.');
      if (dot == std::string::npos) return TemplateError("!GetAtt needs Resource.Attribute");
      return GetAttr(s.substr(0, dot), s.substr(dot + 1));
    }
    if (node.IsSequence() && node.size() == 2) {
      return GetAttr(node[0].as<std::string>(), node[1].as<std::string>());
    }
    return TemplateError("!GetAtt needs Resource.Attribute");
  }

  Result<std::string> Join(const YAML::Node& node) const {
    if (!node.IsSequence() || node.size() != 2 || !node[1].IsSequence()) {
      return TemplateError("!Join needs [delimiter, [values]]");
    }
    std::string delimiter = node[0].as<std::string>();
    std::string out;
    for (size_t i = 0; i < node[1].size(); ++i) {
      auto part = Eval(node[1][i]);
      if (!part.ok()) return part.status();
      if (i) out += delimiter;
      out += *part;
    }
    return out;
  }

  Result<std::string> Sub(const YAML::Node& node) const {
    std::string text;
    std::map<std::string, std::string> vars;
    if (node.IsScalar()) {
      text = node.as<std::string>();
    } else if (node.IsSequence() && node.size() == 2 && node[1].IsMap()) {
      text = node[0].as<std::string>();
      for (const auto& kv : node[1]) {
        auto v = Eval(kv.second);
        if (!v.ok()) return v.status();
        vars[kv.first.as<std::string>()] = *v;
      }
    } else {
      return TemplateError("!Sub needs a string or [string, {variables}]");
    }
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
      size_t start = text.find("${", i);
      if (start == std::string::npos) {
        out.append(text, i, std::string::npos);
        break;
      }
      out.append(text, i, start - i);
      size_t end = text.find('}', start);
      if (end == std::string::npos) return TemplateError("!Sub: unterminated ${ in '" + text + "'");
      std::string name = text.substr(start + 2, end - start - 2);
      if (!name.empty() && name[0] == '!') {
        out += "${" + name.substr(1) + "}";  // ${!Literal} escapes substitution
      } else if (auto it = vars.find(name); it != vars.end()) {
        out += it->second;
      } else if (size_t dot = name.find('.'); dot != std::string::npos) {
        auto v = GetAttr(name.substr(0, dot), name.substr(dot + 1));
        if (!v.ok()) return v.status();
        out += *v;
      } else {
        auto v = Ref(name);
        if (!v.ok()) return v.status();
        out += *v;
      }
      i = end + 1;
    }
    return out;
  }

  const TemplateOptions& options_;
  std::map<std::string, std::string> parameters_;
  std::map<std::string, std::string> function_names_;
  std::map<std::string, std::string> queue_names_;
};

Result<int> EvalInt(const Evaluator& eval, const YAML::Node& node, const std::string& what) {
  auto s = eval.Eval(node);
  if (!s.ok()) return s.status();
  try {
    size_t used = 0;
    int v = std::stoi(*s, &used);
    if (used != s->size()) throw std::invalid_argument(*s);
    return v;
  } catch (const std::exception&) {
    return TemplateError(fmt::format("{} must be an integer, got '{}'", what, *s));
  }
}

// Property lookup: the function's own value, else the Globals.Function value.
YAML::Node Prop(const YAML::Node& props, const YAML::Node& globals, const char* key) {
  if (props && props.IsMap() && props[key]) return props[key];
  if (globals && globals.IsMap() && globals[key]) return globals[key];
  return YAML::Node(YAML::NodeType::Undefined);  // a default Node is Null, which tests true
}

bool LooksNumeric(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end && *end == '\0' && s.find_first_of("xX") == std::string::npos;
}

// A YAML value as JSON text, intrinsics evaluated; plain scalars that look like numbers,
// booleans or null stay unquoted (filter patterns compare numbers).
Result<std::string> NodeToJson(const Evaluator& eval, const YAML::Node& node) {
  const std::string& tag = node.Tag();
  bool intrinsic = (!tag.empty() && tag != "?" && tag != "!") ||
                   (node.IsMap() && node.size() == 1 &&
                    (node.begin()->first.as<std::string>() == "Ref" ||
                     node.begin()->first.as<std::string>().rfind("Fn::", 0) == 0));
  if (intrinsic) {
    auto v = eval.Eval(node);
    if (!v.ok()) return v.status();
    return JsonQuote(*v);
  }
  if (node.IsMap()) {
    std::string out = "{";
    for (const auto& kv : node) {
      auto v = NodeToJson(eval, kv.second);
      if (!v.ok()) return v.status();
      if (out.size() > 1) out += ",";
      out += JsonQuote(kv.first.as<std::string>()) + ":" + *v;
    }
    return out + "}";
  }
  if (node.IsSequence()) {
    std::string out = "[";
    for (size_t i = 0; i < node.size(); ++i) {
      auto v = NodeToJson(eval, node[i]);
      if (!v.ok()) return v.status();
      if (i) out += ",";
      out += *v;
    }
    return out + "]";
  }
  if (node.IsNull()) return std::string("null");
  std::string text = node.as<std::string>();
  if (tag == "?" && (text == "true" || text == "false" || text == "null" || LooksNumeric(text))) {
    return text;
  }
  return JsonQuote(text);
}

// A value that may be given as a map or as a JSON string (RedrivePolicy, filter Pattern).
Result<std::string> JsonOrString(const Evaluator& eval, const YAML::Node& node) {
  if (node.IsMap() && !(node.size() == 1 && (node["Ref"] || node["Fn::Sub"] || node["Fn::Join"]))) {
    return NodeToJson(eval, node);
  }
  return eval.Eval(node);
}

Result<std::optional<int>> OptionalInt(const Evaluator& eval, const YAML::Node& props,
                                       const char* key, const std::string& where) {
  if (!props || !props.IsMap() || !props[key]) return std::optional<int>();
  auto v = EvalInt(eval, props[key], where + ": " + key);
  if (!v.ok()) return v.status();
  return std::optional<int>(*v);
}

// SAM `Events: Type: SQS` properties and AWS::Lambda::EventSourceMapping properties share names.
Result<MappingResource> ReadMapping(const Evaluator& eval, const std::string& logical_id,
                                    const std::string& function_name, const YAML::Node& props,
                                    const char* source_key) {
  const std::string where = "event source mapping " + logical_id;
  MappingResource m;
  m.logical_id = logical_id;
  m.function_name = function_name;
  if (!props || !props.IsMap() || !props[source_key]) {
    return TemplateError(fmt::format("{}: {} is required", where, source_key));
  }
  auto arn = eval.Eval(props[source_key]);
  if (!arn.ok()) return TemplateError(where + ": " + arn.status().message());
  m.event_source_arn = *arn;
  auto batch = OptionalInt(eval, props, "BatchSize", where);
  if (!batch.ok()) return batch.status();
  m.batch_size = *batch;
  auto window = OptionalInt(eval, props, "MaximumBatchingWindowInSeconds", where);
  if (!window.ok()) return window.status();
  m.maximum_batching_window_s = *window;
  if (props["Enabled"]) {
    auto e = eval.Eval(props["Enabled"]);
    if (!e.ok()) return e.status();
    m.enabled = *e != "false" && *e != "False";
  }
  if (YAML::Node types = props["FunctionResponseTypes"]; types && types.IsSequence()) {
    for (const auto& t : types) m.function_response_types.push_back(t.as<std::string>());
  }
  if (YAML::Node scaling = props["ScalingConfig"]; scaling && scaling.IsMap()) {
    auto c = OptionalInt(eval, scaling, "MaximumConcurrency", where);
    if (!c.ok()) return c.status();
    m.maximum_concurrency = *c;
  }
  if (YAML::Node criteria = props["FilterCriteria"]; criteria && criteria["Filters"]) {
    for (const auto& f : criteria["Filters"]) {
      if (!f["Pattern"]) continue;
      auto p = JsonOrString(eval, f["Pattern"]);
      if (!p.ok()) return p.status();
      m.filter_patterns.push_back(*p);
    }
  }
  return m;
}

Result<QueueResource> ReadQueue(const Evaluator& eval, const std::string& logical_id,
                                const std::string& name, const YAML::Node& props) {
  const std::string where = "queue " + logical_id;
  QueueResource q;
  q.logical_id = logical_id;
  q.name = name;
  if (!props || !props.IsMap()) return q;
  for (const char* key : {"VisibilityTimeout", "DelaySeconds", "MessageRetentionPeriod",
                          "MaximumMessageSize", "ReceiveMessageWaitTimeSeconds", "FifoQueue",
                          "ContentBasedDeduplication", "KmsMasterKeyId", "SqsManagedSseEnabled",
                          "DeduplicationScope", "FifoThroughputLimit"}) {
    if (!props[key]) continue;
    auto v = eval.Eval(props[key]);
    if (!v.ok()) return TemplateError(where + ": " + key + ": " + v.status().message());
    std::string value = *v;
    if (value == "True") value = "true";
    if (value == "False") value = "false";
    q.attributes[key] = value;
  }
  for (const char* key : {"RedrivePolicy", "RedriveAllowPolicy"}) {
    if (!props[key]) continue;
    auto v = JsonOrString(eval, props[key]);
    if (!v.ok()) return TemplateError(where + ": " + key + ": " + v.status().message());
    q.attributes[key] = *v;
  }
  return q;
}

Status ReadEnvironment(const Evaluator& eval, const YAML::Node& env, const std::string& where,
                       std::map<std::string, std::string>& out) {
  if (!env) return Status::Ok();
  YAML::Node vars = env["Variables"];
  if (!vars) return Status::Ok();
  if (!vars.IsMap()) return TemplateError(where + ": Environment.Variables must be a map");
  for (const auto& kv : vars) {
    auto v = eval.Eval(kv.second);
    if (!v.ok()) return TemplateError(where + ": Environment." + kv.first.as<std::string>() + ": " + v.status().message());
    out[kv.first.as<std::string>()] = *v;
  }
  return Status::Ok();
}

Result<FunctionConfig> ReadFunction(const Evaluator& eval, const std::string& logical_id,
                                    const std::string& type, const std::string& name,
                                    const YAML::Node& props, const YAML::Node& globals,
                                    const std::filesystem::path& base_dir,
                                    const TemplateOptions& options) {
  const std::string where = "function " + logical_id;
  FunctionConfig fn;
  fn.logical_id = logical_id;
  fn.name = name;
  fn.region = options.region;
  fn.account_id = options.account_id;

  if (YAML::Node package = Prop(props, globals, "PackageType"); package) {
    auto p = eval.Eval(package);
    if (p.ok() && *p == "Image") return TemplateError(where + ": PackageType Image is not supported");
  }
  YAML::Node runtime = Prop(props, globals, "Runtime");
  if (!runtime) return TemplateError(where + ": Runtime is required");
  auto runtime_value = eval.Eval(runtime);
  if (!runtime_value.ok()) return TemplateError(where + ": Runtime: " + runtime_value.status().message());
  fn.runtime = *runtime_value;

  if (YAML::Node handler = Prop(props, globals, "Handler"); handler) {
    auto h = eval.Eval(handler);
    if (!h.ok()) return TemplateError(where + ": Handler: " + h.status().message());
    fn.handler = *h;
  }

  // SAM: CodeUri (default "."), CloudFormation: Code as a local path string.
  YAML::Node code = Prop(props, globals, type == kServerlessFunction ? "CodeUri" : "Code");
  std::string code_uri = ".";
  if (code) {
    if (code.IsMap() && !code["Ref"] && !code["Fn::Sub"]) {
      return TemplateError(where + ": CodeUri must be a local folder (S3 locations are not supported)");
    }
    auto c = eval.Eval(code);
    if (!c.ok()) return TemplateError(where + ": CodeUri: " + c.status().message());
    code_uri = *c;
  }
  if (code_uri.rfind("s3://", 0) == 0) {
    return TemplateError(where + ": CodeUri must be a local folder, not " + code_uri);
  }
  std::error_code ec;
  std::filesystem::path code_dir = std::filesystem::weakly_canonical(base_dir / code_uri, ec);
  if (ec || !std::filesystem::is_directory(code_dir)) {
    return TemplateError(fmt::format("{}: CodeUri '{}' is not a folder ({})", where, code_uri,
                                     (base_dir / code_uri).lexically_normal().string()));
  }
  fn.code_dir = code_dir;

  if (YAML::Node m = Prop(props, globals, "MemorySize"); m) {
    auto v = EvalInt(eval, m, where + ": MemorySize");
    if (!v.ok()) return v.status();
    if (*v < 128 || *v > 10240) {
      return TemplateError(fmt::format("{}: MemorySize {} is outside 128-10240 MB", where, *v));
    }
    fn.memory_mb = *v;
  }
  if (YAML::Node t = Prop(props, globals, "Timeout"); t) {
    auto v = EvalInt(eval, t, where + ": Timeout");
    if (!v.ok()) return v.status();
    if (*v < 1 || *v > 900) {
      return TemplateError(fmt::format("{}: Timeout {} is outside 1-900 seconds", where, *v));
    }
    fn.timeout_s = *v;
  }
  if (YAML::Node r = Prop(props, globals, "ReservedConcurrentExecutions"); r) {
    auto v = EvalInt(eval, r, where + ": ReservedConcurrentExecutions");
    if (!v.ok()) return v.status();
    if (*v < 0) return TemplateError(where + ": ReservedConcurrentExecutions must be >= 0");
    fn.reserved_concurrency = *v;
  }
  // Globals first, then the function's own variables on top (SAM merges the maps).
  if (globals && globals.IsMap()) {
    Status s = ReadEnvironment(eval, globals["Environment"], where, fn.environment);
    if (!s.ok()) return s;
  }
  if (props && props.IsMap()) {
    Status s = ReadEnvironment(eval, props["Environment"], where, fn.environment);
    if (!s.ok()) return s;
  }
  return fn;
}

}  // namespace

Result<LoadedTemplate> ParseTemplate(std::string_view text, const std::filesystem::path& base_dir,
                                     const TemplateOptions& options) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return TemplateError(fmt::format("not valid YAML or JSON: {}", e.what()));
  }
  if (!root.IsMap()) return TemplateError("the template must be a YAML or JSON object");
  try {
    YAML::Node resources = root["Resources"];
    if (!resources || !resources.IsMap()) return TemplateError("the template has no Resources map");

    // Parameters: defaults, then overrides.
    std::map<std::string, std::string> parameters;
    if (YAML::Node params = root["Parameters"]; params && params.IsMap()) {
      for (const auto& kv : params) {
        if (kv.second.IsMap() && kv.second["Default"]) {
          parameters[kv.first.as<std::string>()] = kv.second["Default"].as<std::string>();
        }
      }
    }
    for (const auto& [k, v] : options.parameter_overrides) parameters[k] = v;

    // Names first, so !Ref and !GetAtt to any function or queue resolve anywhere.
    std::map<std::string, std::string> function_names;
    std::map<std::string, std::string> queue_names;
    Evaluator names_eval(options, parameters, {});
    for (const auto& kv : resources) {
      if (!kv.second.IsMap() || !kv.second["Type"] ||
          kv.second["Type"].as<std::string>() != kSqsQueue) {
        continue;
      }
      std::string id = kv.first.as<std::string>();
      std::string name = id;
      YAML::Node props = kv.second["Properties"];
      if (props && props["QueueName"]) {
        auto n = names_eval.Eval(props["QueueName"]);
        if (!n.ok()) return TemplateError("queue " + id + ": QueueName: " + n.status().message());
        name = *n;
      } else if (props && props["FifoQueue"]) {
        auto fifo = names_eval.Eval(props["FifoQueue"]);
        if (fifo.ok() && (*fifo == "true" || *fifo == "True")) name += ".fifo";
      }
      queue_names[id] = name;
    }
    for (const auto& kv : resources) {
      std::string type = kv.second["Type"] ? kv.second["Type"].as<std::string>() : "";
      if (type != kServerlessFunction && type != kLambdaFunction) continue;
      std::string id = kv.first.as<std::string>();
      std::string name = id;
      if (YAML::Node props = kv.second["Properties"]; props && props["FunctionName"]) {
        auto n = names_eval.Eval(props["FunctionName"]);
        if (!n.ok()) return TemplateError("function " + id + ": FunctionName: " + n.status().message());
        name = *n;
      }
      function_names[id] = name;
    }

    Evaluator eval(options, parameters, function_names, queue_names);
    YAML::Node globals(YAML::NodeType::Undefined);
    if (YAML::Node g = root["Globals"]; g && g.IsMap()) globals = g["Function"];

    LoadedTemplate out;
    std::set<std::string> seen_names;
    for (const auto& kv : resources) {
      std::string id = kv.first.as<std::string>();
      if (!kv.second.IsMap() || !kv.second["Type"]) {
        return TemplateError("resource " + id + " has no Type");
      }
      std::string type = kv.second["Type"].as<std::string>();
      if (type == kSqsQueue) {
        auto q = ReadQueue(eval, id, queue_names[id], kv.second["Properties"]);
        if (!q.ok()) return q.status();
        // Dead-letter targets first, so a redrive policy always names an existing queue.
        if (q->attributes.count("RedrivePolicy")) {
          out.queues.push_back(std::move(*q));
        } else {
          out.queues.insert(out.queues.begin(), std::move(*q));
        }
        continue;
      }
      if (type == kEventSourceMapping) {
        YAML::Node props = kv.second["Properties"];
        if (!props || !props["FunctionName"]) {
          return TemplateError("event source mapping " + id + ": FunctionName is required");
        }
        auto fn_name = eval.Eval(props["FunctionName"]);
        if (!fn_name.ok()) return fn_name.status();
        auto m = ReadMapping(eval, id, *fn_name, props, "EventSourceArn");
        if (!m.ok()) return m.status();
        out.mappings.push_back(std::move(*m));
        continue;
      }
      if (type != kServerlessFunction && type != kLambdaFunction) {
        out.ignored.push_back(id + " (" + type + ")");
        continue;
      }
      YAML::Node fprops = kv.second["Properties"];
      YAML::Node events = fprops && fprops.IsMap() ? fprops["Events"] : YAML::Node(YAML::NodeType::Undefined);
      if (events && events.IsMap()) {
        for (const auto& ev : events) {
          if (!ev.second["Type"] || ev.second["Type"].as<std::string>() != "SQS") {
            out.ignored.push_back(id + "." + ev.first.as<std::string>() + " (event " +
                                  (ev.second["Type"] ? ev.second["Type"].as<std::string>() : "?") + ")");
            continue;
          }
          auto m = ReadMapping(eval, id + "." + ev.first.as<std::string>(), function_names[id],
                               ev.second["Properties"], "Queue");
          if (!m.ok()) return m.status();
          out.mappings.push_back(std::move(*m));
        }
      }
      auto fn = ReadFunction(eval, id, type, function_names[id], kv.second["Properties"],
                             type == kServerlessFunction ? globals : YAML::Node(YAML::NodeType::Undefined), base_dir,
                             options);
      if (!fn.ok()) return fn.status();
      if (!seen_names.insert(fn->name).second) {
        return TemplateError("two functions are named " + fn->name);
      }
      out.functions.push_back(std::move(*fn));
    }
    return out;
  } catch (const YAML::Exception& e) {
    return TemplateError(fmt::format("unexpected template structure: {}", e.what()));
  }
}

Result<LoadedTemplate> LoadTemplateFile(const std::filesystem::path& path,
                                        const TemplateOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return TemplateError("cannot read template " + path.string());
  std::stringstream buf;
  buf << in.rdbuf();
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(path, ec).parent_path();
  auto loaded = ParseTemplate(buf.str(), dir, options);
  if (!loaded.ok()) {
    return TemplateError(path.filename().string() + ": " + loaded.status().message());
  }
  return loaded;
}

std::filesystem::path FindDefaultTemplate(const std::filesystem::path& dir) {
  for (const char* name : {"template.yaml", "template.yml", "template.json"}) {
    std::filesystem::path p = dir / name;
    if (std::filesystem::exists(p)) return p;
  }
  return {};
}

}  // namespace ll
