// XML for S3's REST-XML protocol: a small writer for answers, and reading request bodies with
// pugixml. Answers are written by hand rather than through a DOM because S3 escapes more than
// XML requires (CR and LF in keys as &#13; and &#10;, so that no parser normalises them away)
// and because a listing of 1,000 keys should not build a tree first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

namespace ll::s3 {

inline constexpr char kS3Namespace[] = "http://s3.amazonaws.com/doc/2006-03-01/";

// Appends XML to a string: the declaration first, then elements in the order written.
class XmlWriter {
 public:
  XmlWriter();
  // <name> (with S3's namespace when `with_namespace`).
  XmlWriter& Open(std::string_view name, bool with_namespace = false);
  XmlWriter& Close(std::string_view name);
  // <name>text</name>, text escaped.
  XmlWriter& Text(std::string_view text);  // escaped
  XmlWriter& Raw(std::string_view xml);    // as it is
  XmlWriter& Leaf(std::string_view name, std::string_view text);
  XmlWriter& Number(std::string_view name, uint64_t value);
  XmlWriter& Bool(std::string_view name, bool value);
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// `text` with &, <, >, ", ' and CR, LF escaped as S3 escapes them.
void AppendXmlEscaped(std::string& out, std::string_view text);

// <name>text</name>, text escaped (as AppendXmlEscaped does).
std::string XmlElement(std::string_view name, std::string_view text);
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
