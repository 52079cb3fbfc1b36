// The hub binary with an applets file, against real peers it delivers to,
// all started here on 127.0.0.1: an SMTP receiver (python3-aiosmtpd),
// mosquitto with a subscriber, and an HTTP receiver. Proves each action
// arrives as configured, that a dead target never slows ingestion, and that
// runs are retried until delivered exactly once, across a SIGKILL too.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "http_client.h"
#include "hub_process.h"
#include "mqtt_listener.h"
#include "peers.h"
#include "temp_dir.h"

namespace hub {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::eventually;
using testing::http_request;

constexpr const char* kKey = "delivery-test-key";

// Writes hub.toml (fast retries) and applets.toml into `dir`.
void write_config(const testing::TempDir& dir, const std::string& applets,
                  const std::string& outbox = "retry_initial_ms = 100\nretry_max_ms = 400\n") {
  std::ofstream(dir.file("applets.toml")) << applets;
  std::ofstream(dir.file("hub.toml")) << "listen = \"127.0.0.1:0\"\n"
                                      << "db = \"hub.db\"\n"
                                      << "applets = \"applets.toml\"\n"
                                      << "keys = [{ name = \"home\", key = \"" << kKey << "\" }]\n"
                                      << "drain_timeout_ms = 1000\n"
                                      << "[outbox]\n"
                                      << outbox;
}

class Hub : public testing::HubProcess {
 public:
  Hub(const testing::TempDir& dir, const std::string& name = "hub")
      : HubProcess(dir.path().string(), {"serve", "--config", dir.file("hub.toml")}, name) {
    port_ = wait_for_port();
    if (port_ == 0) ADD_FAILURE() << "the hub did not start:\n" << stderr_text();
  }
  std::uint16_t port() const { return port_; }

  // POSTs JSON to the trigger URL; the reply.
  testing::HttpReply press(const std::string& event, const json& body,
                           const std::string& extra_headers = "") {
    return testing::fetch(
        port_, http_request("POST", "/trigger/" + event + "/with/key/" + kKey, body.dump(),
                            "Content-Type: application/json\r\n" + extra_headers));
  }

  json runs() {
    testing::HttpReply r = testing::fetch(
        port_, http_request("GET", std::string("/api/runs?limit=1000&key=") + kKey));
    if (r.status != 200) return json::array();
    return json::parse(r.body);
  }

  // True once there are `count` runs and the newest was attempted at least `attempts` times.
  bool retried(std::size_t count, int attempts) {
    json all = runs();
    return all.size() == count && all[0]["attempts"] >= attempts;
  }

  // True once every run is done (and there is at least `count`).
  bool all_done(std::size_t count) {
    json all = runs();
    if (all.size() < count) return false;
    for (const json& r : all) {
      if (r["status"] != "done") return false;
    }
    return true;
  }

