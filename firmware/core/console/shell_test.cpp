// The console's shell on an in-memory board: line editing as both clients
// use it (keystrokes in text frames, the board echoes) and every command.
#include <gtest/gtest.h>

#include "remote_board.h"

namespace bh {
namespace {

using namespace bh::testing;  // NOLINT: test helpers

class ShellTest : public ::testing::Test {
 protected:
  void SetUp() override {
    board.sta.scan_result = {"home", "NETGEAR99"};
    listener = &board.boot_console();
    ASSERT_EQ(board.console_boot, BootOutcome::StayAwake);
  }
  // Types keys one frame each, as webrepl.html does; returns what the
  // terminal shows after the login.
  std::string type(const std::string& keys) {
    FakeStream& c = listener->incoming();
    c.data(upgrade_request("foo")).data(ws_text("secret\r"));
    for (char k : keys) c.data(ws_text(std::string(1, k)));
    c.data(ws_frame(8, "")).then_hang();  // the client leaves: the next may come
    board.loop(4);
    const std::string all = ServerReply(c.written).text();
    const std::string login = "WebREPL connected\r\n>>> ";
    const size_t at = all.find(login);
    return at == std::string::npos ? all : all.substr(at + login.size());
  }
  bool has(const std::string& out, const std::string& what) {
    return out.find(what) != std::string::npos;
  }

