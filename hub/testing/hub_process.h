// The real buttonhook-hub binary as a child process, with stdout and stderr
// going to files in a folder: for tests of its command line, its output
// lines, restarts and crashes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hub::testing {

class ChildProcess;

class HubProcess {
 public:
  // Runs BH_HUB_BINARY with `args`; output to DIR/hub.out and DIR/hub.err
  // (DIR/<name>.out/.err with a name, for several hubs in one folder).
  HubProcess(const std::string& dir, std::vector<std::string> args,
             const std::string& name = "hub");
  ~HubProcess();  // SIGKILL if still running (ChildProcess)
  HubProcess(const HubProcess&) = delete;
  HubProcess& operator=(const HubProcess&) = delete;

  // The port from "listening on http://127.0.0.1:PORT", or 0 if the line
  // did not come (the hub exited or took too long).
  std::uint16_t wait_for_port(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void signal(int sig);
  // The exit status (as waitpid reports it) if the hub ended in time.
  std::optional<int> wait(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::string stdout_text() const;
  std::string stderr_text() const;

 private:
  std::string out_, err_;
  std::unique_ptr<ChildProcess> process_;
};

// Runs the hub to its end; the exit code (-1 if it did not exit in 10 s).
int run_hub(const std::string& dir, std::vector<std::string> args, std::string* err = nullptr,
            std::string* out = nullptr);

}  // namespace hub::testing
