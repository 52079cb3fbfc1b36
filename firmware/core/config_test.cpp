// config.py parser: the tutorial's file and its variants parse, every
// mistake gets a line:column message, and no message ever shows the password.
#include "config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace bh {
namespace {

std::string s(StrRef r) {
  return std::string(r.data, r.len);
}
StrRef view(const std::string& t) {
  return StrRef(t.data(), t.size());
}

// The tutorial's final config.py, verbatim.
const char kTutorial[] =
    "WIFI_SSID = 'your SSID'\n"
    "WIFI_PASSWORD = 'your Wi-Fi password'\n"
    "WEBHOOK_URL = 'http://maker.ifttt.com/trigger/button_pressed/...'\n"
    "BUTTON_ID = 'micropython1'\n"
    "LED_PIN = 2 # D4\n"
    "LED2_PIN = 16 # D0\n"
    "DEBUG_PIN = 14 # D5\n";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

struct Parsed {
  bool ok;
  Config cfg;
  ConfigError err;
  std::vector<std::pair<int, std::string>> warnings;
};

Parsed parse(const std::string& text) {
  Parsed p;
  p.ok = parse_config(
      view(text), &p.cfg, &p.err,
      [](void* ctx, uint16_t line, StrRef key) {
        static_cast<Parsed*>(ctx)->warnings.emplace_back(line, s(key));
      },
      &p);
  return p;
}

void expect_tutorial_config(const Parsed& p, const std::string& what) {
  ASSERT_TRUE(p.ok) << what << ": " << p.err.message.c_str();
  EXPECT_FALSE(p.err) << what;
  EXPECT_EQ(s(p.cfg.wifi_ssid.ref()), "your SSID") << what;
  EXPECT_EQ(s(p.cfg.wifi_password.ref()), "your Wi-Fi password") << what;
  EXPECT_EQ(s(p.cfg.webhook_url.ref()), "http://maker.ifttt.com/trigger/button_pressed/...")
      << what;
  EXPECT_EQ(s(p.cfg.button_id.ref()), "micropython1") << what;
  EXPECT_EQ(p.cfg.led_pin, 2) << what;
  EXPECT_EQ(p.cfg.led2_pin, 16) << what;
  EXPECT_EQ(p.cfg.debug_pin, 14) << what;
  EXPECT_EQ(p.cfg.wifi_timeout_s, 15u) << what;
  EXPECT_EQ(p.cfg.http_timeout_s, 10u) << what;
}

TEST(Config, TutorialFileParsesVerbatim) {
  Parsed p = parse(kTutorial);
  expect_tutorial_config(p, "tutorial");
  EXPECT_TRUE(p.warnings.empty());
}

TEST(Config, TutorialFirstVersionWithTrailingSpacesNeedsTheOtherKeys) {
  // The chapter's first config.py has only the Wi-Fi lines (with the blog's
  // trailing spaces); the button needs the webhook too.
  Parsed p = parse("WIFI_SSID = 'your SSID'  \nWIFI_PASSWORD = 'your Wi-Fi password'\n");
  ASSERT_FALSE(p.ok);
  EXPECT_EQ(p.err.line, 0);
  EXPECT_STREQ(p.err.message.c_str(),
               "config.py: WEBHOOK_URL is missing; add a line like WEBHOOK_URL = "
               "'http://maker.ifttt.com/trigger/button_pressed/with/key/KEY'");
}

TEST(Config, VariantsOfTheTutorialFileGiveTheSameConfig) {
  const std::string t = kTutorial;
  const std::vector<std::pair<std::string, std::string>> variants = {
      {"CRLF line endings", replace_all(t, "\n", "\r\n")},
      {"old Mac CR line endings", replace_all(t, "\n", "\r")},
      {"UTF-8 BOM", "\xEF\xBB\xBF" + t},
      {"BOM and CRLF", "\xEF\xBB\xBF" + replace_all(t, "\n", "\r\n")},
      {"no final newline", t.substr(0, t.size() - 1)},
      {"double quotes", replace_all(t, "'", "\"")},
      {"no spaces around =", replace_all(t, " = ", "=")},
      {"tabs around = and before comments",
       replace_all(replace_all(t, " = ", "\t=\t"), " #", "\t#")},
      {"many spaces", replace_all(replace_all(t, " = ", "   =    "), " #", "     #")},
      {"trailing spaces and tabs", replace_all(t, "\n", "  \t\n")},
      {"comment right after the value", replace_all(t, " # D", "# D")},
      {"blank lines and comments",
       "# config.py for the button\n\n   \n\t\n" + replace_all(t, "\n", "\n\n# --\n") + "\n\n"},
      {"comment lines indented", "   # indented comment\n" + t},
      {"hex, octal, binary and signs",
       replace_all(replace_all(replace_all(t, "= 2 ", "= 0x2 "), "= 16 ", "= 0o20 "), "= 14 ",
                   "= +0b1110 ")},
      {"underscores in numbers", replace_all(t, "= 16 ", "= 1_6 ")},
      {"escapes that spell the same text",
       replace_all(t, "'micropython1'", "'micro\\x70y\\u0074hon\\061'")},
      {"u'' prefix", replace_all(t, "'your SSID'", "u'your SSID'")},
      {"raw string", replace_all(t, "'your SSID'", "r'your SSID'")},
      {"other keys in between",
       replace_all(t, "BUTTON_ID", "EXTRA = True\nNOTHING = None\nBUTTON_ID")},
      {"keys in another order",
       "DEBUG_PIN = 14\nBUTTON_ID = 'micropython1'\nLED2_PIN = 16\nLED_PIN = 2\n"
       "WEBHOOK_URL = 'http://maker.ifttt.com/trigger/button_pressed/...'\n"
       "WIFI_PASSWORD = 'your Wi-Fi password'\nWIFI_SSID = 'your SSID'\n"},
      {"optional keys left out",
       "WIFI_SSID = 'your SSID'\nWIFI_PASSWORD = 'your Wi-Fi password'\n"
       "WEBHOOK_URL = 'http://maker.ifttt.com/trigger/button_pressed/...'\n"
       "BUTTON_ID = 'micropython1'\n"},
      {"defaults written out", t + "WIFI_TIMEOUT = 15\nHTTP_TIMEOUT = 10\n"},
  };
  for (const auto& [name, text] : variants) expect_tutorial_config(parse(text), name);
}

TEST(Config, StringEscapesFollowPython) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"('')", ""},
      {R"('a\\b')", "a\\b"},
      {R"('it\'s')", "it's"},
      {R"("it's")", "it's"},
      {R"('say "hi"')", "say \"hi\""},
      {R"("say \"hi\"")", "say \"hi\""},
      {R"('a\nb\rc\td')", "a\nb\rc\td"},
      {R"('\a\b\f\v')", "\a\b\f\v"},
      {R"('x\0y')", std::string("x\0y", 3)},
      {R"('\x41\x4a\x4A')", "AJJ"},
      {R"('\101\60\0101')",
       "A0\x08"
       "1"},
      {R"('\xe9')", "\xC3\xA9"},  // a code point, stored as UTF-8
      {R"('\u00e9\u20AC')", "\xC3\xA9\xE2\x82\xAC"},
      {R"('\U0001F600')", "\xF0\x9F\x98\x80"},
      {R"('\q\d\ \%')", "\\q\\d\\ \\%"},  // unknown escapes keep the backslash
      {R"('C:\temp\new')", "C:\temp\new"},
      {R"(r'C:\temp\new')", "C:\\temp\\new"},
      {R"(r'a\'b')", "a\\'b"},
      {R"(R"a\"b")", "a\\\"b"},
      {"'caf\xC3\xA9 \xE2\x98\x95'", "caf\xC3\xA9 \xE2\x98\x95"},  // UTF-8 passes through
      {"'tab\tinside'", "tab\tinside"},
      {R"('# not a comment' # a comment with 'quotes')", "# not a comment"},
      {R"("a'b" )", "a'b"},
  };
  for (const auto& [literal, want] : cases) {
    Parsed p =
        parse(std::string("WIFI_SSID = 'x'\nWIFI_PASSWORD = ''\nWEBHOOK_URL = 'http://h/'\n") +
              "BUTTON_ID = " + literal + "\n");
    ASSERT_TRUE(p.ok) << literal << ": " << p.err.message.c_str();
    EXPECT_EQ(s(p.cfg.button_id.ref()), want) << literal;
  }
}

