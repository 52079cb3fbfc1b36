// HTTP requests and SMTP mail through libcurl. The only file that includes
// curl.h. Both calls block (the outbox's workers call them) and throw
// ActionError, permanent when trying again cannot help.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "applets_config.h"

namespace hub {

// Once, before threads start (libcurl's global init is not thread-safe).
void init_transfers();

struct HttpCall {
  std::string method = "POST", url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
  std::string ca_file;
  bool tls_verify = true;
  const std::atomic<bool>* abort = nullptr;  // set: give up now (shutdown)
};

struct HttpAnswer {
  int status = 0;
  std::string body;  // at most the first 4 KiB
};

// Any HTTP status comes back; only a transfer failure throws.
HttpAnswer perform_http(const HttpCall& call);

struct SmtpCall {
  SmtpSettings server;
  std::string envelope_from;            // "hub@example.com"
  std::vector<std::string> recipients;  // "you@example.com"
  std::string message;                  // headers and body, CRLF line ends
  const std::atomic<bool>* abort = nullptr;
};

void perform_smtp(const SmtpCall& call);

}  // namespace hub
