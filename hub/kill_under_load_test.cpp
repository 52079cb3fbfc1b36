// kill -9 of the hub under load loses no event it had acknowledged: many
// clients fire events on keep-alive connections (some with Idempotency-Keys,
// some retried), the hub is killed mid-stream, and every event that got a
// 200 must be in the database, once; the action runs of every stored event
// must be there too (same transaction). Then the hub restarts on that
// database and goes on.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"
#include "hub_process.h"
#include "temp_dir.h"

namespace hub {
namespace {

using namespace std::chrono_literals;
using testing::http_request;

// value1 -> how many events carry it; plus events without action runs.
struct Stored {
  std::map<std::string, int> by_value;
  int events = 0;
  int events_without_runs = 0;
};

Stored read_db(const std::string& path) {
  Stored out;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db,
                               "SELECT e.value1, (SELECT COUNT(*) FROM action_runs r WHERE "
                               "r.event_id = e.id) FROM events e",
                               -1, &st, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    ++out.events;
    ++out.by_value[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))];
    if (sqlite3_column_int(st, 1) == 0) ++out.events_without_runs;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

TEST(KillUnderLoad, EveryAcknowledgedEventSurvivesSigkillOnceWithItsRuns) {
  testing::TempDir dir;
  const std::string db = dir.file("hub.db");
  constexpr int kClients = 8;
  std::mutex mu;
  std::set<std::string> acked;  // value1 of every event answered 200
  std::atomic<int> acks{0};
  std::atomic<bool> stop{false};
  {
    testing::HubProcess hub(dir.path().string(),
                            {"serve", "--listen", "127.0.0.1:0", "--db", db, "--key", "k1"});
    const std::uint16_t port = hub.wait_for_port();
    ASSERT_NE(port, 0) << hub.stderr_text();

    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        try {
          testing::Connection conn(port);
          for (int n = 0; !stop; ++n) {
            const std::string value = "c" + std::to_string(c) + "-" + std::to_string(n);
            // Odd clients send Idempotency-Keys and fire each event twice,
            // as a board retrying after a lost reply would.
            const bool keyed = c % 2 == 1;
            const std::string extra = std::string("Content-Type: application/json\r\n") +
                                      (keyed ? "Idempotency-Key: " + value + "\r\n" : "");
            const std::string req =
                http_request("POST", "/trigger/button_pressed/with/key/k1",
                             "{\"value1\":\"" + value + "\"}", extra);
            for (int attempt = 0; attempt < (keyed ? 2 : 1); ++attempt) {
              if (!conn.send(req)) return;
              const testing::HttpReply reply = conn.read_reply(2s);
              if (reply.status == 0) return;  // the hub is gone
              if (reply.status != 200) {
                ADD_FAILURE() << "status " << reply.status << " for " << value;
                return;
              }
              std::lock_guard lock(mu);
              acked.insert(value);
              ++acks;
            }
          }
        } catch (const std::exception& e) {
          if (!stop) ADD_FAILURE() << "client " << c << ": " << e.what();
        }
      });
    }
    // Let the load build up, then kill the hub in the middle of it.
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (acks < 600 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    hub.signal(SIGKILL);
    ASSERT_TRUE(hub.wait().has_value());
    stop = true;
    for (auto& t : clients) t.join();
    ASSERT_GE(acks.load(), 600) << "the load never built up:\n" << hub.stderr_text();
  }

  const Stored stored = read_db(db);
  int missing = 0, doubled = 0;
  for (const std::string& v : acked) {
    auto it = stored.by_value.find(v);
    if (it == stored.by_value.end()) {
      if (++missing <= 5) ADD_FAILURE() << "acknowledged but not stored: " << v;
    }
  }
  for (const auto& [v, n] : stored.by_value)
    if (n != 1 && ++doubled <= 5) ADD_FAILURE() << v << " stored " << n << " times";
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(doubled, 0);
  // Committed but not yet answered when the kill came: allowed, and few.
  EXPECT_GE(stored.events, static_cast<int>(acked.size()));
  EXPECT_EQ(stored.events_without_runs, 0) << "an event was committed without its action runs";

  // The hub starts again on the same database and takes new events.
  testing::HubProcess again(dir.path().string(),
                            {"serve", "--listen", "127.0.0.1:0", "--db", db, "--key", "k1"},
                            "again");
  const std::uint16_t port = again.wait_for_port();
  ASSERT_NE(port, 0) << again.stderr_text();
  const testing::HttpReply reply = testing::fetch(
      port, http_request("POST", "/trigger/button_pressed/with/key/k1", R"({"value1":"after"})",
                         "Content-Type: application/json\r\n"));
  EXPECT_EQ(reply.status, 200);
  again.signal(SIGTERM);
  ASSERT_TRUE(again.wait().has_value());
  EXPECT_EQ(read_db(db).events, stored.events + 1);
}

}  // namespace
}  // namespace hub
