// Small string helpers shared by every module: ids, base64, time formats, JSON escaping.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ll {

// A random version-4 UUID, as AWS request ids are.
std::string NewUuid();
// `n` random lowercase hex digits.
std::string RandomHex(size_t n);

std::string Base64Encode(std::string_view in);
std::optional<std::string> Base64Decode(std::string_view in);

// Milliseconds since the Unix epoch.
int64_t NowEpochMs();
// "2019-06-05T19:30:03.173Z"
std::string IsoTimestampUtc(std::chrono::system_clock::time_point t);
// "2019/06/05"
std::string DatePathUtc(std::chrono::system_clock::time_point t);

// Quotes and escapes `s` as a JSON string, including the quotes.
std::string JsonQuote(std::string_view s);

bool StartsWith(std::string_view s, std::string_view prefix);
// The smallest string greater than every string that starts with `prefix` (bytewise); "" when
// there is none (the prefix is empty or all 0xff bytes). For range scans by prefix.
std::string PrefixEnd(std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);

}  // namespace ll
