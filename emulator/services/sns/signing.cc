#include "services/sns/signing.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

#include "base/strings.h"

namespace ll::sns {
namespace {

constexpr char kKeyFile[] = "signing-key.pem";
constexpr char kCertFile[] = "signing-cert.pem";
constexpr char kCommonName[] = "sns.amazonaws.com";
constexpr char kOrganization[] = "lambda-local";
constexpr int kKeyBits = 2048;
constexpr long kValidDays = 3650;
// Subscribers in containers or VMs may run a little behind the host's clock.
constexpr long kBackdateSeconds = 60 * 60;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using Key = std::unique_ptr<EVP_PKEY, PkeyFree>;

// `what` and OpenSSL's first queued error, if any; the thread's error queue is left empty.
Status Internal(std::string what) {
  unsigned long err = ERR_get_error();
  if (err != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof buf);
    what += ": ";
    what += buf;
  }
  ERR_clear_error();
  return Status::Error("InternalError", "SNS message signing: " + what);
}

// Never prompt on the terminal for the passphrase of an encrypted key file: fail instead.
int NoPassphrase(char*, int, int, void*) { return -1; }

void AddLine(std::string& out, std::string_view key, std::string_view value) {
  out.append(key).append("\n").append(value).append("\n");
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) return Internal("cannot read " + path.string());
  return text.str();
}

// Written beside `path` and renamed over it, so a crash leaves the old file or the new one.
// `mode` is set on the file descriptor before any byte is written.
Status WriteFileAtomically(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  const std::string temp = path.string() + ".tmp";
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return Internal("cannot create " + temp);
  // O_CREAT's mode is cut by the umask and ignored for a left-over file: set it exactly.
  bool ok = fchmod(fd, mode) == 0;
  for (size_t done = 0; ok && done < text.size();) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += size_t(n);
  }
  ok = fsync(fd) == 0 && ok;
  ok = close(fd) == 0 && ok;
  if (!ok || rename(temp.c_str(), path.c_str()) != 0) {
    unlink(temp.c_str());
    return Internal("cannot write " + path.string());
  }
  return Status::Ok();
}

Result<Key> GenerateKey() {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), kKeyBits) != 1 ||
      EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return Internal("cannot generate an RSA key");
  }
  return Key(raw);
}

Result<Key> ParseKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
  Key key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  if (!key) return Internal(std::string("cannot parse ") + kKeyFile);
  if (!EVP_PKEY_is_a(key.get(), "RSA")) return Internal(std::string(kKeyFile) + " is not an RSA key");
  return key;
}

Result<X509Ptr> ParseCertificate(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  if (!cert) return Internal(std::string("cannot parse ") + kCertFile);
  return cert;
}

Result<std::string> KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Internal("cannot encode the key");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size_t(size));
}

Result<std::string> CertificatePem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return Internal("cannot encode the certificate");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size_t(size));
}

// A random positive serial number of 127 bits, as CAs are asked to use (at least 64 random bits).
bool SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return false;
  bytes[0] = (bytes[0] & 0x7f) | 0x40;  // positive, and never short enough to look odd
  std::unique_ptr<BIGNUM, BnFree> bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

// A self-signed X.509 v3 certificate for `key`, SHA256withRSA, valid kValidDays from now.
Result<std::string> MakeCertificate(EVP_PKEY* key) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 || !SetRandomSerial(cert.get()) ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), int(kValidDays), 0, nullptr) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return Internal("cannot build the certificate");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  auto text = [](const char* s) { return reinterpret_cast<const unsigned char*>(s); };
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, text(kOrganization), -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, text(kCommonName), -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1) {
    return Internal("cannot name the certificate");
  }
  // No keyUsage or basicConstraints: a subscriber may put this certificate in a trust store as
  // its own anchor, and a key usage without keyCertSign would make OpenSSL refuse it as issuer.
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:sns.amazonaws.com"},
                            std::pair{NID_subject_key_identifier, "hash"}}) {
    std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || X509_add_ext(cert.get(), ext.get(), -1) != 1) {
      return Internal("cannot add a certificate extension");
    }
  }
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) return Internal("cannot sign the certificate");
  return CertificatePem(cert.get());
}

