#include "services/sns/filter_policy.h"

#include <arpa/inet.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "services/sns/sns_errors.h"

namespace ll::sns {
namespace {

using rapidjson::SizeType;
using rapidjson::Value;

// Subscription filter policy constraints (AWS SNS developer guide).
constexpr size_t kMaxPolicyBytes = 256 * 1024;
constexpr size_t kMaxKeys = 5;
constexpr double kMaxCombinations = 150;
// Deeper JSON is refused by the parser AWS uses (Jackson's default nesting limit); here it also
// bounds the recursion below. Documents are parsed iteratively for the same reason.
constexpr int kMaxDepth = 1000;
constexpr unsigned kIterative = rapidjson::kParseIterativeFlag;

// Words that stop "$or" from being an OR when a field of one of its objects is named so.
constexpr std::string_view kOperators[] = {
    "anything-but", "cidr", "equals-ignore-case", "exists", "numeric", "prefix", "suffix"};

// One leaf value of a message: a body scalar, a String/Number attribute, a String.Array element.
struct Scalar {
  enum class Kind { kString, kNumber, kTrue, kFalse, kNull };
  Kind kind = Kind::kNull;
  std::string text;   // kString
  double number = 0;  // kNumber
};

// One entry of a key's array: a literal, or an {"operator": ...} object.
struct Condition {
  // clang-format off
  enum class Op { kLiteral, kPrefix, kSuffix, kEqualsIgnoreCase, kAnythingBut, kNumeric, kCidr,
                  kExists };
  // clang-format on
  Op op = Op::kLiteral;
  Scalar literal;                  // kLiteral
  std::string text;                // prefix, suffix, equals-ignore-case
  bool exists = false;             // kExists
  std::vector<Condition> negated;  // kAnythingBut: matches a value none of these match
  std::vector<std::pair<std::string, double>> bounds;  // kNumeric: all must hold
  int family = 0;                                      // kCidr: AF_INET or AF_INET6
  unsigned char network[16] = {};
  int prefix_bits = 0;
};

// A key of the policy: its path ("a.b" for {"a": {"b": [...]}}) and its conditions (any may hold).
struct Leaf {
  std::string path;
  std::vector<Condition> conditions;
};

// An AND of leaves and "$or" groups; a group holds when any of its branches does.
struct Node {
  std::vector<Leaf> leaves;
  std::vector<std::vector<Node>> ors;
};

// A message's leaf values by path; a path that is absent has no entry.
using Fields = std::map<std::string, std::vector<Scalar>, std::less<>>;

}  // namespace

struct FilterPolicy::Tree {
  FilterPolicyScope scope = FilterPolicyScope::kMessageAttributes;
  Node root;
  std::vector<std::string> paths;  // every leaf path, to flatten only what the policy reads
};

namespace {

Status Invalid(const std::string& why) { return InvalidParameter("FilterPolicy: " + why); }

// How a JSON token reads in AWS's messages: strings unquoted, containers by their opening bracket,
// and the end of an array (nullptr) as "]".
std::string TokenText(const Value* v) {
  if (v == nullptr) return "]";
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsObject()) return "{";
  if (v->IsArray()) return "[";
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v->Accept(writer);
  return buffer.GetString();
}

// Numbers compare with the five decimal digits of accuracy AWS documents.
double Quantize(double x) { return std::round(x * 1e5); }

Scalar ToScalar(const Value& v) {
  Scalar s;
  if (v.IsString()) {
    s.kind = Scalar::Kind::kString;
    s.text.assign(v.GetString(), v.GetStringLength());
  } else if (v.IsNumber()) {
    s.kind = Scalar::Kind::kNumber;
    s.number = v.GetDouble();
  } else if (v.IsBool()) {
    s.kind = v.GetBool() ? Scalar::Kind::kTrue : Scalar::Kind::kFalse;
  }
  return s;
}

Status ParseNumeric(const Value& v, Condition& c) {
  if (!v.IsArray()) return Invalid("Value of numeric must be an array.");
  auto at = [&](SizeType i) { return i < v.Size() ? &v[i] : nullptr; };
  const Value* op = at(0);
  if (op == nullptr || !op->IsString()) {
    return Invalid("Invalid member in numeric match: " + TokenText(op));
  }
  std::string first = op->GetString();
  if (first != "=" && first != "<" && first != "<=" && first != ">" && first != ">=") {
    return Invalid("Unrecognized numeric range operator: " + first);
  }
  const Value* bottom = at(1);
  if (bottom == nullptr || !bottom->IsNumber()) {
    return Invalid("Value of " + (first == "=" ? std::string("equals") : first) +
                   " must be numeric");
  }
  c.bounds.emplace_back(first, bottom->GetDouble());
  if (v.Size() == 2) return Status::Ok();
  if (first[0] != '>') return Invalid("Too many elements in numeric expression");
  const Value* op2 = at(2);
  if (!op2->IsString()) return Invalid("Bad value in numeric range: " + TokenText(op2));
  std::string second = op2->GetString();
  if (second != "<" && second != "<=") return Invalid("Bad numeric range operator: " + second);
  const Value* top = at(3);
  if (top == nullptr || !top->IsNumber()) return Invalid("Value of " + second + " must be numeric");
  if (v.Size() > 4) return Invalid("Too many terms in numeric range expression");
  if (Quantize(bottom->GetDouble()) >= Quantize(top->GetDouble())) {
    return Invalid("Bottom must be less than top");
  }
  c.bounds.emplace_back(second, top->GetDouble());
  return Status::Ok();
}

// AWS's CIDR parser: Java's split("/") (trailing empty parts dropped), Integer.parseInt for the
// mask, and a prefix strictly shorter than the address.
Status ParseCidr(const Value& v, Condition& c) {
  // AWS names the wrong operator here; the text is kept as the service sends it.
  if (!v.IsString()) return Invalid("prefix match pattern must be a string");
  std::string text(v.GetString(), v.GetStringLength());
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  if (parts.size() != 2) return Invalid("Malformed CIDR, one '/' required");
  const std::string& mask = parts[1];
  const char* begin = mask.data() + (mask[0] == '+' ? 1 : 0);
  auto [end, err] = std::from_chars(begin, mask.data() + mask.size(), c.prefix_bits);
  bool signs = mask[0] == '+' && begin[0] == '-';  // "+-1" is no integer to Java either
  if (err != std::errc() || end != mask.data() + mask.size() || signs) {
    return Invalid("Malformed CIDR, mask bits must be an integer");
  }
  if (c.prefix_bits < 0) return Invalid("Malformed CIDR, mask bits must not be negative");
  c.family = parts[0].find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (inet_pton(c.family, parts[0].c_str(), c.network) != 1) {
    return Invalid("Nonstandard IP address: " + parts[0]);
  }
  if (c.family == AF_INET && c.prefix_bits > 31) return Invalid("IPv4 mask bits must be < 32");
  if (c.family == AF_INET6 && c.prefix_bits > 127) return Invalid("IPv6 mask bits must be < 128");
  return Status::Ok();
}

Status ParseAnythingBut(const Value& v, Condition& c) {
  c.op = Condition::Op::kAnythingBut;
  if (v.IsObject()) {
    if (v.MemberCount() == 0) return Invalid("Anything-But expression name not found");
    std::string name = v.MemberBegin()->name.GetString();
    const Value& arg = v.MemberBegin()->value;
    if (name != "prefix" && name != "suffix") {
      return Invalid("Unsupported anything-but pattern: " + name);
    }
    if (!arg.IsString()) return Invalid(name + " match pattern must be a string");
    if (arg.GetStringLength() == 0) return Invalid("Null prefix/suffix not allowed");
    if (v.MemberCount() > 1) return Invalid("Too many elements in numeric expression");
    Condition& inner = c.negated.emplace_back();
    inner.op = name == "prefix" ? Condition::Op::kPrefix : Condition::Op::kSuffix;
    inner.text.assign(arg.GetString(), arg.GetStringLength());
    return Status::Ok();
  }
  if (!v.IsArray() && !v.IsString() && !v.IsNumber()) {
    return Invalid("Value of anything-but must be an array or single string/number value.");
  }
  const Value* first = v.IsArray() ? v.Begin() : &v;
  const Value* last = v.IsArray() ? v.End() : &v + 1;
  bool strings = false, numbers = false;
  for (const Value* item = first; item != last; ++item) {
    if (!item->IsString() && !item->IsNumber()) {
      return Invalid("Inside anything but list, start|null|boolean is not supported.");
    }
    (item->IsString() ? strings : numbers) = true;
    c.negated.emplace_back().literal = ToScalar(*item);
  }
  if (strings == numbers) {
    return Invalid(
        "Inside anything but list, either all values are number or string, mixed type is not "
        "supported");
  }
  return Status::Ok();
}

// {"operator": argument}. AWS reads the first key before it notices a second one.
Status ParseOperator(const Value& obj, Condition& c) {
  if (obj.MemberCount() == 0) return Invalid("Match expression name not found");
  std::string name = obj.MemberBegin()->name.GetString();
  const Value& arg = obj.MemberBegin()->value;
  using Op = Condition::Op;
  Status s;
  if (name == "prefix" || name == "suffix" || name == "equals-ignore-case") {
    if (!arg.IsString()) return Invalid(name + " match pattern must be a string");
    c.op = name == "prefix" ? Op::kPrefix : name == "suffix" ? Op::kSuffix : Op::kEqualsIgnoreCase;
    c.text.assign(arg.GetString(), arg.GetStringLength());
  } else if (name == "exists") {
    if (!arg.IsBool()) return Invalid("exists match pattern must be either true or false.");
    c.op = Op::kExists;
    c.exists = arg.GetBool();
  } else if (name == "numeric") {
    c.op = Op::kNumeric;
    s = ParseNumeric(arg, c);
  } else if (name == "anything-but") {
    s = ParseAnythingBut(arg, c);
  } else if (name == "cidr") {
    c.op = Op::kCidr;
    s = ParseCidr(arg, c);
  } else {
    return Invalid("Unrecognized match type " + name);
  }
  if (!s.ok()) return s;
  if (obj.MemberCount() > 1) {
    return Invalid(c.op == Op::kNumeric || c.op == Op::kAnythingBut
                       ? "Too many elements in numeric expression"
                       : "Only one key allowed in match expression");
  }
  return Status::Ok();
}

// "$or" is an OR only when it holds an array of at least two objects whose fields are not
// operator names; otherwise it is an ordinary key.
bool IsOrGroup(const Value& v) {
  if (!v.IsArray() || v.Size() < 2) return false;
  return std::all_of(v.Begin(), v.End(), [](const Value& branch) {
    return branch.IsObject() &&
           std::none_of(branch.MemberBegin(), branch.MemberEnd(), [](const auto& m) {
             return std::find(std::begin(kOperators), std::end(kOperators), m.name.GetString()) !=
                    std::end(kOperators);
           });
  });
}

// What the constraints are checked on once the policy is parsed.
struct Shape {
  bool nested = false;             // an object below the top level
  std::set<std::string> top_keys;  // keys at the top level, "$or" branches included
  std::vector<std::string> paths;  // every leaf path
};

// Parses `obj` (at `depth`, 1 for the top level) into `node`, and multiplies `combinations` by
// its share of the policy's complexity: each array counts its values times its depth, and a
// "$or" counts the sum of its branches.
Status ParseObject(const Value& obj, const std::string& prefix, int depth, Node& node, Shape& shape,
                   double& combinations) {
  if (depth > kMaxDepth) return Invalid("failed to parse JSON.");
  if (obj.MemberCount() == 0) return Invalid("Empty objects are not allowed");
  for (const auto& member : obj.GetObject()) {
    std::string key(member.name.GetString(), member.name.GetStringLength());
    const Value& value = member.value;
    if (key == "$or" && IsOrGroup(value)) {
      std::vector<Node>& group = node.ors.emplace_back();
      double sum = 0;
      for (const Value& branch : value.GetArray()) {
        double branch_combinations = 1;
        Status s =
            ParseObject(branch, prefix, depth, group.emplace_back(), shape, branch_combinations);
        if (!s.ok()) return s;
        sum += branch_combinations;
      }
      combinations *= sum;
      continue;
    }
    std::string path = prefix.empty() ? key : prefix + "." + key;
    if (depth == 1) shape.top_keys.insert(key);
    if (value.IsObject()) {
      shape.nested = true;
      if (Status s = ParseObject(value, path, depth + 1, node, shape, combinations); !s.ok()) {
        return s;
      }
    } else if (value.IsArray()) {
      Leaf& leaf = node.leaves.emplace_back();
      leaf.path = path;
      for (const Value& item : value.GetArray()) {
        if (item.IsArray()) {
          return Invalid("Match value must be String, number, true, false, or null");
        }
        Condition& c = leaf.conditions.emplace_back();
        if (!item.IsObject()) {
          c.literal = ToScalar(item);
        } else if (Status s = ParseOperator(item, c); !s.ok()) {
          return s;
        }
      }
      if (leaf.conditions.empty()) return Invalid("Empty arrays are not allowed");
      combinations *= static_cast<double>(depth) * value.Size();
      shape.paths.push_back(path);
    } else {
      return Invalid("\"" + key + "\" must be an object or an array");
    }
  }
  return Status::Ok();
}

// ---- matching ----

bool InCidr(const Condition& c, const std::string& ip) {
  unsigned char addr[16];
  if (inet_pton(c.family, ip.c_str(), addr) != 1) return false;
  int full = c.prefix_bits / 8, rest = c.prefix_bits % 8;
  if (std::memcmp(addr, c.network, full) != 0) return false;
  unsigned mask = (0xFF00u >> rest) & 0xFFu;
  return rest == 0 || (addr[full] & mask) == (c.network[full] & mask);
}

bool Compare(const std::string& op, double x, double bound) {
  double a = Quantize(x), b = Quantize(bound);
  if (op == "=") return a == b;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  return a >= b;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](unsigned char x, unsigned char y) {
    return std::tolower(x) == std::tolower(y);
  });
}

