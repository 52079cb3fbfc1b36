#include "host_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace bh::host {
namespace {

namespace fs = std::filesystem;

struct HostFilesTest : ::testing::Test {
  HostFilesTest() {
    char tmpl[] = "/tmp/bh-files-test.XXXXXX";
    root = mkdtemp(tmpl);
    outside = root.parent_path() / (root.filename().string() + "-outside");
    std::ofstream(outside) << "secret";
  }
  ~HostFilesTest() override {
    fs::remove_all(root);
    fs::remove(outside);
  }
  std::string read(const char* path, Err* e = nullptr) {
    uint8_t buf[256];
    size_t len = 0;
    const Err r = files.read(path, buf, sizeof buf, &len);
    if (e) *e = r;
    return std::string(reinterpret_cast<char*>(buf), len);
  }
  fs::path root;
  fs::path outside;
  HostFiles files{""};
  void SetUp() override { files = HostFiles(root); }
};

TEST_F(HostFilesTest, BoardPathsMapIntoTheDirectory) {
  std::ofstream(root / "config.py") << "WIFI_SSID = 'x'\n";
  EXPECT_TRUE(files.exists("/config.py"));
  Err e;
  EXPECT_EQ(read("/config.py", &e), "WIFI_SSID = 'x'\n");
  EXPECT_EQ(e, Err::Ok);
  size_t n = 0;
  EXPECT_EQ(files.size("/config.py", &n), Err::Ok);
  EXPECT_EQ(n, 16u);
}

TEST_F(HostFilesTest, WriteReplacesTheFileAndCreatesDirectories) {
  const std::string text = "hello";
  EXPECT_EQ(
      files.write("/data/state.bin", reinterpret_cast<const uint8_t*>(text.data()), text.size()),
      Err::Ok);
  EXPECT_EQ(read("/data/state.bin"), "hello");
  EXPECT_EQ(files.write("/data/state.bin", reinterpret_cast<const uint8_t*>("hi"), 2), Err::Ok);
  EXPECT_EQ(read("/data/state.bin"), "hi");
  EXPECT_FALSE(fs::exists(root / "data/state.bin.tmp"));
  EXPECT_EQ(files.remove("/data/state.bin"), Err::Ok);
  EXPECT_FALSE(files.exists("/data/state.bin"));
  EXPECT_EQ(files.remove("/data/state.bin"), Err::NotFound);
}

TEST_F(HostFilesTest, MissingFileIsNotFound) {
  Err e;
  read("/nope.py", &e);
  EXPECT_EQ(e, Err::NotFound);
  size_t n;
  EXPECT_EQ(files.size("/nope.py", &n), Err::NotFound);
}

TEST_F(HostFilesTest, FileLargerThanTheBufferIsOverflow) {
  std::ofstream(root / "big.txt") << std::string(300, 'x');
  Err e;
  EXPECT_EQ(read("/big.txt", &e).size(), 256u);
  EXPECT_EQ(e, Err::Overflow);
}

TEST_F(HostFilesTest, DotDotAndRelativePathsAreRefused) {
  const std::string escape = "/../" + outside.filename().string();
  Err e;
  read(escape.c_str(), &e);
  EXPECT_EQ(e, Err::Invalid);
  EXPECT_FALSE(files.exists(escape.c_str()));
  EXPECT_EQ(files.write("/a/../../x", reinterpret_cast<const uint8_t*>("x"), 1), Err::Invalid);
  EXPECT_EQ(files.remove(escape.c_str()), Err::Invalid);
  EXPECT_TRUE(fs::exists(outside));
  read("config.py", &e);
  EXPECT_EQ(e, Err::Invalid);
  read("/./config.py", &e);
  EXPECT_EQ(e, Err::Invalid);
  read("//config.py", &e);
  EXPECT_EQ(e, Err::Invalid);
  read("/", &e);
  EXPECT_EQ(e, Err::Invalid);
}

}  // namespace
}  // namespace bh::host
