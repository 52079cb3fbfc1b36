#include "faults.h"

namespace bh::sim {

std::optional<host::Fault> fault_from_word(std::string_view word) {
  host::Fault f;
  if (auto kind = host::parse_fault_kind(word)) {
    f.kind = *kind;
    return f;
  }
  // "hub-503": hub-5xx with that status.
  if (word.size() == 7 && word.substr(0, 5) == "hub-5" && word[5] >= '0' && word[5] <= '9' &&
      word[6] >= '0' && word[6] <= '9') {
    f.kind = host::FaultKind::Http5xx;
    f.status = 500 + (word[5] - '0') * 10 + (word[6] - '0');
    return f;
  }
  return std::nullopt;
}

std::string describe_fault(const host::Fault& f) {
  using K = host::FaultKind;
  switch (f.kind) {
    case K::ApDown: return "every access point is off the air";
    case K::WrongPassword: return "the access points refuse the board's key";
    case K::DnsFailure: return "names do not resolve";
    case K::HubDown: return "connections are refused";
    case K::Http5xx: return "the hub answers " + std::to_string(f.status);
    case K::HttpSlow: return "the hub's answers are held past every timeout";
    case K::ResetMidRequest: return "connections are reset in the middle of the request";
    case K::ResetAfterForward: return "connections are reset after the hub answered";
  }
  return "?";
}

const char* fault_words() {
  return "ap-down, wrong-password, dns-failure, hub-down, hub-5xx (or hub-500..hub-599), "
         "hub-slow, reset-mid-request (or reset), reset-after-forward";
}

}  // namespace bh::sim