TEST(Config, NumbersFollowPython) {
  const std::vector<std::pair<std::string, int>> cases = {
      {"0", 0},     {"00", 0},     {"0_0", 0},   {"-0", 0},    {"+3", 3},    {"- 3", -3},
      {"5", 5},     {"0x5", 5},    {"0X0f", 15}, {"0x_f", 15}, {"0o17", 15}, {"0O17", 15},
      {"0b101", 5}, {"0B1_01", 5}, {"1_2", 12},  {"16", 16},
  };
  for (const auto& [literal, want] : cases) {
    // Through an unknown key (any integer is fine) and LED_PIN when in range.
    Parsed any = parse(std::string(kTutorial) + "SOMETHING = " + literal + "\n");
    EXPECT_TRUE(any.ok) << literal << ": " << any.err.message.c_str();
    if (want < 0 || (want >= 6 && want <= 11)) continue;
    Parsed p = parse(replace_all(kTutorial, "LED_PIN = 2 ", "LED_PIN = " + literal + " "));
    ASSERT_TRUE(p.ok) << literal << ": " << p.err.message.c_str();
    EXPECT_EQ(p.cfg.led_pin, want) << literal;
  }
}

TEST(Config, OptionalKeysOverrideDefaults) {
  Parsed p = parse(std::string(kTutorial) + "WIFI_TIMEOUT = 30\nHTTP_TIMEOUT = 0x5\n");
  ASSERT_TRUE(p.ok) << p.err.message.c_str();
  EXPECT_EQ(p.cfg.wifi_timeout_s, 30u);
  EXPECT_EQ(p.cfg.http_timeout_s, 5u);
  p = parse(replace_all(kTutorial, "= 2 ", "= 0 ") + "WIFI_TIMEOUT = 3600\nHTTP_TIMEOUT = 600\n");
  ASSERT_TRUE(p.ok) << p.err.message.c_str();
  EXPECT_EQ(p.cfg.led_pin, 0);
  EXPECT_EQ(p.cfg.wifi_timeout_s, 3600u);
  EXPECT_EQ(p.cfg.http_timeout_s, 600u);
}

TEST(Config, PasswordLengthsThatWpa2Accepts) {
  const std::vector<std::string> ok = {
      "",  // open network
      "12345678",
      std::string(63, 'p'),
      std::string(64, 'a'),  // raw PSK in hex
      "0123456789abcdefABCDEF0123456789abcdefABCDEF0123456789abcdef0123",
  };
  for (const auto& pw : ok) {
    Parsed p = parse(replace_all(kTutorial, "your Wi-Fi password", pw));
    ASSERT_TRUE(p.ok) << pw.size() << ": " << p.err.message.c_str();
    EXPECT_EQ(s(p.cfg.wifi_password.ref()), pw);
  }
}

TEST(Config, LimitsAreInclusive) {
  std::string t = replace_all(kTutorial, "your SSID", std::string(32, 's'));
  t = replace_all(t, "micropython1", std::string(64, 'b'));
  const std::string url = "http://h/" + std::string(384 - 9, 'p');
  t = replace_all(t, "http://maker.ifttt.com/trigger/button_pressed/...", url);
  Parsed p = parse(t);
  ASSERT_TRUE(p.ok) << p.err.message.c_str();
  EXPECT_EQ(p.cfg.wifi_ssid.size(), 32u);
  EXPECT_EQ(p.cfg.button_id.size(), 64u);
  EXPECT_EQ(s(p.cfg.webhook_url.ref()), url);
}

