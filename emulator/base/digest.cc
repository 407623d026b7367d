#include "base/digest.h"

#include <openssl/evp.h>

namespace ll {
namespace {

std::string DigestHex(std::string_view data, const EVP_MD* md) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, md, nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace

std::string Md5Hex(std::string_view data) { return DigestHex(data, EVP_md5()); }

std::string Sha256Hex(std::string_view data) { return DigestHex(data, EVP_sha256()); }

}  // namespace ll
