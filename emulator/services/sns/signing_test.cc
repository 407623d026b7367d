#include "services/sns/signing.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "base/strings.h"

using namespace ll;
using namespace ll::sns;

namespace {

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("lambda-local-sns-signing-test-" + RandomHex(8));
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

SignedFields Notification() {
  SignedFields f;
  f.type = "Notification";
  f.message = "Hello world!\nsecond line";
  f.message_id = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324";
  f.subject = "My First Message";
  f.timestamp = "2024-01-02T03:04:05.678Z";
  f.topic_arn = "arn:aws:sns:us-east-1:000000000000:MyTopic";
  return f;
}

SignedFields Confirmation(std::string type) {
  SignedFields f;
  f.type = std::move(type);
  f.message = "You have chosen to subscribe to the topic arn:aws:sns:us-east-1:000000000000:MyTopic.";
  f.message_id = "165545c9-2a5c-472c-8df2-7ff2be2b3b1b";
  f.subscribe_url = "http://localhost:9001/?Action=ConfirmSubscription&Token=abc";
  f.timestamp = "2024-01-02T03:04:05.678Z";
  f.token = "2336412f37fb";
  f.topic_arn = "arn:aws:sns:us-east-1:000000000000:MyTopic";
  return f;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What a subscriber does: the public key from the certificate, the string to sign rebuilt, and
// an RSA PKCS#1 v1.5 verification with the version's digest.
bool Verifies(const std::string& cert_pem, const SignedFields& fields, const std::string& signature_b64,
              int version) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(cert_pem.data(), int(cert_pem.size())),
                                                BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                                   X509_free);
  REQUIRE(cert);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(X509_get_pubkey(cert.get()), EVP_PKEY_free);
  REQUIRE(key);
  auto signature = Base64Decode(signature_b64);
  REQUIRE(signature);
  const std::string text = StringToSign(fields);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  REQUIRE(EVP_DigestVerifyInit(ctx.get(), nullptr, version == 2 ? EVP_sha256() : EVP_sha1(), nullptr,
                               key.get()) == 1);
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                          signature->size(), reinterpret_cast<const unsigned char*>(text.data()),
                          text.size()) == 1;
}

}  // namespace

TEST_CASE("SNS signing: the string to sign of a notification names Subject only when there is one") {
  SignedFields f = Notification();
  CHECK(StringToSign(f) ==
        "Message\nHello world!\nsecond line\n"
        "MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
        "Subject\nMy First Message\n"
        "Timestamp\n2024-01-02T03:04:05.678Z\n"
        "TopicArn\narn:aws:sns:us-east-1:000000000000:MyTopic\n"
        "Type\nNotification\n");

  f.subject.reset();
  f.subscribe_url = "ignored";
  f.token = "ignored";
  CHECK(StringToSign(f) ==
        "Message\nHello world!\nsecond line\n"
        "MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
        "Timestamp\n2024-01-02T03:04:05.678Z\n"
        "TopicArn\narn:aws:sns:us-east-1:000000000000:MyTopic\n"
        "Type\nNotification\n");

  f.subject = "";  // given, though empty: the message carries "Subject": "" and it is signed
  CHECK(StringToSign(f).find("MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\n\nTimestamp\n") !=
        std::string::npos);
}

TEST_CASE("SNS signing: the string to sign of a confirmation has SubscribeURL and Token, never Subject") {
  SignedFields f = Confirmation("SubscriptionConfirmation");
  f.subject = "ignored";
  CHECK(StringToSign(f) ==
        "Message\nYou have chosen to subscribe to the topic arn:aws:sns:us-east-1:000000000000:MyTopic.\n"
        "MessageId\n165545c9-2a5c-472c-8df2-7ff2be2b3b1b\n"
        "SubscribeURL\nhttp://localhost:9001/?Action=ConfirmSubscription&Token=abc\n"
        "Timestamp\n2024-01-02T03:04:05.678Z\n"
        "Token\n2336412f37fb\n"
        "TopicArn\narn:aws:sns:us-east-1:000000000000:MyTopic\n"
        "Type\nSubscriptionConfirmation\n");

  SignedFields u = Confirmation("UnsubscribeConfirmation");
  CHECK(StringToSign(u) ==
        "Message\nYou have chosen to subscribe to the topic arn:aws:sns:us-east-1:000000000000:MyTopic.\n"
        "MessageId\n165545c9-2a5c-472c-8df2-7ff2be2b3b1b\n"
        "SubscribeURL\nhttp://localhost:9001/?Action=ConfirmSubscription&Token=abc\n"
        "Timestamp\n2024-01-02T03:04:05.678Z\n"
        "Token\n2336412f37fb\n"
        "TopicArn\narn:aws:sns:us-east-1:000000000000:MyTopic\n"
        "Type\nUnsubscribeConfirmation\n");
}

