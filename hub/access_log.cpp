#include "access_log.h"

#include "values.h"

namespace hub {
namespace {

constexpr std::string_view kMask = "***";

// Whether `text` decodes to "key": from 3 ("key") to 9 ("%6B%65%79")
// characters, so most segments are answered without decoding them.
bool decodes_to_key(std::string_view text, bool plus_is_space) {
  return text.size() >= 3 && text.size() <= 9 && percent_decode(text, plus_is_space) == "key";
}

// Segment by segment: whatever follows a segment that decodes to "key".
std::string mask_path(std::string_view path) {
  std::string out;
  bool after_key = false;
  while (true) {
    std::size_t slash = path.find('/');
    std::string_view segment = path.substr(0, slash);
    out.append(after_key && !segment.empty() ? kMask : segment);
    after_key = decodes_to_key(segment, false);
    if (slash == std::string_view::npos) break;
    out.push_back('/');
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::string mask_query(std::string_view query) {
  std::string out;
  while (true) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && decodes_to_key(pair.substr(0, eq), true)) {
      out.append(pair.substr(0, eq + 1));
      out.append(kMask);
    } else {
      out.append(pair);
    }
    if (amp == std::string_view::npos) break;
    out.push_back('&');
    query.remove_prefix(amp + 1);
  }
  return out;
}

void append_printable(std::string& out, std::string_view s) {
  const std::size_t at = out.size();
  out.resize(at + s.size());
  char* to = out.data() + at;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    *to++ = u <= 0x20 || u == 0x7f ? '?' : c;
  }
}

}  // namespace

std::string mask_target(std::string_view target) {
  std::size_t q = target.find('?');
  std::string out = mask_path(target.substr(0, q));
  if (q != std::string_view::npos) {
    out.push_back('?');
    out.append(mask_query(target.substr(q + 1)));
  }
  return out;
}

std::string access_line(std::string_view remote, std::string_view method, std::string_view target,
                        int status, std::int64_t micros) {
  const std::string masked = mask_target(target);
  std::string line;
  line.reserve(remote.size() + method.size() + masked.size() + 32);
  append_printable(line, remote.empty() ? "-" : remote);
  line.push_back(' ');
  append_printable(line, method.empty() ? "-" : method);
  line.push_back(' ');
  append_printable(line, masked.empty() ? "-" : masked);
  line += ' ' + std::to_string(status) + ' ' + std::to_string(micros) + "us";
  return line;
}

}  // namespace hub