  RemoteBoard board;
  FakeListener* listener = nullptr;
};

TEST_F(ShellTest, KeysAreEchoedAndEnterRunsTheLine) {
  const std::string out = type("help\r");
  EXPECT_EQ(out.substr(0, 6), "help\r\n");
  EXPECT_TRUE(has(out, "webrepl_setup")) << out;
  EXPECT_EQ(out.substr(out.size() - 4), ">>> ");
}

TEST_F(ShellTest, BackspaceErasesOnTheTerminalAndInTheLine) {
  const std::string out = type("hex\x7flp\r");
  EXPECT_TRUE(has(out, "hex\b \blp\r\n")) << out;
  EXPECT_TRUE(has(out, "webrepl_setup")) << "ran 'help'";
}

TEST_F(ShellTest, CtrlCDropsTheLineAndUpArrowRecallsTheLastOne) {
  const std::string out = type("nonsense\x03help\r\x1b[A\r");
  EXPECT_TRUE(has(out, "nonsense^C\r\n>>> ")) << out;
  EXPECT_FALSE(has(out, "unknown command"));
  const size_t first = out.find("webrepl_setup");
  EXPECT_NE(out.find("webrepl_setup", first + 1), std::string::npos) << "help ran twice";
}

TEST_F(ShellTest, ALoneLineFeedIsEnterButCrLfIsOne) {
  const std::string out = type("help\nhelp\r\n");
  size_t helps = 0;
  for (size_t at = out.find("webrepl_setup"); at != std::string::npos;
       at = out.find("webrepl_setup", at + 1)) {
    ++helps;
  }
  EXPECT_EQ(helps, 2u) << out;
  EXPECT_EQ(out.find(">>> \r\n>>> "), std::string::npos) << "no empty line from \\r\\n";
}

TEST_F(ShellTest, OtherEscapeSequencesAreSwallowed) {
  const std::string out = type("he\x1b[D\x1b[3~lp\r");
  EXPECT_TRUE(has(out, "webrepl_setup")) << out;
}

TEST_F(ShellTest, UnknownCommandSaysSo) {
  EXPECT_TRUE(has(type("frobnicate\r"), "unknown command; try help"));
}

TEST_F(ShellTest, StatusShowsResetCauseUptimeWifiQueueAndBattery) {
  board.machine.now = 42000;
  const std::string out = type("status\r");
  EXPECT_TRUE(has(out, "reset cause 0 (power-on), up 42 s")) << out;
  EXPECT_TRUE(has(out, "battery 3000 mV"));
  EXPECT_TRUE(has(out, "wifi connecting 'home'") || has(out, "wifi connected 'home'"));
  EXPECT_TRUE(has(out, "'home'"));
  EXPECT_TRUE(has(out, "queue 0 waiting"));
}

TEST_F(ShellTest, ScanListsNetworks) {
  const std::string out = type("scan\r");
  EXPECT_TRUE(has(out, "NETGEAR99")) << out;
  EXPECT_TRUE(has(out, "-60 dBm wpa2"));
}

TEST_F(ShellTest, IfconfigShowsBothInterfacesAsTuples) {
  board.machine.now += 5000;  // the station has joined by now
  const std::string out = type("ifconfig\r");
  EXPECT_TRUE(has(out, "sta ('192.168.0.45', '255.255.255.0', '192.168.0.1', '192.168.0.1')"))
      << out;
  EXPECT_TRUE(has(out, "ap  ('0.0.0.0'")) << "off in button mode";
}

TEST_F(ShellTest, ConfigShowMasksTheSecrets) {
  const std::string out = type("config show\r");
  EXPECT_TRUE(has(out, "WIFI_PASSWORD = '********'")) << out;
  EXPECT_TRUE(has(out, "/with/key/****'"));
  EXPECT_FALSE(has(out, "wifi-secret-1"));
  EXPECT_FALSE(has(out, "k3y"));
}

TEST_F(ShellTest, ConfigSetChangesOneSettingAndKeepsTheRest) {
  const std::string out = type("config set BUTTON_ID kitchen door\r");
  EXPECT_TRUE(has(out, "saved")) << out;
  const std::string& cfg = board.files.files["/config.py"];
  EXPECT_TRUE(has(cfg, "BUTTON_ID = 'kitchen door'\n")) << cfg;
  EXPECT_TRUE(has(cfg, "WIFI_SSID = 'home'\n"));
  EXPECT_EQ(board.app->config().button_id.c_str(), std::string("kitchen door"));
}

TEST_F(ShellTest, ConfigSetAddsANumber) {
  EXPECT_TRUE(has(type("config set WIFI_TIMEOUT 30\r"), "saved"));
  EXPECT_TRUE(has(board.files.files["/config.py"], "\nWIFI_TIMEOUT = 30\n"));
  EXPECT_EQ(board.app->config().wifi_timeout_s, 30u);
}

TEST_F(ShellTest, ConfigSetRefusesWhatTheButtonCouldNotRead) {
  const std::string before = board.files.files["/config.py"];
  EXPECT_TRUE(has(type("config set WEBHOOK_URL ftp://x\r"), "not saved")) << "bad URL";
  EXPECT_TRUE(has(type("config set COLOUR red\r"), "not saved: unknown setting COLOUR"));
  EXPECT_EQ(board.files.files["/config.py"], before);
}

TEST_F(ShellTest, ConfigSetBuildsAConfigLineByLine) {
  board.files.files.erase("/config.py");
  EXPECT_TRUE(has(type("config set WIFI_SSID home\r"), "saved. "));
  EXPECT_EQ(board.files.files["/config.py"], "WIFI_SSID = 'home'\n");
}

TEST_F(ShellTest, WebreplSetupSetsThePasswordAndTheBootSwitch) {
  EXPECT_TRUE(has(type("webrepl_setup password abc\r"), "4 to 9 characters"));
  EXPECT_TRUE(has(type("webrepl_setup password n3wpass\r"), "WebREPL on at boot"));
  EXPECT_EQ(board.files.files["/webrepl_cfg.py"], "PASS = 'n3wpass'\n");
  board.files.files["/webrepl_cfg.py"] = "PASS = 'secret'\n";
  EXPECT_TRUE(has(type("webrepl_setup disable\r"), "WebREPL off at boot"));
  EXPECT_EQ(board.files.files["/webrepl_cfg.py"], "PASS = 'secret'\nENABLED = False\n");
}

TEST_F(ShellTest, ADisabledConsoleDoesNotStartAtBoot) {
  board.files.files["/webrepl_cfg.py"] = "PASS = 'secret'\nENABLED = False\n";
  board.boot(ResetCause::PowerOn);
  EXPECT_EQ(board.app->remote().mode(), Remote::Mode::Off);
  EXPECT_TRUE(board.logged("WebREPL off"));
}

TEST_F(ShellTest, ApConfigSavesAndApOnStartsTheAccessPoint) {
  EXPECT_TRUE(has(type("ap config essid=Hall password=short\r"), "password 8-63"));
  EXPECT_TRUE(has(type("ap config essid=Hall password=longenough\r"), "ap off 'Hall'"));
  EXPECT_EQ(board.files.files["/ap_cfg.py"], "ESSID = 'Hall'\nPASS = 'longenough'\n");
  EXPECT_TRUE(has(type("ap on\r"), "ap on 'Hall'"));
  EXPECT_TRUE(board.ap.is_active);
  EXPECT_EQ(board.ap.password, "longenough");
  EXPECT_TRUE(has(type("ap off\r"), "ap off"));
  EXPECT_FALSE(board.ap.is_active);
}

TEST_F(ShellTest, PressFiresTheWebhookAndShowsTheLogAsItHappens) {
  board.net.expect(ip4(10, 0, 0, 1), 80).data("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nCongr");
  const std::string out = type("press\r");
  EXPECT_TRUE(has(out, "press: delivered (HTTP 200)")) << out;
  EXPECT_TRUE(has(out, "Invoking webhook\r\n")) << "the App's log lines, echoed";
  ASSERT_EQ(board.net.connects.size(), 1u);
}

TEST_F(ShellTest, LogShowsRecentLines) {
  const std::string out = type("log\r");
  EXPECT_TRUE(has(out, "Buttonhook: reset cause 0")) << out;
  EXPECT_TRUE(has(out, "WebREPL server started on port 8266"));
}

TEST_F(ShellTest, ResetAndSleep) {
  type("reset\r");
  EXPECT_EQ(board.machine.resets, 1);
  EXPECT_EQ(board.machine.deepsleep_calls, 0);
  board.boot(ResetCause::SoftRestart);
  type("sleep\r");
  EXPECT_EQ(board.machine.deepsleep_calls, 1);
  EXPECT_EQ(board.machine.deepsleep_ms, 0u);
}

}  // namespace
}  // namespace bh
