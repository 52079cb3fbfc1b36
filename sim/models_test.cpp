#include "models.h"

#include <gtest/gtest.h>

#include "errors.h"

namespace bh::sim {
namespace {

TEST(TimingModel, BuiltInFiguresReproduceThePublishedConnectTimes) {
  const host::RadioTiming t = default_timing();
  // Cold: full scan + association + DHCP, 3.9 .. 6.5 s.
  EXPECT_DOUBLE_EQ(t.scan_full.min_ms + t.assoc.min_ms + t.dhcp.min_ms, 3900);
  EXPECT_DOUBLE_EQ(t.scan_full.max_ms + t.assoc.max_ms + t.dhcp.max_ms, 6500);
  // Cached BSSID and channel: 1.2 .. 1.5 s.
  EXPECT_DOUBLE_EQ(t.scan_channel.min_ms + t.assoc.min_ms + t.dhcp.min_ms, 1200);
  EXPECT_DOUBLE_EQ(t.scan_channel.max_ms + t.assoc.max_ms + t.dhcp.max_ms, 1500);
  // Plus a static IP: 0.12 .. 0.17 s.
  EXPECT_DOUBLE_EQ(t.scan_channel.min_ms + t.assoc.min_ms, 120);
  EXPECT_DOUBLE_EQ(t.scan_channel.max_ms + t.assoc.max_ms, 170);
  // Boot to main: 0.1 .. 0.3 s.
  EXPECT_DOUBLE_EQ(t.boot.min_ms, 100);
  EXPECT_DOUBLE_EQ(t.boot.max_ms, 300);
  // BearSSL at 80 MHz: full handshake 2.04 s, resumed 0.39 s (esp8266/Arduino PR #5160).
  EXPECT_DOUBLE_EQ(t.tls_full.min_ms, 2040);
  EXPECT_DOUBLE_EQ(t.tls_full.max_ms, 2040);
  EXPECT_DOUBLE_EQ(t.tls_resumed.min_ms, 390);
  EXPECT_DOUBLE_EQ(t.tls_resumed.max_ms, 390);
}

TEST(TimingModel, DrawsAreRepeatableForASeedAndStayInTheirRange) {
  const host::RadioTiming t = default_timing();
  host::Env a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.sample_us(t.scan_full);
    EXPECT_EQ(x, b.sample_us(t.scan_full));
    differs |= x != c.sample_us(t.scan_full);
    EXPECT_GE(x, uint64_t(t.scan_full.min_ms * 1000));
    EXPECT_LE(x, uint64_t(t.scan_full.max_ms * 1000));
  }
  EXPECT_TRUE(differs);
}

TEST(TimingModel, EveryPhaseNeedsASource) {
  std::string text(builtin_timing_toml());
  const auto at = text.find("source", text.find("[dhcp]"));
  text.replace(at, 6, "origin");
  try {
    load_timing(text, "timing.toml");
    FAIL() << "accepted a phase without a source";
  } catch (const SimError& e) {
    EXPECT_NE(std::string(e.what()).find("[dhcp] has no source"), std::string::npos) << e.what();
  }
}

TEST(TimingModel, MalformedFileNamesTheLine) {
  try {
    load_timing("[boot]\nms = [100, \n", "timing.toml");
    FAIL();
  } catch (const SimError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("timing.toml:", 0), 0u) << e.what();
  }
  try {
    load_timing(std::string(builtin_timing_toml()) + "\n[scan_fast]\nms = [1, 2]\n", "t.toml");
    FAIL();
  } catch (const SimError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown table or key 'scan_fast'"), std::string::npos)
        << e.what();
  }
}

TEST(PowerModel, BuiltInFiguresAreTheDatasheets) {
  const PowerModel p = default_power();
  EXPECT_EQ(p.tx_mode, "b");
  EXPECT_DOUBLE_EQ(p.current_ma(PowerState::Tx), 170.0);
  EXPECT_DOUBLE_EQ(p.current_ma(PowerState::Rx), 50.0);
  EXPECT_DOUBLE_EQ(p.current_ma(PowerState::IdleAwake), 15.0);
  EXPECT_DOUBLE_EQ(p.current_ma(PowerState::DeepSleep), 0.020);
  EXPECT_DOUBLE_EQ(p.current_ma(PowerState::Off), 0.0);
  // A phase mixes transmit and receive.
  EXPECT_DOUBLE_EQ(p.current_ma(PowerState::Associating), 50.0 * 0.9 + 170.0 * 0.1);
  // A TLS handshake: the CPU with the radio idle, 10 % receiving.
  EXPECT_DOUBLE_EQ(p.current_ma(PowerState::TlsHandshake), 50.0 * 0.1 + 15.0 * 0.9);
}

TEST(PowerModel, TxModeSelectsTheStandardsFigures) {
  std::string text(builtin_power_toml());
  text.replace(text.find("mode = \"b\""), 10, "mode = \"n\"");
  const PowerModel p = load_power(text, "power.toml");
  EXPECT_DOUBLE_EQ(p.tx_ma, 120.0);
  EXPECT_DOUBLE_EQ(p.rx_ma, 56.0);
}

}  // namespace
}  // namespace bh::sim
