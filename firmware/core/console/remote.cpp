// Modes, the listening socket, the console's connection, output and the
// files the remote side keeps. See remote.h.
#include "remote.h"

#include <stdarg.h>  // va_list for sayf

#include "app.h"
#include "config.h"
#include "py_text.h"
#include "sha1.h"

namespace bh {

namespace {

constexpr uint32_t kPasswordMs = 60000;         // a client that never logs in is dropped
constexpr uint32_t kPortalIdleMs = 10 * 60000;  // no visitor: sleep, save the battery
constexpr uint32_t kIoMs = 1000;
constexpr char kWebReplFile[] = "/webrepl_cfg.py";
constexpr char kApFile[] = "/ap_cfg.py";

struct Unknown {
  StrRef key;
  bool seen;
};

void on_unknown(void* ctx, uint16_t, StrRef name) {
  Unknown* u = static_cast<Unknown*>(ctx);
  u->seen |= name.equals(u->key);
}

}  // namespace

// ---------------------------------------------------------------- modes ---

void Remote::start_console() {
  bool enabled = false;
  if (!load_password(&enabled) || !enabled) {
    log("WebREPL off (webrepl_cfg.py: no PASS, or ENABLED = False)");
    return;
  }
  // Reachable on the home network: join it (without waiting) unless a
  // press already did.
  if (!hal_.sta.isconnected()) {
    hal_.sta.active(true);
    hal_.sta.connect(app_.config().wifi_ssid.ref(), app_.config().wifi_password.ref(), nullptr);
  }
  if (listen(8266)) log("WebREPL server started on port 8266");
}

void Remote::start_portal() {
  if (!listen(80)) return;  // a port without a server: button mode goes on
  hal_.sta.active(true);    // scan() needs the station
  Str<sizes::kSsidMax> essid;
  Str<sizes::kWifiPasswordMax> pass;
  ap_settings(essid, pass);
  hal_.ap.config(essid.ref(), pass.ref());
  hal_.ap.active(true);
  since_ms_ = hal_.machine.ticks_ms();
  const Ip4 ip = hal_.ap.ifconfig().ip;
  Str<sizes::kLogLineMax> line;
  line.appendf("Setup portal: join Wi-Fi '%s' with password '%s', open http://%u.%u.%u.%u/",
               essid.c_str(), pass.c_str(), ip.b[0], ip.b[1], ip.b[2], ip.b[3]);
  log(line.ref());
}

bool Remote::listen(uint16_t port) {
  Err e = Err::Ok;
  listener_ = hal_.net.listen(port, &e);
  if (!listener_) {
    Str<64> line;
    line.appendf("Cannot listen on port %u (%s)", port, err_name(e));
    log(line.ref());
    return false;
  }
  mode_ = port == 80 ? Mode::Portal : Mode::Console;
  return true;
}

bool Remote::poll() {
  if (mode_ == Mode::Portal) {
    if (hal_.machine.ticks_ms() - since_ms_ >= kPortalIdleMs) {
      log("Setup portal: nobody came for 10 min; sleeping (press the button to retry)");
      return false;
    }
    poll_portal();
  } else if (mode_ == Mode::Console) {
    poll_console();
  }
  const bool sleep = sleep_;
  sleep_ = false;
  return !sleep;
}

// ---------------------------------------------------------------- console -

void Remote::poll_console() {
  Err e = Err::Ok;
  if (Stream* s = listener_->accept(0, &e)) {
    // One client at a time, and none while no password is set.
    if (client_ || !load_password()) {
      s->close();
    } else {
      client_ = s;
      if (!handshake()) drop();
    }
  }
  if (!client_) return;
  const uint32_t now = hal_.machine.ticks_ms();
  if (phase_ == Phase::Password) {
    if (!prompted_) {
      // After wrong passwords the next one waits longer, the client too.
      if (static_cast<int32_t>(now - locked_until_) < 0) return;
      say("Password: ");
      flush();
      prompted_ = true;
      since_ms_ = now;
    } else if (now - since_ms_ > kPasswordMs) {
      drop();
    }
  }
  for (int i = 0; i < 16 && client_ && ws_next(); ++i) on_frame();
  flush();
}

void Remote::drop() {
  if (client_) client_->close();
  client_ = nullptr;
  phase_ = Phase::Password;
  prompted_ = false;
  remaining_ = 0;
  req_len_ = 0;
  esc_ = 0;
  last_key_ = 0;
  typed_.clear();
  line_.clear();
  out_.clear();
}

// ---------------------------------------------------------------- output --

void Remote::say(const char* text) {
  say(StrRef(text));
}

void Remote::say(StrRef text) {
  while (text.len) {
    if (out_.size() == out_.capacity()) flush();
    const size_t room = out_.capacity() - out_.size();
    const size_t n = text.len < room ? text.len : room;
    out_.append(text.sub(0, n));
    text = text.sub(n);
  }
}

void Remote::sayf(const char* fmt, ...) {
  if (out_.capacity() - out_.size() < 128) flush();  // a line fits whole
  va_list ap;
  va_start(ap, fmt);
  out_.vappendf(fmt, ap);
  va_end(ap);
}

void Remote::say_ip(const Ip4& ip) {
  sayf("'%u.%u.%u.%u'", ip.b[0], ip.b[1], ip.b[2], ip.b[3]);
}

void Remote::flush() {
  if (!out_.empty() && client_) {
    if (mode_ == Mode::Console) {
      ws_send(1, out_.c_str(), out_.size());
    } else if (client_->write(reinterpret_cast<const uint8_t*>(out_.c_str()), out_.size(), kIoMs) !=
               Err::Ok) {
      drop();
    }
  }
  out_.clear();
}

void Remote::log(StrRef line) {
  hal_.machine.log(line);
  record(line);
}

void Remote::record(StrRef line) {
  if (line.len >= sizeof log_) line.len = sizeof log_ - 1;
  // The oldest lines go first, whole.
  size_t cut = 0;
  while (log_len_ - cut + line.len + 1 > sizeof log_)
    cut = StrRef(log_, log_len_).find('\n', cut) + 1;
  memmove(log_, log_ + cut, log_len_ - cut);
  log_len_ -= cut;
  memcpy(log_ + log_len_, line.data, line.len);
  log_len_ += line.len;
  log_[log_len_++] = '\n';
  if (echo_ && client_) {
    say_line(this, line);
    flush();  // as it happens: a press takes seconds
  }
}

// ---------------------------------------------------------------- files ---

Err Remote::read_text(StrRef path, StrBuf& out) {
  size_t len = 0;
  const Err e = hal_.files.read(path, reinterpret_cast<uint8_t*>(out.data()), out.capacity(), &len);
  out.set_size(e == Err::Ok ? len : 0);
  return e;
}

Err Remote::write_text(StrRef path, StrRef text) {
  return hal_.files.write(path, reinterpret_cast<const uint8_t*>(text.data), text.len);
}

bool Remote::load_password(bool* enabled) {
  Str<128> text;
  read_text(kWebReplFile, text);
  const bool ok =
      py_unquote(py_value(text.ref(), "PASS"), pass_) && pass_.size() >= sizes::kConsolePassMin;
  if (!ok) pass_.clear();
  if (enabled) *enabled = !py_value(text.ref(), "ENABLED").starts_with("False");
  return ok;
}

bool Remote::save_password(StrRef pass, bool enabled) {
  Str<64> text("PASS = ");
  py_quote(text, pass);
  text.append(enabled ? "\n" : "\nENABLED = False\n");
  return write_text(kWebReplFile, text.ref()) == Err::Ok;
}

void Remote::save_ap(StrRef essid, StrRef pass) {
  Str<200> text("ESSID = ");
  py_quote(text, essid);
  text.append("\nPASS = ");
  py_quote(text, pass);
  text.append('\n');
  write_text(kApFile, text.ref());
}

void Remote::ap_settings(StrBuf& essid, StrBuf& pass) {
  Str<200> text;
  read_text(kApFile, text);
  py_unquote(py_value(text.ref(), "ESSID"), essid);
  py_unquote(py_value(text.ref(), "PASS"), pass);
  if (essid.empty())
    essid.appendf("Buttonhook-%06X", static_cast<unsigned>(hal_.machine.chip_id() & 0xffffff));
  if (pass.size() >= 8) return;
  // A per-board password, made once. The HAL has no random source, so it
  // is mixed from what differs between boards and moments: the chip id,
  // the clock, the battery reading, RTC memory (noise after power-up) and
  // the radio's view of the neighbourhood (BSSIDs, RSSI).
  Sha1 sha;
  const uint32_t seed[3] = {hal_.machine.chip_id(), hal_.machine.ticks_ms(),
                            hal_.machine.battery_mv()};
  sha.update(seed, sizeof seed);
  uint8_t d[64];
  for (size_t at = 0; hal_.machine.rtc_memory_read(at, d, sizeof d); at += sizeof d)
    sha.update(d, sizeof d);
  ScanEntry seen[4];
  const size_t n = hal_.sta.scan(seen, 4);
  sha.update(seen, n * sizeof seen[0]);
  sha.finish(d);
  // 10 characters of 32 (no l, o, 0, 1): 50 bits, easy to copy from a log.
  pass.clear();
  for (int i = 0; i < 10; ++i) pass.append("abcdefghijkmnpqrstuvwxyz23456789"[d[i] & 31]);
  save_ap(essid.ref(), pass.ref());
}

int Remote::check_config(StrRef text, StrBuf& why, StrRef key) {
  Config cfg;
  ConfigError err;
  Unknown unknown{key, false};
  parse_config(text, &cfg, &err, on_unknown, &unknown);
  if (unknown.seen) {
    why.append("unknown setting ").append(key);
    return 1;
  }
  why.append(err.message.ref());
  return !err ? 0 : err.line ? 1 : 2;
}

bool Remote::app_reload() {
  return app_.load_config();
}

}  // namespace bh