// Strings meet only string conditions and numbers only numeric ones; anything-but holds for any
// value its negated conditions do not match.
bool MatchScalar(const Condition& c, const Scalar& v) {
  using Kind = Scalar::Kind;
  bool is_string = v.kind == Kind::kString;
  switch (c.op) {
    case Condition::Op::kLiteral:
      if (c.literal.kind != v.kind) return false;
      if (is_string) return c.literal.text == v.text;
      return v.kind != Kind::kNumber || Quantize(c.literal.number) == Quantize(v.number);
    case Condition::Op::kPrefix:
      return is_string && v.text.starts_with(c.text);
    case Condition::Op::kSuffix:
      return is_string && v.text.ends_with(c.text);
    case Condition::Op::kEqualsIgnoreCase:
      return is_string && EqualsIgnoreCase(v.text, c.text);
    case Condition::Op::kAnythingBut:
      return std::none_of(c.negated.begin(), c.negated.end(),
                          [&](const Condition& n) { return MatchScalar(n, v); });
    case Condition::Op::kNumeric:
      return v.kind == Kind::kNumber &&
             std::all_of(c.bounds.begin(), c.bounds.end(),
                         [&](const auto& b) { return Compare(b.first, v.number, b.second); });
    case Condition::Op::kCidr:
      return is_string && InCidr(c, v.text);
    case Condition::Op::kExists:
      return false;  // decided per leaf, not per value
  }
  return false;
}

