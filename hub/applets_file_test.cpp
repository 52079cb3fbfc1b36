// The applets file: what it turns into, and for each way a person gets it
// wrong, an error naming file:line and the problem.
#include <gtest/gtest.h>

#include "applets_config.h"
#include "email_action.h"
#include "http_action.h"
#include "mqtt_action.h"

namespace hub {
namespace {

const char* kSmtp = "[smtp]\nurl = \"smtp://mail.example.com:587\"\nfrom = \"hub@example.com\"\n";
const char* kMqtt = "[mqtt]\nhost = \"127.0.0.1\"\n";

TEST(AppletsFile, TheExampleFileLoads) {
  AppletsConfig c = load_applets_file(BH_HUB_SOURCE_DIR "/deploy/applets.example.toml");
  ASSERT_EQ(c.applets.size(), 4u);
  EXPECT_EQ(c.applets[0].name, "mail-me");
  const auto& email = std::get<EmailSpec>(c.applets[0].actions[0]);
  EXPECT_EQ(email.subject, kTutorialSubject);
  EXPECT_EQ(email.body, kTutorialBody);
  EXPECT_EQ(email.to, (std::vector<std::string>{"you@example.com"}));
  ASSERT_TRUE(c.smtp);
  EXPECT_EQ(c.smtp->tls, SmtpTls::kStartTls);
  EXPECT_TRUE(c.home_assistant.enabled);
  EXPECT_EQ(summary(c),
            "4 applets, 6 actions (email 2, http 2, log 1, mqtt 1); Home Assistant discovery on");
}

TEST(AppletsFile, FiltersAreExactNamesOrGlobsAndValueGlobs) {
  AppletsConfig c = parse_applets(
      "[[applet]]\nname = \"exact\"\nif = { event = \"button_pressed\" }\n"
      "[[applet.then]]\naction = \"log\"\n"
      "[[applet]]\nname = \"glob\"\nif = { event = \"button_*\", value1 = \"front-*\" }\n"
      "[[applet.then]]\naction = \"log\"\n[[applet.then]]\naction = \"log\"\ntext = \"x\"\n",
      "a.toml");
  EventRecord e;
  e.event = "button_pressed";
  e.value1 = "front-door";
  auto runs = plan_runs(c, e);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].applet, "exact");
  EXPECT_EQ(runs[2].applet, "glob");
  EXPECT_EQ(runs[2].action_index, 1);
  e.value1 = "back-door";
  EXPECT_EQ(plan_runs(c, e).size(), 1u);
  e.event = "button_held";
  EXPECT_EQ(plan_runs(c, e).size(), 0u);
  e.value1 = "front-x";
  EXPECT_EQ(plan_runs(c, e).size(), 2u);
}

TEST(AppletsFile, HomeAssistantRunsOnlyForEventsFromAButton) {
  AppletsConfig c = parse_applets(std::string(kMqtt) + "[home_assistant]\n", "a.toml");
  EXPECT_TRUE(c.home_assistant.enabled);
  EventRecord e;
  e.event = "x";
  EXPECT_TRUE(plan_runs(c, e).empty());
  e.button_id = "b1";
  ASSERT_EQ(plan_runs(c, e).size(), 1u);
  EXPECT_EQ(plan_runs(c, e)[0].kind, kHomeAssistantApplet);
}

TEST(AppletsFile, JsonBodiesAndPayloadsAreEscapedAutomatically) {
  AppletsConfig c = parse_applets(
      std::string(kMqtt) +
          "[[applet]]\nname = \"a\"\nif = { event = \"*\" }\n"
          "[[applet.then]]\naction = \"http\"\nurl = \"http://h/{{Value1}}\"\n"
          "body = '{\"v\":\"{{Value1}}\"}'\n"
          "[[applet.then]]\naction = \"http\"\nurl = \"http://h/\"\nbody = \"{{Value1}}\"\n"
          "headers = { \"content-type\" = \"application/json\" }\n"
          "[[applet.then]]\naction = \"http\"\nurl = \"http://h/\"\nbody = \"{{Value1}}\"\n"
          "[[applet.then]]\naction = \"mqtt\"\ntopic = \"a/{{Value1}}\"\n",
      "a.toml");
  Ingredients in;
  in.value1 = "a\"b/c d";
  const auto& actions = c.applets[0].actions;
  HttpCall first = render_http(std::get<HttpSpec>(actions[0]), in);
  EXPECT_EQ(first.url, "http://h/a%22b%2Fc%20d");
  EXPECT_EQ(first.body, "{\"v\":\"a\\\"b/c d\"}");
  EXPECT_EQ(render_http(std::get<HttpSpec>(actions[1]), in).body, "a\\\"b/c d");
  EXPECT_EQ(render_http(std::get<HttpSpec>(actions[2]), in).body, "a\"b/c d");
  MqttMessage m = render_mqtt(std::get<MqttSpec>(actions[3]), in);
  EXPECT_EQ(m.topic, "a/a\"b_c d") << "a value cannot add topic levels";
  EXPECT_EQ(m.qos, 1);
  EXPECT_NE(m.payload.find("\"value1\":\"a\\\"b/c d\""), std::string::npos) << m.payload;
}

TEST(AppletsFile, PasswordsCanComeFromTheEnvironment) {
  ::setenv("BH_TEST_SMTP_PASSWORD", "s3cret", 1);
  AppletsConfig c = parse_applets(
      "[smtp]\nurl = \"smtps://m:465\"\nfrom = \"a@b\"\nusername = \"u\"\n"
      "password_env = \"BH_TEST_SMTP_PASSWORD\"\n[[applet]]\nname = \"m\"\nif = { event = \"*\" }\n"
      "[[applet.then]]\naction = \"email\"\nto = [\"x@y\", \"z@w\"]\n",
      "a.toml");
  EXPECT_EQ(c.smtp->password, "s3cret");
  EXPECT_EQ(c.smtp->tls, SmtpTls::kImplicit);
  EXPECT_EQ(std::get<EmailSpec>(c.applets[0].actions[0]).to.size(), 2u);
}