bool Exists(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

}  // namespace

std::string StringToSign(const SignedFields& fields) {
  std::string out;
  AddLine(out, "Message", fields.message);
  AddLine(out, "MessageId", fields.message_id);
  if (fields.type == "Notification") {
    if (fields.subject) AddLine(out, "Subject", *fields.subject);
  } else {
    AddLine(out, "SubscribeURL", fields.subscribe_url);
  }
  AddLine(out, "Timestamp", fields.timestamp);
  if (fields.type != "Notification") AddLine(out, "Token", fields.token);
  AddLine(out, "TopicArn", fields.topic_arn);
  AddLine(out, "Type", fields.type);
  return out;
}

void MessageSigner::KeyFree::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

MessageSigner::MessageSigner(KeyPtr key, std::string certificate_pem)
    : key_(std::move(key)), certificate_pem_(std::move(certificate_pem)) {}
MessageSigner::MessageSigner(MessageSigner&&) noexcept = default;
MessageSigner& MessageSigner::operator=(MessageSigner&&) noexcept = default;
MessageSigner::~MessageSigner() = default;

Result<MessageSigner> MessageSigner::Open(const std::filesystem::path& dir) {
  const std::filesystem::path key_path = dir / kKeyFile, cert_path = dir / kCertFile;
  const bool keep = !dir.empty();
  if (keep) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Internal("cannot create " + dir.string() + ": " + ec.message());
  }

  Key key;
  const bool new_key = !keep || !Exists(key_path);
  if (!new_key) {
    auto pem = ReadFile(key_path);
    if (!pem.ok()) return pem.status();
    auto parsed = ParseKey(*pem);
    if (!parsed.ok()) return parsed.status();
    key = std::move(*parsed);
  } else {
    auto made = GenerateKey();
    if (!made.ok()) return made.status();
    key = std::move(*made);
    if (keep) {
      auto pem = KeyPem(key.get());
      if (!pem.ok()) return pem.status();
      if (Status s = WriteFileAtomically(key_path, *pem, 0600); !s.ok()) return s;
    }
  }

  // A certificate left without its key (a crash between the two writes) is replaced.
  std::string cert_pem;
  if (!new_key && Exists(cert_path)) {
    auto pem = ReadFile(cert_path);
    if (!pem.ok()) return pem.status();
    auto cert = ParseCertificate(*pem);
    if (!cert.ok()) return cert.status();
    if (X509_check_private_key(cert->get(), key.get()) != 1) {
      return Internal(cert_path.string() + " does not match " + key_path.string());
    }
    // Past notAfter (or unreadable): made again below for the same key.
    if (X509_cmp_current_time(X509_get0_notAfter(cert->get())) > 0) cert_pem = std::move(*pem);
    ERR_clear_error();
  }
  if (cert_pem.empty()) {
    auto made = MakeCertificate(key.get());
    if (!made.ok()) return made.status();
    cert_pem = std::move(*made);
    if (keep) {
      if (Status s = WriteFileAtomically(cert_path, cert_pem, 0644); !s.ok()) return s;
    }
  }
  return MessageSigner(KeyPtr(key.release()), std::move(cert_pem));
}

std::string MessageSigner::Sign(const SignedFields& fields, int signature_version) const {
  const std::string text = StringToSign(fields);
  const EVP_MD* md = signature_version == 2 ? EVP_sha256() : EVP_sha1();
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  size_t size = 0;
  auto data = reinterpret_cast<const unsigned char*>(text.data());
  if (!ctx || !key_ || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, data, text.size()) != 1) {
    ERR_clear_error();
    return {};
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, data,
                     text.size()) != 1) {
    ERR_clear_error();
    return {};
  }
  signature.resize(size);
  return Base64Encode(signature);
}

}  // namespace ll::sns