 private:
  std::uint16_t port_ = 0;
};

std::string header_of(const std::string& message, const std::string& name) {
  const std::string head = "\r\n" + message.substr(0, message.find("\r\n\r\n"));
  std::size_t at = head.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return head.substr(at, head.find("\r\n", at) - at);
}

std::string body_of(const std::string& message) {
  std::size_t at = message.find("\r\n\r\n");
  return at == std::string::npos ? "" : message.substr(at + 4);
}

std::string smtp_section(std::uint16_t port) {
  return "[smtp]\nurl = \"smtp://127.0.0.1:" + std::to_string(port) +
         "\"\ntls = \"none\"\nfrom = \"Buttonhook <hub@example.com>\"\ntimeout_ms = 3000\n";
}

std::string mqtt_section(std::uint16_t port) {
  return "[mqtt]\nhost = \"127.0.0.1\"\nport = " + std::to_string(port) +
         "\nclient_id = \"hub-under-test\"\ntimeout_ms = 2000\n";
}

const char* kEmailApplet =
    "[[applet]]\nname = \"mail-me\"\nif = { event = \"button_pressed\" }\n"
    "[[applet.then]]\naction = \"email\"\nto = \"you@example.com\"\n";

TEST(Delivery, EachActionReachesItsRealPeerAsConfigured) {
  testing::TempDir dir;
  testing::SmtpSink smtp(dir.file("smtp"));
  smtp.start();
  testing::MosquittoBroker broker(dir.file("mqtt"));
  broker.start();
  testing::MqttListener listener(broker.port());
  testing::HttpSink http;
  http.start();
  write_config(dir, smtp_section(smtp.port()) + mqtt_section(broker.port()) +
                        "[home_assistant]\ndiscovery = true\n" + kEmailApplet +
                        "[[applet.then]]\naction = \"http\"\nurl = \"" + http.url() +
                        "/hook/{{EventName}}?b={{Value1}}\"\n"
                        "headers = { \"Content-Type\" = \"application/json\", X-Button = "
                        "\"{{ButtonId}}\" }\n"
                        "body = '{\"what\":\"{{EventName}}\",\"v2\":\"{{Value2}}\",\"mv\":"
                        "{{BatteryMv}}}'\n"
                        "[[applet.then]]\naction = \"mqtt\"\ntopic = \"buttons/{{ButtonId}}/pressed\"\n"
                        "[[applet]]\nname = \"others\"\nif = { event = \"door_*\" }\n"
                        "[[applet.then]]\naction = \"log\"\ntext = \"door {{Value1}}\"\n");
  Hub hub(dir);
  ASSERT_NE(hub.port(), 0);

  auto reply = hub.press("button_pressed", {{"value1", "micropython1"},
                                            {"value2", "say \"hi\" & bye"},
                                            {"battery_mv", 3012}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body, "Congratulations! You've fired the button_pressed event");
  // email + http + mqtt of "mail-me", and the Home Assistant run: "others" does not match.
  ASSERT_TRUE(eventually([&] { return hub.all_done(4); })) << hub.runs().dump(2) << hub.stderr_text();
  EXPECT_EQ(hub.runs().size(), 4u);

  // The tutorial's email, byte for byte where it is fixed.
  ASSERT_TRUE(eventually([&] { return smtp.messages().size() == 1; }));
  const std::string mail = smtp.messages()[0];
  EXPECT_EQ(header_of(mail, "X-Envelope-From"), "hub@example.com");
  EXPECT_EQ(header_of(mail, "X-Envelope-To"), "you@example.com");
  EXPECT_EQ(header_of(mail, "Subject"),
            "The event named \"button_pressed\" occurred on the Maker Webhooks service");
  EXPECT_EQ(header_of(mail, "From"), "Buttonhook <hub@example.com>");
  EXPECT_EQ(header_of(mail, "To"), "you@example.com");
  const std::string body = body_of(mail);
  EXPECT_EQ(body.rfind("What: button_pressed\r\nWhen: ", 0), 0u) << body;
  EXPECT_NE(body.find(" at "), std::string::npos) << body;
  EXPECT_NE(body.find("\r\nButton: micropython1\r\n"), std::string::npos) << body;

  // The HTTP request: URL values percent-encoded, headers and a JSON body templated.
  ASSERT_TRUE(eventually([&] { return http.received().size() == 1; }))
      << [&] {
           std::string all;
           for (const Request& r : http.received()) all += r.method + " " + r.target + " " + r.body + "\n";
           return all;
         }() << " runs: " << hub.runs().dump(2) << hub.stderr_text();
  const Request got = http.received()[0];
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.target, "/hook/button_pressed?b=micropython1");
  EXPECT_EQ(got.header("X-Button").value_or(""), "micropython1");
  EXPECT_EQ(got.header("Content-Type").value_or(""), "application/json");
  json sent = json::parse(got.body);  // the quotes in value2 were escaped
  EXPECT_EQ(sent["what"], "button_pressed");
  EXPECT_EQ(sent["v2"], "say \"hi\" & bye");
  EXPECT_EQ(sent["mv"], 3012);

  // MQTT: the action's message, then Home Assistant's discovery (retained)
  // and state messages for the button.
  ASSERT_TRUE(eventually([&] { return !listener.on("buttons/micropython1/pressed").empty(); }));
  json payload = json::parse(listener.on("buttons/micropython1/pressed")[0].payload);
  EXPECT_EQ(payload["event"], "button_pressed");
  EXPECT_EQ(payload["button"], "micropython1");
  EXPECT_EQ(payload["value2"], "say \"hi\" & bye");

  const std::string node = "buttonhook_micropython1";
  for (const std::string& topic : {"homeassistant/device_automation/" + node + "/press/config",
                                  "homeassistant/event/" + node + "/press/config",
                                  "homeassistant/sensor/" + node + "/battery/config"}) {
    ASSERT_TRUE(eventually([&] { return listener.on(topic).size() == 1; }, 5s)) << topic;
  }
  json trigger = json::parse(
      listener.on("homeassistant/device_automation/" + node + "/press/config")[0].payload);
  EXPECT_EQ(trigger["automation_type"], "trigger");
  EXPECT_EQ(trigger["type"], "button_short_press");
  EXPECT_EQ(trigger["topic"], "buttonhook/micropython1/action");
  EXPECT_EQ(trigger["device"]["identifiers"][0], node);
  json entity = json::parse(listener.on("homeassistant/event/" + node + "/press/config")[0].payload);
  EXPECT_EQ(entity["state_topic"], "buttonhook/micropython1/event");
  EXPECT_EQ(entity["event_types"], json::array({"press"}));
  ASSERT_TRUE(eventually([&] { return listener.on("buttonhook/micropython1/battery").size() == 1; }));
  EXPECT_EQ(listener.on("buttonhook/micropython1/battery")[0].payload, "3012");
  EXPECT_EQ(listener.on("buttonhook/micropython1/action")[0].payload, "press");
  json state = json::parse(listener.on("buttonhook/micropython1/event")[0].payload);
  EXPECT_EQ(state["event_type"], "press");
  EXPECT_EQ(state["battery_mv"], 3012);

  // A subscriber arriving later (Home Assistant starting) gets the
  // discovery messages from the broker: they are retained.
  testing::MqttListener late(broker.port(), "homeassistant/#");
  ASSERT_TRUE(eventually([&] { return late.messages().size() == 3; }, 5s));
  for (const auto& m : late.messages()) EXPECT_TRUE(m.retained) << m.topic;

  // A second press: no second discovery, a second state message.
  ASSERT_EQ(hub.press("button_pressed", {{"value1", "micropython1"}}).status, 200);
  ASSERT_TRUE(eventually([&] { return listener.on("buttonhook/micropython1/event").size() == 2; }));
  EXPECT_EQ(listener.on("homeassistant/event/" + node + "/press/config").size(), 1u);
  ASSERT_TRUE(eventually([&] { return hub.all_done(8); }));

  hub.signal(SIGTERM);
  auto status = hub.wait();
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << hub.stderr_text();
}

TEST(Delivery, ARepeatedIdempotencyKeyRunsNothingTwice) {
  testing::TempDir dir;
  testing::SmtpSink smtp(dir.file("smtp"));
  smtp.start();
  write_config(dir, smtp_section(smtp.port()) + kEmailApplet);
  Hub hub(dir);
  ASSERT_NE(hub.port(), 0);
  for (int i = 0; i < 3; ++i) {
    auto r = hub.press("button_pressed", {{"value1", "b1"}}, "Idempotency-Key: press-7\r\n");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Idempotent-Replayed").has_value(), i > 0);
  }
  ASSERT_TRUE(eventually([&] { return hub.all_done(1); }));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(hub.runs().size(), 1u);
  EXPECT_EQ(smtp.messages().size(), 1u);
}

// The SMTP server is down while presses come in: every press is answered at
// once; the runs wait (attempts and the error stored); once the server is
// back, each mail arrives, once.
TEST(Delivery, DeadSmtpNeverBlocksIngestionAndMailArrivesOnceItIsBack) {
  testing::TempDir dir;
  testing::SmtpSink smtp(dir.file("smtp"));  // its port is chosen, nothing listens yet
  write_config(dir, smtp_section(smtp.port()) + kEmailApplet);
  Hub hub(dir);
  ASSERT_NE(hub.port(), 0);

  constexpr int kPresses = 5;
  auto slowest = 0ms;
  for (int i = 0; i < kPresses; ++i) {
    const auto started = std::chrono::steady_clock::now();
    ASSERT_EQ(hub.press("button_pressed", {{"value1", "b" + std::to_string(i)}}).status, 200);
    slowest = std::max(slowest, std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - started));
  }
  EXPECT_LT(slowest, 500ms) << "a dead SMTP server slowed the replies";
  std::printf("[ measured ] slowest of %d replies with the SMTP server down: %lld ms\n", kPresses,
              static_cast<long long>(slowest.count()));
  // Every run failed at least twice, with the reason stored.
  ASSERT_TRUE(eventually([&] {
    json runs = hub.runs();
    if (runs.size() != kPresses) return false;
    for (const json& r : runs) {
      if (r["status"] != "pending" || r["attempts"] < 2 || !r["last_error"].is_string()) return false;
    }
    return true;
  })) << hub.runs().dump(2);
  const std::string error = hub.runs()[0]["last_error"];
  EXPECT_NE(error.find("SMTP"), std::string::npos) << error;
  EXPECT_TRUE(smtp.messages().empty());

