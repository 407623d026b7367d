// libFuzzer target for what S3 reads from a request besides bodies: a notification
// configuration (parsed, then serialised and parsed again: the two must agree), a Range header
// against an object size, a Host and path (bucket and key), bucket names, and conditional
// headers. The first byte chooses which; nothing may crash, and each answer must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "services/s3/notifications.h"
#include "services/s3/s3_request.h"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "s3_input_fuzz: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 3, size - 3);
  const uint64_t object_size = uint64_t(data[1]) << 8 | data[2];
  switch (data[0] % 5) {
    case 0: {
      auto parsed = ll::s3::ParseNotificationConfiguration(in);
      if (!parsed.ok()) break;
      std::string xml = ll::s3::SerializeNotificationConfiguration(parsed.value());
      auto again = ll::s3::ParseNotificationConfiguration(xml);
      Check(again.ok(), "a serialised configuration does not parse");
      Check(again.value().targets.size() == parsed.value().targets.size(), "targets lost");
      Check(ll::s3::SerializeNotificationConfiguration(again.value()) == xml, "not a fixed point");
      break;
    }
    case 1: {
      auto range = ll::s3::ParseRange(in, object_size);
      if (range.ok() && *range) {
        Check((*range)->first <= (*range)->last, "range backwards");
        Check((*range)->last < object_size, "range past the end");
      }
      break;
    }
    case 2: {
      size_t newline = in.find('\n');
      std::string_view host = in.substr(0, newline);
      std::string_view path = newline == std::string_view::npos ? "" : in.substr(newline + 1);
      ll::s3::S3Address a = ll::s3::AddressOf(host, path);
      Check(a.bucket.size() + a.key.size() <= in.size(), "address longer than its input");
      break;
    }
    case 3:
      (void)ll::s3::ValidateBucketName(in);
      break;
    case 4: {
      ll::s3::Conditions c;
      size_t bar = in.find('|');
      c.if_match = std::string(in.substr(0, bar));
      if (bar != std::string_view::npos) c.if_modified_since = std::string(in.substr(bar + 1));
      (void)ll::s3::CheckConditions(c, "\"abc\"", int64_t(object_size) * 1000, false);
      break;
    }
  }
  return 0;
}
