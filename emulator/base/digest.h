// Message digests as lower-case hex, for the ids and checksums services compute (SQS's MD5s,
// FIFO content-based deduplication ids, SNS's certificate name).
#pragma once

#include <string>
#include <string_view>

namespace ll {

std::string Md5Hex(std::string_view data);
std::string Sha256Hex(std::string_view data);

}  // namespace ll
