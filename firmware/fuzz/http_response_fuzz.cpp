// libFuzzer target for HttpResponseParser (and HttpClient on top of it).
//
// The first two bytes choose where the rest is cut; the parser must reach
// the same result fed whole, in two pieces, and byte by byte, and keep its
// own invariants. Then the same bytes are served to HttpClient as the reply
// of every connection (so redirects are exercised too), which must close
// every stream it opened.
#include <stddef.h>  // size_t
#include <stdint.h>  // uint8_t

#include "http_client.h"
#include "fake_net.h"  // scripted streams; a test fake, fine in a fuzzer

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct Outcome {
  bh::HttpResponseParser::State state;
  bh::Err err;
  int status;
  size_t body_bytes;
  bool truncated;
  bool chunked;
  size_t consumed;
};

bool same(const Outcome& a, const Outcome& b, const bh::HttpResponseParser& pa,
          const bh::HttpResponseParser& pb) {
  return a.state == b.state && a.err == b.err && a.status == b.status &&
         a.body_bytes == b.body_bytes && a.truncated == b.truncated && a.chunked == b.chunked &&
         a.consumed == b.consumed && pa.body().equals(pb.body()) &&
         pa.location().equals(pb.location());
}

Outcome run(bh::HttpResponseParser& p, const uint8_t* data, size_t len, size_t step, size_t cut) {
  p.reset();
  size_t consumed = 0;
  size_t from = 0;
  while (from < len) {
    size_t to = step ? from + step : len;
    if (from < cut && to > cut) to = cut;
    if (to > len) to = len;
    const size_t n = p.feed(data + from, to - from);
    check(n <= to - from);
    check(n == to - from || p.done() || p.failed());
    consumed += n;
    from = to;
  }
  if (!p.done() && !p.failed()) p.on_eof();
  check(p.done() || p.failed());
  check(p.failed() == (p.error() != bh::Err::Ok));
  check(!p.failed() || p.error() == bh::Err::BadResponse || p.error() == bh::Err::Closed);
  check(p.status() == 0 || (p.status() >= 100 && p.status() <= 599));
  check(!p.done() || p.status() >= 200);
  check(p.body().len <= bh::sizes::kHttpResponseBodyMax);
  check(p.body_bytes() >= p.body().len);
  check(p.body_truncated() == (p.body_bytes() > p.body().len));
  return {p.state(),          p.error(),   p.status(), p.body_bytes(),
          p.body_truncated(), p.chunked(), consumed};
}

class Clock : public bh::Machine {
 public:
  uint32_t now = 0;
  bh::ResetCause reset_cause() override { return bh::ResetCause::PowerOn; }
  void deepsleep(uint32_t) override {}
  void reset() override {}
  uint32_t ticks_ms() override { return now; }
  void sleep_ms(uint32_t ms) override { now += ms; }
  bool rtc_clock_ms(uint64_t*) override { return false; }
  uint32_t chip_id() override { return 1; }
  size_t rtc_memory_size() override { return 0; }
  bool rtc_memory_read(size_t, void*, size_t) override { return false; }
  bool rtc_memory_write(size_t, const void*, size_t) override { return false; }
  uint16_t battery_mv() override { return 0; }
  void log(bh::StrRef) override {}
};

void run_client(const uint8_t* data, size_t len, size_t piece, bool post) {
  Clock clock;
  bh::testing::FakeNet net(&clock);
  const bh::Ip4 ip = bh::testing::ip4(10, 0, 0, 1);
  net.add_host("hub.local", ip);
  const std::string reply(reinterpret_cast<const char*>(data), len);
  for (int i = 0; i <= bh::sizes::kHttpMaxRedirects; ++i) {
    net.expect(ip, 80).max_read(piece).data(reply);
  }
  bh::HttpClient client(net, clock);
  bh::HttpRequest req;
  req.url = "http://hub.local/trigger/press/with/key/k";
  if (post) {
    req.method = "POST";
    req.content_type = "application/json";
    req.body = "{\"value1\":\"fuzz\"}";
  }
  bh::HttpResult result;
  client.request(req, &result);
  check(net.all_streams_closed());
  check(result.redirects <= bh::sizes::kHttpMaxRedirects);
  check(result.err != bh::Err::Ok || (result.status >= 200 && result.status < 300));
  check(result.err != bh::Err::HttpStatus || result.status >= 400);
  check(result.body.size() <= bh::sizes::kHttpResponseBodyMax);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > 8192) return 0;
  const size_t choice = static_cast<size_t>(data[0]) << 8 | data[1];
  data += 2;
  size -= 2;
  const size_t cut = size ? choice % (size + 1) : 0;

  static bh::HttpResponseParser whole, split, bytes;
  const Outcome a = run(whole, data, size, 0, size);
  const Outcome b = run(split, data, size, 0, cut);
  const Outcome c = run(bytes, data, size, 1, size);
  check(same(a, b, whole, split));
  check(same(a, c, whole, bytes));

  run_client(data, size, cut ? cut : 1, (choice & 1) != 0);
  return 0;
}
