// The board reached over Wi-Fi, in one of three modes that App::run() picks:
//
//   Console  debug jumper on: a WebREPL server on port 8266 (remote.cpp,
//            webrepl.cpp) that runs a small command shell (shell.cpp). The
//            existing clients (webrepl_cli.py, webrepl.html) work unmodified.
//   Portal   no valid config.py, or the button held at power-on: the
//            access point "Buttonhook-XXXXXX" and a setup page on port 80
//            (portal.cpp). The button is wired to RST, so a button held while
//            the power comes up keeps the chip in reset; on release it boots
//            with reset cause 6 (external reset) and RTC memory still holds
//            power-up garbage (a cold start). A press while awake is cause 6
//            with RTC memory intact, a normal power-on is cause 0.
//
// Everything is polled from App::loop(): accept() and read() wait 0 ms when
// idle, and at most kIoMs while a client is in the middle of a message, so
// the board is never stalled for long. One client at a time.
//
// Files it owns on the board: /webrepl_cfg.py (PASS = '...', 4 to 9
// characters; ENABLED = False turns the console off at boot) and
// /ap_cfg.py (ESSID and PASS of the access point; the per-board password
// is made at the first portal start and printed on the serial log).
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // fixed-width integers

#include "hal.h"
#include "sizes.h"
#include "text.h"

namespace bh {

class App;

class Remote {
 public:
  Remote(Hal& hal, App& app) : hal_(hal), app_(app) {}
  Remote(const Remote&) = delete;
  Remote& operator=(const Remote&) = delete;

  // The button held at power-on: the chip boots when it is released, with
  // reset cause 6 and RTC memory holding power-up garbage (cold_start).
  // App::run() then starts the portal (as it does without a valid config).
  static bool held_at_power_on(ResetCause cause, bool cold_start) {
    return cold_start && cause == ResetCause::ExternalReset;
  }
  void start_portal();
  // Debug mode: the console, if webrepl_cfg.py enables it.
  void start_console();
  // App::loop(). False when the board should go to deep sleep now: the
  // portal was left alone too long, or the console's `sleep`.
  bool poll();
  // Every line the App logs: kept for `log`, echoed to a running command.
  void record(StrRef line);

  // For tests.
  enum class Mode : uint8_t { Off, Console, Portal };
  Mode mode() const { return mode_; }

 private:
  enum class Phase : uint8_t { Password, Shell, Put, Get };

  // remote.cpp: the connection, the console's session, output, files
  void log(StrRef line);
  bool listen(uint16_t port);
  void drop();
  void poll_console();
  void say(StrRef text);
  void say(const char* text);
  void sayf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  void say_ip(const Ip4& ip);
  static void say_line(void* self, StrRef text);
  void flush();
  Err read_text(StrRef path, StrBuf& out);
  Err write_text(StrRef path, StrRef text);
  bool load_password(bool* enabled = nullptr);
  bool save_password(StrRef pass, bool enabled);
  void ap_settings(StrBuf& essid, StrBuf& pass);
  void save_ap(StrRef essid, StrRef pass);
  // 0 valid, 1 wrong (a line's error, or key is not a setting), 2 valid
  // but incomplete (a required key missing); why says what.
  int check_config(StrRef text, StrBuf& why, StrRef key);
  bool app_reload();

  // webrepl.cpp: WebSocket frames and the WebREPL protocol
  bool handshake();
  bool ws_next();
  int32_t ws_read(uint8_t* dst, size_t len);
  void ws_send(uint8_t opcode, const void* data, size_t len);
  void status_reply(uint16_t code, const char* why = nullptr);
  void on_frame();
  void on_password(char c);
  void on_request();
  void on_put_data();
  void on_get_next();
  void request_path(StrBuf& out);

  // shell.cpp: line editing and commands
  void on_key(char c);
  void run(StrRef line);
  void cmd_ap(StrRef args);
  void cmd_config(StrRef args);
  void cmd_webrepl_setup(StrRef args);

  // portal.cpp
  void poll_portal();
  void portal_page(StrRef error, StrRef ssid, StrRef url, StrRef button);
  void portal_save(size_t body_len);
  void say_html(StrRef text);

  Hal& hal_;
  App& app_;
  Mode mode_ = Mode::Off;
  Listener* listener_ = nullptr;
  Stream* client_ = nullptr;
  uint32_t since_ms_ = 0;  // last portal visit, or the password asked
  bool sleep_ = false;     // `sleep` asked for deep sleep

  // The console's session.
  Phase phase_ = Phase::Password;
  bool prompted_ = false;      // "Password: " sent (waits out a lockout first)
  uint8_t failures_ = 0;       // wrong passwords in a row
  uint32_t locked_until_ = 0;  // no password is checked before this tick
  Str<sizes::kConsolePassMax> pass_;
  Str<sizes::kConsolePassMax + 1> typed_;  // one more: too long is wrong

  // The frame being read.
  uint8_t opcode_ = 0;
  uint32_t remaining_ = 0;  // payload bytes still to read
  uint8_t mask_[4] = {0, 0, 0, 0};
  uint8_t mask_at_ = 0;

  // File transfer.
  uint8_t req_[sizes::kWebReplRequest];  // the request header being gathered
  uint8_t req_len_ = 0;
  uint32_t size_ = 0;  // put: bytes announced; get: file length
  uint32_t done_ = 0;  // bytes received or sent so far

  // Line editing.
  Str<sizes::kConsoleLineMax> line_;
  Str<sizes::kConsoleLineMax> last_;  // the previous command (up arrow)
  char last_key_ = 0;  // '\r' then '\n' is one Enter
  uint8_t esc_ = 0;                   // in an escape sequence: 0 no, 1 after ESC, 2 after ESC [
  bool echo_ = false;                 // log lines go to the client while a command runs

  Str<sizes::kConsoleOutMax> out_;   // text for the client, sent as one frame
  char log_[sizes::kConsoleLogMax];  // recent log lines, '\n'-terminated
  size_t log_len_ = 0;

  // Files in transfer, config.py being edited, the portal's form.
  uint8_t buf_[sizes::kFileTransferMax];
};

}  // namespace bh