TEST(Config, UnknownKeysAreWarnedAboutWithTheirLine) {
  Parsed p = parse(std::string(kTutorial) + "\nFOO = 'bar'\nled_pin = 4\nFOO = 2\n");
  ASSERT_TRUE(p.ok) << p.err.message.c_str();
  ASSERT_EQ(p.warnings.size(), 3u);
  EXPECT_EQ(p.warnings[0], std::make_pair(9, std::string("FOO")));
  EXPECT_EQ(p.warnings[1], std::make_pair(10, std::string("led_pin")));
  EXPECT_EQ(p.warnings[2], std::make_pair(11, std::string("FOO")));
  EXPECT_EQ(p.cfg.led_pin, 2);  // led_pin is another name: Python is case-sensitive
  // A null callback is allowed.
  Config cfg;
  ConfigError err;
  const std::string t = std::string(kTutorial) + "FOO = 1\n";
  EXPECT_TRUE(parse_config(view(t), &cfg, &err));
}

TEST(Config, EachParseStartsFromTheDefaults) {
  Config cfg;
  ConfigError err;
  const std::string changed = replace_all(kTutorial, "= 2 ", "= 4 ") + "WIFI_TIMEOUT = 99\n";
  ASSERT_TRUE(parse_config(view(changed), &cfg, &err));
  EXPECT_EQ(cfg.led_pin, 4);
  const std::string minimal =
      "WIFI_SSID = 'a'\nWIFI_PASSWORD = ''\nWEBHOOK_URL = 'http://h/'\nBUTTON_ID = 'b'\n";
  ASSERT_TRUE(parse_config(view(minimal), &cfg, &err));
  EXPECT_EQ(cfg.led_pin, 2);
  EXPECT_EQ(cfg.wifi_timeout_s, 15u);
}

// ------------------------------------------------- press queue, static IP --

TEST(Config, QueueKeysHaveSafeDefaults) {
  Parsed p = parse(kTutorial);
  ASSERT_TRUE(p.ok);
  EXPECT_FALSE(p.cfg.timed_wake);  // the tutorial's board has no GPIO16->RST wire
  EXPECT_EQ(p.cfg.press_sense_pin, kNoPin);
  EXPECT_EQ(p.cfg.max_attempts, 8);
  EXPECT_EQ(p.cfg.max_age_s, 86400u);
  EXPECT_FALSE(p.cfg.has_static_ip);
}

TEST(Config, QueueKeys) {
  // The D0 LED moves off GPIO16 with the GPIO16->RST wire (TIMED_WAKE).
  const std::string wired = replace_all(kTutorial, "LED2_PIN = 16 # D0", "LED2_PIN = 13 # D7");
  Parsed p = parse(wired +
                   "TIMED_WAKE = True\nPRESS_SENSE_PIN = 12 # D6\nMAX_ATTEMPTS = 255\n"
                   "MAX_AGE = 2592000\n");
  ASSERT_TRUE(p.ok) << p.err.message.c_str();
  EXPECT_TRUE(p.cfg.timed_wake);
  EXPECT_EQ(p.cfg.led2_pin, 13);
  EXPECT_EQ(p.cfg.press_sense_pin, 12);
  EXPECT_EQ(p.cfg.max_attempts, 255);
  EXPECT_EQ(p.cfg.max_age_s, 2592000u);
  p = parse(std::string(kTutorial) + "TIMED_WAKE = False\nPRESS_SENSE_PIN = None\n");
  ASSERT_TRUE(p.ok) << p.err.message.c_str();
  EXPECT_FALSE(p.cfg.timed_wake);
  EXPECT_EQ(p.cfg.press_sense_pin, kNoPin);
}

TEST(Config, StaticIpWithDefaultsForNetmaskAndDns) {
  Parsed p =
      parse(std::string(kTutorial) + "STATIC_IP = '192.168.0.45'\nGATEWAY = '192.168.0.1'\n");
  ASSERT_TRUE(p.ok) << p.err.message.c_str();
  EXPECT_TRUE(p.cfg.has_static_ip);
  EXPECT_EQ(p.cfg.static_ip.ip, (Ip4{{192, 168, 0, 45}}));
  EXPECT_EQ(p.cfg.static_ip.netmask, (Ip4{{255, 255, 255, 0}}));
  EXPECT_EQ(p.cfg.static_ip.gateway, (Ip4{{192, 168, 0, 1}}));
  EXPECT_EQ(p.cfg.static_ip.dns, (Ip4{{192, 168, 0, 1}}));
  p = parse(std::string(kTutorial) +
            "STATIC_IP = '10.1.2.3'\nNETMASK = '255.255.0.0'\nGATEWAY = '10.1.0.1'\n"
            "DNS = '9.9.9.9'\n");
  ASSERT_TRUE(p.ok) << p.err.message.c_str();
  EXPECT_EQ(p.cfg.static_ip.netmask, (Ip4{{255, 255, 0, 0}}));
  EXPECT_EQ(p.cfg.static_ip.dns, (Ip4{{9, 9, 9, 9}}));
}

