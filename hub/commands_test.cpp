// The maintenance commands as a person runs them (the real binary):
// keys add|list|revoke against a running hub, applets check, events tail;
// and the deploy files in hub/deploy (the samples load, the systemd unit
// passes systemd-analyze verify).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <regex>

#include "http_client.h"
#include "hub_process.h"
#include "peers.h"
#include "temp_dir.h"

namespace hub {
namespace {

using namespace std::chrono_literals;
using testing::http_request;

struct CommandRun {
  int code;
  std::string out, err;
};

CommandRun hub_command(const testing::TempDir& dir, std::vector<std::string> args) {
  CommandRun r;
  r.code = testing::run_hub(dir.path().string(), std::move(args), &r.err, &r.out);
  return r;
}

int trigger_status(std::uint16_t port, const std::string& key) {
  return testing::fetch(port, http_request("GET", "/trigger/e/with/key/" + key)).status;
}

TEST(KeysCommand, AddListRevokeWhileTheHubRuns) {
  testing::TempDir dir;
  const std::string db = dir.file("hub.db");
  std::ofstream(dir.file("hub.toml")) << "db = \"hub.db\"\nkeys_refresh_ms = 50\n"
                                      << "keys = [{ name = \"config-key\", key = \"c1\" }]\n";
  testing::HubProcess hub(dir.path().string(),
                          {"serve", "--listen", "127.0.0.1:0", "--config", dir.file("hub.toml")},
                          "serving");
  const std::uint16_t port = hub.wait_for_port();
  ASSERT_NE(port, 0) << hub.stderr_text();

  CommandRun added = hub_command(dir, {"keys", "add", "garden", "--config", dir.file("hub.toml")});
  ASSERT_EQ(added.code, 0) << added.err;
  // stdout is the key alone, for scripts; stderr says it is shown once.
  ASSERT_TRUE(std::regex_match(added.out, std::regex("[A-Za-z0-9_-]{32}\n"))) << added.out;
  const std::string key = added.out.substr(0, 32);
  EXPECT_NE(added.err.find("shown only now"), std::string::npos) << added.err;
  ASSERT_TRUE(testing::eventually([&] { return trigger_status(port, key) == 200; }, 5s));

  CommandRun twice = hub_command(dir, {"keys", "add", "garden", "--db", db});
  EXPECT_NE(twice.code, 0);
  EXPECT_NE(twice.err.find("garden"), std::string::npos) << twice.err;
  EXPECT_EQ(hub_command(dir, {"keys", "add", "config-key", "--config", dir.file("hub.toml")}).code, 2);
  EXPECT_EQ(hub_command(dir, {"keys", "add", "bad name!", "--db", db}).code, 2);

  CommandRun list = hub_command(dir, {"keys", "list", "--config", dir.file("hub.toml")});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_NE(list.out.find("config-key"), std::string::npos) << list.out;
  EXPECT_TRUE(std::regex_search(list.out, std::regex("garden +db +active"))) << list.out;
  EXPECT_EQ(list.out.find(key), std::string::npos) << "a secret was listed";
  EXPECT_EQ(list.out.find("c1 "), std::string::npos) << "a secret was listed";

  CommandRun revoked = hub_command(dir, {"keys", "revoke", "garden", "--db", db});
  ASSERT_EQ(revoked.code, 0) << revoked.err;
  ASSERT_TRUE(testing::eventually([&] { return trigger_status(port, key) == 401; }, 5s));
  EXPECT_EQ(trigger_status(port, "c1"), 200);
  EXPECT_TRUE(std::regex_search(hub_command(dir, {"keys", "list", "--db", db}).out,
                                std::regex("garden +db +revoked")));
  EXPECT_NE(hub_command(dir, {"keys", "revoke", "nobody", "--db", db}).code, 0);
  EXPECT_EQ(hub_command(dir, {"keys", "revoke", "config-key", "--config", dir.file("hub.toml")}).code,
            2);
}

TEST(AppletsCommand, ChecksTheExampleAndNamesFileAndLineOfAMistake) {
  testing::TempDir dir;
  const std::string example = BH_HUB_SOURCE_DIR "/deploy/applets.example.toml";
  CommandRun ok = hub_command(dir, {"applets", "check", example});
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find(example + ": ok: 4 applets"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("mail-me: if event button_pressed then email"), std::string::npos) << ok.out;

  std::ofstream(dir.file("bad.toml")) << "[[applet]]\nname = \"a\"\nif = { event = \"*\" }\n"
                                         "[[applet.then]]\naction = \"log\"\n"
                                         "text = \"{{EventNmae}}\"\n";
  CommandRun bad = hub_command(dir, {"applets", "check", dir.file("bad.toml")});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find(dir.file("bad.toml") + ":6: unknown ingredient {{EventNmae}}"),
            std::string::npos)
      << bad.err;
  // serve refuses the same file at start, with the same message.
  CommandRun serve = hub_command(dir, {"serve", "--listen", "127.0.0.1:0", "--db", dir.file("x.db"),
                                "--key", "k", "--applets", dir.file("bad.toml")});
  EXPECT_EQ(serve.code, 2);
  EXPECT_NE(serve.err.find(dir.file("bad.toml") + ":6:"), std::string::npos) << serve.err;
}

TEST(EventsCommand, TailPrintsTheLastEventsOldestFirstAndFollowsNewOnes) {
  testing::TempDir dir;
  const std::string db = dir.file("hub.db");
  testing::HubProcess hub(dir.path().string(),
                          {"serve", "--listen", "127.0.0.1:0", "--db", db, "--key", "k"}, "serving");
  const std::uint16_t port = hub.wait_for_port();
  ASSERT_NE(port, 0) << hub.stderr_text();
  for (const char* v : {"one", "two", "three"}) {
    ASSERT_EQ(testing::fetch(port, http_request("POST", "/trigger/pressed/with/key/k",
                                                std::string("value1=") + v + "&battery_mv=3100",
                                                "Content-Type: application/x-www-form-urlencoded\r\n"))
                  .status,
              200);
  }
  CommandRun tail = hub_command(dir, {"events", "tail", "-n", "2", "--db", db});
  ASSERT_EQ(tail.code, 0) << tail.err;
  EXPECT_TRUE(std::regex_match(
      tail.out, std::regex("#2 \\S+Z key-\\w+ pressed value1=\"two\" value2=\"\" value3=\"\" "
                           "battery_mv=3100\n#3 .* value1=\"three\" .*\n")))
      << tail.out;

  testing::HubProcess follow(dir.path().string(), {"events", "tail", "-f", "-n", "1", "--db", db},
                             "follow");
  ASSERT_TRUE(testing::eventually([&] { return follow.stdout_text().find("#3 ") != std::string::npos; }));
  ASSERT_EQ(testing::fetch(port, http_request("GET", "/trigger/later/with/key/k?value1=four")).status,
            200);
  ASSERT_TRUE(testing::eventually(
      [&] { return follow.stdout_text().find("#4 ") != std::string::npos; }, 5s));
  EXPECT_NE(follow.stdout_text().find("later value1=\"four\""), std::string::npos);
  follow.signal(SIGINT);
  auto status = follow.wait(5s);
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

TEST(Deploy, TheSampleConfigNamesTheSampleAppletsAndBothLoad) {
  testing::TempDir dir;
  // The sample config as the hub reads it, with a free port: it starts.
  std::ifstream in(BH_HUB_SOURCE_DIR "/deploy/hub.example.toml");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text = std::regex_replace(text, std::regex("listen = \"127.0.0.1:8080\""),
                            "listen = \"127.0.0.1:0\"");
  std::ofstream(dir.file("hub.toml")) << text;
  std::filesystem::copy_file(BH_HUB_SOURCE_DIR "/deploy/applets.example.toml",
                             dir.file("applets.example.toml"));
  testing::HubProcess hub(dir.path().string(), {"serve", "--config", dir.file("hub.toml")});
  ASSERT_NE(hub.wait_for_port(), 0) << hub.stderr_text();
  EXPECT_NE(hub.stderr_text().find("4 applets, 6 actions"), std::string::npos) << hub.stderr_text();
  hub.signal(SIGTERM);
  auto status = hub.wait();
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << hub.stderr_text();
}

TEST(Deploy, TheSystemdUnitPassesSystemdAnalyzeVerify) {
  const std::string analyze = testing::find_program("systemd-analyze");
  if (analyze.empty()) GTEST_SKIP() << "systemd-analyze is not installed";
  testing::TempDir dir;
  // verify wants ExecStart's program to exist: point it at the binary built here.
  std::ifstream in(BH_HUB_SOURCE_DIR "/deploy/buttonhook-hub.service");
  std::string unit((std::istreambuf_iterator<char>(in)), {});
  ASSERT_NE(unit.find("ExecStart=/usr/local/bin/buttonhook-hub serve --config"), std::string::npos);
  unit = std::regex_replace(unit, std::regex("/usr/local/bin/buttonhook-hub"), BH_HUB_BINARY);
  std::ofstream(dir.file("buttonhook-hub.service")) << unit;
  testing::ChildProcess verify({analyze, "verify", dir.file("buttonhook-hub.service")},
                               dir.file("verify.out"), dir.file("verify.err"));
  auto status = verify.wait(30s);
  ASSERT_TRUE(status);
  const std::string err = testing::read_text(dir.file("verify.err"));
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << err;
  // It exits 0 even for lines it ignores; those are mistakes too.
  EXPECT_EQ(err.find("buttonhook-hub.service"), std::string::npos) << err;
}

}  // namespace
}  // namespace hub
