// The setup portal: one page on the access point's port 80. GET / shows the
// form, with the networks of a fresh scan to pick from; POST / checks the
// values as the button will read them (parse_config), saves config.py (and
// webrepl_cfg.py for a console password) and restarts into button mode.
// One request per connection (Connection: close); other paths get 404.
#include "app.h"
#include "config.h"
#include "http_request.h"
#include "py_text.h"
#include "remote.h"

namespace bh {

namespace {

constexpr uint32_t kIoMs = 1000;
const char kOk[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
    "<!DOCTYPE html><meta name=viewport content='width=device-width'>"
    "<title>Buttonhook setup</title><h2>Buttonhook setup</h2>";

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(c | 0x20);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// The value of field `key` in an application/x-www-form-urlencoded body,
// decoded in place; what decoding frees becomes '&' (an empty field).
StrRef field(char* body, size_t len, char key) {
  for (size_t i = 0; i + 1 < len; ++i) {
    if ((i && body[i - 1] != '&') || body[i] != key || body[i + 1] != '=') continue;
    char* const out = body + i + 2;
    char* w = out;
    size_t j = i + 2;
    for (; j < len && body[j] != '&'; ++j) {
      char c = body[j];
      if (c == '+') c = ' ';
      if (c == '%' && j + 2 < len && hex(body[j + 1]) >= 0 && hex(body[j + 2]) >= 0) {
        c = static_cast<char>(hex(body[j + 1]) * 16 + hex(body[j + 2]));
        j += 2;
      }
      *w++ = c;
    }
    const StrRef value(out, static_cast<size_t>(w - out));
    while (w < body + j) *w++ = '&';
    return value;
  }
  return StrRef();
}

}  // namespace

void Remote::poll_portal() {
  Err e = Err::Ok;
  client_ = listener_->accept(0, &e);
  if (!client_) return;
  since_ms_ = hal_.machine.ticks_ms();
  HttpRequestHead head;
  const Config& c = app_.config();
  if (read_request_head(*client_, hal_.machine, &head, kIoMs, 2 * kIoMs) != Err::Ok) {
  } else if (!head.root) {
    say("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  } else if (!head.post) {
    portal_page(StrRef(), c.wifi_ssid.ref(), c.webhook_url.ref(), c.button_id.ref());
  } else if (head.content_length > sizes::kPortalFormMax) {
    say("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  } else if (read_exact(*client_, buf_, head.content_length, kIoMs)) {
    portal_save(head.content_length);
  }
  flush();
  drop();
}

void Remote::say_html(StrRef text) {
  for (size_t i = 0; i < text.len; ++i) {
    const char c = text.data[i];
    say(c == '&'    ? StrRef("&amp;")
        : c == '<'  ? StrRef("&lt;")
        : c == '\'' ? StrRef("&#39;")
                    : text.sub(i, 1));
  }
}

void Remote::portal_page(StrRef error, StrRef ssid, StrRef url, StrRef button) {
  say(kOk);
  if (error.len) {
    say("<p id=error style=color:red>");
    say_html(error);
  }
  say("<form method=post><p>Wi-Fi network<br><input name=s list=n required value='");
  say_html(ssid);
  say("'><datalist id=n>");
  ScanEntry seen[sizes::kPortalScanMax];
  const size_t n = hal_.sta.scan(seen, sizes::kPortalScanMax);
  for (size_t i = 0; i < n; ++i) {
    say("<option value='");
    say_html(seen[i].ssid.ref());
    say("'>");
  }
  say("</datalist><p>Wi-Fi password<br><input name=p type=password>"
      "<p>Webhook URL<br><input name=u size=60 required value='");
  say_html(url);
  say("'><p>Button id<br><input name=b required value='");
  say_html(button);
  say("'><p>Console password (4-9 characters, optional)<br><input name=c type=password>"
      "<p><button>Save and restart</button></form>");
}

void Remote::portal_save(size_t len) {
  char* const body = reinterpret_cast<char*>(buf_);
  const StrRef values[] = {field(body, len, 's'), field(body, len, 'p'), field(body, len, 'u'),
                           field(body, len, 'b')};
  const StrRef console = field(body, len, 'c');
  static const char* const kKeys[] = {"WIFI_SSID", "WIFI_PASSWORD", "WEBHOOK_URL", "BUTTON_ID"};
  // config.py after the form: the current one if it is valid (other
  // settings such as LED pins stay), with these four replaced.
  StrBuf text(body + sizes::kPortalFormMax, sizes::kConfigFileMax + 1);
  StrBuf why(body + sizes::kPortalFormMax + sizes::kConfigFileMax + 1,
             sizeof buf_ - sizes::kPortalFormMax - sizes::kConfigFileMax - 1);
  if (read_text("/config.py", text) != Err::Ok || check_config(text.ref(), why, StrRef()))
    text.clear();
  for (int i = 0; i < 4; ++i) {
    why.clear();
    py_quote(why, values[i]);
    py_set(text, kKeys[i], why.ref());
  }
  why.clear();
  if (console.len &&
      (console.len < sizes::kConsolePassMin || console.len > sizes::kConsolePassMax)) {
    why.append("Console password: 4 to 9 characters");
  } else if (!check_config(text.ref(), why, StrRef()) &&
             (write_text("/config.py", text.ref()) != Err::Ok ||
              (console.len && !save_password(console, true)))) {
    why.append("Cannot write the board's flash");
  }
  if (!why.empty()) {
    // "config.py:2:17: WIFI_PASSWORD is too short..." names a line the
    // visitor never saw: show the message alone.
    StrRef shown = why.ref();
    if (shown.starts_with("config.py:")) shown = shown.sub(shown.find(' ') + 1);
    portal_page(shown, values[0], values[2], values[3]);
    return;
  }
  say(kOk);
  say("<p id=saved>Saved. The button restarts now; press it to send the webhook.");
  flush();
  drop();
  log("Setup portal: config.py saved; restarting");
  hal_.machine.sleep_ms(200);  // the page's last bytes leave before the reset
  hal_.machine.reset();
}

}  // namespace bh