  smtp.start();
  const auto back = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return hub.all_done(kPresses); })) << hub.runs().dump(2);
  std::printf("[ measured ] %d mails delivered %lld ms after the SMTP server came back\n", kPresses,
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - back)
                                         .count()));
  // Longer than the largest backoff: a duplicate would have arrived by now.
  std::this_thread::sleep_for(800ms);
  std::multiset<std::string> buttons;
  for (const std::string& m : smtp.messages()) {
    std::string body = body_of(m);
    std::size_t at = body.find("Button: ");
    buttons.insert(body.substr(at + 8, body.find("\r\n", at) - at - 8));
  }
  EXPECT_EQ(buttons, (std::multiset<std::string>{"b0", "b1", "b2", "b3", "b4"}));
}

// SIGKILL with runs still pending: a new hub on the same database delivers them.
TEST(Delivery, RunsPendingAtAKillAreDeliveredAfterTheRestart) {
  testing::TempDir dir;
  testing::SmtpSink smtp(dir.file("smtp"));
  write_config(dir, smtp_section(smtp.port()) + kEmailApplet);
  {
    Hub hub(dir, "first");
    ASSERT_NE(hub.port(), 0);
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(hub.press("button_pressed", {{"value1", "k" + std::to_string(i)}}).status, 200);
    }
    ASSERT_TRUE(eventually([&] { return hub.retried(3, 1); })) << hub.runs().dump(2);
    hub.signal(SIGKILL);
    ASSERT_TRUE(hub.wait().has_value());
  }
  smtp.start();
  Hub again(dir, "second");
  ASSERT_NE(again.port(), 0);
  ASSERT_TRUE(eventually([&] { return again.all_done(3); })) << again.runs().dump(2);
  std::this_thread::sleep_for(800ms);
  EXPECT_EQ(smtp.messages().size(), 3u);
}