TEST(ConfigErrors, QueueAndStaticIpMistakes) {
  const struct {
    const char* text;
    const char* message;
  } cases[] = {
      {"TIMED_WAKE = 1", "config.py:5:14: TIMED_WAKE must be True or False"},
      {"TIMED_WAKE = 'True'", "config.py:5:14: TIMED_WAKE must be True or False"},
      {"PRESS_SENSE_PIN = 7", "PRESS_SENSE_PIN = 7 is wired to the flash chip"},
      {"PRESS_SENSE_PIN = True", "PRESS_SENSE_PIN must be a number, not True"},
      {"MAX_ATTEMPTS = 0", "config.py:5:16: MAX_ATTEMPTS must be 1..255"},
      {"MAX_ATTEMPTS = 256", "MAX_ATTEMPTS must be 1..255"},
      {"MAX_AGE = 2592001", "MAX_AGE must be 1..2592000 seconds"},
      {"STATIC_IP = '192.168.0'\nGATEWAY = '192.168.0.1'",
       "config.py:5:13: STATIC_IP must be an IPv4 address in quotes, like '192.168.0.45'"},
      {"STATIC_IP = '192.168.0.256'", "STATIC_IP must be an IPv4 address"},
      {"STATIC_IP = '1.2.3.4 '", "STATIC_IP must be an IPv4 address"},
      {"STATIC_IP = '01.2.3.4.5'", "STATIC_IP must be an IPv4 address"},
      {"STATIC_IP = '1111.2.3.4'", "STATIC_IP must be an IPv4 address"},
      {"STATIC_IP = '1.2.3.4.5.6.7.8.9'", "STATIC_IP must be an IPv4 address"},
      {"GATEWAY = 10", "GATEWAY must be an IPv4 address"},
      {"STATIC_IP = '10.0.0.2'", "config.py: STATIC_IP needs GATEWAY too"},
      {"DNS = '1.1.1.1'", "config.py: DNS is set but STATIC_IP is not"},
  };
  for (const auto& c : cases) {
    Parsed p = parse(std::string(kTutorial).substr(0, std::string(kTutorial).find("LED_PIN")) +
                     c.text + "\n");
    ASSERT_FALSE(p.ok) << c.text;
    EXPECT_NE(std::string(p.err.message.c_str()).find(c.message), std::string::npos)
        << c.text << " -> " << p.err.message.c_str();
  }
}

// TIMED_WAKE wires GPIO16 to RST: an LED there resets the board when it
// lights, a sense pin there reads RST (high while the chip runs).
TEST(ConfigErrors, TimedWakeRefusesGpio16ForAnLedOrTheSensePin) {
  const std::string base = std::string(kTutorial).substr(0, std::string(kTutorial).find("LED_PIN"));
  const struct {
    const char* text;
    const char* message;
  } cases[] = {
      {"TIMED_WAKE = True",  // LED2_PIN's default is 16 (the NodeMCU's D0 LED)
       "config.py: TIMED_WAKE = True wires GPIO16 to RST, so LED2_PIN = 16 (default) resets the "
       "board when lit; move the LED to another pin"},
      {"LED2_PIN = 16 # D0\nTIMED_WAKE = True",
       "config.py: TIMED_WAKE = True wires GPIO16 to RST, so LED2_PIN = 16 resets the board when "
       "lit; move the LED to another pin"},
      {"TIMED_WAKE = True\nLED2_PIN = 12\nLED_PIN = 16",
       "config.py: TIMED_WAKE = True wires GPIO16 to RST, so LED_PIN = 16 resets the board when "
       "lit; move the LED to another pin"},
      {"TIMED_WAKE = True\nLED2_PIN = 12\nPRESS_SENSE_PIN = 16",
       "config.py: TIMED_WAKE = True wires GPIO16 to RST, so PRESS_SENSE_PIN = 16 never reads a "
       "press; use 4, 5, 12 or 13"},
      {"TIMED_WAKE = True\nLED2_PIN = 12\nDEBUG_PIN = 16",
       "config.py: TIMED_WAKE = True wires GPIO16 to RST, so DEBUG_PIN = 16 never reads the "
       "jumper; use 14 (D5)"},
  };
  for (const auto& c : cases) {
    Parsed p = parse(base + c.text + "\n");
    ASSERT_FALSE(p.ok) << c.text;
    EXPECT_EQ(p.err.line, 0) << c.text;
    EXPECT_STREQ(p.err.message.c_str(), c.message) << c.text;
  }
  // Without the wire GPIO16 is free for the LED (the tutorial's board), and
  // an unused sense pin on it harms nothing. A sense pin shared with an LED
  // still reads right (it is read at boot, before any LED is driven).
  for (const char* ok : {"LED2_PIN = 16\nPRESS_SENSE_PIN = 16", "TIMED_WAKE = False",
                         "TIMED_WAKE = True\nLED2_PIN = 13\nPRESS_SENSE_PIN = 12",
                         "TIMED_WAKE = True\nLED2_PIN = 12\nPRESS_SENSE_PIN = 12"}) {
    Parsed p = parse(base + ok + "\n");
    EXPECT_TRUE(p.ok) << ok << ": " << p.err.message.c_str();
  }
}

// Both read low at boot: a press held through the reset would look like
// the debug jumper.
TEST(ConfigErrors, TheSensePinCannotBeTheDebugPin) {
  const std::string base = std::string(kTutorial).substr(0, std::string(kTutorial).find("LED_PIN"));
  Parsed p = parse(base + "PRESS_SENSE_PIN = 14\n");
  ASSERT_FALSE(p.ok);
  EXPECT_STREQ(p.err.message.c_str(),
               "config.py: PRESS_SENSE_PIN = 14 is DEBUG_PIN (default) too: a press would read as "
               "the debug jumper; use 4, 5, 12 or 13");
  p = parse(base + "DEBUG_PIN = 12\nPRESS_SENSE_PIN = 12\n");
  ASSERT_FALSE(p.ok);
  EXPECT_STREQ(p.err.message.c_str(),
               "config.py: PRESS_SENSE_PIN = 12 is DEBUG_PIN too: a press would read as the debug "
               "jumper; use 4, 5, 12 or 13");
  for (const char* ok : {"PRESS_SENSE_PIN = 12", "DEBUG_PIN = 12\nPRESS_SENSE_PIN = 13",
                         "PRESS_SENSE_PIN = None"}) {
    p = parse(base + ok + "\n");
    EXPECT_TRUE(p.ok) << ok << ": " << p.err.message.c_str();
  }
}

// ---------------------------------------------------------------- errors --

// A valid file whose password is the secret the leak test looks for.
const char kSecret[] = "Sw0rdfish-Secret";
const std::string kBase =
    std::string("WIFI_SSID = 'home'\n") + "WIFI_PASSWORD = '" + kSecret + "'\n" +
    "WEBHOOK_URL = 'http://maker.ifttt.com/trigger/button_pressed/with/key/k3y'\n"
    "BUTTON_ID = 'micropython1'\n";

