#include "runtimes/runtime_catalog.h"
#include "model/error_names.h"

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/format.h>

#include "base/strings.h"
#include "process/reaper.h"
#include "runtimes/embedded_runtimes.h"

namespace ll {
namespace {

bool IsPython(const std::string& r) { return StartsWith(r, "python3."); }
bool IsNode(const std::string& r) {
  return r == "nodejs18.x" || r == "nodejs20.x" || r == "nodejs22.x";
}
bool IsProvided(const std::string& r) {
  return r == "provided" || r == "provided.al2" || r == "provided.al2023";
}

// Version managers (pyenv, nvm shims) put scripts on PATH that cost tens of milliseconds per
// start. Ask such a script once for the real interpreter behind it.
std::string RealInterpreter(const std::string& found, const char* flag, const char* code) {
  std::ifstream in(found, std::ios::binary);
  char head[2] = {0, 0};
  in.read(head, 2);
  if (!(head[0] == '#' && head[1] == '!')) return found;
  int fds[2];
  if (pipe(fds) != 0) return found;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    execl(found.c_str(), found.c_str(), flag, code, static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  close(fds[0]);
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && !out.empty() &&
      access(out.c_str(), X_OK) == 0) {
    return out;
  }
  return found;
}

std::filesystem::path CacheRoot() {
  if (const char* xdg = getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return std::filesystem::path(xdg) / "lambda-local";
  }
  if (const char* home = getenv("HOME"); home && *home) {
    return std::filesystem::path(home) / ".cache" / "lambda-local";
  }
  return std::filesystem::temp_directory_path() / fmt::format("lambda-local-{}", getuid());
}

bool WriteIfChanged(const std::filesystem::path& path, std::string_view content) {
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::stringstream buf;
      buf << in.rdbuf();
      if (buf.str() == content) return true;
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::filesystem::path tmp = path;
  tmp += fmt::format(".tmp{}", getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out.write(content.data(), std::streamsize(content.size()));
    if (!out) return false;
  }
  std::filesystem::rename(tmp, path, ec);  // atomic: a concurrent reader sees old or new
  return !ec;
}

}  // namespace

bool RuntimeCatalog::IsSupported(const std::string& runtime) {
  return IsPython(runtime) || IsNode(runtime) || IsProvided(runtime);
}

std::string RuntimeCatalog::SupportedList() {
  return "provided, provided.al2, provided.al2023, python3.x, nodejs18.x, nodejs20.x, nodejs22.x";
}

Result<RuntimeCatalog> RuntimeCatalog::Create(const std::set<std::string>& runtimes_in_use) {
  RuntimeCatalog catalog;
  bool need_python = false, need_node = false;
  for (const auto& r : runtimes_in_use) {
    if (!IsSupported(r)) {
      return Status::Error(errors::kInvalidRuntime,
                           fmt::format("unknown runtime '{}' (supported: {})", r, SupportedList()));
    }
    need_python |= IsPython(r);
    need_node |= IsNode(r);
  }
  const std::string content_id =
      fmt::format("{:016x}", std::hash<std::string_view>{}(kPythonBootstrap) ^
                                 (std::hash<std::string_view>{}(kNodeBootstrap) * 31));
  catalog.support_dir_ = CacheRoot() / ("runtimes-" + content_id);
  // Interpreters the template needs must exist; the others are prepared when present, for
  // functions created later through the API.
  std::string python = FindExecutable("python3");
  if (python.empty() && need_python) {
    return Status::Error(errors::kInvalidRuntime,
                         "a python3.x function needs python3 on PATH, and there is none");
  }
  if (!python.empty()) {
    catalog.python_ = RealInterpreter(python, "-c", "import sys; print(sys.executable)");
    if (!WriteIfChanged(catalog.support_dir_ / "python" / "bootstrap.py", kPythonBootstrap)) {
      return Status::Error(errors::kService,
                           "cannot write the Python runtime client to " + catalog.support_dir_.string());
    }
  }
  std::string node = FindExecutable("node");
  if (node.empty() && need_node) {
    return Status::Error(errors::kInvalidRuntime,
                         "a nodejs function needs node on PATH, and there is none");
  }
  if (!node.empty()) {
    catalog.node_ = RealInterpreter(node, "-e", "console.log(process.execPath)");
    if (!WriteIfChanged(catalog.support_dir_ / "nodejs" / "bootstrap.mjs", kNodeBootstrap)) {
      return Status::Error(errors::kService,
                           "cannot write the Node.js runtime client to " + catalog.support_dir_.string());
    }
  }
  return catalog;
}

Result<LaunchSpec> RuntimeCatalog::Resolve(const FunctionConfig& fn) const {
  LaunchSpec spec;
  if (IsProvided(fn.runtime)) {
    spec.executable = (fn.code_dir / "bootstrap").string();
    spec.argv = {spec.executable};
    spec.runtime_dir = fn.code_dir.string();
    return spec;
  }
  if (IsPython(fn.runtime) && !python_.empty()) {
    spec.runtime_dir = (support_dir_ / "python").string();
    spec.executable = python_;
    spec.argv = {"python3", spec.runtime_dir + "/bootstrap.py"};
  } else if (IsNode(fn.runtime) && !node_.empty()) {
    spec.runtime_dir = (support_dir_ / "nodejs").string();
    spec.executable = node_;
    spec.argv = {"node", spec.runtime_dir + "/bootstrap.mjs"};
  } else {
    return Status::Error(errors::kInvalidRuntime,
                         fmt::format("unknown runtime '{}' (supported: {})", fn.runtime, SupportedList()));
  }
  spec.env["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + fn.runtime;
  return spec;
}

}  // namespace ll