// The HTTP receiver goes away and comes back on the same port: the request
// arrives once. A 5xx is tried again; a 4xx fails the run for good.
TEST(Delivery, HttpTargetDownThenBackGetsTheRequestOnceAndA4xxIsFinal) {
  testing::TempDir dir;
  testing::HttpSink http;
  write_config(dir, "[[applet]]\nname = \"hook\"\nif = { event = \"*\" }\n"
                    "[[applet.then]]\naction = \"http\"\nurl = \"" +
                        http.url() + "/{{EventName}}\"\nbody = \"{{Value1}}\"\n");
  Hub hub(dir);
  ASSERT_NE(hub.port(), 0);
  ASSERT_EQ(hub.press("down", {{"value1", "one"}}).status, 200);
  ASSERT_TRUE(eventually([&] { return hub.retried(1, 2); })) << hub.runs().dump(2);
  http.start();
  ASSERT_TRUE(eventually([&] { return hub.all_done(1); })) << hub.runs().dump(2);
  std::this_thread::sleep_for(800ms);
  ASSERT_EQ(http.received().size(), 1u);
  EXPECT_EQ(http.received()[0].target, "/down");
  EXPECT_EQ(http.received()[0].body, "one");

  http.answer_with(503);
  ASSERT_EQ(hub.press("busy", {{"value1", "two"}}).status, 200);
  ASSERT_TRUE(eventually([&] { return http.received().size() >= 3; }));
  http.answer_with(200);
  ASSERT_TRUE(eventually([&] { return hub.all_done(2); }));
  EXPECT_NE(hub.runs()[0]["attempts"], 1);

  http.answer_with(404);
  ASSERT_EQ(hub.press("wrong", {{"value1", "three"}}).status, 200);
  ASSERT_TRUE(eventually([&] { return hub.runs()[0]["status"] == "failed"; }));
  const json failed = hub.runs()[0];
  EXPECT_EQ(failed["attempts"], 1) << "a 404 is not tried again";
  EXPECT_EQ(failed["last_error"].get<std::string>().rfind("HTTP 404", 0), 0u) << failed.dump();
}

// The broker is down when the hub starts and comes back later (same port).
TEST(Delivery, MqttBrokerDownAtStartThenBackGetsTheMessageOnce) {
  testing::TempDir dir;
  testing::MosquittoBroker broker(dir.file("mqtt"));
  write_config(dir, mqtt_section(broker.port()) +
                        "[[applet]]\nname = \"pub\"\nif = { event = \"*\" }\n"
                        "[[applet.then]]\naction = \"mqtt\"\ntopic = \"t/{{EventName}}\"\n"
                        "payload = \"{{Value1}}\"\nretain = true\n");
  Hub hub(dir);
  ASSERT_NE(hub.port(), 0);
  ASSERT_EQ(hub.press("e1", {{"value1", "v1"}}).status, 200);
  ASSERT_TRUE(eventually([&] { return hub.retried(1, 2); })) << hub.runs().dump(2);
  EXPECT_NE(hub.runs()[0]["last_error"].get<std::string>().find("not connected"),
            std::string::npos);
  broker.start();
  // The hub reconnects after a backoff of at least 100 ms; this subscriber
  // is there first. Retained, so it sees the message even if not.
  testing::MqttListener listener(broker.port(), "t/#");
  ASSERT_TRUE(eventually([&] { return hub.all_done(1); })) << hub.runs().dump(2);
  ASSERT_TRUE(eventually([&] { return listener.messages().size() == 1; }));
  std::this_thread::sleep_for(800ms);
  ASSERT_EQ(listener.messages().size(), 1u);
  EXPECT_EQ(listener.messages()[0].topic, "t/e1");
  EXPECT_EQ(listener.messages()[0].payload, "v1");
  EXPECT_EQ(hub.runs()[0]["status"], "done");
}

}  // namespace
}  // namespace hub