// AWS: "exists": true needs a non-null and non-empty value; "exists": false is its complement.
bool Exists(const std::vector<Scalar>* values) {
  return values != nullptr && std::any_of(values->begin(), values->end(), [](const Scalar& s) {
           return s.kind != Scalar::Kind::kNull &&
                  !(s.kind == Scalar::Kind::kString && s.text.empty());
         });
}

bool MatchNode(const Node& node, const Fields& fields) {
  for (const Leaf& leaf : node.leaves) {
    auto it = fields.find(leaf.path);
    const std::vector<Scalar>* values = it == fields.end() ? nullptr : &it->second;
    bool any = std::any_of(leaf.conditions.begin(), leaf.conditions.end(), [&](const Condition& c) {
      if (c.op == Condition::Op::kExists) return c.exists == Exists(values);
      return values != nullptr && std::any_of(values->begin(), values->end(),
                                              [&](const Scalar& s) { return MatchScalar(c, s); });
    });
    if (!any) return false;
  }
  return std::all_of(node.ors.begin(), node.ors.end(), [&](const std::vector<Node>& group) {
    return std::any_of(group.begin(), group.end(),
                       [&](const Node& branch) { return MatchNode(branch, fields); });
  });
}

// True when `path` is a policy path or leads to one.
bool Wanted(const std::string& path, const std::vector<std::string>& paths) {
  return std::any_of(paths.begin(), paths.end(), [&](const std::string& p) {
    return p.starts_with(path) && (p.size() == path.size() || p[path.size()] == '.');
  });
}