std::string base_with_line(int line, const std::string& text) {
  std::vector<std::string> lines;
  size_t from = 0;
  for (size_t nl; (nl = kBase.find('\n', from)) != std::string::npos; from = nl + 1) {
    lines.push_back(kBase.substr(from, nl - from));
  }
  std::string out;
  for (int i = 0; i < static_cast<int>(lines.size()); ++i) {
    out += (i + 1 == line ? text : lines[i]) + "\n";
  }
  return out;
}

struct BadFile {
  const char* what;
  std::string text;
  int line;
  int column;
  const char* message;  // the whole message after "config.py:L:C: ", or a part of it
};

const std::vector<BadFile>& bad_files() {
  static const std::vector<BadFile> cases = {
      // Strings
      {"unterminated string", base_with_line(1, "WIFI_SSID = 'home"), 1, 13,
       "unterminated string: add the closing '"},
      {"unterminated password", base_with_line(2, std::string("WIFI_PASSWORD = \"") + kSecret), 2,
       17, "unterminated string: add the closing \""},
      {"string continued on the next line",
       base_with_line(2, std::string("WIFI_PASSWORD = '") + kSecret + "\\"), 2, 17,
       "unterminated string"},
      {"string cut by CRLF", replace_all(base_with_line(1, "WIFI_SSID = 'ho"), "\n", "\r\n"), 1, 13,
       "unterminated string"},
      {"triple quotes", base_with_line(4, "BUTTON_ID = '''b'''"), 4, 13,
       "triple-quoted strings are not supported"},
      {"short \\x escape", base_with_line(4, "BUTTON_ID = 'a\\x4'"), 4, 15,
       "bad \\x escape: it needs 2 hex digits"},
      {"bad \\x in the password",
       base_with_line(2, std::string("WIFI_PASSWORD = '") + kSecret + "\\xZZ'"), 2, 34,
       "bad \\x escape"},
      {"\\N escape", base_with_line(4, "BUTTON_ID = '\\N{BULLET}'"), 4, 14,
       "\\N{...} escapes are not supported"},
      {"surrogate", base_with_line(4, "BUTTON_ID = '\\ud800'"), 4, 14,
       "bad \\u escape: not a Unicode character"},
      {"beyond Unicode", base_with_line(4, "BUTTON_ID = '\\U00110000'"), 4, 14, "bad \\U escape"},
      // Names and '='
      {"missing =", base_with_line(1, "WIFI_SSID 'home'"), 1, 11, "missing '=' after WIFI_SSID"},
      {"missing = on the password line",
       base_with_line(2, std::string("WIFI_PASSWORD '") + kSecret + "'"), 2, 15,
       "missing '=' after WIFI_PASSWORD"},
      {"colon instead of =", base_with_line(1, "WIFI_SSID: 'home'"), 1, 10,
       "missing '=' after WIFI_SSID"},
      {"a bare word", kBase + std::string(kSecret).substr(0, 9) + "\n", 5, 10,
       "missing '=' after the name"},
      {"name alone", kBase + "LED_PIN\n", 5, 8, "missing '=' after LED_PIN"},
      {"name starts with a digit", kBase + "1LED = 2\n", 5, 1, "bad name"},
      {"dash in the name", kBase + "LED-PIN = 2\n", 5, 4,
       "bad name: only letters, digits and '_' may be used in a name"},
      {"non-ASCII name", kBase + "PIN\xC3\xA9 = 2\n", 5, 4, "bad name"},
      {"indented line", kBase + "  LED_PIN = 2\n", 5, 1, "unexpected indent"},
      {"INI section", "[wifi]\n" + kBase, 1, 1, "bad name"},
      {"UTF-16 file",
       "\xFF\xFE"
       "W\0I\0",
       1, 1, "the file is UTF-16; save it as UTF-8"},
      {"BOM in the middle", kBase + "\xEF\xBB\xBFLED_PIN = 2\n", 5, 1, "bad name"},
      // Values
      {"missing value", kBase + "LED_PIN =\n", 5, 10, "missing value after '='"},
      {"only a comment after =", kBase + "LED_PIN = # D4\n", 5, 11, "missing value after '='"},
      {"unquoted text", base_with_line(4, "BUTTON_ID = micropython1"), 4, 13,
       "bad value: text must be in quotes, like 'text'"},
      {"unquoted password", base_with_line(2, std::string("WIFI_PASSWORD = ") + kSecret), 2, 17,
       "bad value: text must be in quotes"},
      {"a list", kBase + "LED_PIN = [2]\n", 5, 11, "bad value"},
      {"a comparison", kBase + "LED_PIN == 2\n", 5, 10, "bad value"},
      {"lowercase true", kBase + "LED_PIN = true\n", 5, 11, "bad value: text must be in quotes"},
      {"b'' bytes", base_with_line(4, "BUTTON_ID = b'x'"), 4, 13, "bad value"},
      {"decimal number", kBase + "HTTP_TIMEOUT = 1.5\n", 5, 16,
       "bad value: decimals are not supported; use a whole number"},
      {"leading zero", kBase + "LED_PIN = 02\n", 5, 11,
       "bad number: Python does not allow leading zeros"},
      {"hex without digits", kBase + "LED_PIN = 0x\n", 5, 11, "bad number: it ends without digits"},
      {"double underscore", kBase + "LED_PIN = 1__2\n", 5, 11,
       "bad number: '_' may only stand between digits"},
      {"trailing underscore", kBase + "LED_PIN = 12_\n", 5, 11, "bad number"},
      {"letters after digits", kBase + "LED_PIN = 12abc\n", 5, 13,
       "bad number: this is not a base-10 digit"},
      {"bad hex digit", kBase + "LED_PIN = 0x1g\n", 5, 14,
       "bad number: this is not a base-16 digit"},
      {"number in the password slot with letters", base_with_line(2, "WIFI_PASSWORD = 1234567x9"),
       2, 24, "bad number"},
      // Trailing garbage
      {"two strings", base_with_line(4, "BUTTON_ID = 'a' 'b'"), 4, 17,
       "unexpected text after the value (comments start with #)"},
      {"text after the password",
       base_with_line(2, std::string("WIFI_PASSWORD = '") + kSecret + "' " + kSecret), 2, 36,
       "unexpected text after the value"},
      {"semicolon", base_with_line(1, "WIFI_SSID = 'home'; LED_PIN = 2"), 1, 19, "unexpected text"},
      {"value then word", kBase + "LED_PIN = 2 D4\n", 5, 13, "unexpected text after the value"},
      // Lengths
      {"SSID too long", base_with_line(1, "WIFI_SSID = '" + std::string(33, 's') + "'"), 1, 13,
       "value too long: WIFI_SSID is at most 32 bytes (this one has 33)"},
      {"SSID too long once UTF-8",
       base_with_line(1, "WIFI_SSID = '" + std::string(31, 's') + "\\xe9'"), 1, 13,
       "at most 32 bytes (this one has 33)"},
      {"password too long",
       base_with_line(2, "WIFI_PASSWORD = '" + std::string(kSecret) + std::string(49, 'x') + "'"),
       2, 17, "value too long: WIFI_PASSWORD is at most 64 characters"},
      {"URL too long", base_with_line(3, "WEBHOOK_URL = 'http://h/" + std::string(400, 'p') + "'"),
       3, 15, "value too long: WEBHOOK_URL is at most 384 bytes (this one has 409)"},
      {"BUTTON_ID too long", base_with_line(4, "BUTTON_ID = '" + std::string(65, 'b') + "'"), 4, 13,
       "value too long: BUTTON_ID is at most 64 bytes (this one has 65)"},
      // Password rules
      {"password of 1", base_with_line(2, "WIFI_PASSWORD = 'x'"), 2, 17,
       "WIFI_PASSWORD is too short: WPA2 needs 8..63 characters ('' for an open network)"},
      {"password of 7", base_with_line(2, "WIFI_PASSWORD = '" + std::string(kSecret, 7) + "'"), 2,
       17, "WIFI_PASSWORD is too short"},
      {"64 characters, not hex",
       base_with_line(2, "WIFI_PASSWORD = '" + std::string(kSecret) + std::string(48, 'a') + "'"),
       2, 17, "WIFI_PASSWORD of 64 characters must be a hex key; a passphrase has 8..63"},
      {"NUL in the password", base_with_line(2, "WIFI_PASSWORD = 'Sw0rdfish\\0Secret'"), 2, 17,
       "WIFI_PASSWORD cannot contain a NUL (\\0)"},
      {"empty SSID", base_with_line(1, "WIFI_SSID = ''"), 1, 13,
       "WIFI_SSID is empty; like WIFI_SSID = 'my network'"},
      {"NUL in the SSID", base_with_line(1, "WIFI_SSID = 'a\\x00b'"), 1, 13,
       "WIFI_SSID cannot contain a NUL"},
      // Types
      {"pin as text", kBase + "LED_PIN = '2'\n", 5, 11,
       "LED_PIN must be a number, not text (remove the quotes)"},
      {"pin as True", kBase + "DEBUG_PIN = True\n", 5, 13, "DEBUG_PIN must be a number, not True"},
      {"timeout as None", kBase + "WIFI_TIMEOUT = None\n", 5, 16,
       "WIFI_TIMEOUT must be a number, not None"},
      {"SSID as a number", base_with_line(1, "WIFI_SSID = 5"), 1, 13,
       "WIFI_SSID must be text in quotes, not a number; like WIFI_SSID = 'my network'"},
      {"password as a number", base_with_line(2, "WIFI_PASSWORD = 12345678"), 2, 17,
       "WIFI_PASSWORD must be text in quotes, not a number"},
      {"BUTTON_ID as None", base_with_line(4, "BUTTON_ID = None"), 4, 13,
       "BUTTON_ID must be text in quotes, not None"},
      {"URL as False", base_with_line(3, "WEBHOOK_URL = False"), 3, 15,
       "WEBHOOK_URL must be text in quotes, not False"},
      // Ranges
      {"pin 17", kBase + "LED_PIN = 17\n", 5, 11,
       "LED_PIN must be an ESP8266 GPIO number, 0..16 (not 17)"},
      {"pin -1", kBase + "LED2_PIN = -1\n", 5, 12,
       "LED2_PIN must be an ESP8266 GPIO number, 0..16 (not -1)"},
      {"pin 0x100", kBase + "DEBUG_PIN = 0x100\n", 5, 13, "(not 256)"},
      {"pin beyond 32 bits", kBase + "LED_PIN = 99999999999999999999\n", 5, 11,
       "LED_PIN must be an ESP8266 GPIO number, 0..16"},
      {"flash pin", kBase + "LED_PIN = 6\n", 5, 11,
       "LED_PIN = 6 is wired to the flash chip (GPIO 6..11); use 0..5 or 12..16"},
      {"flash pin 11", kBase + "DEBUG_PIN = 11\n", 5, 13, "is wired to the flash chip"},
      // A switch to GND on a boot-mode pin stops a normal boot (0, 2) or
      // cannot be read (15, pulled down); an LED there is fine.
      {"debug jumper on GPIO0", kBase + "DEBUG_PIN = 0\n", 5, 13,
       "DEBUG_PIN = 0 is a boot-mode pin; use 4, 5, 12, 13 or 14"},
      {"sense pin on GPIO2", kBase + "PRESS_SENSE_PIN = 2\n", 5, 19,
       "PRESS_SENSE_PIN = 2 is a boot-mode pin"},
      {"sense pin on GPIO15", kBase + "PRESS_SENSE_PIN = 15\n", 5, 19, "is a boot-mode pin"},
      {"Wi-Fi timeout 0", kBase + "WIFI_TIMEOUT = 0\n", 5, 16,
       "WIFI_TIMEOUT must be 1..3600 seconds"},
      {"HTTP timeout too long", kBase + "HTTP_TIMEOUT = 601\n", 5, 16,
       "HTTP_TIMEOUT must be 1..600 seconds"},
      {"negative timeout", kBase + "HTTP_TIMEOUT = -5\n", 5, 16,
       "HTTP_TIMEOUT must be 1..600 seconds"},
      // URL
      {"ftp URL", base_with_line(3, "WEBHOOK_URL = 'ftp://h/x'"), 3, 15,
       "WEBHOOK_URL must look like http://host[:port]/path or https://..."},
      {"URL without host", base_with_line(3, "WEBHOOK_URL = 'http:///x'"), 3, 15,
       "WEBHOOK_URL must look like"},
      {"URL with a space", base_with_line(3, "WEBHOOK_URL = 'http://h/a b'"), 3, 15,
       "WEBHOOK_URL must look like"},
      {"URL with a bad port", base_with_line(3, "WEBHOOK_URL = 'http://h:99999/'"), 3, 15,
       "WEBHOOK_URL must look like"},
      {"URL host too long",
       base_with_line(3, "WEBHOOK_URL = 'http://" + std::string(129, 'h') + "/'"), 3, 15,
       "WEBHOOK_URL is too long (host at most 128 bytes, path at most 384)"},
      {"empty URL", base_with_line(3, "WEBHOOK_URL = ''"), 3, 15, "WEBHOOK_URL is empty"},
      // Duplicates
      {"SSID twice", kBase + "WIFI_SSID = 'other'\n", 5, 1,
       "WIFI_SSID is set twice (first on line 1); keep one"},
      {"password twice", kBase + "\n\nWIFI_PASSWORD = '" + kSecret + "'\n", 7, 1,
       "WIFI_PASSWORD is set twice (first on line 2)"},
      {"pin twice", kBase + "LED_PIN = 2\nLED_PIN = 4\n", 6, 1,
       "LED_PIN is set twice (first on line 5)"},
      // Missing keys
      {"empty file", "", 0, 0, "WIFI_SSID is missing; add a line like WIFI_SSID = 'my network'"},
      {"only comments", "# nothing yet\n\n", 0, 0, "WIFI_SSID is missing"},
      {"no SSID", base_with_line(1, ""), 0, 0,
       "WIFI_SSID is missing; add a line like WIFI_SSID = 'my network'"},
      {"no password", base_with_line(2, "# WIFI_PASSWORD = ''"), 0, 0,
       "WIFI_PASSWORD is missing; add a line like WIFI_PASSWORD = 'my password' (or '' for an open "
       "network)"},
      {"no URL", base_with_line(3, ""), 0, 0, "WEBHOOK_URL is missing"},
      {"no BUTTON_ID", base_with_line(4, ""), 0, 0,
       "BUTTON_ID is missing; add a line like BUTTON_ID = 'button1'"},
      {"SSID in lowercase", base_with_line(1, "wifi_ssid = 'home'"), 0, 0,
       "WIFI_SSID is missing (line 1 spells it in other case; names are case-sensitive)"},
  };
  return cases;
}

