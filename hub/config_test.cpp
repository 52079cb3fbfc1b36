#include "config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "temp_dir.h"

namespace hub {
namespace {

std::string write(const testing::TempDir& dir, const std::string& text) {
  std::string path = dir.file("hub.toml");
  std::ofstream(path) << text;
  return path;
}

TEST(ConfigFile, ReadsEverySetting) {
  testing::TempDir dir;
  HubConfig c;
  c.keys.push_back({"", "from-cli"});
  load_config_file(write(dir, R"(
listen = "0.0.0.0:9000"
db = "data/hub.db"
body_limit = 1000
read_timeout_ms = 2000
drain_timeout_ms = 300
io_threads = 3
keys = ["a", { name = "kitchen", key = "b" }]
)"),
                   c);
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.db, (dir.path() / "data/hub.db").string());
  EXPECT_EQ(c.body_limit, 1000u);
  EXPECT_EQ(c.read_timeout.count(), 2000);
  EXPECT_EQ(c.drain_timeout.count(), 300);
  EXPECT_EQ(c.io_threads, 3u);
  ASSERT_EQ(c.keys.size(), 3u);
  EXPECT_EQ(c.keys[1].secret, "a");
  EXPECT_EQ(c.keys[1].id, "");
  EXPECT_EQ(c.keys[2].id, "kitchen");
  EXPECT_EQ(c.keys[2].secret, "b");
}

TEST(ConfigFile, TheExampleFileIsValid) {
  HubConfig c;
  load_config_file(BH_HUB_SOURCE_DIR "/deploy/hub.example.toml", c);
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.db, BH_HUB_SOURCE_DIR "/deploy/hub.db");
  EXPECT_EQ(c.keys.size(), 2u);
  EXPECT_NO_THROW(check_keys(c.keys));
  EXPECT_NO_THROW(parse_listen(c.listen));
}

TEST(ConfigFile, ArrayOfTablesForKeys) {
  testing::TempDir dir;
  HubConfig c;
  load_config_file(write(dir, "[[keys]]\nname = \"one\"\nkey = \"k1\"\n[[keys]]\nkey = \"k2\"\n"),
                   c);
  ASSERT_EQ(c.keys.size(), 2u);
  EXPECT_EQ(c.keys[0].id, "one");
  EXPECT_EQ(c.keys[1].secret, "k2");
}

TEST(ConfigFile, AbsoluteDbPathIsKept) {
  testing::TempDir dir;
  HubConfig c;
  load_config_file(write(dir, "db = \"/var/lib/hub.db\"\n"), c);
  EXPECT_EQ(c.db, "/var/lib/hub.db");
}

TEST(ConfigFile, ErrorsNameFileAndLine) {
  testing::TempDir dir;
  struct Case {
    const char* text;
    const char* says;
  } cases[] = {
      {"listen = 8080\n", ":1: listen must be a string"},
      {"\nbody_limit = -1\n", ":2: body_limit must be a positive integer"},
      {"bodylimit = 5\n", ":1: unknown setting bodylimit"},
      {"keys = \"k\"\n", "keys must be an array"},
      {"keys = [1]\n", "keys holds strings or tables"},
      {"keys = [{ name = \"n\" }]\n", "has no key"},
      {"keys = [{ key = \"k\", secret = 1 }]\n", "unknown setting keys.secret"},
      {"listen = \n", ":1:"},
  };
  for (const auto& c : cases) {
    HubConfig config;
    std::string path = write(dir, c.text);
    try {
      load_config_file(path, config);
      ADD_FAILURE() << "accepted: " << c.text;
    } catch (const ConfigError& e) {
      std::string what = e.what();
      EXPECT_EQ(what.rfind(path, 0), 0u) << what;
      EXPECT_NE(what.find(c.says), std::string::npos) << what;
    }
  }
}

TEST(ConfigFile, MissingFileIsAnError) {
  HubConfig c;
  EXPECT_THROW(load_config_file("/nonexistent/hub.toml", c), ConfigError);
}

TEST(CheckKeys, RefusesEmptyAndRepeatedKeysAndNames) {
  EXPECT_NO_THROW(check_keys({{"", "a"}, {"n", "b"}}));
  EXPECT_THROW(check_keys({{"", ""}}), ConfigError);
  EXPECT_THROW(check_keys({{"", "a"}, {"", "a"}}), ConfigError);
  EXPECT_THROW(check_keys({{"n", "a"}, {"n", "b"}}), ConfigError);
}

TEST(ParseListen, HostAndPort) {
  ListenAddress a = parse_listen("127.0.0.1:8080");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 8080);
  a = parse_listen("[::1]:0");
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.port, 0);
  a = parse_listen(":80");
  EXPECT_EQ(a.host, "0.0.0.0");
  for (const char* bad :
       {"127.0.0.1", "127.0.0.1:", "127.0.0.1:x", "127.0.0.1:65536", "::1:80", "a:-1"}) {
    EXPECT_THROW(parse_listen(bad), ConfigError) << bad;
  }
}

}  // namespace
}  // namespace hub