// Flattens the body into dotted paths, as AWS does: {"a": {"b": 1}} and {"a.b": 1} both give
// "a.b", and every element of an array lands on the array's path. False when nested too deep.
bool Flatten(const Value& v, int depth, std::string& path, const std::vector<std::string>& paths,
             Fields& out) {
  if (depth > kMaxDepth) return false;
  if (v.IsObject()) {
    for (const auto& member : v.GetObject()) {
      size_t length = path.size();
      if (!path.empty()) path += '.';
      path.append(member.name.GetString(), member.name.GetStringLength());
      if (Wanted(path, paths) && !Flatten(member.value, depth + 1, path, paths, out)) return false;
      path.resize(length);
    }
  } else if (v.IsArray()) {
    for (const Value& item : v.GetArray()) {
      if (!Flatten(item, depth + 1, path, paths, out)) return false;
    }
  } else {
    out[path].push_back(ToScalar(v));
  }
  return true;
}

// DataType "Number" or "Number.<custom>" etc.: the part before the custom suffix.
bool HasBaseType(std::string_view data_type, std::string_view base) {
  return data_type.starts_with(base) &&
         (data_type.size() == base.size() || data_type[base.size()] == '.');
}

std::vector<Scalar> AttributeValues(const MessageAttribute& attribute) {
  std::vector<Scalar> values;
  const std::string& text = attribute.string_value;
  if (HasBaseType(attribute.data_type, "String.Array")) {
    rapidjson::Document doc;
    doc.Parse<kIterative>(text.data(), text.size());
    if (doc.HasParseError() || !doc.IsArray()) return values;
    for (const Value& item : doc.GetArray()) {
      if (!item.IsObject() && !item.IsArray()) values.push_back(ToScalar(item));
    }
  } else if (HasBaseType(attribute.data_type, "Number")) {
    Scalar s;
    s.kind = Scalar::Kind::kNumber;
    const char* begin = text.data() + (text.starts_with('+') ? 1 : 0);
    auto [end, err] = std::from_chars(begin, text.data() + text.size(), s.number);
    if (err == std::errc() && end == text.data() + text.size() && std::isfinite(s.number)) {
      values.push_back(s);
    }
  } else {
    Scalar s;
    s.kind = Scalar::Kind::kString;
    s.text = text;
    values.push_back(std::move(s));
  }
  return values;
}

}  // namespace

