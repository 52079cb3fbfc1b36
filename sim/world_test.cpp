#include "world.h"

#include <gtest/gtest.h>

#include "errors.h"
#include "models.h"

namespace bh::sim {
namespace {

std::string error_of(const std::string& text) {
  try {
    load_world(text, "world.toml");
  } catch (const SimError& e) {
    return e.what();
  }
  return "";
}

TEST(WorldFile, TheExampleLoads) {
  const std::string path = std::string(BH_SIM_EXAMPLES) + "/world.toml";
  const host::World w = load_world(read_text_file(path), path);
  ASSERT_GE(w.aps.size(), 3u);
  const host::AccessPoint& home = w.aps[0];
  EXPECT_EQ(home.ssid, "buttonhook-demo");
  EXPECT_EQ(home.password, "correct horse battery");
  EXPECT_EQ(home.auth, AuthMode::Wpa2Psk);
  EXPECT_EQ(home.channel, 6);
  EXPECT_EQ(home.rssi, -58);
  EXPECT_EQ(home.bssid[0], 0xa0);
  EXPECT_EQ(host::ip_to_string(home.subnet), "192.168.0.0");
  EXPECT_TRUE(home.up_at(0));
  EXPECT_EQ(w.battery_mv, 3000);
  ASSERT_EQ(w.dns.count("maker.ifttt.com"), 1u);
  EXPECT_EQ(w.dns.at("maker.ifttt.com").port, 8080);
}

TEST(WorldFile, AccessPointFieldsAndFaults) {
  const host::World w = load_world(R"(
[board]
battery_mv = 2900
gpio16_rst = true
chip_id = 0x123456
press_sense_pin = 12
press_hold_ms = 300

[[ap]]
ssid = "cafe"
auth = "open"
bssid = "a0:40:a0:91:7d:ac"
channel = 11
rssi = -80
hidden = true
subnet = "10.0.7.0/24"
dhcp = false
down = [[10, 20], [30.5, 31]]

[[ap]]
ssid = "gone"
password = "12345678"
down = true

[dns]
"Maker.IFTTT.com" = "127.0.0.1:9000"
"lan.host" = "192.168.0.10"

[[route]]
from = "192.168.0.10:80"
to = "127.0.0.1:9001"
)",
                                   "w.toml");
  EXPECT_EQ(w.battery_mv, 2900);
  EXPECT_TRUE(w.gpio16_rst);
  EXPECT_EQ(w.press_sense_pin, std::optional<uint8_t>(12));
  EXPECT_EQ(w.press_hold_ms, 300u);
  EXPECT_EQ(w.chip_id, 0x123456u);
  ASSERT_EQ(w.aps.size(), 2u);
  const host::AccessPoint& cafe = w.aps[0];
  EXPECT_EQ(cafe.auth, AuthMode::Open);
  EXPECT_TRUE(cafe.hidden);
  EXPECT_FALSE(cafe.dhcp);
  EXPECT_EQ(cafe.channel, 11);
  EXPECT_EQ(host::ip_to_string(cafe.subnet), "10.0.7.0");
  EXPECT_TRUE(cafe.up_at(9999));
  EXPECT_FALSE(cafe.up_at(10000));
  EXPECT_TRUE(cafe.up_at(20000));
  EXPECT_FALSE(cafe.up_at(30700));
  EXPECT_FALSE(w.aps[1].up_at(0));
  EXPECT_FALSE(w.aps[1].up_at(UINT64_MAX - 1));
  EXPECT_EQ(w.aps[1].auth, AuthMode::Wpa2Psk);  // a password means WPA2
  EXPECT_EQ(w.dns.at("maker.ifttt.com").port, 9000);
  EXPECT_EQ(w.dns.at("lan.host").port, 0);
  EXPECT_EQ(w.routes.size(), 1u);
}

TEST(WorldFile, MistakesNameTheLine) {
  EXPECT_EQ(error_of("[[ap]]\nssid = \"x\"\npasword = \"12345678\"\n").rfind("world.toml:3:", 0),
            0u)
      << error_of("[[ap]]\nssid = \"x\"\npasword = \"12345678\"\n");
  EXPECT_NE(
      error_of("[[ap]]\nssid = \"x\"\npasword = \"12345678\"\n").find("unknown key 'pasword'"),
      std::string::npos);
  EXPECT_EQ(error_of("[[ap]]\nssid = \"x\"\nauth = \"wpa3\"\n").rfind("world.toml:3:", 0), 0u);
  EXPECT_EQ(error_of("\n[[ap]]\nssid = \"x\"\nchannel = 15\n").rfind("world.toml:4:", 0), 0u);
  EXPECT_EQ(error_of("[[ap]]\nssid = \"x\"\nbssid = \"a0:40\"\n").rfind("world.toml:3:", 0), 0u);
  EXPECT_EQ(error_of("[dns]\n\"a.b\" = \"localhost\"\n").rfind("world.toml:2:", 0), 0u);
  EXPECT_EQ(error_of("[[ap]]\nssid = 'x'\npassword = 'short'\n").rfind("world.toml:1:", 0), 0u);
  // Malformed TOML: the parser's line.
  const std::string broken = error_of("[[ap]]\nssid = \"x\n");
  EXPECT_EQ(broken.rfind("world.toml:2:", 0), 0u) << broken;
  EXPECT_NE(error_of("[wifi]\n").find("unknown key 'wifi'"), std::string::npos);
}

TEST(WorldFile, DefaultWorldHasTheConfigsNetwork) {
  Config cfg;
  cfg.wifi_ssid.assign("home");
  cfg.wifi_password.assign("secret-pass");
  host::World w = default_world(&cfg);
  ASSERT_EQ(w.aps.size(), 1u);
  EXPECT_EQ(w.aps[0].ssid, "home");
  EXPECT_EQ(w.aps[0].password, "secret-pass");
  EXPECT_EQ(w.aps[0].auth, AuthMode::Wpa2Psk);
  EXPECT_EQ(w.aps[0].bssid, bssid_for("home"));
  cfg.wifi_password.clear();
  EXPECT_EQ(default_world(&cfg).aps[0].auth, AuthMode::Open);
  EXPECT_TRUE(default_world(nullptr).aps.empty());
}

TEST(WorldFile, DnsOptionAddsNames) {
  host::World w;
  add_dns(w, "Maker.ifttt.com=127.0.0.1:8080");
  add_dns(w, "lan=192.168.0.10");
  EXPECT_EQ(w.dns.at("maker.ifttt.com").port, 8080);
  EXPECT_EQ(host::ip_to_string(w.dns.at("lan").ip), "192.168.0.10");
  EXPECT_THROW(add_dns(w, "nohost"), SimError);
  EXPECT_THROW(add_dns(w, "x=127.0.0.1:0"), SimError);
  EXPECT_THROW(add_dns(w, "x=localhost"), SimError);
}

TEST(WorldFile, FaultsInVirtualTime) {
  const host::World w = load_world(R"(
[[fault]]
kind = "hub-5xx"
at = 30
until = 90
status = 503

[[fault]]
kind = "ap-down"
at = 10.5
for = 2

[[fault]]
kind = "reset"

[[fault]]
kind = "hub-502"
)",
                                   "w.toml");
  ASSERT_EQ(w.faults.size(), 4u);
  EXPECT_EQ(w.faults[0].kind, host::FaultKind::Http5xx);
  EXPECT_EQ(w.faults[0].status, 503);
  EXPECT_EQ(w.faults[0].window.from_ms, 30000u);
  EXPECT_EQ(w.faults[0].window.to_ms, 90000u);
  EXPECT_EQ(w.faults[1].kind, host::FaultKind::ApDown);
  EXPECT_EQ(w.faults[1].window.from_ms, 10500u);
  EXPECT_EQ(w.faults[1].window.to_ms, 12500u);
  EXPECT_EQ(w.faults[2].kind, host::FaultKind::ResetMidRequest);
  EXPECT_EQ(w.faults[2].window.from_ms, 0u);
  EXPECT_EQ(w.faults[2].window.to_ms, UINT64_MAX);
  EXPECT_EQ(w.faults[3].status, 502);
  EXPECT_NE(w.fault_at(host::FaultKind::ApDown, 11000), nullptr);
  EXPECT_EQ(w.fault_at(host::FaultKind::ApDown, 12500), nullptr);
  EXPECT_EQ(w.proxy_fault_at(40000), &w.faults[0]);  // the first one listed wins
}

