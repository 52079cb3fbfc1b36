#include "app.h"

#include <stdarg.h>  // va_list for logf
#include <stdio.h>   // snprintf for IP formatting
#include <string.h>  // memcpy, memset

#include "http_client.h"
#include "json.h"

namespace bh {

namespace {

constexpr uint32_t kWifiPollMs = 50;       // how often connect_wifi() looks at status()
constexpr uint32_t kFastConnectMs = 3000;  // cached BSSID/channel/IP: 0.1-1.5 s when it works

void append_ip(StrBuf& out, const Ip4& ip) {
  out.appendf("'%u.%u.%u.%u'", ip.b[0], ip.b[1], ip.b[2], ip.b[3]);
}

}  // namespace

const char* reset_cause_name(ResetCause c) {
  switch (c) {
    case ResetCause::PowerOn: return "power-on";
    case ResetCause::Watchdog: return "watchdog";
    case ResetCause::Exception: return "exception";
    case ResetCause::SoftWatchdog: return "soft watchdog";
    case ResetCause::SoftRestart: return "soft restart";
    case ResetCause::DeepSleepWake: return "deep-sleep wake";
    case ResetCause::ExternalReset: return "external reset";
  }
  return "unknown";
}

void App::logf(const char* fmt, ...) {
  Str<sizes::kLogLineMax> line;
  va_list ap;
  va_start(ap, fmt);
  line.vappendf(fmt, ap);
  va_end(ap);
  log(line.ref());
}

namespace {
void log_warning(void* ctx, uint16_t line, StrRef key) {
  Str<sizes::kLogLineMax> text;
  text.appendf("config.py:%u: unknown setting ", line).append(key).append(" (ignored)");
  static_cast<Machine*>(ctx)->log(text.ref());
}
}  // namespace

bool App::load_config() {
  uint8_t* text = config_text_;
  const size_t cap = sizeof config_text_;
  size_t len = 0;
  Err e = hal_.files.read("/config.py", text, cap, &len);
  if (e == Err::NotFound) {
    log("Error: no config.py on the board; upload one (see the README: config.py)");
    return false;
  }
  if (e == Err::Overflow) {
    logf("Error: config.py is larger than %u bytes", static_cast<unsigned>(cap));
    return false;
  }
  if (e != Err::Ok) {
    logf("Error: cannot read config.py (%s)", err_name(e));
    return false;
  }
  ConfigError err;
  if (!parse_config(StrRef(reinterpret_cast<const char*>(text), len), &config_, &err, log_warning,
                    &hal_.machine)) {
    logf("Error: %s", err.message.c_str());
    return false;
  }
  return true;
}

Err App::join(const ConnectHint& hint, uint32_t limit_ms) {
  Wlan& sta = hal_.sta;
  sta.connect(config_.wifi_ssid.ref(), config_.wifi_password.ref(), &hint);
  const uint32_t start = hal_.machine.ticks_ms();
  while (!sta.isconnected()) {
    Err e = Err::Ok;
    const char* what = nullptr;
    switch (sta.status()) {
      case WlanStatus::WrongPassword:
        e = Err::WifiWrongPassword;
        what = "wrong password for";
        break;
      case WlanStatus::NoApFound:
        e = Err::WifiNoApFound;
        what = "no access point named";
        break;
      case WlanStatus::ConnectFail:
        e = Err::WifiConnectFailed;
        what = "could not join";
        break;
      default: break;
    }
    if (e != Err::Ok) {
      detail_.clear();
      detail_.append("Wi-Fi: ")
          .append(what)
          .append(" '")
          .append(config_.wifi_ssid.ref())
          .append("'");
      sta.disconnect();
      return e;
    }
    if (hal_.machine.ticks_ms() - start >= limit_ms) {
      detail_.clear();
      detail_.appendf("Wi-Fi: not connected after %u s", static_cast<unsigned>(limit_ms / 1000));
      sta.disconnect();
      return Err::WifiTimeout;
    }
    hal_.machine.sleep_ms(kWifiPollMs);
  }
  return Err::Ok;
}

void App::forget_wifi() {
  wifi_ = WifiCache{};  // checksum 0: reads back as no cache
  hal_.machine.rtc_memory_write(rtc::kWifiCacheOffset, &wifi_, sizeof wifi_);
}

Err App::connect_wifi() {
  // The tutorial turns the access point off: it is not used by the button
  // and an open "MicroPython-XXXXXX" network is a risk.
  hal_.ap.active(false);
  Wlan& sta = hal_.sta;
  fast_connected_ = false;
  if (!sta.isconnected()) {
    log("Connecting to WiFi...");
    sta.active(true);
    const StrRef ssid = config_.wifi_ssid.ref();
    const uint32_t ssid_hash = fnv1a(ssid.data, ssid.len, rtc::kWifiCacheType);
    const uint32_t limit = config_.wifi_timeout_s * 1000u;
    ConnectHint hint;
    hint.has_static_ip = config_.has_static_ip;
    hint.static_ip = config_.static_ip;
    Err e = Err::WifiNoApFound;
    if (rtc_load(hal_.machine, rtc::kWifiCacheOffset, &wifi_, sizeof wifi_, rtc::kWifiCacheType) &&
        wifi_.ssid_hash == ssid_hash) {
      // Fast path: straight to the last AP's channel, and no DHCP.
      ConnectHint fast = hint;
      fast.has_bssid = true;
      memcpy(fast.bssid, wifi_.bssid, sizeof fast.bssid);
      fast.channel = wifi_.channel;
      if (!fast.has_static_ip && wifi_.has_lease && config_.reuse_lease) {
        fast.has_static_ip = true;
        fast.static_ip = wifi_.lease;
      }
      e = join(fast, limit < kFastConnectMs ? limit : kFastConnectMs);
      fast_connected_ = e == Err::Ok;
      if (e != Err::Ok) {
        log("Fast connect failed; scanning");
        forget_wifi();
      }
    }
    if (e != Err::Ok) e = join(hint, limit);
    if (e != Err::Ok) return e;
    wifi_ = WifiCache{};
    if (sta.bssid(wifi_.bssid, &wifi_.channel)) {
      wifi_.ssid_hash = ssid_hash;
      wifi_.has_lease = !config_.has_static_ip;
      wifi_.lease = sta.ifconfig();
      rtc_store(hal_.machine, rtc::kWifiCacheOffset, &wifi_, sizeof wifi_, rtc::kWifiCacheType);
    }
  }
  IfConfig ifc = sta.ifconfig();
  Str<sizes::kLogLineMax> line;
  line.append("Network config: (");
  append_ip(line, ifc.ip);
  line.append(", ");
  append_ip(line, ifc.netmask);
  line.append(", ");
  append_ip(line, ifc.gateway);
  line.append(", ");
  append_ip(line, ifc.dns);
  line.append(")");
  log(line.ref());
  return Err::Ok;
}

Err App::call_webhook() {
  queue_press();
  save_log();
  return deliver() ? Err::Ok : last_error_;
}

Err App::post(const PressRecord& press) {
  log("Invoking webhook");
  Str<sizes::kHttpRequestBodyMax> body;
  JsonObject json(body);
  json.add("value1", config_.button_id.ref());
  if (press.dropped) {
    Str<16> dropped;
    dropped.appendf("dropped=%u", static_cast<unsigned>(press.dropped));
    json.add("value3", dropped.ref());
  }
  if (!json.end()) {
    detail_.assign("request body too large");
    return Err::Overflow;
  }
  // Idempotency-Key: <BUTTON_ID>-<boot>-<seq>; the id percent-encoded where
  // it is not visible ASCII (or is '%'), so the header stays one clean line.
  Str<24 + 3 * sizes::kButtonIdMax> key;
  key.append("Idempotency-Key: ");
  const StrRef id = config_.button_id.ref();
  for (size_t i = 0; i < id.len; ++i) {
    const uint8_t c = static_cast<uint8_t>(id.data[i]);
    if (c > 0x20 && c < 0x7F && c != '%') {
      key.append(static_cast<char>(c));
    } else {
      key.appendf("%%%02X", c);
    }
  }
  key.appendf("-%lu-%lu", static_cast<unsigned long>(log_.boot),
              static_cast<unsigned long>(press.seq));
  HttpRequest req;
  req.method = "POST";
  req.url = config_.webhook_url.ref();
  req.content_type = "application/json";
  req.body = body.ref();
  req.headers[0] = key.ref();
  req.header_count = 1;
  req.timeout_ms = config_.http_timeout_s * 1000u;
  req.total_timeout_ms = req.timeout_ms * 3u;

  HttpResult& result = http_result_;
  result = HttpResult();
  http_.request(req, &result);
  last_status_ = result.status;
  if (tls_.session.id_len) {
    // A failed handshake may come from the session itself: start afresh.
    if (result.err == Err::TlsFailed) tls_.session = TlsSession{};
    if (tls_.session.resumed) log("TLS: session resumed");
    rtc_store(hal_.machine, rtc::kTlsCacheOffset, &tls_, sizeof tls_, rtc::kTlsCacheType);
  }
  if (result.err == Err::Ok) {
    log("Webhook invoked");
    return Err::Ok;
  }
  log("Webhook failed");
  detail_.clear();
  if (result.err == Err::HttpStatus || result.err == Err::RedirectNotFollowed) {
    detail_.appendf("HTTP %d", result.status);
    StrRef text = result.body.ref();
    if (!text.empty()) {
      // First line of the server's answer, so the log says why.
      size_t nl = text.find('\n');
      detail_.append(": ").append(text.sub(0, nl > 120 ? 120 : nl).trimmed());
    }
  } else {
    // The host and port, never the path: it holds the key.
    detail_.append("webhook request");
    const Url& url = http_.url();
    if (!url.host.empty()) {
      detail_.append(" to ").append(url.host.ref()).appendf(":%u", static_cast<unsigned>(url.port));
    }
  }
  return result.err;
}

void App::show(Blink pattern) {
  // Plays the pattern (led_pattern.h). The LEDs are active-low: lit = pin
  // low. Both are written at every step and left dark (high) at the end,
  // exactly as the tutorial's show_error() does for Blink::Failed.
  // With TIMED_WAKE, GPIO16 is wired to RST: an LED there would reset the
  // board. config.py refuses that, but a refused file's pins still show
  // the refusal, so such an LED is left alone.
  Gpio& io = hal_.gpio;
  const uint8_t pins[2] = {config_.led_pin, config_.led2_pin};
  bool use[2];
  for (int i = 0; i < 2; ++i) {
    use[i] = !(config_.timed_wake && pins[i] == 16);
    if (use[i]) io.mode(pins[i], PinMode::Out, Pull::None);
  }
  const uint32_t step = blink_step_ms(pattern);
  const uint32_t length = blink_length_ms(pattern);
  for (uint32_t t = 0;; t += step) {
    const uint8_t lit = t < length ? blink_leds(pattern, t) : 0;  // then dark
    for (int i = 0; i < 2; ++i) {
      if (use[i]) io.write(pins[i], !(lit & (i ? kLed2 : kLed1)));
    }
    if (t >= length) break;
    hal_.machine.sleep_ms(step);
  }
}

bool App::is_debug() {
  Pin debug(hal_.gpio, config_.debug_pin, PinMode::In, Pull::Up);
  if (!debug.value()) {
    log("Debug mode detected.");
    return true;
  }
  return false;
}

void App::report(Err e) {
  last_error_ = e;
  const char* hint = err_hint(e);
  if (detail_.empty()) {
    logf("Error: %s", err_name(e));
  } else {
    logf("Error: %s (%s)", detail_.c_str(), err_name(e));
  }
  if (hint[0]) logf("  what to do: %s", hint);
}

uint32_t App::count_boot() {
  uint8_t text[12];
  size_t len = 0;
  uint32_t n = 0;
  if (hal_.files.read("/boots", text, sizeof text, &len) == Err::Ok) {
    for (size_t i = 0; i < len && text[i] >= '0' && text[i] <= '9'; ++i)
      n = n * 10 + (text[i] - '0');
  }
  if (++n == 0) n = 1;
  Str<11> out;
  out.append_uint(n);
  if (hal_.files.write("/boots", reinterpret_cast<const uint8_t*>(out.c_str()), out.size()) !=
      Err::Ok) {
    log("Error: cannot write /boots");
  }
  return n;
}

bool App::open_log(ResetCause cause) {
  Machine& m = hal_.machine;
  uint64_t clock = 0;
  const bool has_clock = m.rtc_clock_ms(&clock);
  WakeFacts f;
  f.cause = cause;
  uint64_t board = 0;
  bool kept = true;
  if (rtc_load(m, rtc::kPressLogOffset, &log_, sizeof log_, rtc::kPressLogType) &&
      log_.count <= sizes::kPressQueueMax) {
    f.sleep_ms = log_.sleep_ms;
    f.clock_ok = has_clock && log_.has_clock && clock >= log_.clock_ms;
    f.slept_ms = f.clock_ok ? clock - log_.clock_ms : 0;
    board = log_.board_ms + f.slept_ms;
  } else {
    // Power-up garbage, a changed layout, or corruption: what was queued is lost.
    press_log_reset(&log_, count_boot());
    kept = false;
    logf("RTC memory lost: boot %lu", static_cast<unsigned long>(log_.boot));
  }
  if (f.sleep_ms && config_ok_ && config_.press_sense_pin != kNoPin) {
    Pin sense(hal_.gpio, config_.press_sense_pin, PinMode::In, Pull::Up);
    f.sense = sense.value() ? 0 : 1;
  }
  wake_ = classify_wake(f);
  if (f.sleep_ms) logf("Woke from retry sleep: %s", wake_name(wake_));
  // Board time: without a clock, a timer wake means the whole sleep passed.
  if (!f.clock_ok && wake_ != Wake::Press) board += f.sleep_ms;
  const uint32_t ticks = m.ticks_ms();
  board_base_ms_ = board > ticks && f.clock_ok ? board - ticks : board;
  log_.sleep_ms = 0;
  return kept;
}

void App::save_log() {
  uint64_t clock = 0;
  log_.has_clock = hal_.machine.rtc_clock_ms(&clock);
  log_.clock_ms = clock;
  log_.board_ms = board_ms();
  rtc_store(hal_.machine, rtc::kPressLogOffset, &log_, sizeof log_, rtc::kPressLogType);
}

bool App::drop_expired() {
  const uint32_t now = board_s();
  bool any = false;
  while (log_.count && press_expired(log_.queue[0], now, config_.max_attempts, config_.max_age_s)) {
    logf("Dropped press #%lu after %u tries", static_cast<unsigned long>(log_.queue[0].seq),
         log_.queue[0].attempts);
    press_drop(&log_);
    any = true;
  }
  return any;
}

void App::queue_press() {
  if (log_.count >= sizes::kPressQueueMax) {
    logf("Queue full: dropped press #%lu", static_cast<unsigned long>(log_.queue[0].seq));
    press_drop(&log_);
  }
  const PressRecord& p = press_push(&log_, board_s());
  logf("Queued press #%lu (%u waiting)", static_cast<unsigned long>(p.seq), log_.count);
}

// https:// only: how to check the server, and the session to resume.
Err App::prepare_tls() {
  const StrRef url = config_.webhook_url.ref();
  if (url.len < 5 || (url.data[4] | 0x20) != 's') return Err::Ok;  // http: (parse_url checked it)
  TlsOptions tls;
  tls.fingerprint_sha1 = config_.tls_fingerprint.ref();
  tls.insecure = config_.tls_insecure;
  if (!config_.tls_ca.empty()) {
    // config.py's buffer is free once it is parsed: the PEM goes there.
    Str<sizes::kTlsCaPathMax + 1> path;
    if (config_.tls_ca.ref().data[0] != '/') path.append('/');
    path.append(config_.tls_ca.ref());
    size_t len = 0;
    const Err e = hal_.files.read(path.ref(), config_text_, sizeof config_text_, &len);
    if (e != Err::Ok) {
      detail_.assign("TLS_CA: cannot read ").append(path.ref());
      return e;
    }
    tls.ca_pem = StrRef(reinterpret_cast<const char*>(config_text_), len);
  }
  const uint32_t hash = fnv1a(url.data, url.len, rtc::kTlsCacheType);
  if (!rtc_load(hal_.machine, rtc::kTlsCacheOffset, &tls_, sizeof tls_, rtc::kTlsCacheType) ||
      tls_.url_hash != hash) {
    tls_ = TlsCache{};
    tls_.url_hash = hash;
  }
  tls_.session.resumed = 0;
  tls.session = &tls_.session;
  http_.set_tls(tls);
  return Err::Ok;
}

// One delivery round: the queue, oldest first, until a press fails.
bool App::deliver() {
  drop_expired();
  if (!log_.count) return true;
  // A press while a timed retry is pending starts an early round: the first try
  // of the press just made, not another try of the older ones (theirs follow the
  // retry timer), so a flurry of presses in an outage does not use them up.
  const bool early = wake_ == Wake::Press && config_.timed_wake && log_.failures;
  for (uint8_t i = early ? log_.count - 1 : 0; i < log_.count; ++i) {
    if (log_.queue[i].attempts < 255) ++log_.queue[i].attempts;
  }
  save_log();  // a crash or a reset mid-round still counts the attempt
  detail_.clear();
  Err e = prepare_tls();
  if (e == Err::Ok) e = connect_wifi();
  while (e == Err::Ok && log_.count) {
    press_take_dropped(&log_);
    save_log();
    e = post(log_.queue[0]);
    if (e == Err::Ok) {
      press_pop(&log_);
      log_.failures = 0;
      last_press_ = PressResult::Delivered;
      save_log();
    }
  }
  if (e == Err::Ok) return true;
  report(e);
  // A stale cached lease (an address or DNS server no longer ours) shows as
  // silence: forget the cache then. A refusal or an HTTP status came from
  // the server, so the network is fine and the cache stays.
  if (fast_connected_ && (e == Err::DnsFailed || e == Err::ConnectTimeout || e == Err::Timeout)) {
    forget_wifi();
  }
  if (log_.failures < 255) ++log_.failures;
  // A 4xx (but 408, 429) says the request itself is wrong, e.g. the key:
  // a timer will not fix that, a corrected config.py and a press will.
  const int st = last_status_;
  refused_ = e == Err::HttpStatus && st >= 400 && st < 500 && st != 408 && st != 429;
  return false;
}

BootOutcome App::run() {
  const ResetCause cause = hal_.machine.reset_cause();
  logf("Buttonhook: reset cause %u (%s)", static_cast<unsigned>(cause), reset_cause_name(cause));
  // The access point serves the setup portal only. The ESP8266 SDK keeps
  // its on/off state in flash and MicroPython starts it by default, so it is
  // turned off at every boot, not only before connecting (the tutorial's
  // connect_wifi()): a board that never connects must not offer it either.
  hal_.ap.active(false);
  config_ok_ = load_config();
  const bool rtc_lost = !open_log(cause);
  // Without a sense pin a press in a retry sleep can pass for the timer
  // (README.md, "Timer or press?"): said once per power-on, not every wake.
  if (cause == ResetCause::PowerOn && config_ok_ && config_.timed_wake &&
      config_.press_sense_pin == kNoPin) {
    log("Note: TIMED_WAKE without PRESS_SENSE_PIN: a press during a retry sleep may be taken "
        "for the timer; wire a sense pin");
  }
  // The button held while the power came up: the setup portal, not a press
  // (unless the port cannot serve it).
  if (Remote::held_at_power_on(cause, rtc_lost) && start_portal()) {
    return BootOutcome::StayAwake;
  }
  if (wake_ == Wake::Press) queue_press();
  save_log();

  bool gave_up = false;
  bool failed = false;
  if (!config_ok_) {
    // Without a config there is nothing to call; the defaults still name the
    // LED and jumper pins, so the user sees the failure and can debug. The
    // presses stay queued for when config.py is fixed.
    failed = log_.count != 0;
    if (failed) last_error_ = Err::Invalid;
  } else if (log_.count) {
    failed = !deliver();
    gave_up = failed && drop_expired();
  }
  if (failed) last_press_ = PressResult::Failed;

  // A timed retry needs the GPIO16->RST wire (TIMED_WAKE) and a sleeping
  // board; the debug jumper keeps it awake, and the queue waits for a press.
  Pin debug(hal_.gpio, config_.debug_pin, PinMode::In, Pull::Up);
  const uint32_t retry =
      config_ok_ && config_.timed_wake && log_.count && !refused_ && debug.value()
          ? retry_delay_ms(log_.failures)
          : 0;
  if (failed) {
    if (retry) {
      logf("%u waiting; retry in %lu s", log_.count, static_cast<unsigned long>(retry / 1000));
    } else if (log_.count) {
      logf("%u waiting; retry at the next press", log_.count);
    }
    show(gave_up ? Blink::GaveUp : retry ? Blink::Retrying : Blink::Failed);
  }
  // Nothing to call: the access point and its setup page, until a valid
  // config.py is saved (then a restart delivers what is queued).
  if (!config_ok_ && start_portal()) return BootOutcome::StayAwake;
  if (is_debug()) {
    save_log();
    remote_.start_console();
    return BootOutcome::StayAwake;
  }
  log_.sleep_ms = retry;
  save_log();
  hal_.machine.deepsleep(retry);
  return BootOutcome::DeepSleep;
}

bool App::start_portal() {
  save_log();
  remote_.start_portal();
  return remote_.mode() == Remote::Mode::Portal;
}

void App::loop() {
  if (!remote_.poll()) hal_.machine.deepsleep(0);
}

}  // namespace bh