TEST(ConfigErrors, EachMistakeIsReportedAtItsLineAndColumn) {
  for (const BadFile& c : bad_files()) {
    Parsed p = parse(c.text);
    ASSERT_FALSE(p.ok) << c.what;
    EXPECT_TRUE(static_cast<bool>(p.err)) << c.what;
    EXPECT_FALSE(p.err.ok) << c.what;
    EXPECT_EQ(p.err.line, c.line) << c.what << ": " << p.err.message.c_str();
    EXPECT_EQ(p.err.column, c.column) << c.what << ": " << p.err.message.c_str();
    std::string prefix = "config.py: ";
    if (c.line != 0)
      prefix = "config.py:" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": ";
    const std::string msg = p.err.message.c_str();
    EXPECT_EQ(msg.rfind(prefix, 0), 0u) << c.what << ": " << msg;
    EXPECT_NE(msg.find(c.message), std::string::npos) << c.what << ": " << msg;
    EXPECT_FALSE(p.err.message.overflow()) << c.what << ": message longer than kConfigErrorMax";
  }
}

TEST(ConfigErrors, NoMessageEverContainsThePassword) {
  // Any 6 consecutive characters of the secret would be a leak.
  const std::string secret = kSecret;
  size_t checked = 0;
  for (const BadFile& c : bad_files()) {
    Parsed p = parse(c.text);
    ASSERT_FALSE(p.ok) << c.what;
    const std::string msg = p.err.message.c_str();
    for (size_t i = 0; i + 6 <= secret.size(); ++i) {
      EXPECT_EQ(msg.find(secret.substr(i, 6)), std::string::npos) << c.what << ": " << msg;
    }
    ++checked;
  }
  EXPECT_GT(checked, 80u);
}

