// The real buttonhook-hub binary as a child process: its command line, its
// output lines, its exit codes, and durability across SIGKILL.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "http_client.h"
#include "hub_process.h"
#include "keys.h"
#include "sqlite_store.h"
#include "temp_dir.h"

extern char** environ;

namespace hub {
namespace {

using namespace std::chrono_literals;
using testing::http_request;

// The hub binary with its output in `dir` (testing/hub_process.h).
class Hub : public testing::HubProcess {
 public:
  Hub(const testing::TempDir& dir, std::vector<std::string> args)
      : HubProcess(dir.path().string(), std::move(args)) {}
};

int exit_code(const Hub& hub, std::optional<int> status) {
  EXPECT_TRUE(status.has_value()) << "the hub did not exit; stderr:\n" << hub.stderr_text();
  if (!status) return -1;
  EXPECT_TRUE(WIFEXITED(*status)) << "status " << *status;
  return WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

int run_to_exit(const testing::TempDir& dir, std::vector<std::string> args,
                std::string* err = nullptr, std::string* out = nullptr) {
  return testing::run_hub(dir.path().string(), std::move(args), err, out);
}

std::vector<EventRecord> events_in(const std::string& db, const std::string& key_id) {
  SqliteStore store({db});
  EventQuery q;
  q.key_id = key_id;
  q.limit = 1000;
  return store.list(q);
}

TEST(HubProcess, AnEventAnsweredWith200SurvivesSigkill) {
  testing::TempDir dir;
  const std::string db = dir.file("hub.db");
  Hub hub(dir, {"serve", "--listen", "127.0.0.1:0", "--db", db, "--key", "k1"});
  std::uint16_t port = hub.wait_for_port();
  ASSERT_NE(port, 0) << hub.stderr_text();

  testing::Connection c(port);
  c.send(http_request("POST", "/trigger/button_pressed/with/key/k1", R"({"value1":"micropython1"})",
                      "Content-Type: application/json\r\n"));
  testing::HttpReply reply = c.read_reply();
  hub.signal(SIGKILL);  // no drain, no clean close: only what was committed survives
  ASSERT_EQ(reply.status, 200);
  ASSERT_TRUE(hub.wait().has_value());

  auto events = events_in(db, key_fingerprint("k1"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "button_pressed");
  EXPECT_EQ(events[0].value1, "micropython1");
}

TEST(HubProcess, SigtermDrainsRunsTheLogAppletAndExitsZero) {
  testing::TempDir dir;
  const std::string db = dir.file("hub.db");
  Hub hub(dir, {"serve", "--listen", "127.0.0.1:0", "--db", db, "--key", "k1"});
  std::uint16_t port = hub.wait_for_port();
  ASSERT_NE(port, 0) << hub.stderr_text();
  auto reply = testing::fetch(
      port, http_request("POST", "/trigger/button_pressed/with/key/k1", "value1=micropython1",
                         "Content-Type: application/x-www-form-urlencoded\r\n"));
  ASSERT_EQ(reply.status, 200);
  hub.signal(SIGTERM);
  EXPECT_EQ(exit_code(hub, hub.wait()), 0);

  const std::string out = hub.stdout_text();
  EXPECT_EQ(out.rfind("listening on http://127.0.0.1:" + std::to_string(port) + "\n", 0), 0u)
      << out;
  EXPECT_NE(out.find("The event named \"button_pressed\" occurred on the Maker Webhooks service\n"
                     "What: button_pressed\n"
                     "When: "),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\nButton: micropython1\n"), std::string::npos) << out;
  const std::string err = hub.stderr_text();
  EXPECT_NE(err.find("POST /trigger/button_pressed/with/key/*** 200 "), std::string::npos) << err;
  EXPECT_EQ(err.find("k1"), std::string::npos) << "the key was logged:\n" << err;
  EXPECT_EQ(events_in(db, key_fingerprint("k1")).size(), 1u);
}

TEST(HubProcess, ConfigFileGivesListenDbAndNamedKeys) {
  testing::TempDir dir;
  std::ofstream(dir.file("hub.toml"))
      << "listen = \"127.0.0.1:0\"\n"
         "db = \"events.db\"  # beside this file\n"
         "body_limit = 100\n"
         "keys = [\"plain-key\", { name = \"kitchen\", key = \"named-key\" }]\n";
  Hub hub(dir, {"serve", "--config", dir.file("hub.toml"), "--key", "cli-key"});
  std::uint16_t port = hub.wait_for_port();
  ASSERT_NE(port, 0) << hub.stderr_text();
  for (const char* key : {"plain-key", "named-key", "cli-key"}) {
    EXPECT_EQ(
        testing::fetch(port, http_request("GET", std::string("/trigger/e/with/key/") + key)).status,
        200)
        << key;
  }
  EXPECT_EQ(testing::fetch(
                port, http_request("POST", "/trigger/e/with/key/named-key", std::string(200, 'x')))
                .status,
            413);
  hub.signal(SIGTERM);
  EXPECT_EQ(exit_code(hub, hub.wait()), 0);
  EXPECT_EQ(events_in(dir.file("events.db"), "kitchen").size(), 1u);
}

TEST(HubCli, HelpExitsZero) {
  testing::TempDir dir;
  std::string out;
  EXPECT_EQ(run_to_exit(dir, {"--help"}, nullptr, &out), 0);
  EXPECT_NE(out.find("serve"), std::string::npos) << out;
  EXPECT_EQ(run_to_exit(dir, {"serve", "--help"}, nullptr, &out), 0);
  EXPECT_NE(out.find("--listen"), std::string::npos) << out;
}

TEST(HubCli, BadArgumentsExitTwoWithAMessage) {
  testing::TempDir dir;
  const std::string db = dir.file("hub.db");
  struct Case {
    std::vector<std::string> args;
    const char* says;
  } cases[] = {
      {{}, "subcommand"},
      {{"frobnicate"}, "frobnicate"},
      {{"serve", "--db", db, "--key", "k", "--bogus"}, "--bogus"},
      {{"serve", "--db", db}, "no keys"},
      {{"serve", "--key", "k"}, "no database"},
      {{"serve", "--db", db, "--key", "k", "--listen", "127.0.0.1"}, "HOST:PORT"},
      {{"serve", "--db", db, "--key", "k", "--listen", "127.0.0.1:99999"}, "port"},
      {{"serve", "--db", db, "--key", "k", "--key", "k"}, "twice"},
      {{"serve", "--db", db, "--key", "k", "--body-limit", "-5"}, "body-limit"},
      {{"serve", "--db", db, "--key", "k", "--config", dir.file("missing.toml")}, "missing.toml"},
  };
  for (const auto& c : cases) {
    std::string err;
    EXPECT_EQ(run_to_exit(dir, c.args, &err), 2) << c.says;
    EXPECT_NE(err.find(c.says), std::string::npos) << "expected '" << c.says << "' in:\n" << err;
  }
}

TEST(HubCli, BadConfigFileExitsTwoNamingFileAndLine) {
  testing::TempDir dir;
  std::ofstream(dir.file("hub.toml")) << "db = \"x.db\"\nkeys = [\"k\"]\nbody_limt = 5\n";
  std::string err;
  EXPECT_EQ(run_to_exit(dir, {"serve", "--config", dir.file("hub.toml")}, &err), 2);
  EXPECT_NE(err.find(dir.file("hub.toml") + ":3"), std::string::npos) << err;
  EXPECT_NE(err.find("body_limt"), std::string::npos) << err;
}

TEST(HubCli, UnopenableDatabaseExitsOneNamingThePath) {
  testing::TempDir dir;
  const std::string db = dir.file("no/such/folder/hub.db");
  std::string err;
  EXPECT_EQ(run_to_exit(dir, {"serve", "--listen", "127.0.0.1:0", "--db", db, "--key", "k"}, &err),
            1);
  EXPECT_NE(err.find(db), std::string::npos) << err;
}

TEST(HubCli, BusyPortExitsOne) {
  testing::TempDir dir;
  Hub first(dir, {"serve", "--listen", "127.0.0.1:0", "--db", dir.file("a.db"), "--key", "k"});
  std::uint16_t port = first.wait_for_port();
  ASSERT_NE(port, 0);
  testing::TempDir other;
  std::string err;
  EXPECT_EQ(run_to_exit(other,
                        {"serve", "--listen", "127.0.0.1:" + std::to_string(port), "--db",
                         other.file("b.db"), "--key", "k"},
                        &err),
            1);
  EXPECT_NE(err.find("cannot listen on 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << err;
}

}  // namespace
}  // namespace hub
