#include "email_action.h"

#include <ctime>

#include "curl_transfer.h"

namespace hub {
namespace {

std::string one_line(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
  return out;
}

bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  if (i < in.size()) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// RFC 2047 for non-ASCII header text, in words short enough for one line each.
std::string header_text(std::string_view s) {
  std::string clean = one_line(s);
  if (is_ascii(clean)) return clean;
  std::string out;
  std::size_t pos = 0;
  while (pos < clean.size()) {
    std::size_t n = std::min<std::size_t>(45, clean.size() - pos);
    // Do not split a UTF-8 sequence between two encoded words.
    while (pos + n < clean.size() && (static_cast<unsigned char>(clean[pos + n]) & 0xC0) == 0x80) --n;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(std::string_view(clean).substr(pos, n)) + "?=";
    pos += n;
  }
  return out;
}

std::string rfc5322_date(TimePoint t) {
  std::time_t secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string crlf_lines(std::string_view body) {
  std::string out;
  out.reserve(body.size() + 16);
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\r') {
      if (i + 1 < body.size() && body[i + 1] == '\n') ++i;
      out += "\r\n";
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out.push_back(c);
    }
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

}  // namespace

std::string address_of(std::string_view mailbox) {
  std::size_t open = mailbox.rfind('<');
  std::size_t close = mailbox.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    return one_line(mailbox.substr(open + 1, close - open - 1));
  }
  std::string plain = one_line(mailbox);
  while (!plain.empty() && plain.back() == ' ') plain.pop_back();
  while (!plain.empty() && plain.front() == ' ') plain.erase(0, 1);
  return plain;
}

EmailMessage compose_email(const std::string& from, const std::vector<std::string>& to,
                           const std::string& subject, const std::string& body, TimePoint date,
                           const std::string& message_id) {
  EmailMessage m;
  m.envelope_from = address_of(from);
  std::string to_header;
  for (const std::string& r : to) {
    m.recipients.push_back(address_of(r));
    to_header += (to_header.empty() ? "" : ", ") + one_line(r);
  }
  m.text = "Date: " + rfc5322_date(date) + "\r\n";
  m.text += "From: " + one_line(from) + "\r\n";
  m.text += "To: " + to_header + "\r\n";
  m.text += "Subject: " + header_text(subject) + "\r\n";
  m.text += "Message-ID: <" + one_line(message_id) + ">\r\n";
  m.text += "MIME-Version: 1.0\r\n";
  m.text += "Content-Type: text/plain; charset=utf-8\r\n";
  m.text += "Content-Transfer-Encoding: 8bit\r\n";
  m.text += "X-Mailer: buttonhook-hub\r\n";
  m.text += "\r\n";
  // libcurl doubles a leading '.' on any line and adds the final "." itself.
  m.text += crlf_lines(body);
  return m;
}

void EmailAction::run(const EventRecord& event, const Ingredients& in) {
  const std::string domain = address_of(spec_.from).substr(address_of(spec_.from).find('@') + 1);
  EmailMessage message =
      compose_email(spec_.from, spec_.to, render(spec_.subject, in), render(spec_.body, in),
                    now_ms(), "buttonhook." + std::to_string(event.id) + "." + run_name_ + "@" + domain);
  SmtpCall call;
  call.server = smtp_;
  call.envelope_from = message.envelope_from;
  call.recipients = message.recipients;
  call.message = std::move(message.text);
  call.abort = abort_;
  perform_smtp(call);
}

}  // namespace hub
