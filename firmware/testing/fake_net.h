// A scripted network for core tests: no sockets, no threads, no real time.
//
//   FakeStream   read() returns scripted chunks, timeouts and errors in
//                order; write() records the bytes (and can fail after N);
//                close() is counted, and use after close is counted too.
//   FakeNet      a DNS table and, per ip:port, a queue of scripted
//                connections (a FakeStream, or a connect error); records
//                every lookup and connect.
//   FakeListener accept() hands out queued FakeStreams.
//
// Time is virtual: give the fakes a Machine (e.g. testing::FakeMachine from
// fake_board.h) and every timeout or delay advances it through sleep_ms(),
// so code that measures time with ticks_ms() sees time pass.
//
//   FakeNet net(&machine);
//   net.add_host("maker.ifttt.com", ip4(10, 0, 0, 1));
//   net.expect(ip4(10, 0, 0, 1), 80).max_read(7).data("HTTP/1.1 200 OK\r\n...");
//   ... run the code ...
//   EXPECT_TRUE(net.all_streams_closed());
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hal.h"

namespace bh::testing {

inline Ip4 ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  Ip4 ip;
  ip.b[0] = a;
  ip.b[1] = b;
  ip.b[2] = c;
  ip.b[3] = d;
  return ip;
}

inline std::string as_string(StrRef s) {
  return std::string(s.data, s.len);
}

class FakeStream final : public Stream {
 public:
  // What one read() does, in script order.
  struct Step {
    enum Kind { Data, Timeout, Error, Delay } kind;
    std::string bytes;  // Data
    Err err = Err::Ok;  // Error
    uint32_t ms = 0;    // Delay
  };
  // What reads do once the script is used up.
  enum class End { Eof, Hang, Error };

  explicit FakeStream(Machine* clock = nullptr) : clock_(clock) {}

  // ---- the script --------------------------------------------------------
  // Bytes, delivered by as many reads as max_read() and the caller's buffer need.
  FakeStream& data(std::string bytes) {
    steps_.push_back({Step::Data, std::move(bytes), Err::Ok, 0});
    return *this;
  }
  // One read waits its whole timeout (on the clock) and returns -Timeout.
  FakeStream& timeout() {
    steps_.push_back({Step::Timeout, {}, Err::Timeout, 0});
    return *this;
  }
  // One read returns -e at once (e.g. Err::IoError for a reset).
  FakeStream& error(Err e) {
    steps_.push_back({Step::Error, {}, e, 0});
    return *this;
  }
  // The next bytes come ms of virtual time later (a slow server); a read
  // whose timeout is shorter times out and leaves the rest of the wait.
  FakeStream& delay(uint32_t ms) {
    steps_.push_back({Step::Delay, {}, Err::Ok, ms});
    return *this;
  }
  // After the script: orderly close (the default), silence, or an error.
  FakeStream& then_eof() {
    end_ = End::Eof;
    return *this;
  }
  FakeStream& then_hang() {
    end_ = End::Hang;
    return *this;
  }
  FakeStream& then_error(Err e) {
    end_ = End::Error;
    end_err_ = e;
    return *this;
  }
  // No read returns more than n bytes (1 = byte by byte).
  FakeStream& max_read(size_t n) {
    max_read_ = n ? n : 1;
    return *this;
  }
  // Once n data bytes have been read, every read returns -e (a timeout
  // waits its timeout first), whatever the script still holds.
  FakeStream& fail_after(size_t n, Err e) {
    fail_after_ = n;
    fail_err_ = e;
    return *this;
  }
  // write() accepts n bytes in total, then returns e.
  FakeStream& fail_write_after(size_t n, Err e) {
    write_limit_ = n;
    write_err_ = e;
    return *this;
  }

  // ---- what happened -----------------------------------------------------
  std::string written;
  int close_calls = 0;
  int reads = 0;
  int calls_after_close = 0;
  std::vector<uint32_t> read_timeouts;   // timeout_ms of each read()
  std::vector<uint32_t> write_timeouts;  // timeout_ms of each write()
  size_t bytes_read = 0;
  bool closed() const { return close_calls > 0; }

