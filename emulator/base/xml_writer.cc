#include "base/xml_writer.h"

namespace ll {

XmlWriter::XmlWriter() { out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"; }

XmlWriter& XmlWriter::Open(std::string_view name, std::string_view xmlns) {
  out_ += '<';
  out_ += name;
  if (!xmlns.empty()) {
    out_ += " xmlns=\"";
    out_ += xmlns;
    out_ += '"';
  }
  out_ += '>';
  return *this;
}

XmlWriter& XmlWriter::Close(std::string_view name) {
  out_ += "</";
  out_ += name;
  out_ += '>';
  return *this;
}

XmlWriter& XmlWriter::Raw(std::string_view xml) {
  out_ += xml;
  return *this;
}

XmlWriter& XmlWriter::Text(std::string_view text) {
  AppendXmlEscaped(out_, text);
  return *this;
}

XmlWriter& XmlWriter::Leaf(std::string_view name, std::string_view text) {
  Open(name);
  AppendXmlEscaped(out_, text);
  return Close(name);
}

XmlWriter& XmlWriter::Number(std::string_view name, uint64_t value) {
  return Leaf(name, std::string_view(std::to_string(value)));
}

XmlWriter& XmlWriter::Bool(std::string_view name, bool value) {
  return Leaf(name, std::string_view(value ? "true" : "false"));
}

void AppendXmlEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#13;"; break;
      case '\n': out += "&#10;"; break;
      default: out += c;
    }
  }
}

std::string XmlElement(std::string_view name, std::string_view text) {
  std::string out = "<" + std::string(name) + ">";
  AppendXmlEscaped(out, text);
  return out + "</" + std::string(name) + ">";
}

}  // namespace ll
