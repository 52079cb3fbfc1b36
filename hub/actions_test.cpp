// Each action class against its real peer, in process: email with STARTTLS
// and AUTH (aiosmtpd with a self-signed certificate), MQTT with a login,
// and what each failure looks like (permanent or worth a retry).
#include <gtest/gtest.h>

#include "email_action.h"
#include "http_action.h"
#include "mqtt_action.h"
#include "mqtt_client.h"
#include "mqtt_listener.h"
#include "peers.h"
#include "temp_dir.h"

namespace hub {
namespace {

using namespace std::chrono_literals;
using testing::eventually;

EventRecord pressed() {
  EventRecord e;
  e.id = 7;
  e.event = "button_pressed";
  e.value1 = "micropython1";
  e.button_id = "micropython1";
  return e;
}

EmailSpec mail_to_you() {
  EmailSpec spec;
  spec.to = {"you@example.com"};
  spec.from = "Buttonhook <hub@example.com>";
  spec.subject = kTutorialSubject;
  spec.body = kTutorialBody;
  return spec;
}

class SmtpWithTls : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::make_certificate(dir_.file("cert.pem"), dir_.file("key.pem"))) {
      GTEST_FAIL() << "openssl could not make a certificate (./bh deps)";
    }
    testing::SmtpOptions options;
    options.cert = dir_.file("cert.pem");
    options.key = dir_.file("key.pem");
    options.login = "hub:pa55word";
    sink_ = std::make_unique<testing::SmtpSink>(dir_.file("smtp"), options);
    sink_->start();
  }
  SmtpSettings server() const {
    SmtpSettings s;
    s.url = "smtp://127.0.0.1:" + std::to_string(sink_->port());
    s.tls = SmtpTls::kStartTls;
    s.username = "hub";
    s.password = "pa55word";
    s.ca_file = dir_.file("cert.pem");  // self-signed: it is its own CA
    s.timeout = 5s;
    return s;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::SmtpSink> sink_;
};

TEST_F(SmtpWithTls, StartTlsAndAuthDeliverTheTutorialsEmail) {
  EventRecord e = pressed();
  EmailAction action(mail_to_you(), server(), "mail-me-0", nullptr);
  action.run(e, ingredients_of(e));
  ASSERT_EQ(sink_->messages().size(), 1u);
  const std::string mail = sink_->messages()[0];
  EXPECT_NE(mail.find("X-TLS: yes\r\n"), std::string::npos) << mail;
  EXPECT_NE(mail.find("X-Login: hub\r\n"), std::string::npos) << mail;
  EXPECT_NE(mail.find("Subject: The event named \"button_pressed\" occurred on the Maker Webhooks "
                      "service\r\n"),
            std::string::npos)
      << mail;
  EXPECT_NE(mail.find("Message-ID: <buttonhook.7.mail-me-0@example.com>\r\n"), std::string::npos);
  EXPECT_NE(mail.find("\r\n\r\nWhat: button_pressed\r\nWhen: "), std::string::npos) << mail;
  EXPECT_NE(mail.find("\r\nButton: micropython1\r\n"), std::string::npos) << mail;
}

