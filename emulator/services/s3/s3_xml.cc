#include "services/s3/s3_xml.h"

#include <time.h>

#include <cstring>

#include <fmt/format.h>

#include "base/strings.h"

namespace ll::s3 {

std::optional<pugi::xml_document> ParseXml(std::string_view body) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed || !doc.document_element()) return std::nullopt;
  return doc;
}

std::string_view LocalName(const pugi::xml_node& node) {
  std::string_view n(node.name());
  if (size_t colon = n.find(':'); colon != std::string_view::npos) n = n.substr(colon + 1);
  return n;
}


std::vector<pugi::xml_node> ChildrenNamed(pugi::xml_node node, std::string_view name) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_element && LocalName(child) == name) out.push_back(child);
  }
  return out;
}

pugi::xml_node ChildNamed(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_element && LocalName(child) == name) return child;
  }
  return {};
}

std::string TextOf(pugi::xml_node node) { return node ? node.text().get() : ""; }

std::string XmlTimestamp(int64_t epoch_ms) {
  return IsoTimestampUtc(std::chrono::system_clock::time_point(std::chrono::milliseconds(epoch_ms)));
}

std::string HttpDate(int64_t epoch_ms) {
  time_t seconds = time_t(epoch_ms / 1000);
  struct tm t;
  gmtime_r(&seconds, &t);
  char buf[64];
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &t);
  return buf;
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  std::string s(text);
  for (const char* format : {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
                             "%a %b %e %H:%M:%S %Y"}) {
    struct tm t;
    std::memset(&t, 0, sizeof t);
    const char* end = strptime(s.c_str(), format, &t);
    if (end && *end == '\0') return int64_t(timegm(&t)) * 1000;
  }
  return std::nullopt;
}

}  // namespace ll::s3