TEST(ConfigErrors, ErrorsAfterATutorialFileWithCrlfAndBomCountLinesTheSame) {
  std::string t = "\xEF\xBB\xBF" + replace_all(kTutorial, "\n", "\r\n") + "LED_PIN = 3\r\n";
  Parsed p = parse(t);
  ASSERT_FALSE(p.ok);
  EXPECT_STREQ(p.err.message.c_str(),
               "config.py:8:1: LED_PIN is set twice (first on line 5); keep one");
  p = parse("\xEF\xBB\xBFWIFI_SSID 'x'\n");
  EXPECT_STREQ(p.err.message.c_str(), "config.py:1:11: missing '=' after WIFI_SSID");
}

TEST(ConfigErrors, FirstErrorWins) {
  Parsed p = parse(kBase + "LED_PIN = 99\nLED2_PIN = 'x\n");
  ASSERT_FALSE(p.ok);
  EXPECT_EQ(p.err.line, 5);
}

// ---------------------------------------------------------- describe ------

std::vector<std::string> describe(const Config& cfg) {
  std::vector<std::string> lines;
  describe_config(
      cfg,
      [](void* ctx, StrRef t) { static_cast<std::vector<std::string>*>(ctx)->push_back(s(t)); },
      &lines);
  return lines;
}

