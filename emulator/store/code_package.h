// A function's deployment package (Code.ZipFile): the CodeSha256/CodeSize AWS reports for it, and
// unpacking it into the directory the runtime runs from without letting any entry reach outside it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ll {

// AWS's limit on a function's unzipped code (250 MB), in bytes.
inline constexpr int64_t kMaxUnzippedCodeBytes = 262144000;

// Facts AWS reports about a deployment package's zip bytes.
struct CodePackageInfo {
  std::string sha256_base64;  // CodeSha256: base64 of the zip bytes' SHA-256 digest (44 chars)
  int64_t size = 0;           // CodeSize: bytes of the zip
};

CodePackageInfo DescribeZip(std::string_view zip_bytes);

// Unpacks `zip_bytes` into `dest_dir`, which must not exist yet or be an empty directory; its
// parent must exist. All or nothing: on any error dest_dir is left as it was and nothing was
// written outside it. InvalidZipFileException when the bytes are not a zip, when the files add up
// to more than kMaxUnzippedCodeBytes, or when any entry is not a regular file, directory or symlink
// that stays inside (absolute or `..` paths, symlinks pointing out, paths through symlinks,
// devices, hard links). Unix permission bits are kept less group/other write (directories stay
// owner-rwx); entries without them get 0644, directories 0755. Of concurrent calls for one
// dest_dir, one wins and the others fail with ServiceException.
Status UnpackZip(std::string_view zip_bytes, const std::filesystem::path& dest_dir);

}  // namespace ll
