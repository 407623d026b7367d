// application/x-www-form-urlencoded parameters, the input of the query protocol (SQS's legacy
// protocol, SNS) in a body or a query string.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ll {

using FormParams = std::vector<std::pair<std::string, std::string>>;

// Decodes "a=1&b=x+y%21", in order.
FormParams ParseForm(std::string_view text);

// The value of the first parameter named `name`, or "".
std::string FormValue(const FormParams& params, std::string_view name);

}  // namespace ll
