// Shared by the sim tests: a board in a temporary directory with a config,
// fixed timings, and an Output that keeps every line.
#pragma once

#include <stdlib.h>  // mkdtemp

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "board.h"
#include "host_test_support.h"
#include "models.h"

namespace bh::testing {

struct CapturedLine {
  uint64_t t_us;
  sim::LineKind kind;
  std::string text;
};

struct Capture : sim::Output {
  std::vector<CapturedLine> lines;
  void line(uint64_t t_us, sim::LineKind kind, const std::string& text) override {
    lines.push_back({t_us, kind, text});
  }
  std::string all() const {
    std::string s;
    for (const auto& l : lines) s += l.text + "\n";
    return s;
  }
  bool has(const std::string& needle) const { return all().find(needle) != std::string::npos; }
  size_t count(const std::string& needle) const {
    size_t n = 0;
    for (const auto& l : lines) n += l.text.find(needle) != std::string::npos;
    return n;
  }
  // The first line containing needle, or nullptr.
  const CapturedLine* find(const std::string& needle) const {
    for (const auto& l : lines) {
      if (l.text.find(needle) != std::string::npos) return &l;
    }
    return nullptr;
  }
};

struct TempDirectory {
  TempDirectory() {
    char tmpl[] = "/tmp/bh-sim-test.XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDirectory() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary | std::ios::trunc) << text;
  }
  std::filesystem::path path;
};

inline std::string tutorial_config(const std::string& url,
                                   const std::string& password = "correct horse battery",
                                   const std::string& extra = "") {
  return "WIFI_SSID = 'buttonhook-demo'\n"
         "WIFI_PASSWORD = '" +
         password +
         "'\n"
         "WEBHOOK_URL = '" +
         url +
         "'\n"
         "BUTTON_ID = 'micropython1'\n"
         "LED_PIN = 2 # D4\n"
         "LED2_PIN = 16 # D0\n"
         "DEBUG_PIN = 14 # D5\n" +
         extra;
}

// A board over a world with one AP ("buttonhook-demo", the tutorial
// config's password) and fixed timings.
struct SimFixture {
  SimFixture() {
    env.timing = fixed_timing();
    host::AccessPoint ap = test_ap("buttonhook-demo", "correct horse battery");
    ap.subnet = Ip4{{192, 168, 0, 0}};
    env.world.aps.push_back(ap);
    board = std::make_unique<sim::Board>(env, dir.path, sim::default_power(), out);
  }
  double t(const CapturedLine* l) const { return l ? double(l->t_us) / 1e6 : -1.0; }

  TempDirectory dir;
  host::Env env;
  Capture out;
  std::unique_ptr<sim::Board> board;
};

}  // namespace bh::testing