  // ---- Stream ------------------------------------------------------------
  int32_t read(uint8_t* buf, size_t len, uint32_t timeout_ms) override {
    if (close_calls) ++calls_after_close;
    ++reads;
    read_timeouts.push_back(timeout_ms);
    // Virtual time this call has waited: a read never waits past its timeout.
    uint32_t spent = 0;
    auto time_out = [&](Err e) {
      if (e == Err::Timeout) advance(timeout_ms - spent);
      return -static_cast<int32_t>(e);
    };
    if (fail_after_ != kNever && bytes_read >= fail_after_) return time_out(fail_err_);
    while (!steps_.empty()) {
      Step& s = steps_.front();
      switch (s.kind) {
        case Step::Delay:
          if (s.ms > timeout_ms - spent) {  // the rest of the delay is for the next read
            s.ms -= timeout_ms - spent;
            return time_out(Err::Timeout);
          }
          advance(s.ms);
          spent += s.ms;
          steps_.pop_front();
          continue;
        case Step::Timeout: steps_.pop_front(); return time_out(Err::Timeout);
        case Step::Error: {
          const Err e = s.err;
          steps_.pop_front();
          return time_out(e);
        }
        case Step::Data: {
          if (s.bytes.empty()) {
            steps_.pop_front();
            continue;
          }
          size_t n = s.bytes.size();
          if (n > len) n = len;
          if (n > max_read_) n = max_read_;
          if (fail_after_ != kNever && n > fail_after_ - bytes_read) n = fail_after_ - bytes_read;
          memcpy(buf, s.bytes.data(), n);
          s.bytes.erase(0, n);
          bytes_read += n;
          return static_cast<int32_t>(n);
        }
      }
    }
    switch (end_) {
      case End::Eof: return 0;
      case End::Hang: return time_out(Err::Timeout);
      case End::Error: return time_out(end_err_);
    }
    return 0;
  }

  Err write(const uint8_t* data, size_t len, uint32_t timeout_ms) override {
    if (close_calls) ++calls_after_close;
    write_timeouts.push_back(timeout_ms);
    size_t n = len;
    if (write_limit_ != kNever && n > write_limit_ - written.size()) {
      n = write_limit_ - written.size();
    }
    written.append(reinterpret_cast<const char*>(data), n);
    if (n < len) {
      if (write_err_ == Err::Timeout) advance(timeout_ms);
      return write_err_;
    }
    return Err::Ok;
  }

  void close() override { ++close_calls; }

 private:
  static constexpr size_t kNever = static_cast<size_t>(-1);

  void advance(uint32_t ms) {
    if (clock_ && ms) clock_->sleep_ms(ms);
  }

  Machine* clock_;
  std::deque<Step> steps_;
  End end_ = End::Eof;
  Err end_err_ = Err::IoError;
  size_t max_read_ = static_cast<size_t>(-1);
  size_t fail_after_ = kNever;
  Err fail_err_ = Err::IoError;
  size_t write_limit_ = kNever;
  Err write_err_ = Err::IoError;
};

class FakeListener final : public Listener {
 public:
  explicit FakeListener(Machine* clock) : clock_(clock) {}

  // The next accept() returns this stream.
  FakeStream& incoming() {
    queue_.push_back(std::make_unique<FakeStream>(clock_));
    return *queue_.back();
  }

  Stream* accept(uint32_t timeout_ms, Err* err) override {
    if (queue_.empty()) {
      if (clock_ && timeout_ms) clock_->sleep_ms(timeout_ms);
      *err = Err::Timeout;
      return nullptr;
    }
    accepted.push_back(std::move(queue_.front()));
    queue_.pop_front();
    *err = Err::Ok;
    return accepted.back().get();
  }
  void close() override { ++close_calls; }

  std::vector<std::unique_ptr<FakeStream>> accepted;
  int close_calls = 0;

 private:
  Machine* clock_;
  std::deque<std::unique_ptr<FakeStream>> queue_;
};

class FakeNet final : public Net {
 public:
  struct ConnectCall {
    Ip4 ip;
    uint16_t port;
    uint32_t timeout_ms;
    bool tls;
    std::string sni;  // TlsOptions::sni when tls
    Err result;
  };

  explicit FakeNet(Machine* clock = nullptr) : clock_(clock) {}

  // ---- DNS ---------------------------------------------------------------
  void add_host(const std::string& name, Ip4 ip) { dns_[name] = {Err::Ok, ip}; }
  // The lookup fails with e (Err::Timeout waits the lookup's timeout).
  void fail_host(const std::string& name, Err e) { dns_[name] = {e, Ip4()}; }

