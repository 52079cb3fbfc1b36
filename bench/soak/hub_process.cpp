#include "hub_process.h"

#include <fcntl.h>     // open
#include <signal.h>    // kill
#include <spawn.h>     // posix_spawn
#include <sys/wait.h>  // waitpid
#include <time.h>      // nanosleep
#include <unistd.h>    // close

#include <fstream>    // hub.out
#include <sstream>    // reading hub.out
#include <stdexcept>  // std::runtime_error
#include <vector>     // argv

extern char** environ;

namespace bh::soak {

namespace {

void sleep_ms(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, nullptr);
}

std::string read_from(const std::filesystem::path& p, std::streamoff offset) {
  std::ifstream in(p, std::ios::binary);
  in.seekg(offset);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::streamoff size_of(const std::filesystem::path& p) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(p, ec);
  return ec ? 0 : std::streamoff(n);
}

}  // namespace

HubProcess::HubProcess(std::filesystem::path binary, std::filesystem::path dir, std::string key)
    : binary_(std::move(binary)), dir_(std::move(dir)), key_(std::move(key)) {}

HubProcess::~HubProcess() {
  if (pid_ > 0) kill9();
}

void HubProcess::start(uint16_t port) {
  if (pid_ > 0) throw std::runtime_error("the hub is already running");
  const std::filesystem::path out = dir_ / "hub.out";
  const std::filesystem::path err = dir_ / "hub.err";
  // A restart right after SIGKILL may find the port still held for a
  // moment: try again for a while.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::streamoff seen = size_of(out);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::vector<std::string> args = {
        binary_.string(), "serve",       "--listen", "127.0.0.1:" + std::to_string(port),
        "--db",           db().string(), "--key",    key_};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, binary_.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot run " + binary_.string());
    // Up to 10 s for "listening on http://127.0.0.1:PORT".
    for (int i = 0; i < 2000; ++i) {
      const std::string text = read_from(out, seen);
      const auto at = text.find("listening on http://127.0.0.1:");
      if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
        pid_ = pid;
        port_ = uint16_t(std::stoi(text.substr(at + 30)));
        ++starts_;
        return;
      }
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        break;  // it exited: the port may still be held; try again
      }
      sleep_ms(5);
    }
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      throw std::runtime_error("the hub did not say where it listens within 10 s (see " +
                               err.string() + ")");
    }
    if (port == 0) break;
    sleep_ms(20);
  }
  throw std::runtime_error("the hub would not start on port " + std::to_string(port) + " (see " +
                           err.string() + ")");
}

void HubProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  ++kills_;
}

int HubProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 2000; ++i) {  // the hub drains for up to 5 s
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    sleep_ms(5);
  }
  kill9();
  return 128 + SIGKILL;
}

}  // namespace bh::soak
