// The checksums S3 speaks: CRC32, CRC32C, SHA1 and SHA256 (x-amz-checksum-*), and MD5 for
// ETags and Content-MD5. Hashers are incremental, so a body can be hashed as it streams in.
// S3 sends and returns a checksum as base64 of the big-endian digest ("NhCmhg==" is CRC32 of
// "hello"); Finish() gives those raw digest bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_st;      // OpenSSL's EVP_MD
struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace ll::s3 {

enum class ChecksumAlgorithm { kCrc32, kCrc32c, kSha1, kSha256 };

// "CRC32", "CRC32C", "SHA1", "SHA256", in any case (x-amz-sdk-checksum-algorithm,
// ChecksumAlgorithm in XML). Anything else, CRC64NVME included, is nullopt.
std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);
// "x-amz-checksum-crc32" and the like, in any case. Not "x-amz-checksum-mode" / "-type".
std::optional<ChecksumAlgorithm> ChecksumAlgorithmFromHeader(std::string_view header_name);
// "CRC32", "CRC32C", "SHA1", "SHA256".
std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm);
// "x-amz-checksum-crc32", ... (lower case).
std::string ChecksumHeaderName(ChecksumAlgorithm algorithm);
// Raw digest length: 4, 4, 20, 32.
size_t ChecksumDigestSize(ChecksumAlgorithm algorithm);

// An incremental hash. Move-only; not thread-safe. Call Finish() once.
class Hasher {
 public:
  explicit Hasher(ChecksumAlgorithm algorithm);
  static Hasher Md5();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  ~Hasher();

  void Update(std::string_view data);
  // The raw digest: big-endian for the CRCs, as S3 encodes them.
  std::string Finish();

 private:
  enum class Kind { kCrc32, kCrc32c, kEvp };
  struct EvpFree {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  Hasher(Kind kind, const evp_md_st* md);

  Kind kind_;
  uint32_t crc_ = 0;
  std::unique_ptr<evp_md_ctx_st, EvpFree> evp_;  // when kind_ == kEvp
};

// One-shot forms: the raw digest of `data`.
std::string Digest(ChecksumAlgorithm algorithm, std::string_view data);
std::string Md5Digest(std::string_view data);

// CRC32C (Castagnoli) of `data` continuing from `crc` (0 to start); SSE4.2 when the CPU has it.
uint32_t Crc32cUpdate(uint32_t crc, std::string_view data);
namespace detail {
uint32_t Crc32cPortable(uint32_t crc, std::string_view data);  // the table path, for tests
}

// Base64 (standard alphabet, padded) decoded strictly, as S3 reads checksum headers: length a
// multiple of 4, '=' only as the last one or two characters, unused bits zero, no whitespace,
// so a value that decodes encodes back to the same text (ll::Base64Decode is the lenient one).
std::optional<std::string> Base64DecodeStrict(std::string_view text);
// Lower-case hex.
std::string HexEncode(std::string_view raw);
// The ETag of a single-part object: the hex MD5 in double quotes, "\"5d41...\"".
std::string Md5Etag(std::string_view raw_md5);

}  // namespace ll::s3
