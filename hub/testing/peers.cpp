#include "peers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "server.h"

extern char** environ;

namespace hub::testing {

using namespace std::chrono_literals;

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("free_port: cannot bind");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool wait_for_port(std::uint16_t port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(10ms);
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = std::string(path ? path : "/usr/bin:/bin") + ":/usr/sbin:/sbin";
  std::stringstream ss(dirs);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    std::string candidate = dir + "/" + name;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::string& out_file,
                           const std::string& err_file) {
  if (argv.empty()) throw std::runtime_error("ChildProcess: no program");
  if (argv[0].find('/') == std::string::npos) {
    std::string found = find_program(argv[0]);
    if (found.empty()) throw std::runtime_error(argv[0] + " is not installed (./bh deps)");
    argv[0] = found;
  }
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
}

ChildProcess::~ChildProcess() {
  kill_and_wait();
}

void ChildProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (!running()) return status_;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
}

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = status;
    pid_ = -1;
    return false;
  }
  return true;
}

void ChildProcess::kill_and_wait() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status_, 0);
  pid_ = -1;
}

// ---- mosquitto ----

MosquittoBroker::MosquittoBroker(const std::string& dir, std::uint16_t port,
                                 const std::string& login)
    : dir_(dir), port_(port ? port : free_port()) {
  std::filesystem::create_directories(dir_);
  std::ofstream conf(dir_ + "/mosquitto.conf");
  // Run as whoever runs the test: as root, mosquitto would switch to the
  // "mosquitto" user, which cannot read the test's private folder.
  const passwd* me = ::getpwuid(::getuid());
  if (me) conf << "user " << me->pw_name << "\n";
  conf << "listener " << port_ << " 127.0.0.1\n"
       << "persistence false\n"
       << "log_dest stderr\n"
       << "log_type error\nlog_type warning\nlog_type notice\n";
  if (login.empty()) {
    conf << "allow_anonymous true\n";
  } else {
    // mosquitto_passwd would hash it; a plain file is refused by 2.0, so
    // hash with the broker's own tool.
    const std::string file = dir_ + "/passwords";
    std::ofstream(file) << login << "\n";
    ::chmod(file.c_str(), 0600);
    ChildProcess hash({"mosquitto_passwd", "-U", file}, dir_ + "/passwd.out", dir_ + "/passwd.err");
    hash.wait(5s);
    conf << "allow_anonymous false\npassword_file " << file << "\n";
  }
}

MosquittoBroker::~MosquittoBroker() {
  stop();
}

void MosquittoBroker::start() {
  if (process_) return;
  if (find_program("mosquitto").empty()) {
    throw std::runtime_error("mosquitto is not installed: apt-get install mosquitto (./bh deps)");
  }
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"mosquitto", "-c", dir_ + "/mosquitto.conf"},
      dir_ + "/mosquitto.out", dir_ + "/mosquitto.err");
  if (!wait_for_port(port_, 5s)) {
    throw std::runtime_error("mosquitto did not listen on " + std::to_string(port_) + ": " +
                             read_text(dir_ + "/mosquitto.err"));
  }
}

void MosquittoBroker::stop() {
  if (!process_) return;
  process_->signal(SIGTERM);
  if (!process_->wait(5s)) process_->kill_and_wait();
  process_.reset();
}

// ---- SMTP ----

SmtpSink::SmtpSink(const std::string& dir, SmtpOptions options, std::uint16_t port)
    : dir_(dir), mail_dir_(dir + "/mail"), options_(std::move(options)),
      port_(port ? port : free_port()) {
  std::filesystem::create_directories(mail_dir_);
}

SmtpSink::~SmtpSink() {
  stop();
}

// Debian's python3 first: python3-aiosmtpd is installed for it, and a
// python3 earlier in PATH (pyenv, a virtualenv) may not have it.
static std::string debian_python() {
  return ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

void SmtpSink::start() {
  if (process_) return;
  std::vector<std::string> argv = {debian_python(), std::string(BH_HUB_SOURCE_DIR) + "/testing/smtp_sink.py",
                                   "--port", std::to_string(port_), "--dir", mail_dir_};
  if (!options_.cert.empty()) {
    argv.insert(argv.end(), {"--cert", options_.cert, "--key", options_.key});
  }
  if (!options_.login.empty()) argv.insert(argv.end(), {"--login", options_.login});
  process_ = std::make_unique<ChildProcess>(argv, dir_ + "/smtp.out", dir_ + "/smtp.err");
  if (!eventually([this] { return read_text(dir_ + "/smtp.out").find("ready") != std::string::npos ||
                                  !process_->running(); },
                  10s) ||
      !process_->running()) {
    throw std::runtime_error("the SMTP receiver did not start (python3-aiosmtpd installed?): " +
                             read_text(dir_ + "/smtp.err"));
  }
  std::ofstream(dir_ + "/smtp.out", std::ios::trunc);  // the next start waits for its own "ready"
}

void SmtpSink::stop() {
  if (!process_) return;
  process_->signal(SIGTERM);
  if (!process_->wait(5s)) process_->kill_and_wait();
  process_.reset();
}

std::vector<std::string> SmtpSink::messages() const {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(mail_dir_)) {
    if (entry.path().extension() == ".eml") names.push_back(entry.path().string());
  }
  std::sort(names.begin(), names.end());
  std::vector<std::string> out;
  for (const std::string& n : names) out.push_back(read_text(n));
  return out;
}

bool make_certificate(const std::string& cert, const std::string& key) {
  if (find_program("openssl").empty()) return false;
  const std::string dir = std::filesystem::path(cert).parent_path().string();
  ChildProcess openssl({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost"},
                       dir + "/openssl.out", dir + "/openssl.err");
  auto status = openssl.wait(30s);
  return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

// ---- HTTP ----

struct HttpSink::Running {
  std::unique_ptr<Server> server;
  std::thread thread;
};

HttpSink::HttpSink(std::uint16_t port) : port_(port ? port : free_port()) {}

HttpSink::~HttpSink() {
  stop();
}

void HttpSink::start() {
  if (running_) return;
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = port_;
  options.drain_timeout = 1s;
  running_ = std::make_unique<Running>();
  running_->server = std::make_unique<Server>(options, [this](const Request& request) {
    std::lock_guard<std::mutex> lock(mutex_);
    received_.push_back(request);
    Response r;
    r.status = status_;
    r.content_type = "text/plain";
    // 204 and 304 carry no body (Beast refuses to send one).
    if (status_ != 204 && status_ != 304) r.body = status_ < 300 ? "ok" : "not now";
    return r;
  });
  running_->thread = std::thread([s = running_->server.get()] { s->run(); });
}

void HttpSink::stop() {
  if (!running_) return;
  running_->server->stop();
  running_->thread.join();
  running_.reset();
}

void HttpSink::answer_with(int status) {
  std::lock_guard<std::mutex> lock(mutex_);
  status_ = status;
}

std::vector<Request> HttpSink::received() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return received_;
}

}  // namespace hub::testing
