#include "http/form_params.h"

#include "http/http_message.h"

namespace ll {

FormParams ParseForm(std::string_view text) {
  FormParams out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view pair = text.substr(pos, amp - pos);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(PercentDecode(pair, true), "");
      } else {
        out.emplace_back(PercentDecode(pair.substr(0, eq), true),
                         PercentDecode(pair.substr(eq + 1), true));
      }
    }
    pos = amp + 1;
  }
  return out;
}

std::string FormValue(const FormParams& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return "";
}

}  // namespace ll
