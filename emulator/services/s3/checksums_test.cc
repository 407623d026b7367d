#include "services/s3/checksums.h"

#include "base/strings.h"

#include <catch2/catch.hpp>

#include <string>

using namespace ll::s3;
using ll::Base64Encode;

namespace {

std::string B64Of(ChecksumAlgorithm a, std::string_view data) { return Base64Encode(Digest(a, data)); }

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = char((i * 131 + 7) % 251);
  return s;
}

}  // namespace

TEST_CASE("checksum algorithm names parse from S3's spellings and header names") {
  CHECK(ParseChecksumAlgorithm("CRC32") == ChecksumAlgorithm::kCrc32);
  CHECK(ParseChecksumAlgorithm("crc32c") == ChecksumAlgorithm::kCrc32c);
  CHECK(ParseChecksumAlgorithm("Sha1") == ChecksumAlgorithm::kSha1);
  CHECK(ParseChecksumAlgorithm("SHA256") == ChecksumAlgorithm::kSha256);
  CHECK_FALSE(ParseChecksumAlgorithm("CRC64NVME"));
  CHECK_FALSE(ParseChecksumAlgorithm("MD5"));
  CHECK_FALSE(ParseChecksumAlgorithm(""));
  CHECK_FALSE(ParseChecksumAlgorithm("CRC32 "));

  CHECK(ChecksumAlgorithmFromHeader("x-amz-checksum-crc32") == ChecksumAlgorithm::kCrc32);
  CHECK(ChecksumAlgorithmFromHeader("X-Amz-Checksum-CRC32C") == ChecksumAlgorithm::kCrc32c);
  CHECK(ChecksumAlgorithmFromHeader("x-amz-checksum-sha1") == ChecksumAlgorithm::kSha1);
  CHECK(ChecksumAlgorithmFromHeader("x-amz-checksum-sha256") == ChecksumAlgorithm::kSha256);
  CHECK_FALSE(ChecksumAlgorithmFromHeader("x-amz-checksum-mode"));
  CHECK_FALSE(ChecksumAlgorithmFromHeader("x-amz-checksum-type"));
  CHECK_FALSE(ChecksumAlgorithmFromHeader("x-amz-checksum-"));
  CHECK_FALSE(ChecksumAlgorithmFromHeader("x-amz-sdk-checksum-algorithm"));

  for (auto a : {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kSha1,
                 ChecksumAlgorithm::kSha256}) {
    CHECK(ParseChecksumAlgorithm(ChecksumAlgorithmName(a)) == a);
    CHECK(ChecksumAlgorithmFromHeader(ChecksumHeaderName(a)) == a);
    CHECK(Digest(a, "x").size() == ChecksumDigestSize(a));
  }
  CHECK(ChecksumHeaderName(ChecksumAlgorithm::kCrc32c) == "x-amz-checksum-crc32c");
}

