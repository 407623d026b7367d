// Parsing JSON from clients: iteratively, so that deep nesting cannot exhaust the stack.
#pragma once

#include <rapidjson/document.h>

#include <string_view>

namespace ll {

// Parses `text` into `doc`; false when it is not well-formed JSON. Never recursive.
inline bool ParseJson(rapidjson::Document& doc, std::string_view text) {
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  return !doc.HasParseError();
}

}  // namespace ll
