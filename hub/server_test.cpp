// The server over real sockets on 127.0.0.1, started in-process on port 0.
#include "server.h"

#include <gtest/gtest.h>

#include <set>

#include <atomic>
#include <mutex>
#include <thread>

#include "handler.h"
#include "http_client.h"
#include "sqlite_store.h"
#include "temp_dir.h"

namespace hub {
namespace {

using namespace std::chrono_literals;
using testing::Connection;
using testing::fetch;
using testing::http_request;
using testing::HttpReply;

constexpr char kKey[] = "s3cret-key";
constexpr auto kReadTimeout = 300ms;

class RunningServer {
 public:
  // RequestHandler (on the pool, waited for) or AsyncRequestHandler.
  template <class Handler>
  RunningServer(ServerOptions options, Handler handler) {
    options.access_log = [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(mutex_);
      log_.push_back(line);
    };
    options.error_log = options.access_log;
    server_ = std::make_unique<Server>(options, std::move(handler));
    thread_ = std::thread([this] {
      server_->run();
      stopped_ = true;
    });
  }
  ~RunningServer() { stop_and_wait(); }

  std::uint16_t port() const { return server_->port(); }
  void stop() { server_->stop(); }
  void stop_and_wait() {
    if (!thread_.joinable()) return;
    server_->stop();
    thread_.join();
  }
  bool stopped() const { return stopped_; }
  std::vector<std::string> log() {
    std::lock_guard<std::mutex> lock(mutex_);
    return log_;
  }
  // The line is written once the reply is sent, which a client may see first.
  bool wait_for_log(const std::string& part, std::chrono::milliseconds timeout = 2s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
      for (const auto& line : log()) {
        if (line.find(part) != std::string::npos) return true;
      }
      std::this_thread::sleep_for(5ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
  }

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;
  std::vector<std::string> log_;
};

ServerOptions test_options() {
  ServerOptions o;
  o.port = 0;
  o.body_limit = 1024;
  o.read_timeout = kReadTimeout;
  o.drain_timeout = 2s;
  return o;
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() : store_({dir_.file("hub.db")}), keys_(std::vector<HubKey>{{"button", kKey}}) {
    handler_options_.keys = &keys_;
    handler_options_.body_limit = 1024;
    // Wired as buttonhook-hub wires it: triggers on the I/O thread, answered
    // from the store's thread after their group commit.
    ServerOptions options = test_options();
    options.runs_inline = is_trigger;
    server_ = std::make_unique<RunningServer>(
        options, [this](const Request& r, Respond respond) {
          handle_async(r, store_, handler_options_, std::move(respond));
        });
  }

  std::size_t stored_count() {
    EventQuery q;
    q.key_id = "button";
    q.limit = 1000;
    return store_.list(q).size();
  }
  std::string trigger_path(const std::string& event = "button_pressed") {
    return "/trigger/" + event + "/with/key/" + kKey;
  }
  void expect_still_serving() {
    HttpReply r = fetch(server_->port(), http_request("GET", "/healthz"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "ok");
  }

  testing::TempDir dir_;
  SqliteStore store_;
  KeyRing keys_;
  HandlerOptions handler_options_;
  std::unique_ptr<RunningServer> server_;
};

TEST_F(ServerTest, CurlStylePostFromIftttsDocs) {
  HttpReply r =
      fetch(server_->port(),
            http_request("POST", trigger_path(), R"({"value1":"micropython1"})",
                         "Content-Type: application/json\r\nUser-Agent: curl/7.88.1\r\n"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Congratulations! You've fired the button_pressed event");
  EXPECT_EQ(r.header("Content-Type"), "text/plain");
  EXPECT_EQ(stored_count(), 1u);
}

TEST_F(ServerTest, BadKeyIs401) {
  HttpReply r = fetch(server_->port(), http_request("POST", "/trigger/e/with/key/wrong"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, R"({"errors":[{"message":"You sent an invalid key."}]})");
  EXPECT_EQ(r.header("Content-Type"), "application/json");
}

TEST_F(ServerTest, MalformedJsonIs400) {
  HttpReply r = fetch(
      server_->port(),
      http_request("POST", trigger_path(), "{\"value1\":", "Content-Type: application/json\r\n"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Malformed JSON body"), std::string::npos) << r.body;
  EXPECT_EQ(stored_count(), 0u);
}

TEST_F(ServerTest, OversizedBodyIs413AndTheServerKeepsServing) {
  std::string big(100 * 1024, 'x');
  HttpReply r = fetch(server_->port(), http_request("POST", trigger_path(), big,
                                                    "Content-Type: application/json\r\n"));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.header("Connection"), "close");
  EXPECT_EQ(stored_count(), 0u);
  EXPECT_TRUE(server_->wait_for_log("POST /trigger/button_pressed/with/key/*** 413 "));
  expect_still_serving();
}

TEST_F(ServerTest, OversizedChunkedBodyIs413) {
  Connection c(server_->port());
  std::string chunk(2048, 'x');
  char size[16];
  std::snprintf(size, sizeof size, "%zx", chunk.size());
  c.send("POST " + trigger_path() + " HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
         size + "\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(c.read_reply().status, 413);
  expect_still_serving();
}

TEST_F(ServerTest, UnknownPathIs404) {
  EXPECT_EQ(fetch(server_->port(), http_request("GET", "/favicon.ico")).status, 404);
}

TEST_F(ServerTest, WrongMethodIs405) {
  HttpReply r = fetch(server_->port(), http_request("DELETE", trigger_path()));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "GET, POST");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Connection c(server_->port());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.send(http_request(
        "GET", trigger_path("e" + std::to_string(i)) + "?value1=" + std::to_string(i))));
    HttpReply r = c.read_reply();
    ASSERT_EQ(r.status, 200) << "request " << i;
    EXPECT_EQ(r.body, "Congratulations! You've fired the e" + std::to_string(i) + " event");
    EXPECT_NE(r.header("Connection"), "close");
  }
  EXPECT_EQ(stored_count(), 5u);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Connection c(server_->port());
  c.send(http_request("GET", "/healthz") + http_request("GET", "/nope") +
         http_request("GET", "/healthz"));
  EXPECT_EQ(c.read_reply().status, 200);
  EXPECT_EQ(c.read_reply().status, 404);
  EXPECT_EQ(c.read_reply().status, 200);
}

TEST_F(ServerTest, GarbageInsteadOfHttpGets400OrACloseAndTheServerKeepsServing) {
  for (std::string garbage :
       {std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 tls hello\r\n\r\n", 26),
        std::string("HELLO THERE\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n")}) {
    Connection c(server_->port());
    c.send(garbage);
    HttpReply r = c.read_reply(2s);
    EXPECT_TRUE(r.status == 400 || r.status == 0) << r.status;
    EXPECT_TRUE(c.closed_by_peer(2s));
  }
  expect_still_serving();
}

TEST_F(ServerTest, HeadersOver8KiBAre431) {
  std::string big_header = "X-Filler: " + std::string(9000, 'a') + "\r\n";
  HttpReply r = fetch(server_->port(), http_request("GET", "/healthz", "", big_header));
  EXPECT_EQ(r.status, 431);
  expect_still_serving();
}

TEST_F(ServerTest, SlowClientIsCutOffAtTheReadTimeout) {
  Connection slow(server_->port());
  slow.send("GET /healthz HTTP/1.1\r\nHo");
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(slow.closed_by_peer(3s));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, kReadTimeout - 50ms);
  expect_still_serving();
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosedAfterTheTimeout) {
  Connection c(server_->port());
  c.send(http_request("GET", "/healthz"));
  EXPECT_EQ(c.read_reply().status, 200);
  EXPECT_TRUE(c.closed_by_peer(3s));
}

TEST_F(ServerTest, ExpectContinueIsHonoured) {
  Connection c(server_->port());
  std::string body = R"({"value1":"x"})";
  c.send("POST " + trigger_path() +
         " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
         "Expect: 100-continue\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n");
  // The client waits for "100 Continue" before sending the body, as curl does.
  std::this_thread::sleep_for(50ms);
  c.send(body);
  EXPECT_EQ(c.read_reply().status, 200);
  EXPECT_EQ(stored_count(), 1u);
}

TEST_F(ServerTest, ConcurrentRepeatsWithOneIdempotencyKeyStoreOneEvent) {
  constexpr int kClients = 8;
  std::vector<HttpReply> replies(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      replies[i] =
          fetch(server_->port(),
                http_request("POST", trigger_path(), R"({"value1":"a"})",
                             "Content-Type: application/json\r\nIdempotency-Key: press-42\r\n"));
    });
  }
  for (auto& t : clients) t.join();
  int replayed = 0;
  for (const auto& r : replies) {
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "Congratulations! You've fired the button_pressed event");
    if (r.header("Idempotent-Replayed")) ++replayed;
  }
  EXPECT_EQ(replayed, kClients - 1);
  EXPECT_EQ(stored_count(), 1u);
}

TEST_F(ServerTest, AccessLogMasksTheKey) {
  fetch(server_->port(), http_request("POST", trigger_path() + "?value1=a"));
  fetch(server_->port(), http_request("GET", std::string("/api/events?key=") + kKey));
  server_->stop_and_wait();
  auto log = server_->log();
  bool saw_trigger = false, saw_events = false;
  for (const auto& line : log) {
    EXPECT_EQ(line.find(kKey), std::string::npos) << line;
    if (line.find("POST /trigger/button_pressed/with/key/***?value1=a 200 ") != std::string::npos)
      saw_trigger = true;
    if (line.find("GET /api/events?key=*** 200 ") != std::string::npos) saw_events = true;
  }
  EXPECT_TRUE(saw_trigger);
  EXPECT_TRUE(saw_events);
}

TEST(ServerAsync, AnAnswerPendingOnAnotherThreadDoesNotHoldUpOtherRequests) {
  ServerOptions options = test_options();
  options.runs_inline = [](const Request&) { return true; };
  options.worker_threads = 1;
  std::vector<std::thread> answerers;
  std::mutex answerers_mutex;
  RunningServer server(options, [&](const Request& request, Respond respond) {
    if (request.target != "/slow") return respond(text(200, "fast"));
    std::lock_guard<std::mutex> lock(answerers_mutex);
    answerers.emplace_back([respond = std::move(respond)] {
      std::this_thread::sleep_for(300ms);
      respond(text(200, "slow"));
    });
  });
  Connection slow(server.port());
  slow.send(http_request("GET", "/slow"));
  std::this_thread::sleep_for(20ms);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    HttpReply r = fetch(server.port(), http_request("GET", "/fast"));
    EXPECT_EQ(r.body, "fast");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 250ms) << "waited for the slow answer";
  HttpReply r = slow.read_reply(2s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slow");
  server.stop_and_wait();
  for (auto& t : answerers) t.join();
}

// A reply is first sent with one write that must not wait; what does not
// fit in the socket's buffer (a client that is slow to read) follows
// asynchronously. The reply arrives whole and the connection goes on.
TEST(ServerReplies, ABigReplyToASlowReaderArrivesWholeAndTheConnectionGoesOn) {
  ServerOptions options = test_options();
  options.read_timeout = 5s;
  options.runs_inline = [](const Request&) { return true; };
  std::string big(8 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  RunningServer server(options, [&](const Request& request, Respond respond) {
    respond(text(200, request.target == "/big" ? big : "small"));
  });
  Connection conn(server.port());
  conn.send(http_request("GET", "/big"));
  std::this_thread::sleep_for(100ms);  // the server's first write fills the buffers
  HttpReply r = conn.read_reply(10s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), big.size());
  EXPECT_TRUE(r.body == big) << "the reply arrived out of order or changed";
  conn.send(http_request("GET", "/small"));
  r = conn.read_reply(2s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "small");
}

TEST(ServerDrain, FinishesTheRequestInFlightAndClosesIdleConnections) {
  std::atomic<bool> in_handler{false};
  RunningServer server(test_options(), [&](const Request&) {
    in_handler = true;
    std::this_thread::sleep_for(400ms);
    return text(200, "slow but done");
  });
  Connection idle(server.port());
  Connection busy(server.port());
  busy.send(http_request("GET", "/anything"));
  while (!in_handler) std::this_thread::sleep_for(5ms);

  server.stop();
  EXPECT_TRUE(idle.closed_by_peer(1s)) << "an idle connection is closed at once";
  HttpReply r = busy.read_reply(3s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slow but done");
  EXPECT_EQ(r.header("Connection"), "close");
  server.stop_and_wait();
  EXPECT_TRUE(server.stopped());
  EXPECT_THROW(Connection late(server.port()), std::runtime_error) << "no longer accepting";
}

TEST(ServerDrain, IsBoundedByTheDrainTimeout) {
  ServerOptions options = test_options();
  options.drain_timeout = 200ms;
  options.read_timeout = 10s;
  RunningServer server(options, [](const Request&) { return text(200, "ok"); });
  Connection half(server.port());
  half.send("GET /healthz HTTP/1.1\r\n");  // a request under way that never finishes
  std::this_thread::sleep_for(50ms);
  auto start = std::chrono::steady_clock::now();
  server.stop_and_wait();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(half.closed_by_peer(1s));
}

TEST(ServerLoops, ConnectionsAreSpreadOverTheLoopsAndAllDrain) {
  ServerOptions options = test_options();
  options.io_threads = 3;
  options.runs_inline = [](const Request&) { return true; };  // on the connection's loop
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::atomic<bool> hold{false};
  std::atomic<int> held{0};
  RunningServer server(options, [&](const Request& request, Respond respond) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      threads.insert(std::this_thread::get_id());
    }
    if (request.target == "/held" && hold) {
      // Answered later from another thread, as the store answers triggers.
      ++held;
      std::thread([respond = std::move(respond)] {
        std::this_thread::sleep_for(300ms);
        respond(text(200, "late"));
      }).detach();
      return;
    }
    respond(text(200, "ok"));
  });
  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < 6; ++i) {
    connections.push_back(std::make_unique<Connection>(server.port()));
    connections.back()->send(http_request("GET", "/hello"));
    EXPECT_EQ(connections.back()->read_reply(2s).body, "ok");
  }
  EXPECT_EQ(threads.size(), 3u) << "six connections over three loops";
  // A request in flight on a loop other than the first, idle ones on every loop.
  hold = true;
  connections[4]->send(http_request("GET", "/held"));
  while (held == 0) std::this_thread::sleep_for(5ms);
  server.stop();
  for (int i : {0, 1, 2, 3, 5}) EXPECT_TRUE(connections[i]->closed_by_peer(1s)) << i;
  HttpReply late = connections[4]->read_reply(3s);
  EXPECT_EQ(late.body, "late");
  EXPECT_EQ(late.header("Connection"), "close");
  server.stop_and_wait();
  EXPECT_TRUE(server.stopped());
}

TEST(ServerListen, BusyPortIsAnErrorNamingTheAddress) {
  RunningServer first(test_options(), [](const Request&) { return text(200, "ok"); });
  ServerOptions options = test_options();
  options.port = first.port();
  try {
    Server second(options, [](const Request&) { return text(200, "ok"); });
    FAIL() << "bound a busy port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(first.port())),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace hub