// Expected values from python3: zlib.crc32, hashlib; base64 of the big-endian digest.
TEST_CASE("CRC32, SHA1, SHA256 and MD5 match reference vectors") {
  CHECK(B64Of(ChecksumAlgorithm::kCrc32, "hello") == "NhCmhg==");
  CHECK(B64Of(ChecksumAlgorithm::kCrc32, "") == "AAAAAA==");
  CHECK(HexEncode(Digest(ChecksumAlgorithm::kCrc32, "123456789")) == "cbf43926");
  CHECK(B64Of(ChecksumAlgorithm::kCrc32, "The quick brown fox jumps over the lazy dog") == "QU+jOQ==");
  CHECK(B64Of(ChecksumAlgorithm::kSha1, "hello") == "qvTGHdzF6KLavt4PO0gs2a6pQ00=");
  CHECK(B64Of(ChecksumAlgorithm::kSha1, "") == "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
  CHECK(B64Of(ChecksumAlgorithm::kSha256, "hello") == "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
  CHECK(HexEncode(Digest(ChecksumAlgorithm::kSha256, "")) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(HexEncode(Md5Digest("hello")) == "5d41402abc4b2a76b9719d911017c592");
  CHECK(HexEncode(Md5Digest("")) == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(Md5Etag(Md5Digest("hello")) == "\"5d41402abc4b2a76b9719d911017c592\"");
}

// CRC32C check value (Rocksoft model) and the iSCSI vectors of RFC 3720 B.4.
TEST_CASE("CRC32C matches known vectors on both the hardware and the table path") {
  std::string incrementing;
  for (int i = 0; i < 32; ++i) incrementing += char(i);
  const std::pair<std::string, uint32_t> vectors[] = {
      {"", 0},
      {"123456789", 0xE3069283u},
      {std::string(32, '\0'), 0x8A9136AAu},
      {std::string(32, '\xff'), 0x62A8AB43u},
      {incrementing, 0x46DD794Eu},
  };
  for (const auto& [data, crc] : vectors) {
    CHECK(Crc32cUpdate(0, data) == crc);
    CHECK(detail::Crc32cPortable(0, data) == crc);
  }
  CHECK(B64Of(ChecksumAlgorithm::kCrc32c, "123456789") == "4waSgw==");
  CHECK(B64Of(ChecksumAlgorithm::kCrc32c, "hello") == "mnG7TA==");
  // Every length and alignment agrees between the two paths.
  const std::string data = Pattern(300);
  for (size_t from = 0; from < 9; ++from) {
    for (size_t n = 0; n + from <= data.size(); n += 7) {
      std::string_view piece = std::string_view(data).substr(from, n);
      CHECK(Crc32cUpdate(0, piece) == detail::Crc32cPortable(0, piece));
    }
  }
}

TEST_CASE("hashers give the same digest however the input is split") {
  const std::string data = Pattern(10000);
  for (auto a : {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kSha1,
                 ChecksumAlgorithm::kSha256}) {
    const std::string whole = Digest(a, data);
    for (size_t step : {1, 3, 8, 1000, 9999}) {
      Hasher h(a);
      for (size_t at = 0; at < data.size(); at += step) h.Update(std::string_view(data).substr(at, step));
      CHECK(h.Finish() == whole);
    }
  }
  Hasher md5 = Hasher::Md5();
  md5.Update("hel");
  Hasher moved = std::move(md5);
  moved.Update("lo");
  CHECK(HexEncode(moved.Finish()) == "5d41402abc4b2a76b9719d911017c592");
}

TEST_CASE("base64 encodes with padding and decodes strictly") {
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("f") == "Zg==");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(Base64Encode("foo") == "Zm9v");
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
  CHECK(Base64Encode(std::string("\xff\xfe\xfd", 3)) == "//79");
  for (size_t n = 0; n < 40; ++n) {
    const std::string raw = Pattern(n);
    CHECK(Base64DecodeStrict(Base64Encode(raw)) == raw);
  }
  CHECK(Base64DecodeStrict("") == std::string());
  CHECK(Base64DecodeStrict("NhCmhg==") == std::string("\x36\x10\xa6\x86", 4));
  CHECK(Base64DecodeStrict("Zm8=") == "fo");
  CHECK(Base64DecodeStrict("Zg==") == "f");

  CHECK_FALSE(Base64DecodeStrict("Zg"));         // padding required
  CHECK_FALSE(Base64DecodeStrict("Zg="));
  CHECK_FALSE(Base64DecodeStrict("Zg==="));
  CHECK_FALSE(Base64DecodeStrict("Z==="));
  CHECK_FALSE(Base64DecodeStrict("===="));
  CHECK_FALSE(Base64DecodeStrict("Zg==Zg=="));   // padding in the middle
  CHECK_FALSE(Base64DecodeStrict("Z=g="));
  CHECK_FALSE(Base64DecodeStrict("Zh=="));       // unused bits set
  CHECK_FALSE(Base64DecodeStrict("Zm9="));
  CHECK_FALSE(Base64DecodeStrict("Zm9v\n"));
  CHECK_FALSE(Base64DecodeStrict(" Zm9v"));
  CHECK_FALSE(Base64DecodeStrict("Zm-v"));       // URL alphabet is not S3's
  CHECK_FALSE(Base64DecodeStrict("Zm_v"));
  CHECK_FALSE(Base64DecodeStrict(std::string("Zm\0v", 4)));
}

TEST_CASE("hex encodes lower case") {
  CHECK(HexEncode("") == "");
  CHECK(HexEncode(std::string("\x00\x0f\xa0\xff", 4)) == "000fa0ff");
  CHECK(Md5Etag("") == "\"\"");
}

TEST_CASE("checksums: empty pieces, null or not, change nothing", "[s3]") {
  for (ChecksumAlgorithm a : {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c,
                              ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256}) {
    Hasher h(a);
    h.Update("hel");
    h.Update(std::string_view());
    h.Update(std::string_view("", 0));
    h.Update("lo");
    h.Update(std::string_view());
    CHECK(h.Finish() == Digest(a, "hello"));
  }
}
