// libFuzzer target for parse_config: any bytes must give either a config
// that keeps every rule of config.h, or one well-formed error message that
// never shows the Wi-Fi password.
//
// Each byte 0x01 in the input stands for the canary password below, so the
// fuzzer can place a known secret anywhere (inside quotes, as a name, cut in
// half by an error) and the target can look for it in every message.
#include <stddef.h>  // size_t
#include <stdint.h>  // uint8_t
#include <string.h>  // memcmp, strstr

#include "config.h"
#include "http_client.h"  // parse_url

namespace {

// No message wording can contain these letters in a row.
const char kCanary[] = "qzjxkqzjxk";
constexpr size_t kCanaryLen = sizeof kCanary - 1;
constexpr size_t kMaxFile = 4 * bh::sizes::kConfigFileMax;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool contains(bh::StrRef hay, const char* needle, size_t n) {
  for (size_t i = 0; i + n <= hay.len; ++i) {
    if (memcmp(hay.data + i, needle, n) == 0) return true;
  }
  return false;
}

void on_warning(void* ctx, uint16_t line, bh::StrRef key) {
  check(line >= 1);
  check(!key.empty());
  ++*static_cast<int*>(ctx);
}

void on_line(void* ctx, bh::StrRef text) {
  check(!text.empty());
  ++*static_cast<int*>(ctx);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static char file[kMaxFile];
  size_t len = 0;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0x01) {
      if (len + kCanaryLen > kMaxFile) return 0;
      memcpy(file + len, kCanary, kCanaryLen);
      len += kCanaryLen;
    } else {
      if (len + 1 > kMaxFile) return 0;
      file[len++] = static_cast<char>(data[i]);
    }
  }

  bh::Config cfg;
  bh::ConfigError err;
  int warnings = 0;
  const bool ok = bh::parse_config(bh::StrRef(file, len), &cfg, &err, on_warning, &warnings);
  check(ok == err.ok);
  check(ok == !err);

  if (!ok) {
    const bh::StrRef msg = err.message.ref();
    check(msg.starts_with("config.py:"));
    check(!err.message.overflow());  // every message fits kConfigErrorMax
    check(!contains(msg, kCanary, 5));
    for (size_t i = 0; i < msg.len; ++i) {
      const unsigned char c = static_cast<unsigned char>(msg.data[i]);
      check(c >= 0x20 && c < 0x7F);  // nothing copied from the file
    }
    check((err.line == 0) == (err.column == 0));
    return 0;
  }

  // Accepted: the rules of config.h hold.
  check(cfg.wifi_ssid.size() >= 1 && cfg.wifi_ssid.size() <= bh::sizes::kSsidMax);
  const size_t pw = cfg.wifi_password.size();
  check(pw == 0 || (pw >= 8 && pw <= 64));
  check(strlen(cfg.wifi_ssid.c_str()) == cfg.wifi_ssid.size());          // no NUL
  check(strlen(cfg.wifi_password.c_str()) == cfg.wifi_password.size());  // no NUL
  bh::Url url;
  check(bh::parse_url(cfg.webhook_url.ref(), &url) == bh::Err::Ok);
  const uint8_t pins[] = {cfg.led_pin, cfg.led2_pin, cfg.debug_pin};
  for (uint8_t pin : pins) check(pin <= 16 && (pin < 6 || pin > 11));
  check(cfg.wifi_timeout_s >= 1 && cfg.wifi_timeout_s <= 3600);
  check(cfg.http_timeout_s >= 1 && cfg.http_timeout_s <= 600);

  int lines = 0;
  bh::describe_config(cfg, on_line, &lines);
  // 13 lines always; the static IP's 4 and the reuse/TLS keys only when set
  // away from their defaults.
  const int optional = (cfg.has_static_ip ? 4 : 0) + (cfg.reuse_lease ? 0 : 1) +
                       (cfg.tls_ca.empty() ? 0 : 1) + (cfg.tls_fingerprint.empty() ? 0 : 1) +
                       (cfg.tls_insecure ? 1 : 0);
  check(lines == 13 + optional);
  check(cfg.max_attempts >= 1 && (cfg.press_sense_pin == bh::kNoPin || cfg.press_sense_pin <= 16));
  return 0;
}
