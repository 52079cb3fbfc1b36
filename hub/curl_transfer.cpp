#include "curl_transfer.h"

#include <curl/curl.h>

#include <cstring>
#include <memory>
#include <mutex>

namespace hub {
namespace {

constexpr std::size_t kMaxAnswerBody = 4096;

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using List = std::unique_ptr<curl_slist, ListDeleter>;

Easy make_easy() {
  init_transfers();
  Easy easy(curl_easy_init());
  if (!easy) throw ActionError("libcurl could not start a transfer (out of memory?)");
  return easy;
}

void append(List& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (!grown) throw ActionError("out of memory");
  list.release();
  list.reset(grown);
}

std::size_t collect(char* data, std::size_t size, std::size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  const std::size_t bytes = size * n;
  if (out->size() < kMaxAnswerBody) out->append(data, std::min(bytes, kMaxAnswerBody - out->size()));
  return bytes;
}

int progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* abort = static_cast<const std::atomic<bool>*>(user);
  return abort && abort->load() ? 1 : 0;  // non-zero aborts the transfer
}

struct Upload {
  const std::string* text;
  std::size_t offset = 0;
};

std::size_t feed(char* buffer, std::size_t size, std::size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  const std::size_t room = size * n;
  const std::size_t left = up->text->size() - up->offset;
  const std::size_t take = std::min(room, left);
  std::memcpy(buffer, up->text->data() + up->offset, take);
  up->offset += take;
  return take;
}

void common(CURL* c, std::chrono::milliseconds timeout, const std::string& ca_file, bool verify,
            const std::atomic<bool>* abort, char* error_buffer) {
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<long long>(
                                                     timeout.count(), 5000)));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  if (!ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_file.c_str());
  if (!verify) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(abort));
}

std::string describe(CURLcode rc, const char* error_buffer) {
  std::string what = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
  return what;
}

// Failures no retry can fix: the configuration is wrong.
bool permanent(CURLcode rc) {
  switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_LOGIN_DENIED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CACERT_BADFILE: return true;
    default: return false;
  }
}

}  // namespace

void init_transfers() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpAnswer perform_http(const HttpCall& call) {
  Easy easy = make_easy();
  CURL* c = easy.get();
  char error_buffer[CURL_ERROR_SIZE] = {};
  common(c, call.timeout, call.ca_file, call.tls_verify, call.abort, error_buffer);
  curl_easy_setopt(c, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_USERAGENT, "buttonhook-hub");
  List headers;
  for (const auto& [name, value] : call.headers) append(headers, name + ": " + value);
  // No "Expect: 100-continue" round trip for bodies over 1 KiB.
  append(headers, "Expect:");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (call.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, call.method.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, call.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  }
  HttpAnswer answer;
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer.body);
  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_ABORTED_BY_CALLBACK) throw ActionError("stopped: the hub is shutting down");
  if (rc != CURLE_OK) throw ActionError(describe(rc, error_buffer), permanent(rc));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  answer.status = static_cast<int>(status);
  return answer;
}

void perform_smtp(const SmtpCall& call) {
  Easy easy = make_easy();
  CURL* c = easy.get();
  char error_buffer[CURL_ERROR_SIZE] = {};
  const SmtpSettings& server = call.server;
  common(c, server.timeout, server.ca_file, server.tls_verify, call.abort, error_buffer);
  curl_easy_setopt(c, CURLOPT_URL, server.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // STARTTLS is required, not hoped for: a server that does not offer it
  // fails the run instead of getting the password and the mail in clear.
  if (server.tls == SmtpTls::kStartTls) curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
  if (!server.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, server.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, server.password.c_str());
  }
  const std::string from = "<" + call.envelope_from + ">";
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  List recipients;
  for (const std::string& r : call.recipients) append(recipients, "<" + r + ">");
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  Upload upload{&call.message};
  curl_easy_setopt(c, CURLOPT_READFUNCTION, feed);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(call.message.size()));
  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_ABORTED_BY_CALLBACK) throw ActionError("stopped: the hub is shutting down");
  if (rc != CURLE_OK) {
    long reply = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    std::string what = "SMTP: " + describe(rc, error_buffer);
    if (reply) what += " (server replied " + std::to_string(reply) + ")";
    // 5xx replies are the server's final word (unknown recipient, bad login).
    throw ActionError(what, permanent(rc) || reply >= 500);
  }
}

}  // namespace hub
