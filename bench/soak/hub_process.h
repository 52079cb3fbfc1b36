// A real buttonhook-hub process for the soak: started on 127.0.0.1 with a
// fresh SQLite file, killed with SIGKILL and restarted on the same port
// (the same database), stopped with SIGTERM at the end.
#pragma once

#include <stdint.h>     // uint16_t
#include <sys/types.h>  // pid_t

#include <filesystem>  // paths
#include <string>      // key

namespace bh::soak {

class HubProcess {
 public:
  // binary: buttonhook-hub; dir: where hub.db, hub.out and hub.err go.
  HubProcess(std::filesystem::path binary, std::filesystem::path dir, std::string key);
  ~HubProcess();  // SIGKILL if still running
  HubProcess(const HubProcess&) = delete;
  HubProcess& operator=(const HubProcess&) = delete;

  // Starts and waits for "listening on ..." (port 0 = any free port, the
  // first time). Throws std::runtime_error naming what went wrong.
  void start(uint16_t port = 0);
  // SIGKILL and reap: no drain, no checkpoint, as a crash or a power cut.
  void kill9();
  // start() again on the port it had.
  void restart() { start(port_); }
  // SIGTERM and wait (the hub drains and checkpoints); returns its exit status.
  int stop();

  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  std::filesystem::path db() const { return dir_ / "hub.db"; }
  int starts() const { return starts_; }
  int kills() const { return kills_; }

 private:
  std::filesystem::path binary_;
  std::filesystem::path dir_;
  std::string key_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int starts_ = 0;
  int kills_ = 0;
};

}  // namespace bh::soak
