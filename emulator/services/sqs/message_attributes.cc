#include "services/sqs/message_attributes.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>

#include "services/sqs/sqs_errors.h"

namespace ll::sqs {
namespace {

constexpr size_t kMaxAttributes = 10;
constexpr size_t kMaxAttributeNameLength = 256;
constexpr size_t kMaxDataTypeLength = 256;


void AppendLengthPrefixed(std::string& out, std::string_view bytes) {
  uint32_t n = uint32_t(bytes.size());
  out += char((n >> 24) & 0xff);
  out += char((n >> 16) & 0xff);
  out += char((n >> 8) & 0xff);
  out += char(n & 0xff);
  out.append(bytes);
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

Status ValidateAttributeName(std::string_view name) {
  auto invalid = [&](std::string_view why) {
    return InvalidParameterValue(
        fmt::format("Message (user) attribute name '{}' is invalid. {}", name, why));
  };
  if (name.empty()) return invalid("The attribute name must not be empty.");
  if (name.size() > kMaxAttributeNameLength) {
    return invalid("The attribute name must be at most 256 characters long.");
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return invalid(
          "The attribute name can contain only alphanumeric characters, hyphens, underscores "
          "and periods.");
    }
  }
  if (name.front() == '.' || name.back() == '.' || name.find("..") != std::string_view::npos) {
    return invalid(
        "The attribute name must not start or end with a period, or contain successive "
        "periods.");
  }
  if (StartsWithIgnoreCase(name, "AWS.") || StartsWithIgnoreCase(name, "Amazon.")) {
    return invalid("The attribute name must not start with the reserved prefixes AWS. or Amazon.");
  }
  return Status::Ok();
}

// SQS numbers: an optional sign, digits with an optional fraction, an optional exponent.
bool IsNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

Status ValidateAttributeValue(const std::string& name, const MessageAttributeValue& value) {
  const std::string& type = value.data_type;
  if (type.empty()) {
    return InvalidParameterValue(fmt::format(
        "The message attribute '{}' must contain non-empty message attribute type.", name));
  }
  std::string_view base = std::string_view(type).substr(0, type.find('.'));
  bool known = base == "String" || base == "Number" || base == "Binary";
  if (!known || type.size() > kMaxDataTypeLength ||
      (type.size() > base.size() && type.size() == base.size() + 1)) {
    return InvalidParameterValue(fmt::format(
        "The type of message (user) attribute '{}' is invalid. You must use only the following "
        "supported type prefixes: Binary, Number, String.",
        name));
  }
  if (!value.string_list_values.empty() || !value.binary_list_values.empty()) {
    return InvalidParameterValue(fmt::format(
        "Message (user) attribute '{}' uses StringListValues or BinaryListValues, which SQS "
        "does not support yet.",
        name));
  }
  if (base == "Binary") {
    if (value.binary_value.empty()) {
      return InvalidParameterValue(fmt::format(
          "The message attribute '{}' must contain non-empty message attribute value for "
          "message attribute type '{}'.",
          name, type));
    }
    return Status::Ok();
  }
  if (value.string_value.empty()) {
    return InvalidParameterValue(fmt::format(
        "The message attribute '{}' must contain non-empty message attribute value for message "
        "attribute type '{}'.",
        name, type));
  }
  if (base == "Number" && !IsNumber(value.string_value)) {
    return InvalidParameterValue(
        fmt::format("Can't cast the value of message (user) attribute '{}' to a number.", name));
  }
  return ValidateCharacters(value.string_value, "message attribute value");
}

}  // namespace



std::string MessageAttributesMd5(const MessageAttributes& attributes) {
  if (attributes.empty()) return "";
  std::string buffer;
  for (const auto& [name, value] : attributes) {
    AppendLengthPrefixed(buffer, name);
    AppendLengthPrefixed(buffer, value.data_type);
    if (value.is_binary()) {
      buffer += char(2);
      AppendLengthPrefixed(buffer, value.binary_value);
    } else {
      buffer += char(1);
      AppendLengthPrefixed(buffer, value.string_value);
    }
  }
  return Md5Hex(buffer);
}

Status ValidateCharacters(std::string_view text, std::string_view where) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    uint32_t cp = 0;
    size_t extra = 0;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xe0) == 0xc0) {
      cp = c & 0x1f;
      extra = 1;
    } else if ((c & 0xf0) == 0xe0) {
      cp = c & 0x0f;
      extra = 2;
    } else if ((c & 0xf8) == 0xf0) {
      cp = c & 0x07;
      extra = 3;
    } else {
      cp = 0xfffe;  // not UTF-8: reported as an invalid character
    }
    bool valid_sequence = i + extra < text.size() || extra == 0;
    for (size_t k = 1; k <= extra && valid_sequence; ++k) {
      unsigned char cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xc0) != 0x80) {
        valid_sequence = false;
        break;
      }
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (!valid_sequence) cp = 0xfffe;
    bool allowed = cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
                   (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!allowed) {
      return Status::Error(
          errors::kInvalidMessageContents,
          fmt::format("Invalid binary character '#x{:X}' was found in the {}, the set of allowed "
                      "characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | "
                      "#x10000 to #x10FFFF",
                      cp, where));
    }
    i += extra + 1;
  }
  return Status::Ok();
}

Status ValidateMessageAttributes(const MessageAttributes& attributes) {
  if (attributes.size() > kMaxAttributes) {
    return InvalidParameterValue(
        fmt::format("Number of message attributes [{}] exceeds the allowed maximum [{}].",
                    attributes.size(), kMaxAttributes));
  }
  for (const auto& [name, value] : attributes) {
    if (Status s = ValidateAttributeName(name); !s.ok()) return s;
    if (Status s = ValidateAttributeValue(name, value); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ValidateSystemAttributes(const MessageAttributes& attributes) {
  for (const auto& [name, value] : attributes) {
    if (name != "AWSTraceHeader") {
      return InvalidParameterValue(
          fmt::format("Message system attribute name '{}' is invalid.", name));
    }
    if (value.data_type != "String" || value.string_value.empty()) {
      return InvalidParameterValue(fmt::format(
          "Message system attribute '{}' must be of type String with a non-empty value.", name));
    }
  }
  return Status::Ok();
}

size_t MessageSize(const SendRequest& request) {
  size_t size = request.body.size();
  for (const auto& [name, value] : request.attributes) {
    size += name.size() + value.data_type.size() +
            (value.is_binary() ? value.binary_value.size() : value.string_value.size());
  }
  return size;
}

}  // namespace ll::sqs
