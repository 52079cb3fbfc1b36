// The dashboard end to end in headless Chromium (Debian's chromium,
// playwright-core from npm, see playwright-node): a real hub with an
// applets file, an event fired as a button would, then dashboard.cjs signs
// in, sees the event and the button, fires a test event and waits for its
// runs. This test checks the screenshots (PNG of the viewport's size, not
// blank, the page's header drawn) and what the page said when each was taken.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "http_client.h"
#include "hub_process.h"
#include "peers.h"
#include "temp_dir.h"

namespace hub {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kKey = "browser-test-key";
constexpr std::uint32_t kWidth = 1280, kHeight = 900;  // dashboard.cjs's viewport

// Width and height from a PNG's IHDR, read here independently of the script.
std::optional<std::pair<std::uint32_t, std::uint32_t>> png_size(const std::string& file) {
  std::string data = testing::read_text(file);
  if (data.size() < 24 || data.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 ||
      data.compare(12, 4, "IHDR") != 0) {
    return std::nullopt;
  }
  auto be32 = [&](std::size_t at) {
    return (std::uint32_t(std::uint8_t(data[at])) << 24) |
           (std::uint32_t(std::uint8_t(data[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(data[at + 2])) << 8) | std::uint8_t(data[at + 3]);
  };
  return std::make_pair(be32(16), be32(20));
}

TEST(DashboardBrowser, SignInSeeTheEventFireATestEventAndSeeItsRunsDone) {
  if (testing::find_program("node").empty()) FAIL() << "node is missing (./bh deps)";
  testing::TempDir dir;
  testing::HttpSink receiver;
  receiver.start();
  std::ofstream(dir.file("applets.toml"))
      << "[[applet]]\nname = \"log\"\nif = { event = \"*\" }\n"
         "[[applet.then]]\naction = \"log\"\n"
         "[[applet]]\nname = \"notify\"\nif = { event = \"button_pressed\" }\n"
         "[[applet.then]]\naction = \"http\"\nurl = \""
      << receiver.url() << "/pressed\"\nbody = \"{{Value1}}\"\n";
  testing::HubProcess hub(dir.path().string(),
                          {"serve", "--listen", "127.0.0.1:0", "--db", dir.file("hub.db"), "--key",
                           kKey, "--applets", dir.file("applets.toml")});
  const std::uint16_t port = hub.wait_for_port();
  ASSERT_NE(port, 0) << hub.stderr_text();
  auto fired = testing::fetch(
      port, testing::http_request("POST", std::string("/trigger/button_pressed/with/key/") + kKey,
                                  R"({"value1":"micropython1","battery_mv":3900})",
                                  "Content-Type: application/json\r\n"));
  ASSERT_EQ(fired.status, 200);

  const std::string out = dir.file("browser");
  const auto started = std::chrono::steady_clock::now();
  testing::ChildProcess browser(
      {std::string(BH_BROWSER_DIR) + "/playwright-node", std::string(BH_BROWSER_DIR) + "/dashboard.cjs",
       "http://127.0.0.1:" + std::to_string(port), kKey, out, "micropython1"},
      dir.file("browser.out"), dir.file("browser.err"));
  auto status = browser.wait(90s);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(status) << "the browser run took over 90 s";
  ASSERT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << testing::read_text(dir.file("browser.err")) << "\nhub:\n" << hub.stderr_text();
  std::printf("[ measured ] browser run %lld ms\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));

  // Kept beside the test binary for people to look at.
  std::error_code ignored;
  std::filesystem::create_directories("dashboard-screenshots", ignored);
  for (const char* name : {"login-refused", "dashboard", "test-event-done"}) {
    std::filesystem::copy_file(out + "/" + name + ".png",
                               std::string("dashboard-screenshots/") + name + ".png",
                               std::filesystem::copy_options::overwrite_existing, ignored);
  }

  const json result = json::parse(testing::read_text(out + "/result.json"));
  ASSERT_EQ(result["screenshots"].size(), 3u) << result.dump(2);
  for (const json& s : result["screenshots"]) {
    const std::string file = s["file"];
    SCOPED_TRACE(file);
    auto size = png_size(file);
    ASSERT_TRUE(size) << "not a PNG";
    EXPECT_EQ(size->first, kWidth);
    // The last one is of the whole page, taller than the viewport.
    if (s["name"] == "test-event-done")
      EXPECT_GT(size->second, kHeight);
    else
      EXPECT_EQ(size->second, kHeight);
    EXPECT_EQ(s["height"], size->second);
    EXPECT_EQ(s["width"], kWidth);
    EXPECT_GT(s["colors"].get<int>(), 50) << "a blank or nearly blank screenshot";
    // The dark header bar (1280 x ~58 px) is drawn: the page's CSS applied.
    EXPECT_GT(s["headerPixels"].get<int>(), 40000);
  }
  const std::string refused = result["screenshots"][0]["text"];
  EXPECT_NE(refused.find("Sign in"), std::string::npos) << refused;
  EXPECT_NE(refused.find("That key is not accepted by this hub."), std::string::npos) << refused;

  const std::string dashboard = result["screenshots"][1]["text"];
  EXPECT_NE(dashboard.find("signed in with key-"), std::string::npos) << dashboard;
  EXPECT_NE(dashboard.find("micropython1"), std::string::npos) << dashboard;
  EXPECT_NE(dashboard.find("3.90 V"), std::string::npos) << "battery\n" << dashboard;
  EXPECT_EQ(dashboard.find(kKey), std::string::npos) << "the key is on the page";

  const std::string done = result["screenshots"][2]["text"];
  EXPECT_NE(done.find("Congratulations! You've fired the button_pressed event"), std::string::npos)
      << done;
  EXPECT_NE(done.find("browser-test"), std::string::npos) << done;
  EXPECT_NE(done.find("notify"), std::string::npos) << done;
  // Both events' runs (log + http each) done by then.
  EXPECT_GE(result["runs_done"].get<int>(), 4) << result.dump(2);
  EXPECT_TRUE(result["console_errors"].empty()) << result["console_errors"].dump();

  // The test event really went through the applets, as a press would.
  ASSERT_TRUE(testing::eventually([&] { return receiver.received().size() == 2; }));
  EXPECT_EQ(receiver.received()[1].body, "browser-test");
  EXPECT_NE(hub.stdout_text().find("Button: browser-test"), std::string::npos);
  EXPECT_LT(took, 60s);
}

}  // namespace
}  // namespace hub
