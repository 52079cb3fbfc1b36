// Real peers for the hub's tests, all on 127.0.0.1 and started by the test:
// a child process helper, Debian's mosquitto with a generated config, the
// SMTP receiver (smtp_sink.py on python3-aiosmtpd), and an HTTP receiver
// (the hub's own Beast server with a recording handler). Each can be taken
// down and brought back on the same port, for retry tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "message.h"

namespace hub::testing {

// A port nothing listens on right now (the OS picks it).
std::uint16_t free_port();
// True once something accepts TCP connections on 127.0.0.1:port.
bool wait_for_port(std::uint16_t port, std::chrono::milliseconds timeout);
// Polls `done` every 5 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));
std::string read_text(const std::string& path);

class ChildProcess {
 public:
  // argv[0] is looked up in PATH. stdout/stderr go to the files.
  ChildProcess(std::vector<std::string> argv, const std::string& out_file,
               const std::string& err_file);
  ~ChildProcess();  // SIGKILL if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void signal(int sig);
  // The wait status if it ended within `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  void kill_and_wait();

 private:
  int pid_ = -1;
  int status_ = 0;
};

// The full path of a program in PATH (or /usr/sbin), or "" when missing:
// tests then fail saying which Debian package to install (./bh deps).
std::string find_program(const std::string& name);

class MosquittoBroker {
 public:
  // On a free port (or `port`), anonymous or with user:password.
  MosquittoBroker(const std::string& dir, std::uint16_t port = 0, const std::string& login = "");
  ~MosquittoBroker();
  void start();  // throws std::runtime_error if it does not listen in 5 s
  void stop();   // SIGTERM and wait
  std::uint16_t port() const { return port_; }

 private:
  std::string dir_;
  std::uint16_t port_;
  std::unique_ptr<ChildProcess> process_;
};

struct SmtpOptions {
  std::string cert, key;  // STARTTLS required when set
  std::string login;      // "user:password": AUTH required
};

class SmtpSink {
 public:
  SmtpSink(const std::string& dir, SmtpOptions options = {}, std::uint16_t port = 0);
  ~SmtpSink();
  void start();
  void stop();
  std::uint16_t port() const { return port_; }
  std::vector<std::string> messages() const;  // oldest first, as received

 private:
  std::string dir_, mail_dir_;
  SmtpOptions options_;
  std::uint16_t port_;
  std::unique_ptr<ChildProcess> process_;
};

// A self-signed certificate for 127.0.0.1/localhost (openssl CLI); returns
// false if openssl is missing.
bool make_certificate(const std::string& cert, const std::string& key);

class HttpSink {
 public:
  explicit HttpSink(std::uint16_t port = 0);
  ~HttpSink();
  void start();
  void stop();
  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void answer_with(int status);
  std::vector<Request> received() const;

 private:
  struct Running;
  std::uint16_t port_;
  int status_ = 200;
  mutable std::mutex mutex_;
  std::vector<Request> received_;
  std::unique_ptr<Running> running_;
};

}  // namespace hub::testing
