#include "triggers/filter_pattern.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

#include "model/error_names.h"

namespace ll {
namespace {

using rapidjson::Value;

// One entry of a leaf's array: a literal, or an {"operator": ...} object.
struct Condition {
  // clang-format off
  enum class Op { kLiteral, kPrefix, kSuffix, kEqualsIgnoreCase, kWildcard, kAnythingBut,
                  kNumeric, kExists, kCidr };
  // clang-format on
  Op op = Op::kLiteral;
  const Value* literal = nullptr;  // kLiteral: a scalar inside Tree::doc
  std::string text;                // prefix, suffix, equals-ignore-case, wildcard
  bool exists = false;             // kExists
  std::vector<Condition> negated;  // kAnythingBut: matches when none of these match
  std::vector<std::pair<std::string, double>> bounds;  // kNumeric: all must hold
  int family = 0;                                      // kCidr: AF_INET or AF_INET6
  unsigned char network[16] = {};
  int prefix_bits = 0;
};

}  // namespace

namespace {

// A leaf holds conditions (never empty); an inner node holds fields (empty only at the root).
struct Node {
  std::vector<Condition> conditions;
  std::vector<std::pair<std::string, Node>> fields;
};

}  // namespace

struct FilterPattern::Tree {
  rapidjson::Document doc;  // the pattern as parsed; literals point into it
  Node root;
};

namespace {

Status Invalid(const std::string& path, const std::string& why) {
  std::string where = path.empty() ? "" : " (at \"" + path + "\")";
  std::string sentence = why;
  sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
  return Status::Error(errors::kInvalidParameterValue,
                       "Invalid filter pattern definition. " + sentence + where + ".");
}

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

Status ParseWildcard(const std::string& text, const std::string& path) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      if (i + 1 == text.size() || (text[i + 1] != '*' && text[i + 1] != '\\')) {
        return Invalid(path, "wildcard: '\\' must escape '*' or '\\'");
      }
      ++i;
    } else if (text[i] == '*' && i + 1 < text.size() && text[i + 1] == '*') {
      return Invalid(path, "wildcard: consecutive '*' characters are not allowed");
    }
  }
  return Status::Ok();
}

Status ParseNumeric(const Value& v, const std::string& path, Condition& c) {
  static constexpr std::string_view kOps[] = {"=", "<", "<=", ">", ">="};
  if (!v.IsArray() || v.Size() == 0 || v.Size() % 2 != 0 || v.Size() > 4) {
    return Invalid(path, "numeric expects [operator, number] or a range of two such pairs");
  }
  int lower = 0, upper = 0;
  for (rapidjson::SizeType i = 0; i < v.Size(); i += 2) {
    if (!v[i].IsString() || !v[i + 1].IsNumber() ||
        std::find(std::begin(kOps), std::end(kOps), v[i].GetString()) == std::end(kOps)) {
      return Invalid(path, "numeric expects operators =, <, <=, >, >= each followed by a number");
    }
    std::string op = v[i].GetString();
    if (op == "=" && v.Size() != 2) return Invalid(path, "numeric \"=\" cannot form a range");
    (op[0] == '>' ? lower : upper) += op != "=";
    c.bounds.emplace_back(op, v[i + 1].GetDouble());
  }
  if (lower > 1 || upper > 1)
    return Invalid(path, "numeric range needs one lower, one upper bound");
  return Status::Ok();
}

Status ParseCidr(const Value& v, const std::string& path, Condition& c) {
  std::string text = v.IsString() ? v.GetString() : "";
  size_t slash = text.find('/');
  std::string ip = text.substr(0, slash);
  c.family = ip.find(':') == std::string::npos ? AF_INET : AF_INET6;
  int max_bits = c.family == AF_INET ? 32 : 128;
  std::string bits = slash == std::string::npos ? "" : text.substr(slash + 1);
  bool ok = !bits.empty() && bits.size() <= 3 &&
            std::all_of(bits.begin(), bits.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) &&
            inet_pton(c.family, ip.c_str(), c.network) == 1;
  if (ok) c.prefix_bits = std::stoi(bits);
  if (!ok || c.prefix_bits > max_bits)
    return Invalid(path, "cidr expects a string like 10.0.0.0/24");
  return Status::Ok();
}

Status ParseLiteral(const Value& v, const std::string& path, Condition& c) {
  if (v.IsArray()) return Invalid(path, "match values must be scalars or operator objects");
  c.op = Condition::Op::kLiteral;
  c.literal = &v;
  return Status::Ok();
}

Status ParseOperator(const Value& obj, const std::string& path, Condition& c);

