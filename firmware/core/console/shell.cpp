// The console's command shell. Not a Python REPL: the same spirit, a few
// words that do what a button owner needs. Both clients send keystrokes one
// by one and show what the board echoes, so the board edits the line:
// typing, backspace, Ctrl-C (drop the line), Ctrl-U (clear it), up arrow
// (the previous line again); other escape sequences are swallowed.
#include "app.h"
#include "config.h"
#include "py_text.h"
#include "remote.h"

namespace bh {

namespace {

const char kHelp[] =
    "help status scan ifconfig press log reset sleep\r\n"
    "ap on|off|config essid=NAME password=PASS\r\n"
    "config show|set KEY VALUE\r\n"
    "webrepl_setup [enable|disable|password NEW]\r\n"
    "Files: put/get with webrepl_cli.py or webrepl.html\r\n";

// Command names, NUL-separated, in the order of run()'s switch.
const char kCommands[] =
    "help\0status\0scan\0ifconfig\0ap\0config\0webrepl_setup\0press\0log\0reset\0sleep\0";

const char* const kAuth[] = {"open", "wep", "wpa", "wpa2", "wpa/wpa2"};
// WlanStatus, by value.
const char* const kWlanStatus[] = {"idle",        "connecting",     "wrong password",
                                   "no AP found", "connect failed", "connected"};

StrRef word(StrRef* rest) {
  StrRef s = rest->trimmed();
  const size_t sp = s.find(' ');
  *rest = s.sub(sp).trimmed();
  return s.sub(0, sp);
}

// The value of `key=value` among the words of args (values have no spaces).
StrRef arg(StrRef args, StrRef key) {
  while (!args.empty()) {
    const StrRef w = word(&args);
    if (w.starts_with(key) && w.len > key.len && w.data[key.len] == '=') return w.sub(key.len + 1);
  }
  return StrRef();
}

}  // namespace

// ---------------------------------------------------------------- editing -

void Remote::on_key(char c) {
  if (esc_) {
    // ESC [ or ESC O, then parameters, then a final letter (or ~).
    if (esc_ == 1) {
      esc_ = 2;
      return;
    }
    if (c >= '0' && c <= '9') return;
    esc_ = 0;
    if (c != 'A') return;
    c = 16;  // up arrow: as Ctrl-P
  }
  // Enter is '\r' from both clients; a lone '\n' (a terminal that maps it,
  // pasted text) is Enter too, but not the '\n' of "\r\n".
  const bool after_cr = last_key_ == '\r';
  last_key_ = c;
  if (c == '\n') {
    if (after_cr) return;
    c = '\r';
  }
  switch (c) {
    case 27: esc_ = 1; return;
    case '\r': {
      say("\r\n");
      if (!line_.empty()) last_.assign(line_.ref());
      Str<sizes::kConsoleLineMax> cmd(line_.ref());
      line_.clear();
      run(cmd.ref());
      break;
    }
    case 3:  // Ctrl-C
      say("^C\r\n");
      line_.clear();
      break;
    case 16:  // Ctrl-P: the previous line
    case 21:  // Ctrl-U: an empty line
      while (!line_.empty()) {
        say("\b \b");
        line_.set_size(line_.size() - 1);
      }
      if (c == 16) {
        line_.assign(last_.ref());
        say(line_.ref());
      }
      return;
    case 8:
    case 127:
      if (line_.empty()) return;
      say("\b \b");
      line_.set_size(line_.size() - 1);
      return;
    default:
      if (static_cast<unsigned char>(c) < 32 || line_.size() >= line_.capacity()) return;
      line_.append(c);
      say(StrRef(&c, 1));
      return;
  }
  if (client_) say(">>> ");
}

// ---------------------------------------------------------------- commands

void Remote::run(StrRef line) {
  StrRef args = line;
  const StrRef cmd = word(&args);
  int n = 0;
  for (const char* name = kCommands; *name && !cmd.equals(name); name += strlen(name) + 1) ++n;
  if (cmd.empty()) return;
  echo_ = true;  // what the App logs meanwhile is shown as it happens
  switch (n) {
    case 0: say(kHelp); break;
    case 1: {
      const ResetCause cause = hal_.machine.reset_cause();
      sayf("reset cause %u (%s), up %u s\r\nbattery %u mV\r\nwifi %s '%s' ",
           static_cast<unsigned>(cause), reset_cause_name(cause),
           static_cast<unsigned>(hal_.machine.ticks_ms() / 1000), hal_.machine.battery_mv(),
           kWlanStatus[static_cast<uint8_t>(hal_.sta.status()) % 6],
           app_.config().wifi_ssid.c_str());
      say_ip(hal_.sta.ifconfig().ip);
      const PressLog& q = app_.press_log();
      sayf("\r\nqueue %u waiting, %u failed rounds, %lu dropped\r\n", q.count, q.failures,
           static_cast<unsigned long>(q.dropped));
      break;
    }
    case 2: {
      hal_.sta.active(true);
      ScanEntry seen[sizes::kPortalScanMax];
      const size_t found = hal_.sta.scan(seen, sizes::kPortalScanMax);
      for (size_t i = 0; i < found; ++i) {
        sayf("%-32s ch %2u %4d dBm %s\r\n", seen[i].ssid.c_str(), seen[i].channel, seen[i].rssi,
             kAuth[static_cast<uint8_t>(seen[i].auth) % 5]);
      }
      break;
    }
    case 3:
      for (int i = 0; i < 2; ++i) {
        Wlan& w = i ? hal_.ap : hal_.sta;
        const IfConfig ifc = w.ifconfig();
        say(i ? "ap  (" : "sta (");
        for (const Ip4* ip = &ifc.ip; ip <= &ifc.dns; ++ip) {
          say_ip(*ip);
          say(ip < &ifc.dns ? ", " : ")\r\n");
        }
      }
      break;
    case 4: cmd_ap(args); break;
    case 5: cmd_config(args); break;
    case 6: cmd_webrepl_setup(args); break;
    case 7: {
      const Err e = app_.call_webhook();  // queued and delivered like a button press
      sayf("press: %s (HTTP %d)\r\n", e == Err::Ok ? "delivered" : err_name(e), app_.last_status());
      break;
    }
    case 8:
      for (size_t at = 0; at < log_len_; at = StrRef(log_, log_len_).find('\n', at) + 1) {
        say(StrRef(log_ + at, StrRef(log_, log_len_).find('\n', at) - at));
        say("\r\n");
      }
      break;
    case 9:
    case 10:
      say(n == 9 ? "restarting\r\n" : "deep sleep until the button\r\n");
      flush();
      drop();
      if (n == 9) hal_.machine.reset();
      sleep_ = n == 10;
      break;
    default: say("unknown command; try help\r\n"); break;
  }
  echo_ = false;
}

void Remote::cmd_ap(StrRef args) {
  Str<sizes::kSsidMax> essid;
  Str<sizes::kWifiPasswordMax> pass;
  const StrRef sub = word(&args);
  ap_settings(essid, pass);
  if (sub.equals("config")) {
    const StrRef e = arg(args, "essid"), p = arg(args, "password");
    if (e.len) essid.assign(e);
    if (p.len) pass.assign(p);
    if (essid.empty() || essid.overflow() || pass.size() < 8 || pass.size() > 63) {
      say("essid 1-32 characters, password 8-63\r\n");
      return;
    }
    save_ap(essid.ref(), pass.ref());
  } else if (sub.equals("off")) {
    hal_.ap.active(false);
  }
  if (sub.equals("on") || (sub.equals("config") && hal_.ap.active())) {
    hal_.ap.config(essid.ref(), pass.ref());
    hal_.ap.active(true);
  }
  sayf("ap %s '%s'\r\n", hal_.ap.active() ? "on" : "off", essid.c_str());
}

void Remote::cmd_config(StrRef args) {
  const StrRef sub = word(&args);
  const StrRef key = word(&args);
  if (sub.equals("show")) {
    if (app_reload()) describe_config(app_.config(), say_line, this);
    return;
  }
  if (!sub.equals("set") || args.empty()) {
    say("config show | config set KEY VALUE\r\n");
    return;
  }
  // config.py in the first half of the buffer, the value to set in the second.
  StrBuf text(reinterpret_cast<char*>(buf_), sizes::kConfigFileMax + 1);
  StrBuf value(reinterpret_cast<char*>(buf_) + sizes::kConfigFileMax + 1,
               sizeof buf_ - sizes::kConfigFileMax - 1);
  // Numbers, True/False/None and quoted text as typed; other text quoted.
  const char c0 = args.data[0];
  if (c0 == '\'' || c0 == '"' || c0 == '-' || (c0 >= '0' && c0 <= '9') || args.equals("True") ||
      args.equals("False") || args.equals("None")) {
    value.append(args);
  } else {
    py_quote(value, args);
  }
  const Err e = read_text("/config.py", text);
  if ((e != Err::Ok && e != Err::NotFound) || !py_set(text, key, value.ref())) {
    say("config.py too large\r\n");
    return;
  }
  // A config still missing a key is saved (it is being built line by line).
  value.clear();
  const int bad = check_config(text.ref(), value, key);
  if (bad == 1 || write_text("/config.py", text.ref()) != Err::Ok) {
    say("not saved: ");
  } else {
    say("saved. ");
    app_reload();
  }
  say(value.ref());
  say("\r\n");
}

void Remote::cmd_webrepl_setup(StrRef args) {
  bool enabled = false;
  const bool has = load_password(&enabled);
  const StrRef sub = word(&args);
  if (sub.equals("password")) {
    if (args.len < sizes::kConsolePassMin || args.len > sizes::kConsolePassMax) {
      say("4 to 9 characters\r\n");
      return;
    }
    save_password(args, enabled || !has);
  } else if (sub.equals("enable") || sub.equals("disable")) {
    if (has) save_password(pass_.ref(), sub.equals("enable"));
  }
  enabled = load_password(&enabled) && enabled;
  say(enabled ? "WebREPL on at boot\r\n" : "WebREPL off at boot (needs a password)\r\n");
}

void Remote::say_line(void* self, StrRef text) {
  static_cast<Remote*>(self)->say(text);
  static_cast<Remote*>(self)->say("\r\n");
}

}  // namespace bh