TEST(ConfigDescribe, TutorialConfigWithThePasswordMasked) {
  Parsed p = parse(kTutorial);
  ASSERT_TRUE(p.ok);
  const std::vector<std::string> want = {
      "WIFI_SSID = 'your SSID'",
      "WIFI_PASSWORD = '********'",
      "WEBHOOK_URL = 'http://maker.ifttt.com/trigger/button_pressed/...'",
      "BUTTON_ID = 'micropython1'",
      "LED_PIN = 2",
      "LED2_PIN = 16",
      "DEBUG_PIN = 14",
      "WIFI_TIMEOUT = 15",
      "HTTP_TIMEOUT = 10",
      "TIMED_WAKE = False",
      "PRESS_SENSE_PIN = None",
      "MAX_ATTEMPTS = 8",
      "MAX_AGE = 86400",
  };
  EXPECT_EQ(describe(p.cfg), want);
}

TEST(ConfigDescribe, QueueAndStaticIpKeysParseBack) {
  const std::string keys =
      "LED2_PIN = 13\nTIMED_WAKE = True\nPRESS_SENSE_PIN = 12\nMAX_ATTEMPTS = 3\nMAX_AGE = 600\n"
      "STATIC_IP = '10.0.0.7'\nGATEWAY = '10.0.0.1'\n";
  Parsed p = parse(kBase + keys);
  ASSERT_TRUE(p.ok) << p.err.message.c_str();
  const auto lines = describe(p.cfg);
  const std::vector<std::string> tail(lines.begin() + 9, lines.end());
  const std::vector<std::string> want = {"TIMED_WAKE = True",      "PRESS_SENSE_PIN = 12",
                                         "MAX_ATTEMPTS = 3",       "MAX_AGE = 600",
                                         "STATIC_IP = '10.0.0.7'", "NETMASK = '255.255.255.0'",
                                         "GATEWAY = '10.0.0.1'",   "DNS = '10.0.0.1'"};
  EXPECT_EQ(tail, want);
  std::string text;
  for (const auto& l : lines)
    text += (l.rfind("WIFI_PASSWORD", 0) == 0 ? "WIFI_PASSWORD = ''" : l) + "\n";
  Parsed back = parse(replace_all(text, "/...'", "/k'"));
  ASSERT_TRUE(back.ok) << back.err.message.c_str();
  EXPECT_EQ(describe(back.cfg).size(), lines.size());
}

TEST(ConfigDescribe, OpenNetworkShowsAnEmptyPasswordAndTheWebhookKeyIsMasked) {
  Parsed p = parse(kBase);
  ASSERT_TRUE(p.ok);
  auto lines = describe(p.cfg);
  for (const auto& l : lines) EXPECT_EQ(l.find("Sw0rdfish"), std::string::npos) << l;
  EXPECT_EQ(lines[2],
            "WEBHOOK_URL = 'http://maker.ifttt.com/trigger/button_pressed/with/key/****'");
  p = parse(replace_all(replace_all(kBase, kSecret, ""), "/k3y'", "/k3y?x=1'"));
  ASSERT_TRUE(p.ok) << p.err.message.c_str();
  lines = describe(p.cfg);
  EXPECT_EQ(lines[1], "WIFI_PASSWORD = ''");
  EXPECT_EQ(lines[2],
            "WEBHOOK_URL = 'http://maker.ifttt.com/trigger/button_pressed/with/key/****?x=1'");
}

TEST(ConfigDescribe, TextIsQuotedSoTheLineParsesBack) {
  Parsed p = parse(replace_all(replace_all(kBase, "'home'", R"('it\'s \\ "home"\n\t\x01\x7f é')"),
                               "'micropython1'", "'caf\xC3\xA9'"));
  ASSERT_TRUE(p.ok) << p.err.message.c_str();
  auto lines = describe(p.cfg);
  EXPECT_EQ(lines[0], R"(WIFI_SSID = 'it\'s \\ "home"\n\t\x01\x7f é')");
  Parsed back =
      parse(lines[0] + "\nWIFI_PASSWORD = ''\nWEBHOOK_URL = 'http://h/'\n" + lines[3] + "\n");
  ASSERT_TRUE(back.ok) << back.err.message.c_str();
  EXPECT_EQ(s(back.cfg.wifi_ssid.ref()), s(p.cfg.wifi_ssid.ref()));
  EXPECT_EQ(s(back.cfg.button_id.ref()), "caf\xC3\xA9");
}

TEST(Config, TlsAndLeaseKeys) {
  Parsed p = parse(std::string(kTutorial));
  ASSERT_TRUE(p.ok) << p.err.message.c_str();
  EXPECT_TRUE(p.cfg.reuse_lease);
  EXPECT_TRUE(p.cfg.tls_ca.empty());
  EXPECT_TRUE(p.cfg.tls_fingerprint.empty());
  EXPECT_FALSE(p.cfg.tls_insecure);
  p = parse(std::string(kTutorial) +
            "REUSE_LEASE = False\nTLS_CA = 'ca.pem'\n"
            "TLS_FINGERPRINT = 'A4:C3:E8:3C:3E:B9:9A:ED:55:29:3F:00:11:22:33:44:55:66:77:88'\n"
            "TLS_INSECURE = True\n");
  ASSERT_TRUE(p.ok) << p.err.message.c_str();
  EXPECT_FALSE(p.cfg.reuse_lease);
  EXPECT_STREQ(p.cfg.tls_ca.c_str(), "ca.pem");
  EXPECT_EQ(p.cfg.tls_fingerprint.size(), 59u);
  EXPECT_TRUE(p.cfg.tls_insecure);
  const auto lines = describe(p.cfg);
  EXPECT_NE(std::find(lines.begin(), lines.end(), "TLS_CA = 'ca.pem'"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "REUSE_LEASE = False"), lines.end());
  p = parse(std::string(kTutorial) + "TLS_CA = '" + std::string(40, 'x') + "'\n");
  EXPECT_FALSE(p.ok);
  EXPECT_NE(std::string(p.err.message.c_str()).find("TLS_CA"), std::string::npos);
}

}  // namespace
}  // namespace bh
