#include "model/function_ref.h"
#include "model/error_names.h"

#include <vector>

namespace ll {
namespace {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    parts.emplace_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_';
}

bool IsValidName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

bool IsValidQualifier(const std::string& s) {
  if (s == "$LATEST") return true;
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

Status Invalid(std::string_view text) {
  return Status::Error(errors::kValidation,
                       "1 validation error detected: Value '" + std::string(text) +
                           "' at 'functionName' failed to satisfy constraint: Member must "
                           "satisfy regular expression pattern: "
                           "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?"
                           "(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
}

}  // namespace

Result<FunctionRef> ParseFunctionRef(std::string_view text) {
  if (text.empty() || text.size() > 256) return Invalid(text);
  std::vector<std::string> parts = Split(text, ':');
  FunctionRef ref;
  size_t name_at = 0;
  if (parts[0] == "arn") {
    // arn:aws:lambda:region:account:function:name[:qualifier]
    if (parts.size() < 7 || parts.size() > 8 || parts[2] != "lambda" || parts[5] != "function") {
      return Invalid(text);
    }
    ref.region = parts[3];
    ref.account_id = parts[4];
    name_at = 6;
  } else if (parts.size() >= 3 && parts[1] == "function") {
    // account:function:name[:qualifier]
    if (parts.size() > 4) return Invalid(text);
    ref.account_id = parts[0];
    name_at = 2;
  } else if (parts.size() > 2) {
    return Invalid(text);
  }
  ref.name = parts[name_at];
  if (parts.size() > name_at + 1) ref.qualifier = parts[name_at + 1];
  if (!IsValidName(ref.name)) return Invalid(text);
  if (parts.size() > name_at + 1 && !IsValidQualifier(ref.qualifier)) return Invalid(text);
  return ref;
}

}  // namespace ll
