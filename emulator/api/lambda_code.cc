// Deployment packages of the control plane: keeping uploaded zips (content-addressed, unpacked
// beside them) and serving them back at the Code.Location GetFunction reports. Template
// functions have no zip: theirs is built from their code folder on request.
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "api/lambda_request.h"
#include "base/strings.h"
#include "model/error_names.h"
#include "store/code_package.h"

namespace ll {
namespace {

namespace fs = std::filesystem;

std::string HexOfBase64(const std::string& b64) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto bytes = Base64Decode(b64);
  if (!bytes) return "";
  std::string out;
  for (unsigned char c : *bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Status WriteFileAtomically(const fs::path& path, std::string_view bytes) {
  fs::path temp = path;
  temp += ".tmp-" + RandomHex(8);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out) {
      return Status::Error(errors::kService,
                           "Cannot write the deployment package to " + temp.string());
    }
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp, ec);
    return Status::Error(errors::kService,
                         "Cannot store the deployment package at " + path.string());
  }
  return Status::Ok();
}

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

la_ssize_t AppendToString(struct archive*, void* out, const void* buf, size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
  return la_ssize_t(n);
}

// A zip of everything under `dir` (regular files, folders, symlinks), permissions kept.
Result<std::string> ZipDirectory(const fs::path& dir) {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_set_bytes_in_last_block(a, 1);  // no padding after the central directory
  if (archive_write_open(a, &out, nullptr, AppendToString, nullptr) != ARCHIVE_OK) {
    archive_write_free(a);
    return Status::Error(errors::kService, "Cannot start a zip archive");
  }
  Status status;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const fs::path& path = it->path();
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) continue;
    std::string rel = path.lexically_relative(dir).generic_string();
    if (S_ISDIR(st.st_mode)) rel += "/";
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) continue;
    std::string content;
    if (S_ISREG(st.st_mode)) {
      auto bytes = ReadFile(path);
      if (!bytes) continue;
      content = std::move(*bytes);
    }
    struct archive_entry* e = archive_entry_new();
    archive_entry_copy_stat(e, &st);
    archive_entry_set_pathname(e, rel.c_str());
    if (S_ISLNK(st.st_mode)) {
      std::error_code lec;
      archive_entry_set_symlink(e, fs::read_symlink(path, lec).c_str());
      archive_entry_set_size(e, 0);
    }
    if (S_ISDIR(st.st_mode)) archive_entry_set_size(e, 0);
    bool ok = archive_write_header(a, e) == ARCHIVE_OK &&
              (content.empty() ||
               archive_write_data(a, content.data(), content.size()) == la_ssize_t(content.size()));
    archive_entry_free(e);
    if (!ok) {
      status = Status::Error(errors::kService, fmt::format("Cannot zip {}: {}", path.string(),
                                                           archive_error_string(a)));
      break;
    }
  }
  if (archive_write_close(a) != ARCHIVE_OK && status.ok()) {
    status = Status::Error(errors::kService, "Cannot finish the zip archive");
  }
  archive_write_free(a);
  if (!status.ok()) return status;
  if (ec)
    return Status::Error(errors::kService, "Cannot read " + dir.string() + ": " + ec.message());
  return out;
}

Status ServeCode(const ControlPlaneContext& ctx, const HttpRequest& req,
                 HttpResponse& res) {
  const std::string name = PercentDecode(req.matches[1].str());
  const std::string version = PercentDecode(req.matches[2].str());
  auto rec = GetRecord(ctx, name);
  if (!rec.ok()) return rec.status();
  auto config = ConfigFor(ctx, *rec, version == "$LATEST" ? "" : version);
  if (!config.ok()) return config.status();
  const FunctionConfig& fn = **config;
  std::optional<std::string> zip;
  if (!fn.code_sha256.empty()) {
    zip = ReadFile(FunctionStateDir(ctx, name) / (HexOfBase64(fn.code_sha256) + ".zip"));
  }
  if (!zip && !fn.code_dir.empty() && fs::is_directory(fn.code_dir)) {
    auto built = ZipDirectory(fn.code_dir);
    if (!built.ok()) return built.status();
    zip = std::move(*built);
  }
  if (!zip) {
    return Status::Error(errors::kResourceNotFound,
                         fmt::format("No deployment package is stored for {} (its code folder {} "
                                     "is gone)",
                                     FunctionArn(ctx, name, version), fn.code_dir.string()));
  }
  res.status = 200;
  res.SetContent(std::move(*zip), "application/zip");
  return Status::Ok();
}

}  // namespace

fs::path FunctionStateDir(const ControlPlaneContext& ctx, const std::string& name) {
  fs::path base =
      ctx.state_dir.empty() ? fs::temp_directory_path() / "lambda-local-state" : ctx.state_dir;
  std::error_code ec;
  fs::path abs = fs::absolute(base, ec);
  return (ec ? base : abs) / "functions" / name;
}

Result<StoredCode> StoreCodePackage(const ControlPlaneContext& ctx, const std::string& name,
                                    const std::string& zip_base64, bool dry_run) {
  auto zip = Base64Decode(zip_base64);
  if (!zip || zip->empty()) {
    return Status::Error(
        errors::kInvalidParameterValue,
        "Could not unzip uploaded file. Please check your file, then try to upload "
        "again. (ZipFile is not valid base64 or is empty)");
  }
  CodePackageInfo info = DescribeZip(*zip);
  StoredCode out;
  out.sha256_base64 = info.sha256_base64;
  out.size = info.size;
  const std::string hex = HexOfBase64(info.sha256_base64);
  const fs::path dir = FunctionStateDir(ctx, name);
  out.zip_path = dir / (hex + ".zip");
  out.code_dir = dir / hex;
  if (dry_run) return out;

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return Status::Error(errors::kService,
                         fmt::format("Cannot create {}: {}", dir.string(), ec.message()));
  }
  if (!fs::is_directory(out.code_dir)) {
    Status s = UnpackZip(*zip, out.code_dir);
    // A concurrent upload of the same package may have unpacked it first.
    if (!s.ok() && !fs::is_directory(out.code_dir)) {
      fs::remove(dir, ec);  // only when empty: a refused first upload leaves nothing behind
      return s;
    }
  }
  if (!fs::exists(out.zip_path)) {
    Status s = WriteFileAtomically(out.zip_path, *zip);
    if (!s.ok()) return s;
  }
  return out;
}

std::string CodeLocation(const HttpRequest& req, const std::string& name,
                         const std::string& version) {
  std::string host = req.HeaderValue("Host");
  if (host.empty()) host = "127.0.0.1";
  return fmt::format("http://{}/_lambda-local/code/{}/{}.zip", host, name, version);
}

void RegisterCodeRoutes(HttpRouter& router, const ControlPlaneContext* ctx) {
  router.Get(R"(/_lambda-local/code/([^/]+)/([^/]+)\.zip)", Wrap(ctx, ServeCode));
}

}  // namespace ll
