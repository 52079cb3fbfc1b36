#include "hub_process.h"

#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

#include "peers.h"

namespace hub::testing {

using namespace std::chrono_literals;

HubProcess::HubProcess(const std::string& dir, std::vector<std::string> args,
                       const std::string& name)
    : out_(dir + "/" + name + ".out"), err_(dir + "/" + name + ".err") {
  // A fresh pair of files for each run of the binary.
  std::ofstream(out_, std::ios::trunc);
  std::ofstream(err_, std::ios::trunc);
  args.insert(args.begin(), BH_HUB_BINARY);
  process_ = std::make_unique<ChildProcess>(std::move(args), out_, err_);
}

HubProcess::~HubProcess() = default;

std::uint16_t HubProcess::wait_for_port(std::chrono::milliseconds timeout) {
  static const std::regex kLine(R"(^listening on http://127\.0\.0\.1:(\d+)\n)");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    std::string out = stdout_text();
    if (std::regex_search(out, m, kLine)) return static_cast<std::uint16_t>(std::stoi(m[1]));
    if (!process_->running()) return 0;
    std::this_thread::sleep_for(10ms);
  }
  return 0;
}

void HubProcess::signal(int sig) {
  process_->signal(sig);
}

std::optional<int> HubProcess::wait(std::chrono::milliseconds timeout) {
  return process_->wait(timeout);
}

std::string HubProcess::stdout_text() const {
  return read_text(out_);
}

std::string HubProcess::stderr_text() const {
  return read_text(err_);
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