// Each bad file, the line the error must name, and a phrase it must contain.
struct BadFile {
  std::string text;
  int line;
  const char* says;
};

TEST(AppletsFile, MistakesNameFileLineAndWhatIsWrong) {
  const std::string applet = "[[applet]]\nname = \"a\"\nif = { event = \"*\" }\n";
  const BadFile cases[] = {
      {"x = \n", 1, ""},  // TOML syntax (the line and column come from toml++)
      {"", 0, "no applets"},
      {"[[applet]]\nname = \"a\"\n", 1, "needs an if"},
      {"[[applet]]\nname = \"a\"\nif = { event = \"*\" }\n", 1, "at least one action"},
      {applet + "[[applet.then]]\naction = \"sms\"\n", 5, "unknown action \"sms\""},
      {applet + "[[applet.then]]\naction = \"log\"\ntext = \"{{Valu1}}\"\n", 6,
       "unknown ingredient {{Valu1}}"},
      {applet + "[[applet.then]]\naction = \"log\"\ncolour = \"red\"\n", 6,
       "unknown setting applet a then[1].colour"},
      {applet + "[[applet.then]]\naction = \"email\"\nto = \"you@example.com\"\n", 4,
       "needs an [smtp] section"},
      {std::string(kSmtp) + applet + "[[applet.then]]\naction = \"email\"\nto = \"not-an-address\"\n",
       9, "not a plain address"},
      {applet + "[[applet.then]]\naction = \"http\"\nurl = \"ftp://x\"\n", 6, "http:// or https://"},
      {applet + "[[applet.then]]\naction = \"http\"\nurl = \"http://x\"\nmethod = \"FETCH\"\n", 7,
       "GET, POST"},
      {applet + "[[applet.then]]\naction = \"mqtt\"\ntopic = \"t\"\n", 4, "needs an [mqtt] section"},
      {std::string(kMqtt) + applet + "[[applet.then]]\naction = \"mqtt\"\ntopic = \"t/#\"\n", 8,
       "no wildcards"},
      {std::string(kMqtt) + applet + "[[applet.then]]\naction = \"mqtt\"\ntopic = \"t\"\nqos = 3\n",
       9, "from 0 to 2"},
      {"[home_assistant]\n", 1, "needs an [mqtt] section"},
      {"[smtp]\nurl = \"mail.example.com\"\n", 2, "smtp:// or smtps://"},
      {"[smtp]\nurl = \"smtp://m\"\ntls = \"none\"\npassword = \"p\"\n", 1, "without TLS"},
      {"[smtp]\nurl = \"smtp://m\"\npassword_env = \"BH_TEST_SURELY_UNSET\"\n", 3,
       "BH_TEST_SURELY_UNSET is not set"},
      {"[mqtt]\nport = 70000\n", 2, "from 1 to 65535"},
      {applet + "[[applet.then]]\naction = \"log\"\n" + applet + "[[applet.then]]\naction = \"log\"\n",
       6, "two applets are named a"},
      {"[[applet]]\nname = \"a\"\nif = { event = \"button pressed\" }\n", 3, "event names use"},
      {"[[applet]]\nname = \"a\"\nif = { event = \"*\", value4 = \"x\" }\n", 3,
       "unknown setting applet[1] (a).if.value4"},
      {"[applets]\nname = \"a\"\n", 1, "unknown setting the file.applets"},
      {"applet = 3\n", 1, "[[applet]] (two brackets)"},
  };
  for (const BadFile& c : cases) {
    SCOPED_TRACE(c.text);
    try {
      parse_applets(c.text, "applets.toml");
      ADD_FAILURE() << "accepted";
    } catch (const ConfigError& e) {
      const std::string what = e.what();
      const std::string where = c.line ? "applets.toml:" + std::to_string(c.line) + ":" : "applets.toml: ";
      EXPECT_EQ(what.rfind(where, 0), 0u) << what;
      EXPECT_NE(what.find(c.says), std::string::npos) << what;
    }
  }
}

TEST(AppletsFile, AMissingFileSaysSo) {
  try {
    load_applets_file("/nonexistent/applets.toml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/applets.toml"), std::string::npos) << e.what();
  }
}

TEST(Email, ComposedByteByByteWithoutHeaderInjection) {
  EmailMessage m = compose_email("Buttonhook <hub@example.com>", {"you@example.com"},
                                 "Hi\r\nBcc: evil@example.com", "line 1\nline 2", TimePoint{},
                                 "buttonhook.7.mail-0@example.com");
  EXPECT_EQ(m.envelope_from, "hub@example.com");
  EXPECT_EQ(m.recipients, (std::vector<std::string>{"you@example.com"}));
  EXPECT_EQ(m.text,
            "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"
            "From: Buttonhook <hub@example.com>\r\n"
            "To: you@example.com\r\n"
            "Subject: Hi  Bcc: evil@example.com\r\n"
            "Message-ID: <buttonhook.7.mail-0@example.com>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n"
            "X-Mailer: buttonhook-hub\r\n"
            "\r\n"
            "line 1\r\nline 2\r\n");
  EmailMessage utf8 = compose_email("a@b", {"c@d"}, "Knopf gedrückt", "", TimePoint{}, "x@b");
  EXPECT_NE(utf8.text.find("Subject: =?UTF-8?B?S25vcGYgZ2VkcsO8Y2t0?=\r\n"), std::string::npos)
      << utf8.text;
}

}  // namespace
}  // namespace hub
