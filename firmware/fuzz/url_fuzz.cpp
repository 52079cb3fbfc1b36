// libFuzzer target for parse_url: whatever it accepts is safe to put on a
// request line and in a Host header, and parses again to the same URL.
#include <stddef.h>  // size_t
#include <stdint.h>  // uint8_t

#include "http_client.h"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool same(const bh::Url& a, const bh::Url& b) {
  return a.tls == b.tls && a.port == b.port && a.host.ref().equals(b.host.ref()) &&
         a.path.ref().equals(b.path.ref());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const bh::StrRef text(reinterpret_cast<const char*>(data), size);
  bh::Url url;
  const bh::Err e = bh::parse_url(text, &url);
  if (e != bh::Err::Ok) {
    check(e == bh::Err::BadUrl || e == bh::Err::Overflow);
    return 0;
  }
  check(!url.host.empty() && !url.host.overflow() && !url.path.overflow());
  check(url.port != 0);
  for (size_t i = 0; i < url.host.size(); ++i) {
    const char c = url.host.c_str()[i];
    check((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_');
  }
  check(url.path.size() >= 1 && url.path.c_str()[0] == '/');
  for (size_t i = 0; i < url.path.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(url.path.c_str()[i]);
    check(c > 0x20 && c < 0x7F && c != '#');  // nothing that breaks "GET path HTTP/1.1"
  }

  // Written out again with an explicit port, it parses to the same URL.
  bh::Str<16 + bh::sizes::kHostMax + bh::sizes::kPathMax> again;
  again.append(url.tls ? "https://" : "http://").append(url.host.ref());
  again.append(':').append_uint(url.port).append(url.path.ref());
  check(!again.overflow());
  bh::Url url2;
  check(bh::parse_url(again.ref(), &url2) == bh::Err::Ok);
  check(same(url, url2));
  return 0;
}
