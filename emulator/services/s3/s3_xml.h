// XML for S3's REST-XML protocol: answers are written with XmlWriter (base/xml_writer.h),
// request bodies read with pugixml.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "base/xml_writer.h"

namespace ll::s3 {

inline constexpr char kS3Namespace[] = "http://s3.amazonaws.com/doc/2006-03-01/";

// An ETag without its double quotes (they are optional where a client sends one).
inline std::string_view UnquotedEtag(std::string_view etag) {
  const bool quoted = etag.size() >= 2 && etag.front() == '"' && etag.back() == '"';
  return quoted ? etag.substr(1, etag.size() - 2) : etag;
}

// A request body parsed; nullopt when it is not well-formed XML.
std::optional<pugi::xml_document> ParseXml(std::string_view body);
// An element's name without its namespace prefix ("s3:Event" -> "Event").
std::string_view LocalName(const pugi::xml_node& node);
// Element names without their namespace prefix: the children of `node` called `name`.
std::vector<pugi::xml_node> ChildrenNamed(pugi::xml_node node, std::string_view name);
pugi::xml_node ChildNamed(pugi::xml_node node, std::string_view name);
// The element's text ("" when absent).
std::string TextOf(pugi::xml_node node);

// "2024-01-02T03:04:05.000Z" of milliseconds since the epoch (S3's timestamp in XML).
std::string XmlTimestamp(int64_t epoch_ms);
// "Tue, 02 Jan 2024 03:04:05 GMT" (RFC 7231; Last-Modified and other headers).
std::string HttpDate(int64_t epoch_ms);
// Parses an HTTP date (RFC 7231 IMF-fixdate, also RFC 850 and asctime); nullopt when invalid.
std::optional<int64_t> ParseHttpDate(std::string_view text);

}  // namespace ll::s3