  // ---- connections, used in order per ip:port ----------------------------
  // The next connect() to ip:port succeeds with the returned stream.
  FakeStream& expect(Ip4 ip, uint16_t port) {
    Pending p;
    p.stream = std::make_unique<FakeStream>(clock_);
    FakeStream& s = *p.stream;
    pending_[key(ip, port)].push_back(std::move(p));
    return s;
  }
  // The next connect() to ip:port fails with e (Err::ConnectTimeout waits
  // the connect's timeout). Without any script, connect() is refused.
  void refuse(Ip4 ip, uint16_t port, Err e = Err::ConnectFailed) {
    Pending p;
    p.err = e;
    pending_[key(ip, port)].push_back(std::move(p));
  }
  // Transports without TLS answer https with Err::TlsUnsupported.
  bool tls_supported = true;

  // ---- what happened -----------------------------------------------------
  std::vector<std::string> lookups;
  std::vector<ConnectCall> connects;
  std::vector<FakeStream*> handed_out;  // every stream connect() returned

  bool all_streams_closed() const {
    for (const FakeStream* s : handed_out) {
      if (s->close_calls != 1 || s->calls_after_close != 0) return false;
    }
    return true;
  }
  size_t unused_scripts() const {
    size_t n = 0;
    for (const auto& kv : pending_) n += kv.second.size();
    return n;
  }
  FakeListener* listener(uint16_t port) {
    auto it = listeners_.find(port);
    return it == listeners_.end() ? nullptr : it->second.get();
  }
  // listen(port) returns this listener; other ports give Err::Unsupported.
  FakeListener& serve(uint16_t port) {
    auto& l = listeners_[port];
    if (!l) l = std::make_unique<FakeListener>(clock_);
    return *l;
  }

  // ---- Net ---------------------------------------------------------------
  Err resolve(StrRef host, Ip4* out, uint32_t timeout_ms) override {
    const std::string name = as_string(host);
    lookups.push_back(name);
    auto it = dns_.find(name);
    if (it != dns_.end()) {
      if (it->second.first == Err::Timeout && clock_ && timeout_ms) clock_->sleep_ms(timeout_ms);
      if (it->second.first == Err::Ok) *out = it->second.second;
      return it->second.first;
    }
    unsigned a, b, c, d;
    char tail;
    if (sscanf(name.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a < 256 && b < 256 &&
        c < 256 && d < 256) {
      *out = ip4(uint8_t(a), uint8_t(b), uint8_t(c), uint8_t(d));
      return Err::Ok;
    }
    return Err::DnsFailed;
  }

  Stream* connect(Ip4 ip, uint16_t port, uint32_t timeout_ms, const TlsOptions* tls,
                  Err* err) override {
    ConnectCall call{ip, port, timeout_ms, tls != nullptr, tls ? as_string(tls->sni) : "", Err::Ok};
    Stream* result = nullptr;
    auto& queue = pending_[key(ip, port)];
    if (tls && !tls_supported) {
      call.result = Err::TlsUnsupported;
    } else if (queue.empty()) {
      call.result = Err::ConnectFailed;
    } else {
      Pending p = std::move(queue.front());
      queue.pop_front();
      if (p.stream) {
        handed_out.push_back(p.stream.get());
        result = p.stream.get();
        owned_.push_back(std::move(p.stream));
      } else {
        call.result = p.err;
        if (p.err == Err::ConnectTimeout && clock_ && timeout_ms) clock_->sleep_ms(timeout_ms);
      }
    }
    connects.push_back(call);
    *err = call.result;
    return result;
  }

  Listener* listen(uint16_t port, Err* err) override {
    FakeListener* l = listener(port);
    *err = l ? Err::Ok : Err::Unsupported;
    return l;
  }

 private:
  struct Pending {
    std::unique_ptr<FakeStream> stream;  // null: the connect fails with err
    Err err = Err::ConnectFailed;
  };
  static uint64_t key(Ip4 ip, uint16_t port) {
    return (uint64_t(ip.b[0]) << 40) | (uint64_t(ip.b[1]) << 32) | (uint64_t(ip.b[2]) << 24) |
           (uint64_t(ip.b[3]) << 16) | port;
  }

  Machine* clock_;
  std::map<std::string, std::pair<Err, Ip4>> dns_;
  std::map<uint64_t, std::deque<Pending>> pending_;
  std::vector<std::unique_ptr<FakeStream>> owned_;
  std::map<uint16_t, std::unique_ptr<FakeListener>> listeners_;
};

}  // namespace bh::testing