Status ParseAnythingBut(const Value& v, const std::string& path, Condition& c) {
  c.op = Condition::Op::kAnythingBut;
  if (v.IsObject()) {
    static constexpr std::string_view kInner[] = {"prefix", "suffix", "equals-ignore-case",
                                                  "wildcard"};
    if (v.MemberCount() != 1 || std::find(std::begin(kInner), std::end(kInner),
                                          v.MemberBegin()->name.GetString()) == std::end(kInner)) {
      return Invalid(path, "anything-but accepts prefix, suffix, equals-ignore-case or wildcard");
    }
    return ParseOperator(v, path, c.negated.emplace_back());
  }
  if (v.IsArray() && v.Empty()) return Invalid(path, "anything-but list must not be empty");
  const Value* first = v.IsArray() ? v.Begin() : &v;
  const Value* last = v.IsArray() ? v.End() : &v + 1;
  for (const Value* item = first; item != last; ++item) {
    if (!item->IsString() && !item->IsNumber()) {
      return Invalid(path, "anything-but values must be strings or numbers");
    }
    if (Status s = ParseLiteral(*item, path, c.negated.emplace_back()); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ParseOperator(const Value& obj, const std::string& path, Condition& c) {
  if (obj.MemberCount() != 1) return Invalid(path, "a match condition must have exactly one key");
  std::string name = obj.MemberBegin()->name.GetString();
  const Value& arg = obj.MemberBegin()->value;
  using Op = Condition::Op;
  static constexpr std::pair<std::string_view, Op> kStringOps[] = {
      {"prefix", Op::kPrefix},
      {"suffix", Op::kSuffix},
      {"equals-ignore-case", Op::kEqualsIgnoreCase},
      {"wildcard", Op::kWildcard}};
  for (const auto& [op_name, op] : kStringOps) {
    if (name != op_name) continue;
    if (!arg.IsString()) return Invalid(path, name + " expects a string");
    c.op = op;
    c.text.assign(arg.GetString(), arg.GetStringLength());
    return op == Op::kWildcard ? ParseWildcard(c.text, path) : Status::Ok();
  }
  if (name == "exists") {
    if (!arg.IsBool()) return Invalid(path, "exists expects true or false");
    c.op = Op::kExists;
    c.exists = arg.GetBool();
    return Status::Ok();
  }
  if (name == "anything-but") return ParseAnythingBut(arg, path, c);
  if (name == "numeric" || name == "cidr") {
    c.op = name == "numeric" ? Op::kNumeric : Op::kCidr;
    return c.op == Op::kNumeric ? ParseNumeric(arg, path, c) : ParseCidr(arg, path, c);
  }
  return Invalid(path, "unrecognized match type \"" + name + "\"");
}

Status ParseNode(const Value& obj, const std::string& path, Node& node) {
  if (obj.MemberCount() == 0 && !path.empty())
    return Invalid(path, "empty objects are not allowed");
  for (const auto& member : obj.GetObject()) {
    std::string key(member.name.GetString(), member.name.GetStringLength());
    std::string at = Join(path, key);
    Node& child = node.fields.emplace_back(key, Node{}).second;
    if (member.value.IsObject()) {
      if (Status s = ParseNode(member.value, at, child); !s.ok()) return s;
    } else if (!member.value.IsArray()) {
      return Invalid(at, "a value must be an object or an array of match conditions");
    } else if (member.value.Empty()) {
      return Invalid(at, "an array of match conditions must not be empty");
    } else {
      for (const Value& item : member.value.GetArray()) {
        Condition& c = child.conditions.emplace_back();
        Status s = item.IsObject() ? ParseOperator(item, at, c) : ParseLiteral(item, at, c);
        if (!s.ok()) return s;
      }
    }
  }
  return Status::Ok();
}

// ---- matching ----

bool WildcardMatch(std::string_view pat, std::string_view s) {
  size_t p = 0, i = 0, star_p = std::string_view::npos, star_i = 0;
  while (i < s.size()) {
    if (p < pat.size() && pat[p] == '*') {
      star_p = ++p;
      star_i = i;
      continue;
    }
    size_t len = p < pat.size() && pat[p] == '\\' ? 2 : 1;
    if (p + len <= pat.size() && pat[p + len - 1] == s[i]) {
      p += len;
      ++i;
    } else if (star_p != std::string_view::npos) {
      p = star_p;
      i = ++star_i;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

bool InCidr(const Condition& c, const std::string& ip) {
  unsigned char addr[16];
  if (inet_pton(c.family, ip.c_str(), addr) != 1) return false;
  int full = c.prefix_bits / 8, rest = c.prefix_bits % 8;
  if (std::memcmp(addr, c.network, full) != 0) return false;
  unsigned mask = (0xFF00u >> rest) & 0xFFu;
  return rest == 0 || (addr[full] & mask) == (c.network[full] & mask);
}

bool Compare(const std::string& op, double x, double bound) {
  if (op == "=") return x == bound;
  if (op == "<") return x < bound;
  if (op == "<=") return x <= bound;
  if (op == ">") return x > bound;
  return x >= bound;
}

// `v` is a scalar (string, number, boolean or null).
bool MatchScalar(const Condition& c, const Value& v) {
  std::string_view s = v.IsString() ? std::string_view(v.GetString(), v.GetStringLength()) : "";
  switch (c.op) {
    case Condition::Op::kLiteral:
      return *c.literal == v;  // type-aware: "5" != 5, while 5 == 5.0
    case Condition::Op::kPrefix:
      return v.IsString() && s.starts_with(c.text);
    case Condition::Op::kSuffix:
      return v.IsString() && s.ends_with(c.text);
    case Condition::Op::kEqualsIgnoreCase:
      return v.IsString() && std::equal(s.begin(), s.end(), c.text.begin(), c.text.end(),
                                        [](unsigned char a, unsigned char b) {
                                          return std::tolower(a) == std::tolower(b);
                                        });
    case Condition::Op::kWildcard:
      return v.IsString() && WildcardMatch(c.text, s);
    case Condition::Op::kAnythingBut:
      return std::none_of(c.negated.begin(), c.negated.end(),
                          [&](const Condition& n) { return MatchScalar(n, v); });
    case Condition::Op::kNumeric:
      return v.IsNumber() && std::all_of(c.bounds.begin(), c.bounds.end(), [&](const auto& b) {
               return Compare(b.first, v.GetDouble(), b.second);
             });
    case Condition::Op::kCidr:
      return v.IsString() && InCidr(c, std::string(s));
    case Condition::Op::kExists:
      return false;  // decided per leaf, not per value
  }
  return false;
}

// Flattens nested arrays: scalars into `scalars`, objects into `objects`. Missing adds nothing.
void Collect(const Value* v, std::vector<const Value*>& scalars,
             std::vector<const Value*>& objects) {
  if (v == nullptr) return;
  if (v->IsArray()) {
    for (const Value& item : v->GetArray()) Collect(&item, scalars, objects);
  } else {
    (v->IsObject() ? objects : scalars).push_back(v);
  }
}

const Value* Find(const Value* obj, const std::string& key) {
  if (obj == nullptr || !obj->IsObject()) return nullptr;
  auto it = obj->FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
  return it == obj->MemberEnd() ? nullptr : &it->value;
}

bool MatchFields(const Node& node, const Value* obj, const Value* body_override);

// `v` is the record's value at this node's key, or null when the key is absent.
bool MatchNode(const Node& node, const Value* v) {
  std::vector<const Value*> scalars, objects;
  Collect(v, scalars, objects);
  if (node.conditions.empty()) {  // an inner node: descend (absent behaves as an empty object)
    if (objects.empty()) return MatchFields(node, nullptr, nullptr);
    return std::any_of(objects.begin(), objects.end(),
                       [&](const Value* o) { return MatchFields(node, o, nullptr); });
  }
  return std::any_of(node.conditions.begin(), node.conditions.end(), [&](const Condition& c) {
    if (c.op == Condition::Op::kExists) return c.exists == !scalars.empty();
    return std::any_of(scalars.begin(), scalars.end(),
                       [&](const Value* s) { return MatchScalar(c, *s); });
  });
}

bool MatchFields(const Node& node, const Value* obj, const Value* body_override) {
  return std::all_of(node.fields.begin(), node.fields.end(), [&](const auto& field) {
    const Value* v =
        body_override && field.first == "body" ? body_override : Find(obj, field.first);
    return MatchNode(field.second, v);
  });
}

}  // namespace

Result<FilterPattern> FilterPattern::Parse(std::string_view pattern_json) {
  auto tree = std::make_shared<Tree>();
  tree->doc.Parse(pattern_json.data(), pattern_json.size());
  if (tree->doc.HasParseError()) return Invalid("", "the pattern is not valid JSON");
  if (!tree->doc.IsObject()) return Invalid("", "the pattern must be a JSON object");
  if (Status s = ParseNode(tree->doc, "", tree->root); !s.ok()) return s;
  return FilterPattern(std::move(tree));
}

bool FilterPattern::Matches(const rapidjson::Value& record) const {
  return MatchFields(tree_->root, &record, nullptr);
}

bool FilterPattern::MatchesSqsRecord(const rapidjson::Value& record) const {
  auto it = std::find_if(tree_->root.fields.begin(), tree_->root.fields.end(),
                         [](const auto& f) { return f.first == "body"; });
  const Value* body = Find(&record, "body");
  if (it == tree_->root.fields.end() || body == nullptr || !body->IsString())
    return Matches(record);
  rapidjson::Document parsed;
  parsed.Parse(body->GetString(), body->GetStringLength());
  bool body_is_json = !parsed.HasParseError() && (parsed.IsObject() || parsed.IsArray());
  bool pattern_wants_json = it->second.conditions.empty();
  if (body_is_json != pattern_wants_json) return false;
  return MatchFields(tree_->root, &record, body_is_json ? &parsed : nullptr);
}

bool MatchesAnySqsRecord(const std::vector<FilterPattern>& filters,
                         const rapidjson::Value& record) {
  return filters.empty() || std::any_of(filters.begin(), filters.end(),
                                        [&](const auto& f) { return f.MatchesSqsRecord(record); });
}

}  // namespace ll
