#include "access_log.h"

#include <charconv>

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
void append_masked_path(std::string& out, std::string_view path) {
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
}

void append_masked_query(std::string& out, std::string_view query) {
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
}

void append_masked_target(std::string& out, std::string_view target) {
  std::size_t q = target.find('?');
  append_masked_path(out, target.substr(0, q));
  if (q != std::string_view::npos) {
    out.push_back('?');
    append_masked_query(out, target.substr(q + 1));
  }
}

// Control characters and spaces from `from` on become '?': one line per
// request, its fields split by spaces.
void make_printable(std::string& out, std::size_t from) {
  for (std::size_t i = from; i < out.size(); ++i) {
    auto u = static_cast<unsigned char>(out[i]);
    if (u <= 0x20 || u == 0x7f) out[i] = '?';
  }
}

void append_field(std::string& out, std::string_view s) {
  const std::size_t at = out.size();
  out.append(s.empty() ? std::string_view("-") : s);
  make_printable(out, at);
}

void append_number(std::string& out, std::int64_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out.append(digits, end);
}

}  // namespace

std::string mask_target(std::string_view target) {
  std::string out;
  out.reserve(target.size());
  append_masked_target(out, target);
  return out;
}

// Written into one string (the line is made for every request).
std::string access_line(std::string_view remote, std::string_view method, std::string_view target,
                        int status, std::int64_t micros) {
  std::string line;
  line.reserve(remote.size() + method.size() + target.size() + 40);
  append_field(line, remote);
  line.push_back(' ');
  append_field(line, method);
  line.push_back(' ');
  const std::size_t at = line.size();
  append_masked_target(line, target);
  if (line.size() == at) line.push_back('-');
  make_printable(line, at);
  line.push_back(' ');
  append_number(line, status);
  line.push_back(' ');
  append_number(line, micros);
  line += "us";
  return line;
}

}  // namespace hub
