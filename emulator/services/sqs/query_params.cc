#include "services/sqs/query_params.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace ll::sqs {
namespace {

// Parameters as a tree on their dotted names: "A.1.B" -> A -> 1 -> B.
struct Node {
  std::string value;
  bool has_value = false;
  std::map<std::string, Node> children;
};

bool IsIndex(const std::string& s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool AllIndexes(const Node& node) {
  if (node.children.empty()) return false;
  for (const auto& [key, child] : node.children) {
    if (!IsIndex(key)) return false;
  }
  return true;
}

// Children of a numbered node, in numeric order.
std::vector<const Node*> Numbered(const Node& node) {
  std::vector<std::pair<long, const Node*>> items;
  for (const auto& [key, child] : node.children) items.emplace_back(std::stol(key), &child);
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const Node*> out;
  for (const auto& item : items) out.push_back(item.second);
  return out;
}

struct Rename {
  std::string_view query;
  std::string_view json;
  bool is_map;  // numbered Name/Key + Value pairs
};

constexpr Rename kRenames[] = {
    {"Attribute", "Attributes", true},
    {"MessageAttribute", "MessageAttributes", true},
    {"MessageSystemAttribute", "MessageSystemAttributes", true},
    {"Tag", "Tags", true},
    {"AttributeName", "AttributeNames", false},
    {"MessageAttributeName", "MessageAttributeNames", false},
    {"MessageSystemAttributeName", "MessageSystemAttributeNames", false},
    {"TagKey", "TagKeys", false},
    {"AWSAccountId", "AWSAccountIds", false},
    {"ActionName", "Actions", false},
    {"StringListValue", "StringListValues", false},
    {"BinaryListValue", "BinaryListValues", false},
    {"SendMessageBatchRequestEntry", "Entries", false},
    {"DeleteMessageBatchRequestEntry", "Entries", false},
    {"ChangeMessageVisibilityBatchRequestEntry", "Entries", false},
};

// Numbered Name/Key + Value entries under a name the table does not know ("Tags.1.Key").
bool LooksLikeMap(const Node& node) {
  if (!AllIndexes(node)) return false;
  const Node& first = *Numbered(node).front();
  bool has_key = first.children.count("Name") || first.children.count("Key");
  return has_key && first.children.count("Value");
}

class Converter {
 public:
  Converter(rapidjson::Document::AllocatorType& alloc, std::string_view operation)
      : alloc_(alloc), operation_(operation) {}

  rapidjson::Value Object(const Node& node) {
    rapidjson::Value out(rapidjson::kObjectType);
    for (const auto& [key, child] : node.children) {
      const Rename* rename = nullptr;
      for (const Rename& r : kRenames) {
        if (r.query == key) rename = &r;
      }
      std::string name = rename ? std::string(rename->json) : key;
      if (key == "Tag" && operation_ == "CreateQueue") name = "tags";
      rapidjson::Value value;
      if ((rename && rename->is_map) || LooksLikeMap(child)) {
        value = Map(child);
      } else if (AllIndexes(child) || rename) {
        value = List(child);
      } else if (child.children.count("member")) {  // non-flattened list: X.member.N
        value = List(child.children.at("member"));
      } else if (child.children.count("entry")) {  // non-flattened map: X.entry.N.key/value
        value = Map(child.children.at("entry"));
      } else {
        value = Any(child);
      }
      out.AddMember(rapidjson::Value(name.c_str(), rapidjson::SizeType(name.size()), alloc_), value,
                    alloc_);
    }
    return out;
  }

 private:
  rapidjson::Value Any(const Node& node) {
    if (!node.children.empty()) return Object(node);
    return String(node.value);
  }

  rapidjson::Value String(const std::string& s) {
    return rapidjson::Value(s.c_str(), rapidjson::SizeType(s.size()), alloc_);
  }

  rapidjson::Value List(const Node& node) {
    rapidjson::Value out(rapidjson::kArrayType);
    if (!AllIndexes(node)) return out;
    for (const Node* item : Numbered(node)) out.PushBack(Any(*item), alloc_);
    return out;
  }

  rapidjson::Value Map(const Node& node) {
    rapidjson::Value out(rapidjson::kObjectType);
    if (!AllIndexes(node)) return out;
    for (const Node* item : Numbered(node)) {
      const Node* key = nullptr;
      const Node* value = nullptr;
      for (std::string_view k : {"Name", "Key", "key", "name"}) {
        if (auto it = item->children.find(std::string(k)); it != item->children.end()) {
          key = &it->second;
        }
      }
      for (std::string_view v : {"Value", "value"}) {
        if (auto it = item->children.find(std::string(v)); it != item->children.end()) {
          value = &it->second;
        }
      }
      if (!key) continue;
      rapidjson::Value v = value ? Any(*value) : String("");
      out.AddMember(String(key->value), v, alloc_);
    }
    return out;
  }

  rapidjson::Document::AllocatorType& alloc_;
  std::string_view operation_;
};

}  // namespace

rapidjson::Document QueryParamsToJson(const FormParams& params, std::string_view operation) {
  Node root;
  for (const auto& [key, value] : params) {
    if (key == "Action" || key == "Version") continue;
    Node* node = &root;
    size_t start = 0;
    while (true) {
      size_t dot = key.find('.', start);
      node = &node->children[key.substr(
          start, dot == std::string::npos ? std::string::npos : dot - start)];
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    if (!node->has_value) {
      node->value = value;
      node->has_value = true;
    }
  }
  rapidjson::Document doc;
  Converter converter(doc.GetAllocator(), operation);
  rapidjson::Value object = converter.Object(root);
  static_cast<rapidjson::Value&>(doc) = object;  // moves
  return doc;
}

}  // namespace ll::sqs