TEST_CASE("SNS signing: signatures of version 1 and 2 verify against the certificate's public key") {
  auto signer = MessageSigner::Open({});
  INFO(signer.status().message());
  REQUIRE(signer.ok());
  const std::string& cert = signer->certificate_pem();
  CHECK(StartsWith(cert, "-----BEGIN CERTIFICATE-----\n"));

  for (const SignedFields& f : {Notification(), Confirmation("SubscriptionConfirmation")}) {
    const std::string v1 = signer->Sign(f, 1), v2 = signer->Sign(f, 2);
    REQUIRE_FALSE(v1.empty());
    REQUIRE_FALSE(v2.empty());
    CHECK(v1 != v2);
    CHECK(Base64Decode(v1)->size() == 256);  // RSA-2048
    CHECK(Verifies(cert, f, v1, 1));
    CHECK(Verifies(cert, f, v2, 2));
    CHECK_FALSE(Verifies(cert, f, v1, 2));  // the digest is the version's
    CHECK_FALSE(Verifies(cert, f, v2, 1));

    SignedFields changed = f;
    changed.message += ".";
    CHECK_FALSE(Verifies(cert, changed, v1, 1));
    CHECK_FALSE(Verifies(cert, changed, v2, 2));
  }

  // A subject added or dropped after signing changes the signed text.
  SignedFields f = Notification();
  const std::string v2 = signer->Sign(f, 2);
  f.subject.reset();
  CHECK_FALSE(Verifies(cert, f, v2, 2));
}

TEST_CASE("SNS signing: the certificate is self-signed for sns.amazonaws.com and valid for years") {
  auto signer = MessageSigner::Open({});
  REQUIRE(signer.ok());
  const std::string& pem = signer->certificate_pem();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), int(pem.size())), BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                                   X509_free);
  REQUIRE(cert);
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  CHECK(std::string(cn) == "sns.amazonaws.com");
  CHECK(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())) == 0);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(X509_get_pubkey(cert.get()), EVP_PKEY_free);
  CHECK(X509_verify(cert.get(), key.get()) == 1);
  CHECK(EVP_PKEY_get_bits(key.get()) == 2048);
  CHECK(X509_cmp_current_time(X509_get0_notBefore(cert.get())) < 0);
  // Still valid nine years from now.
  time_t later = time(nullptr) + time_t(9) * 365 * 24 * 3600;
  CHECK(X509_cmp_time(X509_get0_notAfter(cert.get()), &later) > 0);

  // Two signers made in memory have their own keys and serials.
  auto other = MessageSigner::Open({});
  REQUIRE(other.ok());
  CHECK(other->certificate_pem() != pem);
}

TEST_CASE("SNS signing: a signer kept in a directory keeps its key and certificate across opens") {
  TempDir dir;
  auto first = MessageSigner::Open(dir.path / "sns");
  INFO(first.status().message());
  REQUIRE(first.ok());
  const std::filesystem::path key_file = dir.path / "sns" / "signing-key.pem";
  const std::filesystem::path cert_file = dir.path / "sns" / "signing-cert.pem";
  REQUIRE(std::filesystem::exists(key_file));
  REQUIRE(std::filesystem::exists(cert_file));
  CHECK(ReadFile(cert_file) == first->certificate_pem());

  struct stat st {};
  REQUIRE(stat(key_file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  auto second = MessageSigner::Open(dir.path / "sns");
  REQUIRE(second.ok());
  CHECK(second->certificate_pem() == first->certificate_pem());
  // The second signer has the same key: its signature verifies against the first's certificate.
  SignedFields f = Notification();
  CHECK(Verifies(first->certificate_pem(), f, second->Sign(f, 2), 2));

  // A certificate lost on its own is made again for the same key.
  std::filesystem::remove(cert_file);
  auto third = MessageSigner::Open(dir.path / "sns");
  REQUIRE(third.ok());
  CHECK(third->certificate_pem() != first->certificate_pem());
  CHECK(Verifies(third->certificate_pem(), f, first->Sign(f, 1), 1));
  CHECK(ReadFile(cert_file) == third->certificate_pem());
}

TEST_CASE("SNS signing: a damaged key or a certificate of another key is an error, not replaced") {
  TempDir dir;
  REQUIRE(MessageSigner::Open(dir.path).ok());
  const std::string key = ReadFile(dir.path / "signing-key.pem");

  std::ofstream(dir.path / "signing-key.pem", std::ios::trunc) << "not a key";
  auto damaged = MessageSigner::Open(dir.path);
  REQUIRE_FALSE(damaged.ok());
  CHECK(damaged.status().code() == "InternalError");
  CHECK(ReadFile(dir.path / "signing-key.pem") == "not a key");

  auto other = MessageSigner::Open({});
  REQUIRE(other.ok());
  std::ofstream(dir.path / "signing-key.pem", std::ios::trunc) << key;
  std::ofstream(dir.path / "signing-cert.pem", std::ios::trunc) << other->certificate_pem();
  auto mismatched = MessageSigner::Open(dir.path);
  REQUIRE_FALSE(mismatched.ok());
  CHECK(mismatched.status().code() == "InternalError");
}

TEST_CASE("SNS signing: a moved signer signs, and many threads may sign at once") {
  auto opened = MessageSigner::Open({});
  REQUIRE(opened.ok());
  MessageSigner signer = std::move(*opened);
  const std::string cert = signer.certificate_pem();

  std::vector<std::string> signatures(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < signatures.size(); ++i) {
    threads.emplace_back([&, i] {
      SignedFields f = Notification();
      f.message_id = std::to_string(i);
      for (int k = 0; k < 20; ++k) signatures[i] = signer.Sign(f, k % 2 + 1);  // ends on version 2
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < signatures.size(); ++i) {
    SignedFields f = Notification();
    f.message_id = std::to_string(i);
    CHECK(Verifies(cert, f, signatures[i], 2));
  }
}
