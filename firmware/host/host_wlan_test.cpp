#include "host_wlan.h"

#include <gtest/gtest.h>
#include <string.h>

#include "host_test_support.h"

namespace bh::host {
namespace {

using bh::testing::fixed_timing;
using bh::testing::test_ap;

struct HostWlanTest : ::testing::Test {
  HostWlanTest() {
    env.observer = &rec;
    env.timing = fixed_timing();
    env.world.aps.push_back(test_ap("home", "secret-pass"));
  }
  // Polls as the app does (every 50 ms) until the status leaves Connecting
  // or limit_ms passes; returns the final status.
  WlanStatus wait(uint32_t limit_ms = 20000) {
    for (uint32_t t = 0; t < limit_ms && sta.status() == WlanStatus::Connecting; t += 50) {
      env.clock.advance_ms(50);
    }
    return sta.status();
  }
  uint64_t now_ms() const { return env.clock.now_ms(); }

  Env env;
  bh::testing::Recorder rec;
  HostWlan sta{env, HostWlan::Interface::Station};
  HostWlan ap{env, HostWlan::Interface::AccessPoint};
};

TEST_F(HostWlanTest, ConnectGoesThroughScanAssociationAndDhcpInVirtualTime) {
  sta.active(true);
  env.clock.advance_ms(100);
  sta.connect("home", "secret-pass", nullptr);
  EXPECT_EQ(sta.status(), WlanStatus::Connecting);  // returns at once
  EXPECT_FALSE(sta.isconnected());
  env.clock.advance_ms(3349);  // scan 2000 + assoc 150 + dhcp 1200 = 3350
  EXPECT_EQ(sta.status(), WlanStatus::Connecting);
  env.clock.advance_ms(1);
  EXPECT_EQ(sta.status(), WlanStatus::GotIp);
  EXPECT_TRUE(sta.isconnected());

  const IfConfig c = sta.ifconfig();
  EXPECT_EQ(ip_to_string(c.ip), "192.168.0.2");
  EXPECT_EQ(ip_to_string(c.netmask), "255.255.255.0");
  EXPECT_EQ(ip_to_string(c.gateway), "192.168.0.1");
  EXPECT_EQ(ip_to_string(c.dns), "192.168.0.1");

  // The radio's phases, each at its exact instant.
  std::vector<std::pair<uint64_t, RadioState>> phases;
  for (const auto& r : rec.radio) phases.emplace_back(r.t_us / 1000, r.state);
  const std::vector<std::pair<uint64_t, RadioState>> expected = {{100, RadioState::Scanning},
                                                                 {2100, RadioState::Associating},
                                                                 {2250, RadioState::Dhcp},
                                                                 {3450, RadioState::Connected}};
  EXPECT_EQ(phases, expected);

  uint8_t bssid[6];
  uint8_t channel = 0;
  ASSERT_TRUE(sta.bssid(bssid, &channel));
  EXPECT_EQ(bssid[0], 0xa0);
  EXPECT_EQ(channel, 3);
}

TEST_F(HostWlanTest, KnownBssidAndChannelSkipTheFullScan) {
  sta.active(true);
  ConnectHint hint;
  hint.has_bssid = true;
  memcpy(hint.bssid, env.world.aps[0].bssid.data(), 6);
  hint.channel = 3;
  sta.connect("home", "secret-pass", &hint);
  EXPECT_EQ(wait(), WlanStatus::GotIp);
  EXPECT_EQ(now_ms(), 1500u);  // one channel 150 + assoc 150 + dhcp 1200
}

TEST_F(HostWlanTest, StaticIpSkipsDhcpToo) {
  sta.active(true);
  ConnectHint hint;
  hint.has_bssid = true;
  memcpy(hint.bssid, env.world.aps[0].bssid.data(), 6);
  hint.channel = 3;
  hint.has_static_ip = true;
  hint.static_ip.ip = Ip4{{192, 168, 0, 77}};
  sta.connect("home", "secret-pass", &hint);
  env.clock.advance_ms(300);
  EXPECT_EQ(sta.status(), WlanStatus::GotIp);
  EXPECT_EQ(ip_to_string(sta.ifconfig().ip), "192.168.0.77");
}

TEST_F(HostWlanTest, WrongPasswordIsReportedAfterTheHandshakeTimesOut) {
  sta.active(true);
  sta.connect("home", "not-the-password", nullptr);
  env.clock.advance_ms(5149);  // 2000 + 150 + 3000 = 5150
  EXPECT_EQ(sta.status(), WlanStatus::Connecting);
  env.clock.advance_ms(1);
  EXPECT_EQ(sta.status(), WlanStatus::WrongPassword);
  EXPECT_FALSE(sta.isconnected());
  EXPECT_TRUE(sta.ifconfig().ip.is_zero());
}

TEST_F(HostWlanTest, NoAccessPointWithTheSsidEndsTheScanWithNoApFound) {
  sta.active(true);
  sta.connect("elsewhere", "secret-pass", nullptr);
  env.clock.advance_ms(1999);
  EXPECT_EQ(sta.status(), WlanStatus::Connecting);
  env.clock.advance_ms(1);
  EXPECT_EQ(sta.status(), WlanStatus::NoApFound);
}

TEST_F(HostWlanTest, AccessPointThatIsDownIsNotFound) {
  env.world.aps[0].down.push_back(TimeWindow{});  // down for good
  sta.active(true);
  sta.connect("home", "secret-pass", nullptr);
  EXPECT_EQ(wait(), WlanStatus::NoApFound);
  EXPECT_EQ(now_ms(), 2000u);
}

TEST_F(HostWlanTest, AccessPointDownForAWhileIsFoundAfterwards) {
  env.world.aps[0].down.push_back(TimeWindow{0, 10000});
  sta.active(true);
  sta.connect("home", "secret-pass", nullptr);
  EXPECT_EQ(wait(), WlanStatus::NoApFound);
  env.clock.advance_ms(10000);
  sta.connect("home", "secret-pass", nullptr);
  EXPECT_EQ(wait(), WlanStatus::GotIp);
}

TEST_F(HostWlanTest, AccessPointGoingDownDropsTheLink) {
  env.world.aps[0].down.push_back(TimeWindow{5000, UINT64_MAX});
  sta.active(true);
  sta.connect("home", "secret-pass", nullptr);
  EXPECT_EQ(wait(), WlanStatus::GotIp);
  env.clock.advance_ms(5000);
  EXPECT_FALSE(sta.isconnected());
  EXPECT_EQ(sta.status(), WlanStatus::Connecting);
  EXPECT_TRUE(sta.ifconfig().ip.is_zero());
}

TEST_F(HostWlanTest, EmptyKeyForASecuredNetworkFailsToConnect) {
  sta.active(true);
  sta.connect("home", "", nullptr);
  EXPECT_EQ(wait(), WlanStatus::ConnectFail);
}

TEST_F(HostWlanTest, OpenNetworkTakesAnyKey) {
  env.world.aps[0].auth = AuthMode::Open;
  sta.active(true);
  sta.connect("home", "whatever", nullptr);
  EXPECT_EQ(wait(), WlanStatus::GotIp);
}

TEST_F(HostWlanTest, SilentDhcpServerLeavesTheStationConnecting) {
  env.world.aps[0].dhcp = false;
  sta.active(true);
  sta.connect("home", "secret-pass", nullptr);
  EXPECT_EQ(wait(30000), WlanStatus::Connecting);
}

TEST_F(HostWlanTest, StrongestAccessPointWithTheSsidWins) {
  AccessPoint far = test_ap("home", "secret-pass");
  far.bssid = {0x02, 0, 0, 0, 0, 0x09};
  far.rssi = -40;
  far.channel = 11;
  env.world.aps.push_back(far);
  sta.active(true);
  sta.connect("home", "secret-pass", nullptr);
  ASSERT_EQ(wait(), WlanStatus::GotIp);
  uint8_t bssid[6];
  uint8_t channel = 0;
  ASSERT_TRUE(sta.bssid(bssid, &channel));
  EXPECT_EQ(channel, 11);
}

TEST_F(HostWlanTest, InactiveStationDoesNotConnect) {
  sta.connect("home", "secret-pass", nullptr);
  EXPECT_EQ(wait(), WlanStatus::Idle);
  EXPECT_EQ(sta.connect_attempts(), 0);
}

TEST_F(HostWlanTest, DisconnectStopsAConnectionHalfWay) {
  sta.active(true);
  sta.connect("home", "secret-pass", nullptr);
  env.clock.advance_ms(1000);
  sta.disconnect();
  env.clock.advance_ms(10000);
  EXPECT_EQ(sta.status(), WlanStatus::Idle);
}

TEST_F(HostWlanTest, ScanReturnsMicroPythonTuplesAndTakesAFullSweep) {
  AccessPoint hidden = test_ap("secret-net", "x12345678");
  hidden.hidden = true;
  hidden.bssid = {0x70, 0x50, 0xaf, 0xc9, 0x90, 0xd2};
  hidden.channel = 11;
  hidden.rssi = -81;
  hidden.auth = AuthMode::WpaWpa2Psk;
  AccessPoint down = test_ap("down-net");
  down.down.push_back(TimeWindow{});
  env.world.aps.push_back(hidden);
  env.world.aps.push_back(down);

  ScanEntry out[8];
  EXPECT_EQ(sta.scan(out, 8), 0u);  // inactive
  sta.active(true);
  const uint64_t before = now_ms();
  ASSERT_EQ(sta.scan(out, 8), 2u);
  EXPECT_EQ(now_ms() - before, 2000u);
  // (b'home', b'\xa0@\xa0\x91}\xac', 3, -72, 3, 0)
  EXPECT_STREQ(out[0].ssid.c_str(), "home");
  const uint8_t bssid0[6] = {0xa0, 0x40, 0xa0, 0x91, 0x7d, 0xac};
  EXPECT_EQ(memcmp(out[0].bssid, bssid0, 6), 0);
  EXPECT_EQ(out[0].channel, 3);
  EXPECT_EQ(out[0].rssi, -72);
  EXPECT_EQ(static_cast<int>(out[0].auth), 3);
  EXPECT_FALSE(out[0].hidden);
  // A hidden network: no name, hidden = 1.
  EXPECT_STREQ(out[1].ssid.c_str(), "");
  EXPECT_EQ(out[1].channel, 11);
  EXPECT_EQ(out[1].rssi, -81);
  EXPECT_EQ(static_cast<int>(out[1].auth), 4);
  EXPECT_TRUE(out[1].hidden);
  EXPECT_EQ(sta.scan(out, 1), 1u);  // at most max
}

TEST_F(HostWlanTest, SoftApIsOnByDefaultWithTheTutorialsAddresses) {
  EXPECT_TRUE(ap.active());
  const IfConfig c = ap.ifconfig();
  EXPECT_EQ(ip_to_string(c.ip), "192.168.4.1");
  EXPECT_EQ(ip_to_string(c.netmask), "255.255.255.0");
  EXPECT_EQ(ip_to_string(c.gateway), "192.168.4.1");
  EXPECT_EQ(ip_to_string(c.dns), "208.67.222.222");
  EXPECT_EQ(ap.essid(), "ESP_C0FFEE");
  ap.active(false);
  EXPECT_TRUE(ap.ifconfig().ip.is_zero());
}

TEST_F(HostWlanTest, ActiveFlagsPersistAcrossResetsLikeTheSdkOpmode) {
  ap.active(false);
  sta.active(true);
  sta.connect("home", "secret-pass", nullptr);
  ASSERT_EQ(wait(), WlanStatus::GotIp);
  ap.reset();
  sta.reset();
  EXPECT_FALSE(ap.active());
  EXPECT_TRUE(sta.active());
  EXPECT_FALSE(sta.isconnected());  // the link does not survive a reset
}

TEST_F(HostWlanTest, SoftApConfigChecksTheWpa2Rules) {
  EXPECT_EQ(ap.config("my button", "password1"), Err::Ok);
  EXPECT_EQ(ap.essid(), "my button");
  EXPECT_EQ(ap.config("my button", "short"), Err::Invalid);
  EXPECT_EQ(ap.config("", "password1"), Err::Invalid);
  EXPECT_EQ(ap.config("open one", ""), Err::Ok);
  EXPECT_EQ(sta.config("ignored", "x"), Err::Ok);
}

// ---- world-wide faults (World::faults) ----

TEST_F(HostWlanTest, ApDownFaultTakesEveryAccessPointOffTheAirDuringItsWindow) {
  env.world.aps.push_back(test_ap("home", "secret-pass"));  // a second AP, same network
  env.world.faults.push_back(Fault{FaultKind::ApDown, TimeWindow{0, 30000}});
  sta.active(true);
  sta.connect("home", "secret-pass", nullptr);
  EXPECT_EQ(wait(), WlanStatus::NoApFound);
  ScanEntry seen[4];
  EXPECT_EQ(sta.scan(seen, 4), 0u);
  env.clock.advance_ms(30000);
  sta.connect("home", "secret-pass", nullptr);
  EXPECT_EQ(wait(), WlanStatus::GotIp);
}

TEST_F(HostWlanTest, ApDownFaultStartingWhileAssociatedDropsTheLink) {
  env.world.faults.push_back(Fault{FaultKind::ApDown, TimeWindow{10000, 20000}});
  sta.active(true);
  sta.connect("home", "secret-pass", nullptr);
  EXPECT_EQ(wait(), WlanStatus::GotIp);
  env.clock.advance_ms(10000 - now_ms());
  EXPECT_EQ(sta.status(), WlanStatus::Connecting);
  EXPECT_FALSE(sta.isconnected());
}

TEST_F(HostWlanTest, WrongPasswordFaultRefusesTheRightKeyDuringItsWindow) {
  env.world.faults.push_back(Fault{FaultKind::WrongPassword, TimeWindow{0, 60000}});
  sta.active(true);
  sta.connect("home", "secret-pass", nullptr);
  EXPECT_EQ(wait(), WlanStatus::WrongPassword);
  // scan 2000 + association 150 + handshake timeouts 3000 (fixed timing)
  EXPECT_EQ(now_ms(), 5150u);
  env.clock.advance_ms(60000 - now_ms());
  sta.connect("home", "secret-pass", nullptr);
  EXPECT_EQ(wait(), WlanStatus::GotIp);
}

TEST(FaultNames, RoundTripAndTheShortResetName) {
  for (int i = 0; i <= int(kLastFaultKind); ++i) {
    const auto k = FaultKind(i);
    EXPECT_EQ(parse_fault_kind(fault_name(k)), k) << fault_name(k);
  }
  EXPECT_EQ(parse_fault_kind("reset"), FaultKind::ResetMidRequest);
  EXPECT_EQ(parse_fault_kind("hub-500"), std::nullopt);
}

}  // namespace
}  // namespace bh::host
