#include "ledger.h"

#include <stdio.h>    // snprintf
#include <stdlib.h>   // atoi
#include <string.h>   // strlen
#include <strings.h>  // strncasecmp, strcasecmp

#include <algorithm>  // std::sort
#include <cmath>      // std::ceil

namespace bh::soak {

namespace {

// The value of a header in a block of headers, or "" (case-insensitive name).
std::string header(const std::string& head, const char* name) {
  const size_t n = strlen(name);
  size_t at = 0;
  while ((at = head.find("\r\n", at)) != std::string::npos) {
    at += 2;
    if (head.size() - at > n && strncasecmp(head.data() + at, name, n) == 0 &&
        head[at + n] == ':') {
      size_t v = at + n + 1;
      while (v < head.size() && head[v] == ' ') ++v;
      const size_t end = head.find("\r\n", v);
      return head.substr(v, end == std::string::npos ? std::string::npos : end - v);
    }
  }
  return "";
}

// Nearest-rank percentile of sorted values.
double percentile(const std::vector<double>& sorted, double p) {
  const size_t rank = size_t(std::ceil(p / 100.0 * double(sorted.size())));
  return sorted[rank == 0 ? 0 : rank - 1];
}

}  // namespace

Ledger::Ledger(std::vector<std::string> button_ids) {
  for (auto& id : button_ids) {
    Board b;
    b.id = std::move(id);
    boards_.push_back(std::move(b));
  }
}

std::string Ledger::key_of(const Board& b, uint32_t boot, uint32_t seq) const {
  return b.id + "-" + std::to_string(boot) + "-" + std::to_string(seq);
}

void Ledger::on_press(size_t b, uint64_t t_us) {
  boards_[b].keyless.push_back(presses_.size());
  presses_.push_back(Press{b, t_us, "", false, false});
}

void Ledger::on_power_off(size_t b) {
  Board& board = boards_[b];
  if (board.last) {
    for (uint32_t seq : board.waiting) {
      auto it = press_of_key_.find(key_of(board, board.last->boot, seq));
      if (it != press_of_key_.end()) presses_[it->second].power_lost = true;
    }
  }
  // Presses the firmware had not queued yet are gone with it.
  for (size_t p : board.keyless) presses_[p].power_lost = true;
  board.keyless.clear();
  board.waiting.clear();
  board.last.reset();
  board.exchanges.clear();
}

void Ledger::on_queue(size_t b, const std::optional<QueueState>& q) {
  Board& board = boards_[b];
  const bool same_boot = q && board.last && board.last->boot == q->boot;
  // Keys given out since the last look: the seqs below next_seq not seen yet.
  if (q) {
    for (uint32_t seq = same_boot ? board.last->next_seq : 1; seq < q->next_seq; ++seq) {
      const std::string key = key_of(board, q->boot, seq);
      if (press_of_key_.count(key)) {
        ++reused_;  // the same key for a second press: that press gets none
        continue;
      }
      if (board.keyless.empty()) {
        orphans_.push_back(key);
        continue;
      }
      const size_t p = board.keyless.front();
      board.keyless.erase(board.keyless.begin());
      presses_[p].key = key;
      press_of_key_[key] = p;
      board.waiting.insert(seq);
    }
  }
  // Keys that left the queue of the same boot without a 2xx on the board:
  // the firmware gave up on them. (A queue that vanished otherwise leaves
  // its presses to be counted lost unless the hub has them.)
  if (same_boot) {
    const std::set<uint32_t> now(q->queued.begin(), q->queued.end());
    for (uint32_t seq : board.waiting) {
      if (now.count(seq)) continue;
      const std::string key = key_of(board, q->boot, seq);
      auto it = press_of_key_.find(key);
      if (it != press_of_key_.end() && !acked_us_.count(key)) presses_[it->second].dropped = true;
    }
  }
  board.waiting.clear();
  if (q) board.waiting.insert(q->queued.begin(), q->queued.end());
  board.last = q;
}

void Ledger::on_stream(size_t b, uint64_t t_us, const void* stream, bool is_sent,
                       std::string_view bytes) {
  Board& board = boards_[b];
  Exchange& x = board.exchanges[stream];
  if (is_sent) {
    if (!x.received.empty()) x = Exchange();  // the same stream id, a new exchange
    sent(board, x, bytes);
  } else {
    received(board, x, t_us, bytes);
  }
}

void Ledger::sent(Board& b, Exchange& x, std::string_view bytes) {
  const bool had_head = x.sent.find("\r\n\r\n") != std::string::npos;
  x.sent.append(bytes);
  const size_t end = x.sent.find("\r\n\r\n");
  if (had_head || end == std::string::npos) return;
  x.key = header(x.sent.substr(0, end + 2), "Idempotency-Key");
  if (!x.key.empty()) ++requests_;
}

void Ledger::received(Board& b, Exchange& x, uint64_t t_us, std::string_view bytes) {
  if (x.answered) return;
  x.received.append(bytes);
  const size_t end = x.received.find("\r\n\r\n");
  if (end == std::string::npos) return;
  x.answered = true;
  // "HTTP/1.1 200 OK"
  const size_t sp = x.received.find(' ');
  const int status = sp == std::string::npos ? 0 : atoi(x.received.c_str() + sp + 1);
  if (x.key.empty()) return;
  if (strcasecmp(header(x.received.substr(0, end + 2), "Idempotent-Replayed").c_str(), "true") ==
      0) {
    ++replays_;
  }
  if (status >= 200 && status < 300) acked_us_.emplace(x.key, t_us);
}

Figures Ledger::reckon(const StoredEvents& hub) const {
  Figures f;
  f.presses = presses_.size();
  f.stored_events = hub.total;
  f.requests = requests_;
  f.replays = replays_;
  f.keys_without_press = orphans_.size();
  f.keys_given_twice = reused_;
  f.drops_reported = hub.drops_reported;
  for (const Board& b : boards_) {
    if (b.last) f.drops_reported += b.last->drops_unreported;
  }
  std::set<std::string> queued_at_end;
  for (const Board& b : boards_) {
    if (!b.last) continue;
    for (uint32_t seq : b.last->queued) queued_at_end.insert(key_of(b, b.last->boot, seq));
  }
  std::vector<double> latencies;
  for (const Press& p : presses_) {
    const auto stored = p.key.empty() ? hub.by_key.end() : hub.by_key.find(p.key);
    if (stored != hub.by_key.end() && stored->second >= 1) {
      if (stored->second == 1) {
        ++f.delivered_once;
      } else {
        ++f.delivered_more;
      }
    } else if (!p.key.empty() && queued_at_end.count(p.key)) {
      ++f.still_queued;
    } else if (p.dropped) {
      ++f.dropped;
    } else if (p.power_lost) {
      ++f.lost_to_power_off;
    } else {
      ++f.lost;
      char line[160];
      snprintf(line, sizeof line, "%s pressed at %.3f s, %s%s", boards_[p.board].id.c_str(),
               double(p.pressed_us) / 1e6, p.key.empty() ? "no key" : "key ", p.key.c_str());
      f.lost_presses.push_back(line);
    }
    if (!p.key.empty()) {
      auto ack = acked_us_.find(p.key);
      if (ack != acked_us_.end() && ack->second >= p.pressed_us) {
        latencies.push_back(double(ack->second - p.pressed_us) / 1e6);
      }
    }
  }
  f.duplicate_events = hub.without_key;
  for (const auto& [key, n] : hub.by_key) {
    if (press_of_key_.count(key)) {
      f.duplicate_events += n - 1;
    } else {
      f.duplicate_events += n;  // an event no press accounts for
    }
  }
  if (!latencies.empty()) {
    std::sort(latencies.begin(), latencies.end());
    f.latency_p50_s = percentile(latencies, 50);
    f.latency_p99_s = percentile(latencies, 99);
    f.latency_max_s = latencies.back();
  }
  return f;
}

}  // namespace bh::soak
