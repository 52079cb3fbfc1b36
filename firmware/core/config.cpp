// config.py parser: the tutorial's file, read with Python's rules for the
// small subset it uses (see config.h), and checked for what the board needs.
//
// Error messages never quote text from the file: only key names from the
// table below, numbers and columns. That is how they are guaranteed never to
// show the Wi-Fi password, whatever line the mistake is on.
#include "config.h"

#include <stdarg.h>  // va_list for error messages
#include <stddef.h>  // size_t
#include <stdint.h>  // int64_t, uint32_t

#include "http_client.h"  // parse_url: WEBHOOK_URL is checked at boot, with its line

namespace bh {

namespace {

enum class Kind : uint8_t { Text, Pin, Seconds, Count, Bool, Ip };

struct KeySpec {
  const char* name;
  Kind kind;
  bool required;
  uint32_t max;         // Seconds, Count: largest value allowed
  const char* example;  // Text: shown when the key is missing or has the wrong type
};

enum KeyId : uint8_t {
  kSsid,
  kPassword,
  kUrl,
  kButtonId,
  kLedPin,
  kLed2Pin,
  kDebugPin,
  kWifiTimeout,
  kHttpTimeout,
  kTimedWake,
  kSensePin,
  kMaxAttempts,
  kMaxAge,
  kReuseLease,
  kTlsCa,
  kTlsFingerprint,
  kTlsInsecure,
  kStaticIp,
  kNetmask,
  kGateway,
  kDns,
  kKeyCount
};

// In KeyId order. Timeouts are capped so that milliseconds (x1000, and x3
// for the HTTP total) stay far from uint32_t overflow.
const KeySpec kKeys[kKeyCount] = {
    {"WIFI_SSID", Kind::Text, true, 0, "WIFI_SSID = 'my network'"},
    {"WIFI_PASSWORD", Kind::Text, true, 0,
     "WIFI_PASSWORD = 'my password' (or '' for an open network)"},
    {"WEBHOOK_URL", Kind::Text, true, 0,
     "WEBHOOK_URL = 'http://maker.ifttt.com/trigger/button_pressed/with/key/KEY'"},
    {"BUTTON_ID", Kind::Text, true, 0, "BUTTON_ID = 'button1'"},
    {"LED_PIN", Kind::Pin, false, 0, nullptr},
    {"LED2_PIN", Kind::Pin, false, 0, nullptr},
    {"DEBUG_PIN", Kind::Pin, false, 0, nullptr},
    {"WIFI_TIMEOUT", Kind::Seconds, false, 3600, nullptr},
    {"HTTP_TIMEOUT", Kind::Seconds, false, 600, nullptr},
    {"TIMED_WAKE", Kind::Bool, false, 0, nullptr},
    {"PRESS_SENSE_PIN", Kind::Pin, false, 0, nullptr},
    {"MAX_ATTEMPTS", Kind::Count, false, 255, nullptr},
    {"MAX_AGE", Kind::Seconds, false, 30 * 86400, nullptr},
    {"REUSE_LEASE", Kind::Bool, false, 0, nullptr},
    {"TLS_CA", Kind::Text, false, 0, "TLS_CA = 'ca.pem'"},
    {"TLS_FINGERPRINT", Kind::Text, false, 0, "TLS_FINGERPRINT = 'AB:CD:...' (SHA-1, 40 hex digits)"},
    {"TLS_INSECURE", Kind::Bool, false, 0, nullptr},
    {"STATIC_IP", Kind::Ip, false, 0, nullptr},
    {"NETMASK", Kind::Ip, false, 0, nullptr},
    {"GATEWAY", Kind::Ip, false, 0, nullptr},
    {"DNS", Kind::Ip, false, 0, nullptr},
};

constexpr uint8_t kMaxGpio = 16;
constexpr size_t kWpaMin = 8;  // WPA2 passphrase: 8..63 characters
constexpr size_t kWpaMax = 63;
constexpr size_t kPskHexLen = 64;  // or a raw 256-bit key in hex

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\f';
}
bool is_eol(char c) {
  return c == '\n' || c == '\r';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_name_start(char c) {
  return is_alpha(c) || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Dotted IPv4, four decimal parts 0..255, nothing else.
bool parse_ip4(StrRef s, Ip4* out) {
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part && (i >= s.len || s.data[i++] != '.')) return false;
    uint32_t n = 0;
    size_t digits = 0;
    for (; i < s.len && is_digit(s.data[i]) && digits < 3; ++i, ++digits) {
      n = n * 10 + static_cast<uint32_t>(s.data[i] - '0');
    }
    if (digits == 0 || n > 255) return false;
    out->b[part] = static_cast<uint8_t>(n);
  }
  return i == s.len;
}

// A parsed right-hand side.
struct Value {
  enum Type : uint8_t { String, Int, True, False, None } type = None;
  int64_t number = 0;
  bool number_huge = false;  // outside int32_t; Python would keep it
  size_t text_len = 0;       // decoded bytes, also those that did not fit
  bool text_has_nul = false;
};

class Parser {
 public:
  Parser(StrRef text, Config* cfg, ConfigError* err, ConfigWarn warn, void* warn_ctx)
      : text_(text), cfg_(cfg), err_(err), warn_(warn), warn_ctx_(warn_ctx) {}

