// XmlWriter: the XML answers of the query and REST-XML protocols (SQS, SNS, S3), written by
// hand rather than through a DOM, because AWS escapes more than XML requires and because a
// listing of 1,000 entries should not build a tree first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ll {

// Appends XML to a string: the declaration first, then elements in the order written.
class XmlWriter {
 public:
  XmlWriter();
  // <name>, with xmlns="<xmlns>" when one is given.
  XmlWriter& Open(std::string_view name, std::string_view xmlns = {});
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

// `text` with &, <, >, ", ' and CR, LF escaped (CR and LF as &#13; and &#10;, as S3 and SNS
// write them, so that no parser normalises them away).
void AppendXmlEscaped(std::string& out, std::string_view text);

// <name>text</name>, text escaped (as AppendXmlEscaped does).
std::string XmlElement(std::string_view name, std::string_view text);
}  // namespace ll