TEST(WorldFile, FaultMistakesNameTheLine) {
  const std::string unknown = error_of("[[fault]]\nkind = \"hub-exploded\"\n");
  EXPECT_EQ(unknown.rfind("world.toml:2:", 0), 0u) << unknown;
  EXPECT_NE(unknown.find("hub-slow"), std::string::npos) << "lists the kinds: " << unknown;
  EXPECT_EQ(error_of("[[fault]]\nat = 3\n").rfind("world.toml:1:", 0), 0u);
  EXPECT_EQ(
      error_of("[[fault]]\nkind = \"ap-down\"\nat = 5\nuntil = 4\n").rfind("world.toml:4:", 0), 0u);
  EXPECT_EQ(
      error_of("[[fault]]\nkind = \"ap-down\"\nuntil = 5\nfor = 4\n").rfind("world.toml:4:", 0),
      0u);
  EXPECT_EQ(error_of("[[fault]]\nkind = \"ap-down\"\nstatus = 503\n").rfind("world.toml:3:", 0),
            0u);
  EXPECT_EQ(error_of("[[fault]]\nkind = \"hub-5xx\"\nstatus = 404\n").rfind("world.toml:3:", 0),
            0u);
  EXPECT_EQ(error_of("[[fault]]\nkind = \"ap-down\"\nat = -1\n").rfind("world.toml:3:", 0), 0u);
  EXPECT_NE(error_of("[[fault]]\nkind = \"ap-down\"\nwhen = 1\n").find("unknown key 'when'"),
            std::string::npos);
}

}  // namespace
}  // namespace bh::sim
