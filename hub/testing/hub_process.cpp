#include "hub_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <stdexcept>
#include <thread>

#include "peers.h"

extern char** environ;

namespace hub::testing {

using namespace std::chrono_literals;

HubProcess::HubProcess(const std::string& dir, std::vector<std::string> args,
                       const std::string& name)
    : out_(dir + "/" + name + ".out"), err_(dir + "/" + name + ".err") {
  args.insert(args.begin(), BH_HUB_BINARY);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("posix_spawn failed");
}

HubProcess::~HubProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::uint16_t HubProcess::wait_for_port(std::chrono::milliseconds timeout) {
  static const std::regex kLine(R"(^listening on http://127\.0\.0\.1:(\d+)\n)");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    std::string out = stdout_text();
    if (std::regex_search(out, m, kLine)) return static_cast<std::uint16_t>(std::stoi(m[1]));
    if (exited()) return 0;
    std::this_thread::sleep_for(10ms);
  }
  return 0;
}

void HubProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

std::optional<int> HubProcess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    if (exited()) return status_;
    std::this_thread::sleep_for(10ms);
  } while (std::chrono::steady_clock::now() < deadline);
  return std::nullopt;
}

std::string HubProcess::stdout_text() const {
  return read_text(out_);
}

std::string HubProcess::stderr_text() const {
  return read_text(err_);
}

bool HubProcess::exited() {
  if (pid_ <= 0) return true;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = status;
    pid_ = -1;
    return true;
  }
  return false;
}

int run_hub(const std::string& dir, std::vector<std::string> args, std::string* err,
            std::string* out) {
  HubProcess hub(dir, std::move(args));
  auto status = hub.wait();
  if (err) *err = hub.stderr_text();
  if (out) *out = hub.stdout_text();
  if (!status || !WIFEXITED(*status)) return -1;
  return WEXITSTATUS(*status);
}

}  // namespace hub::testing