TEST_F(SmtpWithTls, AWrongPasswordIsAPermanentFailure) {
  SmtpSettings s = server();
  s.password = "wrong";
  EventRecord e = pressed();
  EmailAction action(mail_to_you(), s, "mail-me-0", nullptr);
  try {
    action.run(e, ingredients_of(e));
    FAIL() << "sent";
  } catch (const ActionError& error) {
    EXPECT_TRUE(error.permanent()) << error.what();
    EXPECT_NE(std::string(error.what()).find("SMTP"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(sink_->messages().empty());
}

TEST_F(SmtpWithTls, AnUntrustedCertificateIsRefused) {
  SmtpSettings s = server();
  s.ca_file.clear();  // the system's CAs do not know the test's certificate
  EventRecord e = pressed();
  EmailAction action(mail_to_you(), s, "mail-me-0", nullptr);
  EXPECT_THROW(action.run(e, ingredients_of(e)), ActionError);
  EXPECT_TRUE(sink_->messages().empty());
}

TEST(SmtpWithoutTls, StartTlsIsRequiredNotHopedFor) {
  testing::TempDir dir;
  testing::SmtpSink sink(dir.file("smtp"));  // offers no STARTTLS
  sink.start();
  SmtpSettings s;
  s.url = "smtp://127.0.0.1:" + std::to_string(sink.port());
  s.tls = SmtpTls::kStartTls;
  s.timeout = 5s;
  EventRecord e = pressed();
  EmailAction action(mail_to_you(), s, "m-0", nullptr);
  EXPECT_THROW(action.run(e, ingredients_of(e)), ActionError);
  EXPECT_TRUE(sink.messages().empty()) << "mail went out in clear";
}

TEST(MqttWithLogin, PublishesWithQos1AndTellsAWrongPasswordApart) {
  testing::TempDir dir;
  testing::MosquittoBroker broker(dir.file("mqtt"), 0, "hub:s3cret");
  broker.start();
  testing::MqttListener listener(broker.port(), "#", "hub:s3cret");

  MqttSettings settings;
  settings.port = broker.port();
  settings.username = "hub";
  settings.password = "s3cret";
  settings.timeout = 3s;
  std::vector<std::string> log;
  std::mutex log_mutex;
  MqttClient client(settings, [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mutex);
    log.push_back(line);
  });
  client.start();
  ASSERT_TRUE(eventually([&] { return client.connected(); }, 5s));
  MqttSpec spec;
  spec.topic = "buttons/{{ButtonId}}";
  spec.payload = "{{EventName}} #{{EventId}}";
  MqttAction action(spec, client);
  EventRecord e = pressed();
  action.run(e, ingredients_of(e));  // returns once the broker acknowledged
  ASSERT_TRUE(eventually([&] { return listener.on("buttons/micropython1").size() == 1; }));
  EXPECT_EQ(listener.on("buttons/micropython1")[0].payload, "button_pressed #7");
  client.stop();

  settings.password = "wrong";
  settings.client_id = "hub-wrong-password";
  MqttClient refused(settings, [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mutex);
    log.push_back(line);
  });
  refused.start();
  ASSERT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> lock(log_mutex);
    for (const std::string& l : log) {
      if (l.find("refused") != std::string::npos) return true;
    }
    return false;
  }, 5s));
  EXPECT_FALSE(refused.connected());
  EXPECT_THROW(refused.publish("t", "x", 1, false), ActionError);
}

TEST(HttpAction, StatusesDecideBetweenRetryAndGivingUp) {
  testing::HttpSink sink;
  sink.start();
  HttpSpec spec;
  spec.url = sink.url() + "/x";
  HttpAction action(spec, nullptr);
  EventRecord e = pressed();
  for (int status : {200, 204}) {
    sink.answer_with(status);
    EXPECT_NO_THROW(action.run(e, ingredients_of(e))) << status;
  }
  // Worth another try: the receiver is busy or broken for now. Final: the request is wrong.
  for (int status : {500, 503, 429, 408, 400, 401, 404}) {
    const bool permanent = status != 408 && status != 429 && status < 500;
    sink.answer_with(status);
    try {
      action.run(e, ingredients_of(e));
      ADD_FAILURE() << status;
    } catch (const ActionError& error) {
      EXPECT_EQ(error.permanent(), permanent) << status;
      EXPECT_EQ(std::string(error.what()).rfind("HTTP " + std::to_string(status), 0), 0u);
    }
  }
  sink.stop();
  try {
    action.run(e, ingredients_of(e));
    ADD_FAILURE() << "no receiver, yet it worked";
  } catch (const ActionError& error) {
    EXPECT_FALSE(error.permanent()) << "a receiver that is down may come back";
  }
}

}  // namespace
}  // namespace hub