std::optional<FilterPolicyScope> ParseFilterPolicyScope(std::string_view text) {
  if (text == "MessageAttributes") return FilterPolicyScope::kMessageAttributes;
  if (text == "MessageBody") return FilterPolicyScope::kMessageBody;
  return std::nullopt;
}

Result<FilterPolicy> FilterPolicy::Parse(std::string_view json, FilterPolicyScope scope) {
  // The size message is not one AWS has been seen to send; the limit is the documented one.
  if (json.size() > kMaxPolicyBytes) return Invalid("Filter policy is too long");
  rapidjson::Document doc;
  doc.Parse<kIterative | rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (doc.HasParseError()) return Invalid("failed to parse JSON.");
  if (!doc.IsObject()) return Invalid("Filter is not an object");
  auto tree = std::make_shared<Tree>();
  tree->scope = scope;
  if (doc.MemberCount() == 0) return FilterPolicy(std::move(tree));
  Shape shape;
  double combinations = 1;
  if (Status s = ParseObject(doc, "", 1, tree->root, shape, combinations); !s.ok()) return s;
  if (scope == FilterPolicyScope::kMessageAttributes && shape.nested) {
    return InvalidParameter(
        "Filter policy scope MessageAttributes does not support nested filter policy");
  }
  // Every key counts in the MessageAttributes scope, only top-level keys in the MessageBody one;
  // with no nesting allowed in the former, both are the top-level keys.
  if (shape.top_keys.size() > kMaxKeys) {
    return Invalid("Filter policy can not have more than " + std::to_string(kMaxKeys) + " keys");
  }
  if (combinations > kMaxCombinations) return Invalid("Filter policy is too complex");
  tree->paths = std::move(shape.paths);
  return FilterPolicy(std::move(tree));
}

FilterPolicyScope FilterPolicy::scope() const { return tree_->scope; }

bool FilterPolicy::MatchesAttributes(const MessageAttributes& attributes) const {
  if (tree_->paths.empty()) return true;  // "{}"
  Fields fields;
  for (const auto& [name, attribute] : attributes) {
    if (HasBaseType(attribute.data_type, "Binary")) continue;
    fields.emplace(name, AttributeValues(attribute));
  }
  // AWS: a publish without attributes matches no policy, not even {"k": [{"exists": false}]}.
  if (fields.empty()) return false;
  return MatchNode(tree_->root, fields);
}

bool FilterPolicy::MatchesBody(std::string_view message) const {
  if (tree_->paths.empty()) return true;  // "{}"
  rapidjson::Document doc;
  doc.Parse<kIterative>(message.data(), message.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  Fields fields;
  std::string path;
  return Flatten(doc, 1, path, tree_->paths, fields) && MatchNode(tree_->root, fields);
}

}  // namespace ll::sns
