// The email action: the tutorial's email (or the applet's own subject and
// body) over SMTP. compose_email() is pure, so the message is tested byte
// by byte; sending goes through libcurl (curl_transfer.h).
#pragma once

#include <atomic>

#include "applet.h"
#include "applets_config.h"

namespace hub {

struct EmailMessage {
  std::string envelope_from;            // "hub@example.com"
  std::vector<std::string> recipients;  // "you@example.com"
  std::string text;                     // RFC 5322: headers, blank line, body; CRLF line ends
};

// Values placed in headers lose CR and LF (no header injection); a subject
// that is not ASCII is RFC 2047 encoded; the body gets CRLF line ends.
// `message_id` is stable per run, so a retried mail can be recognised.
EmailMessage compose_email(const std::string& from, const std::vector<std::string>& to,
                           const std::string& subject, const std::string& body, TimePoint date,
                           const std::string& message_id);

// "Buttonhook <hub@example.com>" -> "hub@example.com"
std::string address_of(std::string_view mailbox);

class EmailAction : public Action {
 public:
  EmailAction(EmailSpec spec, SmtpSettings smtp, std::string run_name,
              const std::atomic<bool>* abort)
      : spec_(std::move(spec)), smtp_(std::move(smtp)), run_name_(std::move(run_name)),
        abort_(abort) {}
  std::string_view kind() const override { return "email"; }
  void run(const EventRecord& event, const Ingredients& in) override;

 private:
  EmailSpec spec_;
  SmtpSettings smtp_;
  std::string run_name_;  // "applet-index", part of the Message-ID
  const std::atomic<bool>* abort_;
};

}  // namespace hub