  bool run();

 private:
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.len ? text_.data[pos_ + ahead] : '\0';
  }
  bool at_end() const { return pos_ >= text_.len; }
  bool at_eol() const { return at_end() || is_eol(peek()); }
  uint16_t column_at(size_t pos) const {
    size_t c = pos - line_start_ + 1;
    return c > 0xFFFF ? 0xFFFF : static_cast<uint16_t>(c);
  }
  void skip_space() {
    while (!at_end() && is_space(peek())) ++pos_;
  }
  void skip_to_next_line();

  bool fail(size_t pos, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
  bool fail_no_line(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

  bool parse_line();
  bool parse_value(int key, Value* v);
  bool parse_string(StrBuf* sink, Value* v);
  bool parse_escape(StrBuf* sink, Value* v, size_t backslash);
  bool parse_number(Value* v);
  void emit(StrBuf* sink, Value* v, uint32_t code_point);
  void emit_byte(StrBuf* sink, Value* v, char c);
  bool assign(int key, const Value& v, size_t value_pos);
  bool assign_text(int key, const Value& v, size_t value_pos);
  bool check_required();
  bool check_wiring();

  StrRef text_;
  Config* cfg_;
  ConfigError* err_;
  ConfigWarn warn_;
  void* warn_ctx_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  uint16_t line_ = 1;
  Str<16> ip_text_;  // an IP address value, parsed in assign()
  uint16_t set_on_line_[kKeyCount] = {};
  uint16_t other_case_line_[kKeyCount] = {};  // "wifi_ssid = ..." seen on this line
};

bool Parser::fail(size_t pos, const char* fmt, ...) {
  err_->ok = false;
  err_->line = line_;
  err_->column = column_at(pos);
  err_->message.clear();
  err_->message.appendf("config.py:%u:%u: ", static_cast<unsigned>(err_->line),
                        static_cast<unsigned>(err_->column));
  va_list ap;
  va_start(ap, fmt);
  err_->message.vappendf(fmt, ap);
  va_end(ap);
  return false;
}

bool Parser::fail_no_line(const char* fmt, ...) {
  err_->ok = false;
  err_->line = 0;
  err_->column = 0;
  err_->message.clear();
  err_->message.append("config.py: ");
  va_list ap;
  va_start(ap, fmt);
  err_->message.vappendf(fmt, ap);
  va_end(ap);
  return false;
}

void Parser::skip_to_next_line() {
  while (!at_end() && !is_eol(peek())) ++pos_;
  if (peek() == '\r') ++pos_;
  if (peek() == '\n') ++pos_;
  line_start_ = pos_;
  if (line_ < 0xFFFF) ++line_;
}

bool Parser::run() {
  if (text_.len >= 2 && ((text_.data[0] == '\xFF' && text_.data[1] == '\xFE') ||
                         (text_.data[0] == '\xFE' && text_.data[1] == '\xFF'))) {
    return fail(0, "the file is UTF-16; save it as UTF-8");
  }
  // Windows editors put a UTF-8 byte order mark first; Python skips it too.
  if (text_.starts_with("\xEF\xBB\xBF")) {
    pos_ = 3;
    line_start_ = 3;
  }
  while (!at_end()) {
    if (!parse_line()) return false;
    skip_to_next_line();
  }
  return check_required() && check_wiring();
}

bool Parser::parse_line() {
  const size_t start = pos_;
  skip_space();
  if (at_eol() || peek() == '#') return true;  // blank or comment
  if (pos_ != start) {
    return fail(start, "unexpected indent: start the line with the name");
  }
  if (!is_name_start(peek())) {
    return fail(pos_, "bad name: a name starts with a letter or '_', like WIFI_SSID");
  }
  const size_t name_pos = pos_;
  while (!at_end() && is_name_char(peek())) ++pos_;
  const StrRef name = text_.sub(name_pos, pos_ - name_pos);
  const unsigned char after = static_cast<unsigned char>(peek());
  if (!at_eol() && (after == '-' || after == '.' || after >= 0x80)) {
    return fail(pos_, "bad name: only letters, digits and '_' may be used in a name");
  }

  int key = -1;
  for (int k = 0; k < kKeyCount; ++k) {
    if (name.equals(kKeys[k].name)) key = k;
  }

  skip_space();
  if (peek() != '=') {
    // Only our own key names are quoted: an unknown word could be a secret.
    if (key >= 0) return fail(pos_, "missing '=' after %s", kKeys[key].name);
    return fail(pos_, "missing '=' after the name");
  }
  ++pos_;
  if (key >= 0 && set_on_line_[key] != 0) {
    return fail(name_pos, "%s is set twice (first on line %u); keep one", kKeys[key].name,
                static_cast<unsigned>(set_on_line_[key]));
  }

  skip_space();
  if (at_eol() || peek() == '#') return fail(pos_, "missing value after '='");
  const size_t value_pos = pos_;
  Value v;
  if (!parse_value(key, &v)) return false;
  skip_space();
  if (!at_eol() && peek() != '#') {
    return fail(pos_, "unexpected text after the value (comments start with #)");
  }

  if (key < 0) {
    for (int k = 0; k < kKeyCount; ++k) {
      if (name.equals_nocase(kKeys[k].name) && other_case_line_[k] == 0)
        other_case_line_[k] = line_;
    }
    if (warn_) warn_(warn_ctx_, line_, name);
    return true;
  }
  set_on_line_[key] = line_;
  return assign(key, v, value_pos);
}

bool Parser::parse_value(int key, Value* v) {
  char c = peek();
  // String prefixes: u'' is a plain string, r'' keeps backslashes.
  bool raw = false;
  if ((c == 'r' || c == 'R' || c == 'u' || c == 'U') && (peek(1) == '\'' || peek(1) == '"')) {
    raw = c == 'r' || c == 'R';
    ++pos_;
    c = peek();
  }
  if (c == '\'' || c == '"') {
    StrBuf* sink = nullptr;
    if (key == kSsid) sink = &cfg_->wifi_ssid;
    if (key == kPassword) sink = &cfg_->wifi_password;
    if (key == kUrl) sink = &cfg_->webhook_url;
    if (key == kButtonId) sink = &cfg_->button_id;
    if (key == kTlsCa) sink = &cfg_->tls_ca;
    if (key == kTlsFingerprint) sink = &cfg_->tls_fingerprint;
    if (key >= kStaticIp) sink = &ip_text_;
    if (sink) sink->clear();
    v->type = Value::String;
    if (raw) {
      // r'...': a backslash stays, and only protects the quote after it.
      const size_t open = pos_;
      const char quote = peek();
      ++pos_;
      for (;;) {
        if (at_eol()) return fail(open, "unterminated string: add the closing %c", quote);
        char ch = peek();
        if (ch == quote) {
          ++pos_;
          return true;
        }
        ++pos_;
        emit_byte(sink, v, ch);
        if (ch == '\\' && !at_eol()) {
          emit_byte(sink, v, peek());
          ++pos_;
        }
      }
    }
    return parse_string(sink, v);
  }
  if (is_digit(c) || c == '-' || c == '+' || c == '.') return parse_number(v);
  if (is_name_start(c)) {
    const size_t p = pos_;
    while (!at_end() && is_name_char(peek())) ++pos_;
    StrRef word = text_.sub(p, pos_ - p);
    if (word.equals("True")) {
      v->type = Value::True;
    } else if (word.equals("False")) {
      v->type = Value::False;
    } else if (word.equals("None")) {
      v->type = Value::None;
    } else {
      return fail(p, "bad value: text must be in quotes, like 'text'");
    }
    return true;
  }
  return fail(pos_, "bad value: expected 'text', a number, True, False or None");
}

void Parser::emit_byte(StrBuf* sink, Value* v, char c) {
  if (c == '\0') v->text_has_nul = true;
  ++v->text_len;
  if (sink && sink->size() < sink->capacity()) sink->append(c);
}

// Python strings hold code points; the board gets their UTF-8 bytes (as
// MicroPython's str.encode() would give), so '\xe9' is the two bytes of é.
void Parser::emit(StrBuf* sink, Value* v, uint32_t cp) {
  if (cp < 0x80) {
    emit_byte(sink, v, static_cast<char>(cp));
  } else if (cp < 0x800) {
    emit_byte(sink, v, static_cast<char>(0xC0 | (cp >> 6)));
    emit_byte(sink, v, static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    emit_byte(sink, v, static_cast<char>(0xE0 | (cp >> 12)));
    emit_byte(sink, v, static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    emit_byte(sink, v, static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    emit_byte(sink, v, static_cast<char>(0xF0 | (cp >> 18)));
    emit_byte(sink, v, static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    emit_byte(sink, v, static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    emit_byte(sink, v, static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool Parser::parse_string(StrBuf* sink, Value* v) {
  const size_t open = pos_;
  const char quote = peek();
  ++pos_;
  if (peek() == quote && peek(1) == quote) {
    return fail(open, "triple-quoted strings are not supported; use %c...%c", quote, quote);
  }
  for (;;) {
    // A backslash before the end of the line would continue the string in
    // Python; one value per line is simpler to read, so it is unterminated.
    if (at_eol()) return fail(open, "unterminated string: add the closing %c", quote);
    const char c = peek();
    if (c == quote) {
      ++pos_;
      return true;
    }
    if (c == '\\') {
      const size_t backslash = pos_;
      ++pos_;
      if (at_eol()) return fail(open, "unterminated string: add the closing %c", quote);
      if (!parse_escape(sink, v, backslash)) return false;
      continue;
    }
    emit_byte(sink, v, c);
    ++pos_;
  }
}

bool Parser::parse_escape(StrBuf* sink, Value* v, size_t backslash) {
  const char c = peek();
  ++pos_;
  switch (c) {
    case '\\': emit_byte(sink, v, '\\'); return true;
    case '\'': emit_byte(sink, v, '\''); return true;
    case '"': emit_byte(sink, v, '"'); return true;
    case 'n': emit_byte(sink, v, '\n'); return true;
    case 'r': emit_byte(sink, v, '\r'); return true;
    case 't': emit_byte(sink, v, '\t'); return true;
    case 'a': emit_byte(sink, v, '\a'); return true;
    case 'b': emit_byte(sink, v, '\b'); return true;
    case 'f': emit_byte(sink, v, '\f'); return true;
    case 'v': emit_byte(sink, v, '\v'); return true;
    case 'x':
    case 'u':
    case 'U': {
      const int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      uint32_t cp = 0;
      for (int i = 0; i < digits; ++i) {
        const int h = hex_value(peek());
        if (h < 0) {
          return fail(backslash, "bad \\%c escape: it needs %d hex digits", c, digits);
        }
        cp = cp * 16 + static_cast<uint32_t>(h);
        ++pos_;
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return fail(backslash, "bad \\%c escape: not a Unicode character", c);
      }
      emit(sink, v, cp);
      return true;
    }
    case 'N': return fail(backslash, "\\N{...} escapes are not supported; use \\u or \\x");
    default: break;
  }
  if (c >= '0' && c <= '7') {
    // Octal, up to three digits: \0 is NUL, \012 is a newline.
    uint32_t cp = static_cast<uint32_t>(c - '0');
    for (int i = 0; i < 2 && peek() >= '0' && peek() <= '7'; ++i) {
      cp = cp * 8 + static_cast<uint32_t>(peek() - '0');
      ++pos_;
    }
    emit(sink, v, cp);
    return true;
  }
  // Python keeps unknown escapes as they are: backslash and character.
  emit_byte(sink, v, '\\');
  --pos_;  // the character after the backslash is read again as itself
  return true;
}

bool Parser::parse_number(Value* v) {
  const size_t start = pos_;
  bool negative = false;
  if (peek() == '-' || peek() == '+') {
    negative = peek() == '-';
    ++pos_;
    skip_space();  // Python reads "- 5" as -5
  }
  const size_t digits_pos = pos_;
  while (!at_end() && (is_name_char(peek()) || peek() == '.')) ++pos_;
  const StrRef tok = text_.sub(digits_pos, pos_ - digits_pos);
  if (tok.empty() || !is_digit(tok.data[0])) {
    if (tok.find('.') < tok.len) {
      return fail(start, "bad value: decimals are not supported; use a whole number");
    }
    return fail(start, "bad value: expected 'text', a number, True, False or None");
  }
  if (tok.find('.') < tok.len) {
    return fail(start, "bad value: decimals are not supported; use a whole number");
  }

  uint32_t base = 10;
  size_t i = 0;
  if (tok.len >= 2 && tok.data[0] == '0') {
    const char p = tok.data[1];
    if (p == 'x' || p == 'X') base = 16;
    if (p == 'o' || p == 'O') base = 8;
    if (p == 'b' || p == 'B') base = 2;
    if (base != 10) i = 2;
  }
  // Python's rules: digits with single '_' between them (also right after
  // the 0x prefix), no leading zeros in decimals except for zero itself.
  uint64_t value = 0;
  bool huge = false;
  size_t ndigits = 0;
  bool nonzero = false;
  bool prev_underscore = false;
  for (; i < tok.len; ++i) {
    const char c = tok.data[i];
    if (c == '_') {
      if (prev_underscore || (ndigits == 0 && base == 10)) {
        return fail(start, "bad number: '_' may only stand between digits");
      }
      prev_underscore = true;
      continue;
    }
    const int d = hex_value(c);
    if (d < 0 || static_cast<uint32_t>(d) >= base) {
      // The character is not quoted: it could be part of a mistyped password.
      return fail(digits_pos + i, "bad number: this is not a base-%u digit",
                  static_cast<unsigned>(base));
    }
    prev_underscore = false;
    ++ndigits;
    if (d != 0) nonzero = true;
    value = value * base + static_cast<uint32_t>(d);
    if (value > 0xFFFFFFFFull) {
      huge = true;
      value = 0xFFFFFFFFull;
    }
  }
  if (ndigits == 0 || prev_underscore) {
    return fail(start, "bad number: it ends without digits");
  }
  if (base == 10 && tok.data[0] == '0' && nonzero) {
    return fail(start, "bad number: Python does not allow leading zeros (write 2, not 02)");
  }
  v->type = Value::Int;
  const int64_t magnitude = static_cast<int64_t>(value);
  v->number = negative ? -magnitude : magnitude;
  v->number_huge = huge || v->number > 0x7FFFFFFF || v->number < -0x7FFFFFFF - 1;
  return true;
}

const char* type_name(const Value& v) {
  switch (v.type) {
    case Value::String: return "text";
    case Value::Int: return "a number";
    case Value::True: return "True";
    case Value::False: return "False";
    case Value::None: return "None";
  }
  return "?";
}

bool Parser::assign(int key, const Value& v, size_t value_pos) {
  const KeySpec& spec = kKeys[key];
  if (spec.kind == Kind::Bool) {
    if (v.type != Value::True && v.type != Value::False) {
      return fail(value_pos, "%s must be True or False", spec.name);
    }
    const bool on = v.type == Value::True;
    if (key == kTimedWake) cfg_->timed_wake = on;
    if (key == kReuseLease) cfg_->reuse_lease = on;
    if (key == kTlsInsecure) cfg_->tls_insecure = on;
    return true;
  }
  if (spec.kind == Kind::Ip) {
    Ip4 ip;
    if (v.type != Value::String || v.text_len >= 16 || !parse_ip4(ip_text_.ref(), &ip)) {
      return fail(value_pos, "%s must be an IPv4 address in quotes, like '192.168.0.45'",
                  spec.name);
    }
    Ip4* const dst[] = {&cfg_->static_ip.ip, &cfg_->static_ip.netmask, &cfg_->static_ip.gateway,
                        &cfg_->static_ip.dns};
    *dst[key - kStaticIp] = ip;
    return true;
  }
  if (key == kSensePin && v.type == Value::None) {
    cfg_->press_sense_pin = kNoPin;
    return true;
  }
  if (spec.kind == Kind::Text) {
    if (v.type != Value::String) {
      return fail(value_pos, "%s must be text in quotes, not %s; like %s", spec.name, type_name(v),
                  spec.example);
    }
    return assign_text(key, v, value_pos);
  }

  if (v.type != Value::Int) {
    if (v.type == Value::String) {
      return fail(value_pos, "%s must be a number, not text (remove the quotes)", spec.name);
    }
    return fail(value_pos, "%s must be a number, not %s", spec.name, type_name(v));
  }
  if (spec.kind == Kind::Pin) {
    if (v.number_huge || v.number < 0 || v.number > kMaxGpio) {
      if (v.number_huge) {
        return fail(value_pos, "%s must be an ESP8266 GPIO number, 0..16", spec.name);
      }
      return fail(value_pos, "%s must be an ESP8266 GPIO number, 0..16 (not %ld)", spec.name,
                  static_cast<long>(v.number));
    }
    // GPIO 6..11 carry the flash chip's bus: touching them crashes the board.
    if (v.number >= 6 && v.number <= 11) {
      return fail(value_pos, "%s = %ld is wired to the flash chip (GPIO 6..11); use 0..5 or 12..16",
                  spec.name, static_cast<long>(v.number));
    }
    // A switch to GND on a boot-mode pin: GPIO0 or 2 held low at reset stop
    // a normal boot; GPIO15 is pulled down and never reads the switch.
    if ((key == kDebugPin || key == kSensePin) &&
        (v.number == 0 || v.number == 2 || v.number == 15)) {
      return fail(value_pos, "%s = %ld is a boot-mode pin; use 4, 5, 12, 13 or 14", spec.name,
                  static_cast<long>(v.number));
    }
    const uint8_t pin = static_cast<uint8_t>(v.number);
    if (key == kLedPin) cfg_->led_pin = pin;
    if (key == kLed2Pin) cfg_->led2_pin = pin;
    if (key == kDebugPin) cfg_->debug_pin = pin;
    if (key == kSensePin) cfg_->press_sense_pin = pin;
    return true;
  }
  // Seconds, Count
  if (v.number_huge || v.number < 1 || v.number > static_cast<int64_t>(spec.max)) {
    return fail(value_pos, "%s must be 1..%lu%s", spec.name, static_cast<unsigned long>(spec.max),
                spec.kind == Kind::Seconds ? " seconds" : "");
  }
  const uint32_t n = static_cast<uint32_t>(v.number);
  if (key == kWifiTimeout) cfg_->wifi_timeout_s = n;
  if (key == kHttpTimeout) cfg_->http_timeout_s = n;
  if (key == kMaxAttempts) cfg_->max_attempts = static_cast<uint8_t>(n);
  if (key == kMaxAge) cfg_->max_age_s = n;
  return true;
}

bool is_hex_text(StrRef s) {
  for (size_t i = 0; i < s.len; ++i) {
    if (hex_value(s.data[i]) < 0) return false;
  }
  return true;
}

bool Parser::assign_text(int key, const Value& v, size_t value_pos) {
  const KeySpec& spec = kKeys[key];
  switch (key) {
    case kSsid:
      if (v.text_len == 0) return fail(value_pos, "WIFI_SSID is empty; like %s", spec.example);
      if (v.text_len > sizes::kSsidMax) {
        return fail(value_pos, "value too long: WIFI_SSID is at most %u bytes (this one has %lu)",
                    static_cast<unsigned>(sizes::kSsidMax), static_cast<unsigned long>(v.text_len));
      }
      if (v.text_has_nul) return fail(value_pos, "WIFI_SSID cannot contain a NUL (\\0)");
      return true;
    case kPassword:
      // Never say anything about the text itself, not even its length.
      if (v.text_len > kPskHexLen) {
        return fail(value_pos, "value too long: WIFI_PASSWORD is at most %u characters",
                    static_cast<unsigned>(kPskHexLen));
      }
      if (v.text_len > 0 && v.text_len < kWpaMin) {
        return fail(value_pos,
                    "WIFI_PASSWORD is too short: WPA2 needs %u..%u characters ('' for an open "
                    "network)",
                    static_cast<unsigned>(kWpaMin), static_cast<unsigned>(kWpaMax));
      }
      if (v.text_len == kPskHexLen && !is_hex_text(cfg_->wifi_password.ref())) {
        return fail(value_pos,
                    "WIFI_PASSWORD of 64 characters must be a hex key; a passphrase has %u..%u",
                    static_cast<unsigned>(kWpaMin), static_cast<unsigned>(kWpaMax));
      }
      if (v.text_has_nul) return fail(value_pos, "WIFI_PASSWORD cannot contain a NUL (\\0)");
      return true;
    case kUrl: {
      if (v.text_len > sizes::kUrlMax) {
        return fail(value_pos, "value too long: WEBHOOK_URL is at most %u bytes (this one has %lu)",
                    static_cast<unsigned>(sizes::kUrlMax), static_cast<unsigned long>(v.text_len));
      }
      if (v.text_len == 0) return fail(value_pos, "WEBHOOK_URL is empty; like %s", spec.example);
      Url url;
      const Err e = parse_url(cfg_->webhook_url.ref(), &url);
      if (e == Err::Overflow) {
        return fail(value_pos, "WEBHOOK_URL is too long (host at most %u bytes, path at most %u)",
                    static_cast<unsigned>(sizes::kHostMax), static_cast<unsigned>(sizes::kPathMax));
      }
      if (e != Err::Ok) {
        return fail(value_pos, "WEBHOOK_URL must look like http://host[:port]/path or https://...");
      }
      return true;
    }
    case kButtonId:
      if (v.text_len > sizes::kButtonIdMax) {
        return fail(value_pos, "value too long: BUTTON_ID is at most %u bytes (this one has %lu)",
                    static_cast<unsigned>(sizes::kButtonIdMax),
                    static_cast<unsigned long>(v.text_len));
      }
      return true;
    case kTlsCa:
    case kTlsFingerprint:
      if (v.text_len > (key == kTlsCa ? sizes::kTlsCaPathMax : sizes::kTlsFingerprintMax)) {
        return fail(value_pos, "value too long: %s", spec.name);
      }
      return true;
    default: return true;
  }
}

bool Parser::check_required() {
  // STATIC_IP needs GATEWAY; NETMASK (default /24) and DNS (default the
  // gateway) are optional; none of them means anything without STATIC_IP.
  IfConfig& ip = cfg_->static_ip;
  for (int k = kNetmask; k <= kDns; ++k) {
    if (set_on_line_[k] && !set_on_line_[kStaticIp]) {
      return fail_no_line("%s is set but STATIC_IP is not", kKeys[k].name);
    }
  }
  if (set_on_line_[kStaticIp]) {
    if (!set_on_line_[kGateway]) return fail_no_line("STATIC_IP needs GATEWAY too");
    if (!set_on_line_[kNetmask]) ip.netmask = Ip4{{255, 255, 255, 0}};
    if (!set_on_line_[kDns]) ip.dns = ip.gateway;
    cfg_->has_static_ip = true;
  }
  for (int k = 0; k < kKeyCount; ++k) {
    if (!kKeys[k].required || set_on_line_[k] != 0) continue;
    if (other_case_line_[k] != 0) {
      return fail_no_line(
          "%s is missing (line %u spells it in other case; names are "
          "case-sensitive)",
          kKeys[k].name, static_cast<unsigned>(other_case_line_[k]));
    }
    return fail_no_line("%s is missing; add a line like %s", kKeys[k].name, kKeys[k].example);
  }
  return true;
}

// TIMED_WAKE means GPIO16 is wired to RST. An LED there resets the board
// whenever it lights (the patterns drive it low), and a sense pin there
// reads RST itself, high whenever the chip runs: it can never see a press.
// (A sense pin shared with an LED still reads right: it is read at boot,
// before any LED is driven; config.h advises against it, nothing breaks.)
bool Parser::check_wiring() {
  // The debug jumper and the sense pin are both read low at boot: on one
  // pin, a press held through the reset would keep the board awake for
  // the console instead of sending.
  if (cfg_->press_sense_pin != kNoPin && cfg_->press_sense_pin == cfg_->debug_pin) {
    return fail_no_line("PRESS_SENSE_PIN = %u is DEBUG_PIN%s too: a press would read as the "
                        "debug jumper; use 4, 5, 12 or 13",
                        static_cast<unsigned>(cfg_->press_sense_pin),
                        set_on_line_[kDebugPin] ? "" : " (default)");
  }
  if (!cfg_->timed_wake) return true;
  int k = -1;
  if (cfg_->led_pin == 16) k = kLedPin;
  if (cfg_->led2_pin == 16) k = kLed2Pin;
  if (cfg_->press_sense_pin == 16) k = kSensePin;
  if (cfg_->debug_pin == 16) k = kDebugPin;  // reads RST; a jumper to GND holds it in reset
  if (k < 0) return true;
  return fail_no_line("TIMED_WAKE = True wires GPIO16 to RST, so %s = 16%s %s", kKeys[k].name,
                      set_on_line_[k] ? "" : " (default)",
                      k == kSensePin   ? "never reads a press; use 4, 5, 12 or 13"
                      : k == kDebugPin ? "never reads the jumper; use 14 (D5)"
                                       : "resets the board when lit; move the LED to another pin");
}

// Python repr() of text, single-quoted, so a described line parses back.
void append_quoted(StrBuf& out, StrRef s) {
  static const char kHex[] = "0123456789abcdef";
  out.append('\'');
  for (size_t i = 0; i < s.len; ++i) {
    const char c = s.data[i];
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '\\' || c == '\'') {
      out.append('\\').append(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '\r') {
      out.append("\\r");
    } else if (c == '\t') {
      out.append("\\t");
    } else if (u < 0x20 || u == 0x7F) {
      out.append("\\x").append(kHex[u >> 4]).append(kHex[u & 15]);
    } else {
      out.append(c);
    }
  }
  out.append('\'');
}

// The IFTTT key in ".../with/key/KEY" is as secret as the password.
void append_url_masked(StrBuf& out, StrRef url) {
  static const char kKeyPart[] = "/key/";
  const size_t n = sizeof kKeyPart - 1;
  for (size_t i = 0; i + n <= url.len; ++i) {
    if (url.sub(i, n).equals(kKeyPart)) {
      size_t end = i + n;
      while (end < url.len && url.data[end] != '/' && url.data[end] != '?' &&
             url.data[end] != '#') {
        ++end;
      }
      if (end == i + n) break;  // empty key: nothing to hide
      Str<sizes::kUrlMax + 8> masked;
      masked.append(url.sub(0, i + n)).append("****").append(url.sub(end));
      append_quoted(out, masked.ref());
      return;
    }
  }
  append_quoted(out, url);
}

}  // namespace

bool parse_config(StrRef text, Config* cfg, ConfigError* err, ConfigWarn warn, void* warn_ctx) {
  *cfg = Config();
  err->ok = true;
  err->line = 0;
  err->column = 0;
  err->message.clear();
  Parser parser(text, cfg, err, warn, warn_ctx);
  return parser.run();
}

void describe_config(const Config& cfg, void (*line)(void* ctx, StrRef text), void* ctx) {
  // In kKeys order, named from kKeys; the static IP lines only when set.
  const Ip4* ips[] = {&cfg.static_ip.ip, &cfg.static_ip.netmask, &cfg.static_ip.gateway,
                      &cfg.static_ip.dns};
  Str<sizes::kLogLineMax> out;
  for (int k = 0; k < (cfg.has_static_ip ? kKeyCount : kStaticIp); ++k) {
    // The reuse and TLS keys only when they differ from the defaults.
    if ((k == kReuseLease && cfg.reuse_lease) || (k == kTlsCa && cfg.tls_ca.empty()) ||
        (k == kTlsFingerprint && cfg.tls_fingerprint.empty()) ||
        (k == kTlsInsecure && !cfg.tls_insecure)) {
      continue;
    }
    out.assign(kKeys[k].name).append(" = ");
    uint32_t n = 0;
    switch (k) {
      case kSsid: append_quoted(out, cfg.wifi_ssid.ref()); break;
      case kPassword: out.append(cfg.wifi_password.empty() ? "''" : "'********'"); break;
      case kUrl: append_url_masked(out, cfg.webhook_url.ref()); break;
      case kButtonId: append_quoted(out, cfg.button_id.ref()); break;
      case kTimedWake: out.append(cfg.timed_wake ? "True" : "False"); break;
      case kReuseLease: out.append(cfg.reuse_lease ? "True" : "False"); break;
      case kTlsInsecure: out.append(cfg.tls_insecure ? "True" : "False"); break;
      case kTlsCa: append_quoted(out, cfg.tls_ca.ref()); break;
      case kTlsFingerprint: append_quoted(out, cfg.tls_fingerprint.ref()); break;
      case kLedPin: n = cfg.led_pin; break;
      case kLed2Pin: n = cfg.led2_pin; break;
      case kDebugPin: n = cfg.debug_pin; break;
      case kWifiTimeout: n = cfg.wifi_timeout_s; break;
      case kHttpTimeout: n = cfg.http_timeout_s; break;
      case kSensePin:
        if (cfg.press_sense_pin == kNoPin) out.append("None");
        n = cfg.press_sense_pin;
        break;
      case kMaxAttempts: n = cfg.max_attempts; break;
      case kMaxAge: n = cfg.max_age_s; break;
      default: {
        const uint8_t* b = ips[k - kStaticIp]->b;
        out.appendf("'%u.%u.%u.%u'", b[0], b[1], b[2], b[3]);
      }
    }
    if (kKeys[k].kind == Kind::Pin || kKeys[k].kind == Kind::Seconds ||
        kKeys[k].kind == Kind::Count) {
      if (n != kNoPin || k != kSensePin) out.append_uint(n);
    }
    line(ctx, out.ref());
  }
}

}  // namespace bh
