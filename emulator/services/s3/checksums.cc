#include "services/s3/checksums.h"

#include "http/http_message.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <algorithm>
#include <array>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace ll::s3 {
namespace {

std::string BigEndian(uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

// Slicing-by-8 tables for the reflected Castagnoli polynomial.
using Crc32cTables = std::array<std::array<uint32_t, 256>, 8>;
constexpr Crc32cTables MakeCrc32cTables() {
  Crc32cTables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (c & 1 ? 0x82F63B78u : 0);
    t[0][i] = c;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
  }
  return t;
}
constexpr Crc32cTables kCrc32c = MakeCrc32cTables();

uint32_t Load32Le(const unsigned char* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

#if defined(__x86_64__)
// `crc` is the running (inverted) register, as for the table path.
__attribute__((target("sse4.2"))) uint32_t Crc32cSse42(uint32_t crc, const unsigned char* p, size_t n) {
  uint64_t c = crc;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t v = uint64_t(Load32Le(p)) | uint64_t(Load32Le(p + 4)) << 32;
    c = _mm_crc32_u64(c, v);
  }
  uint32_t c32 = uint32_t(c);
  for (; n > 0; ++p, --n) c32 = _mm_crc32_u8(c32, *p);
  return c32;
}
#endif

int B64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

// ---- algorithm names -------------------------------------------------------------------------

std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name) {
  for (auto a : {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kSha1,
                 ChecksumAlgorithm::kSha256}) {
    if (EqualsIgnoreCase(name, ChecksumAlgorithmName(a))) return a;
  }
  return std::nullopt;
}

std::optional<ChecksumAlgorithm> ChecksumAlgorithmFromHeader(std::string_view header_name) {
  constexpr std::string_view kPrefix = "x-amz-checksum-";
  if (header_name.size() <= kPrefix.size() || !EqualsIgnoreCase(header_name.substr(0, kPrefix.size()), kPrefix)) {
    return std::nullopt;
  }
  return ParseChecksumAlgorithm(header_name.substr(kPrefix.size()));
}

std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32: return "CRC32";
    case ChecksumAlgorithm::kCrc32c: return "CRC32C";
    case ChecksumAlgorithm::kSha1: return "SHA1";
    case ChecksumAlgorithm::kSha256: return "SHA256";
  }
  return "";
}

std::string ChecksumHeaderName(ChecksumAlgorithm algorithm) {
  std::string name = "x-amz-checksum-";
  for (char c : ChecksumAlgorithmName(algorithm)) name += char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return name;
}

size_t ChecksumDigestSize(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
    case ChecksumAlgorithm::kCrc32c: return 4;
    case ChecksumAlgorithm::kSha1: return 20;
    case ChecksumAlgorithm::kSha256: return 32;
  }
  return 0;
}

// ---- CRC32C ----------------------------------------------------------------------------------

uint32_t detail::Crc32cPortable(uint32_t crc, std::string_view data) {
  auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  uint32_t c = ~crc;
  for (; n >= 8; p += 8, n -= 8) {
    const uint32_t lo = Load32Le(p) ^ c, hi = Load32Le(p + 4);
    c = kCrc32c[7][lo & 0xff] ^ kCrc32c[6][(lo >> 8) & 0xff] ^ kCrc32c[5][(lo >> 16) & 0xff] ^
        kCrc32c[4][lo >> 24] ^ kCrc32c[3][hi & 0xff] ^ kCrc32c[2][(hi >> 8) & 0xff] ^
        kCrc32c[1][(hi >> 16) & 0xff] ^ kCrc32c[0][hi >> 24];
  }
  for (; n > 0; ++p, --n) c = (c >> 8) ^ kCrc32c[0][(c ^ *p) & 0xff];
  return ~c;
}

uint32_t Crc32cUpdate(uint32_t crc, std::string_view data) {
#if defined(__x86_64__)
  static const bool kHardware = __builtin_cpu_supports("sse4.2");
  if (kHardware) {
    return ~Crc32cSse42(~crc, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  }
#endif
  return detail::Crc32cPortable(crc, data);
}

// ---- Hasher ----------------------------------------------------------------------------------

void Hasher::EvpFree::operator()(evp_md_ctx_st* ctx) const { EVP_MD_CTX_free(ctx); }

Hasher::Hasher(Kind kind, const evp_md_st* md) : kind_(kind) {
  if (kind_ != Kind::kEvp) return;
  evp_.reset(EVP_MD_CTX_new());
  if (evp_ && EVP_DigestInit_ex(evp_.get(), md, nullptr) != 1) evp_.reset();
}

Hasher::Hasher(ChecksumAlgorithm algorithm)
    : Hasher(algorithm == ChecksumAlgorithm::kCrc32    ? Kind::kCrc32
             : algorithm == ChecksumAlgorithm::kCrc32c ? Kind::kCrc32c
                                                       : Kind::kEvp,
             algorithm == ChecksumAlgorithm::kSha1 ? EVP_sha1() : EVP_sha256()) {}

Hasher Hasher::Md5() { return Hasher(Kind::kEvp, EVP_md5()); }

Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;
Hasher::~Hasher() = default;

void Hasher::Update(std::string_view data) {
  // zlib's crc32 of a null buffer is its initial value, not `crc_` unchanged: an empty piece
  // (a read that decoded no data) would start the checksum over.
  if (data.empty()) return;
  switch (kind_) {
    case Kind::kCrc32:
      crc_ = uint32_t(crc32_z(crc_, reinterpret_cast<const Bytef*>(data.data()), data.size()));
      break;
    case Kind::kCrc32c:
      crc_ = Crc32cUpdate(crc_, data);
      break;
    case Kind::kEvp:
      if (evp_ && EVP_DigestUpdate(evp_.get(), data.data(), data.size()) != 1) evp_.reset();
      break;
  }
}

std::string Hasher::Finish() {
  if (kind_ != Kind::kEvp) return BigEndian(crc_);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // Only a crypto library that refuses the digest (e.g. MD5 under FIPS) lands here empty.
  if (!evp_ || EVP_DigestFinal_ex(evp_.get(), out, &size) != 1) return {};
  return std::string(reinterpret_cast<const char*>(out), size);
}

std::string Digest(ChecksumAlgorithm algorithm, std::string_view data) {
  Hasher h(algorithm);
  h.Update(data);
  return h.Finish();
}

std::string Md5Digest(std::string_view data) {
  Hasher h = Hasher::Md5();
  h.Update(data);
  return h.Finish();
}

// ---- encodings -------------------------------------------------------------------------------

std::optional<std::string> Base64DecodeStrict(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const size_t pad = last ? (text[i + 3] == '=') + (text[i + 2] == '=' && text[i + 3] == '=') : 0;
    uint32_t v = 0;
    for (size_t k = 0; k < 4 - pad; ++k) {
      const int d = B64Value(text[i + k]);
      if (d < 0) return std::nullopt;  // bad character, or '=' anywhere but the end
      v |= uint32_t(d) << (18 - 6 * k);
    }
    if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff))) return std::nullopt;  // non-zero unused bits
    out += char(v >> 16);
    if (pad < 2) out += char(v >> 8);
    if (pad < 1) out += char(v);
  }
  return out;
}

std::string HexEncode(std::string_view raw) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string Md5Etag(std::string_view raw_md5) { return '"' + HexEncode(raw_md5) + '"'; }

}  // namespace ll::s3
