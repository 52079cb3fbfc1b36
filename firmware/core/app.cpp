#include "app.h"

#include <stdarg.h>  // va_list for logf
#include <stdio.h>   // snprintf for IP formatting

#include "http_client.h"
#include "json.h"

namespace bh {

namespace {

constexpr uint32_t kWifiPollMs = 50;    // how often connect_wifi() looks at status()
constexpr uint32_t kBlinkHalfMs = 500;  // the tutorial's time.sleep(0.5)
constexpr int kBlinkCycles = 3;         // the tutorial's range(3)

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

Err App::connect_wifi() {
  // The tutorial turns the access point off: it is not used by the button
  // and an open "MicroPython-XXXXXX" network is a risk.
  hal_.ap.active(false);
  Wlan& sta = hal_.sta;
  if (!sta.isconnected()) {
    log("Connecting to WiFi...");
    sta.active(true);
    sta.connect(config_.wifi_ssid.ref(), config_.wifi_password.ref(), nullptr);
    const uint32_t start = hal_.machine.ticks_ms();
    const uint32_t limit = config_.wifi_timeout_s * 1000u;
    while (!sta.isconnected()) {
      switch (sta.status()) {
        case WlanStatus::WrongPassword:
          detail_.clear();
          detail_.append("Wi-Fi: wrong password for '").append(config_.wifi_ssid.ref()).append("'");
          return Err::WifiWrongPassword;
        case WlanStatus::NoApFound:
          detail_.clear();
          detail_.append("Wi-Fi: no access point named '").append(config_.wifi_ssid.ref()).append("'");
          return Err::WifiNoApFound;
        case WlanStatus::ConnectFail:
          detail_.clear();
          detail_.append("Wi-Fi: could not join '").append(config_.wifi_ssid.ref()).append("'");
          return Err::WifiConnectFailed;
        default:
          break;
      }
      if (hal_.machine.ticks_ms() - start >= limit) {
        detail_.clear();
        detail_.appendf("Wi-Fi: not connected after %u s", static_cast<unsigned>(config_.wifi_timeout_s));
        sta.disconnect();
        return Err::WifiTimeout;
      }
      hal_.machine.sleep_ms(kWifiPollMs);
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
  log("Invoking webhook");
  Str<sizes::kHttpRequestBodyMax> body;
  JsonObject json(body);
  json.add("value1", config_.button_id.ref());
  if (!json.end()) {
    detail_.assign("request body too large");
    return Err::Overflow;
  }
  HttpRequest req;
  req.method = "POST";
  req.url = config_.webhook_url.ref();
  req.content_type = "application/json";
  req.body = body.ref();
  req.timeout_ms = config_.http_timeout_s * 1000u;
  req.total_timeout_ms = req.timeout_ms * 3u;

  HttpResult& result = http_result_;
  result = HttpResult();
  http_.request(req, &result);
  last_status_ = result.status;
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
    detail_.append("webhook request");
  }
  return result.err;
}

void App::show_error() {
  // Exactly the tutorial's pattern. The LEDs are active-low, so on() (pin
  // high) is LED off: the two LEDs alternate and end up both dark.
  Pin led(hal_.gpio, config_.led_pin, PinMode::Out);
  Pin led2(hal_.gpio, config_.led2_pin, PinMode::Out);
  for (int i = 0; i < kBlinkCycles; ++i) {
    led.on();
    led2.off();
    hal_.machine.sleep_ms(kBlinkHalfMs);
    led.off();
    led2.on();
    hal_.machine.sleep_ms(kBlinkHalfMs);
  }
  led.on();
  led2.on();
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

BootOutcome App::run() {
  const ResetCause cause = hal_.machine.reset_cause();
  logf("Buttonhook: reset cause %u (%s)", static_cast<unsigned>(cause), reset_cause_name(cause));
  config_ok_ = load_config();
  // A press: RST during deep sleep (cause 5) or while awake (cause 6).
  const bool press = cause == ResetCause::DeepSleepWake || cause == ResetCause::ExternalReset;
  if (!config_ok_) {
    // Without a config there is nothing to call; the defaults still name the
    // LED and jumper pins, so the user sees the failure and can debug.
    if (press) {
      last_press_ = PressResult::Failed;
      last_error_ = Err::Invalid;
      show_error();
    }
  } else if (press) {
    detail_.clear();
    Err e = connect_wifi();
    if (e == Err::Ok) e = call_webhook();
    if (e == Err::Ok) {
      last_press_ = PressResult::Delivered;
    } else {
      last_press_ = PressResult::Failed;
      report(e);
      show_error();
    }
  }
  if (is_debug()) return BootOutcome::StayAwake;
  hal_.machine.deepsleep(0);
  return BootOutcome::DeepSleep;
}

}  // namespace bh
