// buttonhook-sim as a child process: the command-line contract that scripts
// and the end-to-end tests rely on (events, output format, exit status).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>  // sockaddr_in for free_port
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>  // free_port
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "http_test_server.h"
#include "sim_test_support.h"

extern char** environ;

namespace bh::sim {
namespace {

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::vector<std::string> lines() const {
    std::vector<std::string> v;
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
  }
  bool has(const std::string& s) const { return out.find(s) != std::string::npos; }
};

// Runs the simulator; feeds stdin_text; if stop_when appears on stdout,
// sends SIGTERM. Gives up (SIGKILL) after timeout_ms.
Result run_sim(const std::vector<std::string>& args, const std::string& stdin_text = "",
               const std::string& stop_when = "", int timeout_ms = 20000) {
  int in[2], out[2], err[2];
  EXPECT_EQ(pipe2(in, O_CLOEXEC), 0);
  EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
  EXPECT_EQ(pipe2(err, O_CLOEXEC), 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  std::vector<std::string> argv_s = {BH_SIM_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, BH_SIM_BINARY, &fa, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (!stdin_text.empty()) (void)!write(in[1], stdin_text.data(), stdin_text.size());
  close(in[1]);

  Result r;
  bool stopped = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) {
      kill(pid, SIGKILL);
      ADD_FAILURE() << "buttonhook-sim did not finish in time";
      break;
    }
    if (poll(fds, 2, int(left)) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      (i == 0 ? r.out : r.err).append(buf, size_t(n));
    }
    if (!stop_when.empty() && !stopped && r.out.find(stop_when) != std::string::npos) {
      kill(pid, SIGTERM);
      stopped = true;
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

struct CliTest : ::testing::Test {
  CliTest() {
    config = (dir.path / "config.py").string();
    dir.write("config.py", bh::testing::tutorial_config(
                               "http://maker.ifttt.com/trigger/button_pressed/with/key/k3y"));
  }
  bh::testing::TempDirectory dir;
  std::string config;
};

TEST_F(CliTest, EveryLineStartsWithTheVirtualTime) {
  const Result r = run_sim({"--config", config, "power-on", "advance", "2.5", "press"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::regex line(R"(^\[[ 0-9]{4}\.[0-9]{3}\] .+$)");
  ASSERT_FALSE(r.lines().empty());
  for (const auto& l : r.lines()) EXPECT_TRUE(std::regex_match(l, line)) << l;
  EXPECT_TRUE(r.has("[   0.000] * power on (reset cause 0: power-on)\n")) << r.out;
  EXPECT_TRUE(r.has("* deep sleep (until RST)"));
  EXPECT_TRUE(r.has("* RST pressed during deep sleep: wake (reset cause 5: deep-sleep wake)"));
  EXPECT_TRUE(r.has("Connecting to WiFi..."));
  EXPECT_TRUE(r.has("dns-failed"));  // maker.ifttt.com is not in the default world
  EXPECT_TRUE(r.has("* LED D4 (GPIO2) on"));
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex(R"(\* awake \d+\.\d{3} s, charge \d+\.\d mAs \(\d+\.\d µAh\))")));
  EXPECT_EQ(r.out.find("\033["), std::string::npos);  // no colours into a pipe
  EXPECT_EQ(r.out.find("correct horse battery"), std::string::npos);
}

TEST_F(CliTest, PressReachesARealServerAndTheTimelineIsSaved) {
  bh::testing::HttpTestServer server;
  const std::string timeline = (dir.path / "timeline.json").string();
  const Result r = run_sim({"--config", config, "--dns",
                            "maker.ifttt.com=127.0.0.1:" + std::to_string(server.port()),
                            "--timeline", timeline, "power-on", "press"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.has("Webhook invoked")) << r.out;
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_EQ(server.requests()[0].body, "{\"value1\":\"micropython1\"}");
  std::ifstream in(timeline);
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["format"], "buttonhook-timeline/1");
  ASSERT_EQ(j["wakes"].size(), 2u);
  EXPECT_EQ(j["wakes"][1]["cause"], "deep-sleep wake");
  EXPECT_GT(j["wakes"][1]["charge_mas"].get<double>(), 0.0);
  bool scanning = false;
  for (const auto& s : j["states"]) scanning |= s["state"] == "scanning";
  EXPECT_TRUE(scanning);
}

TEST_F(CliTest, SameSeedSameRunOtherSeedOtherTimes) {
  const auto network_line = [&](const std::string& seed) {
    const Result r = run_sim({"--config", config, "--seed", seed, "power-on", "press"});
    for (const auto& l : r.lines()) {
      if (l.find("Network config") != std::string::npos) return l;
    }
    return std::string();
  };
  const std::string a = network_line("1");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, network_line("1"));
  EXPECT_NE(a, network_line("2"));
}

TEST_F(CliTest, BadConfigExits2NamingTheLine) {
  dir.write("config.py",
            "WIFI_SSID = 'home'\nWIFI_PASSWORD = 'secret-pass'\nWEBHOOK_URL = 'http://x/\n");
  const Result r = run_sim({"--config", config, "power-on"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(config + ":3"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST_F(CliTest, BadWorldExits2NamingTheLine) {
  const std::string world = (dir.path / "world.toml").string();
  dir.write(
      "world.toml",
      "[[ap]]\nssid = \"buttonhook-demo\"\npassword = \"correct horse battery\"\nchanel = 6\n");
  Result r = run_sim({"--config", config, "--world", world, "power-on"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(world + ":4:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("chanel"), std::string::npos) << r.err;
  dir.write("world.toml", "[[ap]\nssid = 1\n");
  r = run_sim({"--config", config, "--world", world, "power-on"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(world + ":1:"), std::string::npos) << r.err;
}

TEST_F(CliTest, UsageErrorsExit2WithWhatToFix) {
  Result r = run_sim({"--config", config, "power-on", "jump"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown event 'jump'"), std::string::npos) << r.err;
  r = run_sim({"--config", config, "advance"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("advance needs a number"), std::string::npos) << r.err;
  r = run_sim({"--config", config, "advance", "soon"});
  EXPECT_EQ(r.exit_code, 2);
  r = run_sim({"power-on"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no config.py"), std::string::npos) << r.err;
  r = run_sim({"--config", (dir.path / "missing.py").string(), "power-on"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot read"), std::string::npos) << r.err;
  r = run_sim({"--config", config, "--dns", "maker.ifttt.com", "power-on"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("NAME=IP[:PORT]"), std::string::npos) << r.err;
  r = run_sim({"--config", config, "--bogus"});
  EXPECT_EQ(r.exit_code, 2);
  r = run_sim({"--config", config, "wait", "press"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(run_sim({"--help"}).exit_code, 0);
}

TEST_F(CliTest, DnsOptionRepeatsAndEventsStillFollow) {
  const Result r = run_sim({"--config", config, "--dns", "a.test=127.0.0.1:1", "--dns",
                            "b.test=127.0.0.2", "power-on", "press"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.has("reset cause 5"));
}

TEST_F(CliTest, EventsFromStdinOneALine) {
  const Result r = run_sim({"--config", config},
                           "power-on\n\n# a comment\nbogus\nadvance 3\npress\nhelp\nquit\npress\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.has("* power on (reset cause 0: power-on)"));
  // advance 3 after the power-on boot (0.1 .. 0.3 s).
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex(R"(\[   3\.[123]\d\d\] \* RST pressed during deep sleep)")))
      << r.out;
  EXPECT_TRUE(r.has("advance <seconds>"));  // help
  EXPECT_NE(r.err.find("unknown event 'bogus'"), std::string::npos);
  // quit ends the run: one press only.
  size_t presses = 0;
  for (const auto& l : r.lines()) presses += l.find("RST pressed") != std::string::npos;
  EXPECT_EQ(presses, 1u);
}

TEST_F(CliTest, WaitRunsUntilSigtermThenExits0) {
  const Result r =
      run_sim({"--config", config, "jumper-on", "power-on", "wait"}, "", "Debug mode detected.");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.has("* stopped (SIGTERM)")) << r.out;
}

TEST_F(CliTest, ConsolePortMapsTheBoardsPort8266) {
  // Without the jumper the board sleeps at once: nothing listens.
  const Result r = run_sim({"--config", config, "--console-port", "18266", "power-on"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.has("* board port 8266 (console) is 127.0.0.1:18266")) << r.out;
}

// A port on 127.0.0.1 that nothing listens on now.
std::string free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return std::to_string(ntohs(a.sin_port));
}

TEST_F(CliTest, ButtonHeldAtPowerOnStartsTheSetupPortal) {
  const Result r = run_sim({"--config", config, "--portal-port", free_port(), "power-on-held"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.has("* power on with the button held")) << r.out;
  EXPECT_TRUE(r.has("reset cause 6 (external reset)"));
  EXPECT_TRUE(r.has("Setup portal: join Wi-Fi 'Buttonhook-C0FFEE'")) << r.out;
  EXPECT_FALSE(r.has("Invoking webhook")) << "a held button is not a press";
}

TEST_F(CliTest, FilesDirectoryIsTheBoardsFilesystem) {
  bh::testing::TempDirectory files;
  files.write("config.py", bh::testing::tutorial_config("http://x.test/"));
  Result r = run_sim({"--files", files.path.string(), "power-on"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // --config is copied in as /config.py.
  r = run_sim({"--files", files.path.string(), "--config", config, "power-on"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::ifstream copied(files.path / "config.py");
  std::stringstream text;
  text << copied.rdbuf();
  EXPECT_NE(text.str().find("maker.ifttt.com"), std::string::npos);
}

TEST_F(CliTest, ExampleWorldWorksWithTheTutorialConfig) {
  const Result r =
      run_sim({"--config", config, "--world", std::string(BH_SIM_EXAMPLES) + "/world.toml",
               "power-on", "press", "--print-timeline"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.has("Network config: ('192.168.0.2'")) << r.out;
  EXPECT_TRUE(r.has("connect-failed"));  // nothing listens on 127.0.0.1:8080 in this test
  EXPECT_TRUE(r.has("timeline: state segments"));
}

TEST_F(CliTest, FaultEventsActFromNowAndAreAnnounced) {
  bh::testing::HttpTestServer server;
  const std::string dns = "maker.ifttt.com=127.0.0.1:" + std::to_string(server.port());
  const Result r = run_sim({"--config", config, "--dns", dns, "power-on", "fault", "hub-503", "30",
                            "press", "advance", "30", "press", "fault", "dns-failure", "press",
                            "fault", "clear", "press"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.has("] * fault hub-5xx begins: the hub answers 503 (until 30.207 s)")) << r.out;
  EXPECT_TRUE(r.has("Error: HTTP 503")) << r.out;
  EXPECT_TRUE(r.has("] * fault hub-5xx ends")) << r.out;
  EXPECT_TRUE(r.has("] * fault dns-failure begins: names do not resolve")) << r.out;
  EXPECT_TRUE(r.has("(dns-failed)")) << r.out;
  EXPECT_TRUE(r.has("] * fault dns-failure ends")) << r.out;
  // The press after the 5xx window and the one after `fault clear` got
  // through, each after the queued press that had failed before it.
  EXPECT_EQ(server.request_count(), 4u);
}

TEST_F(CliTest, WorldFileFaultsAreAnnouncedAtTheirInstants) {
  dir.write("world.toml", R"(
[[ap]]
ssid = "buttonhook-demo"
password = "correct horse battery"

[[fault]]
kind = "ap-down"
at = 10
for = 20
)");
  const Result r = run_sim({"--config", config, "--world", (dir.path / "world.toml").string(),
                            "power-on", "advance", "12", "press", "advance", "20"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.has(
      "[  10.000] * fault ap-down begins: every access point is off the air (until 30.000 s)"))
      << r.out;
  EXPECT_TRUE(r.has("(wifi-no-ap-found)")) << r.out;
  EXPECT_TRUE(r.has("[  30.000] * fault ap-down ends")) << r.out;
}

TEST_F(CliTest, BadFaultEventsExit2WithWhatToFix) {
  Result r = run_sim({"--config", config, "fault", "hub-exploded"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown fault 'hub-exploded'"), std::string::npos) << r.err;
  r = run_sim({"--config", config, "fault"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("fault needs a kind"), std::string::npos) << r.err;
  r = run_sim({"--config", config, "fault", "ap-down", "-3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("lasts seconds"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace bh::sim
