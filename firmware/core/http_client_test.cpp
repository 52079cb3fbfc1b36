// HTTP client: URL parsing, the push parser under every split of its input,
// and whole requests over a scripted network (fake_net.h) on virtual time.
#include "http_client.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "fake_board.h"  // FakeMachine: the virtual clock
#include "fake_net.h"
#include "json.h"

namespace bh {
namespace {

using testing::as_string;
using testing::FakeMachine;
using testing::FakeNet;
using testing::FakeStream;
using testing::ip4;

StrRef view(const std::string& t) {
  return StrRef(t.data(), t.size());
}

// ============================================================ parse_url ===

struct UrlCase {
  std::string text;
  Err err;
  bool tls = false;
  std::string host = "";
  uint16_t port = 0;
  std::string path = "";
};

TEST(ParseUrl, Table) {
  const std::string long_host(128, 'h');
  const std::vector<UrlCase> cases = {
      {"http://maker.ifttt.com/trigger/button_pressed/with/key/k3y", Err::Ok, false,
       "maker.ifttt.com", 80, "/trigger/button_pressed/with/key/k3y"},
      {"http://maker.ifttt.com/trigger/button_pressed/...", Err::Ok, false, "maker.ifttt.com", 80,
       "/trigger/button_pressed/..."},
      {"https://maker.ifttt.com/x", Err::Ok, true, "maker.ifttt.com", 443, "/x"},
      {"HTTP://Example.COM/Path", Err::Ok, false, "example.com", 80, "/Path"},
      {"HtTpS://h/", Err::Ok, true, "h", 443, "/"},
      {"http://h", Err::Ok, false, "h", 80, "/"},
      {"http://h:8080", Err::Ok, false, "h", 8080, "/"},
      {"http://127.0.0.1:8080/trigger/e/with/key/k", Err::Ok, false, "127.0.0.1", 8080,
       "/trigger/e/with/key/k"},
      {"https://h:1/", Err::Ok, true, "h", 1, "/"},
      {"http://h:65535/", Err::Ok, false, "h", 65535, "/"},
      {"http://h:080/", Err::Ok, false, "h", 80, "/"},
      {"https://h:80/", Err::Ok, true, "h", 80, "/"},
      {"http://h?x=1&y=2", Err::Ok, false, "h", 80, "/?x=1&y=2"},
      {"http://h:81?x=1", Err::Ok, false, "h", 81, "/?x=1"},
      {"http://h/p?q=a/b:c@d", Err::Ok, false, "h", 80, "/p?q=a/b:c@d"},
      {"http://h/p#frag", Err::Ok, false, "h", 80, "/p"},
      {"http://h#frag", Err::Ok, false, "h", 80, "/"},
      {"http://h/caf\xC3\xA9", Err::Ok, false, "h", 80, "/caf%C3%A9"},
      {"http://my_host.local./x", Err::Ok, false, "my_host.local.", 80, "/x"},
      {"http://" + long_host + "/", Err::Ok, false, long_host, 80, "/"},
      // Ports
      {"http://h:0/", Err::BadUrl},
      {"http://h:65536/", Err::BadUrl},
      {"http://h:99999999999999/", Err::BadUrl},
      {"http://h:/", Err::BadUrl},
      {"http://h:-1/", Err::BadUrl},
      {"http://h:8o/", Err::BadUrl},
      {"http://h:80:81/", Err::BadUrl},
      // Hosts
      {"http:///path", Err::BadUrl},
      {"http://", Err::BadUrl},
      {"http://:80/", Err::BadUrl},
      {"http://user:pw@h/", Err::BadUrl},
      {"http://[::1]:80/", Err::BadUrl},
      {"http://h st/", Err::BadUrl},
      {"http://.h/", Err::BadUrl},
      {"http://a..b/", Err::BadUrl},
      {"http://h\r\nX: y/", Err::BadUrl},
      // Schemes
      {"ftp://h/", Err::BadUrl},
      {"ws://h:8266/", Err::BadUrl},
      {"maker.ifttt.com/trigger", Err::BadUrl},
      {"http:/h/", Err::BadUrl},
      {"", Err::BadUrl},
      {"https//h/", Err::BadUrl},
      // Paths that would break the request line
      {"http://h/a b", Err::BadUrl},
      {"http://h/a\tb", Err::BadUrl},
      {"http://h/a\r\nHost: evil", Err::BadUrl},
      {std::string("http://h/a\0b", 12), Err::BadUrl},
      {"http://h/\x7f", Err::BadUrl},
      // Overflow
      {"http://" + long_host + "h/", Err::Overflow},
      {"http://h/" + std::string(sizes::kPathMax, 'p'), Err::Overflow},
      {"http://h/" + std::string(sizes::kPathMax / 3, '\xE9'),
       Err::Overflow},  // grows when encoded
  };
  for (const UrlCase& c : cases) {
    Url url;
    const Err e = parse_url(view(c.text), &url);
    EXPECT_EQ(e, c.err) << c.text << " gave " << err_name(e);
    if (e != Err::Ok || c.err != Err::Ok) continue;
    EXPECT_EQ(url.tls, c.tls) << c.text;
    EXPECT_EQ(as_string(url.host.ref()), c.host) << c.text;
    EXPECT_EQ(url.port, c.port) << c.text;
    EXPECT_EQ(as_string(url.path.ref()), c.path) << c.text;
  }
}

TEST(ParseUrl, PathOfExactlyTheLimitFits) {
  Url url;
  const std::string path = "/" + std::string(sizes::kPathMax - 1, 'p');
  ASSERT_EQ(parse_url(view("http://h" + path), &url), Err::Ok);
  EXPECT_EQ(as_string(url.path.ref()), path);
}

// ================================================== HttpResponseParser ===

struct Outcome {
  HttpResponseParser::State state;
  Err err;
  int status;
  std::string body;
  size_t body_bytes;
  bool truncated;
  std::string location;
  bool chunked;
  bool keep_alive;
  size_t consumed;
  bool operator==(const Outcome& o) const {
    return state == o.state && err == o.err && status == o.status && body == o.body &&
           body_bytes == o.body_bytes && truncated == o.truncated && location == o.location &&
           chunked == o.chunked && keep_alive == o.keep_alive && consumed == o.consumed;
  }
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  return os << "{state " << int(o.state) << ", " << err_name(o.err) << ", status " << o.status
            << ", body '" << o.body << "' (" << o.body_bytes << (o.truncated ? " truncated" : "")
            << "), location '" << o.location << "', consumed " << o.consumed << "}";
}

// Feeds msg cut at the given offsets (ascending), then EOF if asked.
Outcome run_parser(HttpResponseParser& p, const std::string& msg, const std::vector<size_t>& cuts,
                   bool eof) {
  p.reset();
  size_t consumed = 0;
  size_t from = 0;
  auto feed = [&](size_t to) {
    consumed += p.feed(reinterpret_cast<const uint8_t*>(msg.data()) + from, to - from);
    from = to;
  };
  for (size_t c : cuts) feed(c);
  feed(msg.size());
  if (eof) p.on_eof();
  return {p.state(),
          p.error(),
          p.status(),
          as_string(p.body()),
          p.body_bytes(),
          p.body_truncated(),
          as_string(p.location()),
          p.chunked(),
          p.keep_alive(),
          consumed};
}

struct ParserCase {
  const char* what;
  std::string msg;
  bool eof;  // the peer closes after msg
  bool done;
  Err err;
  int status;
  std::string body;
  std::string location = "";
  size_t left = 0;  // bytes after the message that feed() must not consume
};

const std::string kIftttOk =
    "HTTP/1.1 200 OK\r\nDate: Wed, 25 Nov 2026 06:00:00 GMT\r\n"
    "Content-Type: text/html; charset=utf-8\r\nContent-Length: 54\r\nConnection: keep-alive\r\n"
    "X-Powered-By: Sad Unicorns\r\n\r\n"
    "Congratulations! You've fired the button_pressed event";
const std::string kIftttBadKeyBody = R"({"errors":[{"message":"You sent an invalid key."}]})";
const std::string kIfttt401 =
    "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json; charset=utf-8\r\n"
    "Content-Length: " +
    std::to_string(kIftttBadKeyBody.size()) + "\r\n\r\n" + kIftttBadKeyBody;

const std::vector<ParserCase>& parser_cases() {
  static const std::string big(2000, 'x');
  static const std::vector<ParserCase> cases = {
      {"IFTTT's success reply", kIftttOk, false, true, Err::Ok, 200,
       "Congratulations! You've fired the button_pressed event"},
      {"IFTTT's bad key reply", kIfttt401, false, true, Err::Ok, 401, kIftttBadKeyBody},
      {"HTTP/1.0 without reason phrase", "HTTP/1.0 200\r\nContent-Length: 2\r\n\r\nhi", false, true,
       Err::Ok, 200, "hi"},
      {"empty reason phrase", "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n", false, true, Err::Ok,
       404, ""},
      {"header names in any case, no space after colon",
       "HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh:3\r\n\r\nabc", false, true, Err::Ok, 200, "abc"},
      {"value with spaces and tabs around", "HTTP/1.1 200 OK\r\nContent-Length: \t 3 \t\r\n\r\nabc",
       false, true, Err::Ok, 200, "abc"},
      {"repeated identical lengths",
       "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n\r\nabc", false, true,
       Err::Ok, 200, "abc"},
      {"bare LF line endings", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", false, true, Err::Ok,
       200, "ok"},
      {"UTF-8 in a header value",
       "HTTP/1.1 200 OK\r\nX-Note: caf\xC3\xA9\r\nContent-Length: 1\r\n\r\n!", false, true, Err::Ok,
       200, "!"},
      {"zero length", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false, true, Err::Ok, 200,
       ""},
      {"bytes after the body are left", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",
       false, true, Err::Ok, 200, "ok", "", 5},
      {"chunked with extensions and trailers",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
       "5\r\nhello\r\n6;name=value;q=\"x y\"\r\n world\r\n000A \r\n0123456789\r\n"
       "0;last\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n",
       false, true, Err::Ok, 200, "hello world0123456789"},
      {"chunked, uppercase hex and bare LF",
       "HTTP/1.1 200 OK\r\ntransfer-encoding: CHUNKED\r\n\r\nB\nhello world\n0\n\n", false, true,
       Err::Ok, 200, "hello world"},
      {"chunked wins over Content-Length",
       "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
       "3\r\nabc\r\n0\r\n\r\n",
       false, true, Err::Ok, 200, "abc"},
      {"chunked then bytes after the message",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\nHTTP/1.1", false,
       true, Err::Ok, 200, "a", "", 8},
      {"identity coding is no coding",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\nContent-Length: 2\r\n\r\nok", false, true,
       Err::Ok, 200, "ok"},
      {"body until close", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the close",
       true, true, Err::Ok, 200, "until the close"},
      {"empty body until close", "HTTP/1.0 500 Oops\r\n\r\n", true, true, Err::Ok, 500, ""},
      {"coding other than chunked last: until close",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\nContent-Length: 1\r\n\r\nabcdef",
       true, true, Err::Ok, 200, "abcdef"},
      {"100 Continue is skipped",
       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, true,
       Err::Ok, 200, "ok"},
      {"103 Early Hints with headers is skipped",
       "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\nContent-Length: 99\r\n\r\n"
       "HTTP/1.1 100 Continue\r\n\r\n"
       "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
       false, true, Err::Ok, 201, "ok"},
      {"204 has no body", "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\nNEXT", false, true,
       Err::Ok, 204, "", "", 4},
      {"304 has no body", "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", false,
       true, Err::Ok, 304, ""},
      {"Location is captured",
       "HTTP/1.1 302 Found\r\nLocation:  https://example.com/next?a=1 \r\nContent-Length: "
       "0\r\n\r\n",
       false, true, Err::Ok, 302, "", "https://example.com/next?a=1"},
      {"Location too long to follow is dropped",
       "HTTP/1.1 302 Found\r\nLocation: /" + std::string(sizes::kUrlMax, 'l') +
           "\r\nContent-Length: 0\r\n\r\n",
       false, true, Err::Ok, 302, ""},
      {"long body is kept in part and counted",
       "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + big, false, true, Err::Ok, 200,
       big.substr(0, sizes::kHttpResponseBodyMax)},
      {"header line at the limit",
       "HTTP/1.1 200 OK\r\nX: " + std::string(sizes::kHttpHeaderLineMax - 3, 'v') +
           "\r\nContent-Length: 0\r\n\r\n",
       false, true, Err::Ok, 200, ""},

      // Rejected
      {"not HTTP", "garbage\r\n\r\n", false, false, Err::BadResponse, 0, ""},
      {"SSH banner", "SSH-2.0-OpenSSH_9.2\r\n", false, false, Err::BadResponse, 0, ""},
      {"binary", std::string("\x16\x03\x01\x02\x00", 5), false, false, Err::BadResponse, 0, ""},
      {"HTTP/2", "HTTP/2 200\r\n\r\n", false, false, Err::BadResponse, 0, ""},
      {"HTTP/1.x with letters", "HTTP/1.x 200 OK\r\n\r\n", false, false, Err::BadResponse, 0, ""},
      {"two-digit status", "HTTP/1.1 20 OK\r\n\r\n", false, false, Err::BadResponse, 0, ""},
      {"no space after status", "HTTP/1.1 200OK\r\n\r\n", false, false, Err::BadResponse, 0, ""},
      {"status 600", "HTTP/1.1 600 What\r\n\r\n", false, false, Err::BadResponse, 0, ""},
      {"status 099", "HTTP/1.1 099 What\r\n\r\n", false, false, Err::BadResponse, 0, ""},
      {"101 Switching Protocols", "HTTP/1.1 101 Switching Protocols\r\n\r\n", false, false,
       Err::BadResponse, 0, ""},
      {"empty first line", "\r\nHTTP/1.1 200 OK\r\n\r\n", false, false, Err::BadResponse, 0, ""},
      {"header line over the limit",
       "HTTP/1.1 200 OK\r\nX: " + std::string(sizes::kHttpHeaderLineMax - 2, 'v') + "\r\n\r\n",
       false, false, Err::BadResponse, 200, ""},
      {"status line over the limit",
       "HTTP/1.1 200 " + std::string(sizes::kHttpHeaderLineMax, 'r') + "\r\n\r\n", false, false,
       Err::BadResponse, 0, ""},
      {"endless headers",
       "HTTP/1.1 200 OK\r\n" +
           [] {
             std::string h;
             for (int i = 0; i < 500; ++i) h += "X-Filler: 0123456789\r\n";
             return h;
           }(),
       false, false, Err::BadResponse, 200, ""},
      {"endless 100 Continue",
       [] {
         std::string h;
         for (int i = 0; i < 400; ++i) h += "HTTP/1.1 100 Continue\r\n\r\n";
         return h;
       }(),
       false, false, Err::BadResponse, 0, ""},
      {"negative length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false, false,
       Err::BadResponse, 200, ""},
      {"length beyond 32 bits", "HTTP/1.1 200 OK\r\nContent-Length: 4294967296\r\n\r\n", false,
       false, Err::BadResponse, 200, ""},
      {"huge length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", false,
       false, Err::BadResponse, 200, ""},
      {"empty length", "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", false, false, Err::BadResponse,
       200, ""},
      {"length with a unit", "HTTP/1.1 200 OK\r\nContent-Length: 5 bytes\r\n\r\n", false, false,
       Err::BadResponse, 200, ""},
      {"conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
       false, false, Err::BadResponse, 200, ""},
      {"conflicting lengths in one field", "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", false,
       false, Err::BadResponse, 200, ""},
      {"length list with a hole", "HTTP/1.1 200 OK\r\nContent-Length: 5,,5\r\n\r\n", false, false,
       Err::BadResponse, 200, ""},
      {"header without colon", "HTTP/1.1 200 OK\r\nContent-Length 5\r\n\r\n", false, false,
       Err::BadResponse, 200, ""},
      {"space before colon", "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n", false, false,
       Err::BadResponse, 200, ""},
      {"empty header name", "HTTP/1.1 200 OK\r\n: 5\r\n\r\n", false, false, Err::BadResponse, 200,
       ""},
      {"folded header", "HTTP/1.1 200 OK\r\nX-A: 1\r\n  continued\r\n\r\n", false, false,
       Err::BadResponse, 200, ""},
      {"bare CR in a header", "HTTP/1.1 200 OK\r\nX-A: 1\rX-B: 2\r\n\r\n", false, false,
       Err::BadResponse, 200, ""},
      {"NUL in a header", std::string("HTTP/1.1 200 OK\r\nX-A: \0\r\n\r\n", 27), false, false,
       Err::BadResponse, 200, ""},
      {"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false,
       false, Err::BadResponse, 200, ""},
      {"empty chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", false,
       false, Err::BadResponse, 200, ""},
      {"negative chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n", false,
       false, Err::BadResponse, 200, ""},
      {"chunk size with junk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\n",
       false, false, Err::BadResponse, 200, ""},
      {"chunk size beyond 32 bits",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100000000\r\n", false, false,
       Err::BadResponse, 200, ""},
      {"missing CRLF after chunk data",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n", false,
       false, Err::BadResponse, 200, "hello"},
      {"CR without LF after chunk data",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\r\n0\r\n\r\n", false,
       false, Err::BadResponse, 200, "hello"},

      // Cut short by the peer
      {"nothing at all", "", true, false, Err::Closed, 0, ""},
      {"close in the status line", "HTTP/1.1 20", true, false, Err::Closed, 0, ""},
      {"close in the headers", "HTTP/1.1 200 OK\r\nContent-Len", true, false, Err::Closed, 200, ""},
      {"close in a Content-Length body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", true,
       false, Err::Closed, 200, "hello"},
      {"close in a chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", true,
       false, Err::Closed, 200, "hel"},
      {"close before the last chunk",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", true, false,
       Err::Closed, 200, "hello"},
      {"close in the trailers",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n", true, false,
       Err::Closed, 200, ""},
      {"close after 100 Continue", "HTTP/1.1 100 Continue\r\n\r\n", true, false, Err::Closed, 0,
       ""},
  };
  return cases;
}

Outcome expected(const ParserCase& c) {
  HttpResponseParser p;
  Outcome o = run_parser(p, c.msg, {}, c.eof);
  return o;
}

TEST(HttpResponseParser, WholeMessages) {
  HttpResponseParser p;
  for (const ParserCase& c : parser_cases()) {
    Outcome o = run_parser(p, c.msg, {}, c.eof);
    EXPECT_EQ(o.state == HttpResponseParser::State::Done, c.done) << c.what << " " << o;
    EXPECT_EQ(p.done(), c.done) << c.what;
    EXPECT_EQ(p.failed(), !c.done) << c.what;
    EXPECT_EQ(o.err, c.err) << c.what << " " << o;
    EXPECT_EQ(o.status, c.status) << c.what << " " << o;
    EXPECT_EQ(o.body, c.body) << c.what << " " << o;
    EXPECT_EQ(o.location, c.location) << c.what << " " << o;
    if (c.done) {
      EXPECT_EQ(o.consumed, c.msg.size() - c.left) << c.what << " " << o;
    }
  }
}

TEST(HttpResponseParser, EverySplitGivesTheSameResult) {
  HttpResponseParser p;
  size_t runs = 0;
  for (const ParserCase& c : parser_cases()) {
    const Outcome whole = expected(c);
    const size_t n = c.msg.size();
    for (size_t i = 0; i <= n; ++i) {
      ASSERT_EQ(run_parser(p, c.msg, {i}, c.eof), whole) << c.what << " split at " << i;
      ++runs;
    }
    std::vector<size_t> bytes;
    for (size_t i = 1; i < n; ++i) bytes.push_back(i);
    ASSERT_EQ(run_parser(p, c.msg, bytes, c.eof), whole) << c.what << " byte by byte";
    // Every pair of cuts, for the short messages.
    if (n <= 160) {
      for (size_t i = 0; i <= n; ++i) {
        for (size_t j = i; j <= n; ++j) {
          ASSERT_EQ(run_parser(p, c.msg, {i, j}, c.eof), whole)
              << c.what << " cuts " << i << "," << j;
          ++runs;
        }
      }
    }
  }
  EXPECT_GT(runs, 10000u);
}

TEST(HttpResponseParser, BodyBytesBeyondTheKeptTextAreCounted) {
  HttpResponseParser p;
  const std::string body(5000, 'b');
  const std::string msg =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n" + body + "\r\n0\r\n\r\n";
  Outcome o = run_parser(p, msg, {100, 700, 701, 4000}, false);
  EXPECT_EQ(o.state, HttpResponseParser::State::Done);
  EXPECT_TRUE(o.chunked);
  EXPECT_TRUE(o.truncated);
  EXPECT_EQ(o.body_bytes, 5000u);
  EXPECT_EQ(o.body.size(), sizes::kHttpResponseBodyMax);
  // Exactly the limit is not truncated.
  const std::string fits(sizes::kHttpResponseBodyMax, 'f');
  o = run_parser(p, "HTTP/1.1 200 OK\r\n\r\n" + fits, {}, true);
  EXPECT_FALSE(o.truncated);
  EXPECT_EQ(o.body, fits);
}

TEST(HttpResponseParser, KeepAliveFollowsVersionAndConnection) {
  HttpResponseParser p;
  EXPECT_TRUE(run_parser(p, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", {}, false).keep_alive);
  EXPECT_FALSE(run_parser(p, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", {}, false).keep_alive);
  EXPECT_TRUE(run_parser(p,
                         "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n",
                         {}, false)
                  .keep_alive);
  EXPECT_FALSE(run_parser(p,
                          "HTTP/1.1 200 OK\r\nConnection: foo, close\r\nContent-Length: 0\r\n\r\n",
                          {}, false)
                   .keep_alive);
}

TEST(HttpResponseParser, NothingMoreIsConsumedOnceDoneOrFailed) {
  HttpResponseParser p;
  const std::string ok = "HTTP/1.1 204 No Content\r\n\r\n";
  EXPECT_EQ(p.feed(reinterpret_cast<const uint8_t*>(ok.data()), ok.size()), ok.size());
  EXPECT_TRUE(p.done());
  EXPECT_EQ(p.feed(reinterpret_cast<const uint8_t*>("more"), 4), 0u);
  p.on_eof();
  EXPECT_TRUE(p.done());
  p.reset();
  EXPECT_EQ(p.feed(reinterpret_cast<const uint8_t*>("X"), 1), 1u);
  EXPECT_TRUE(p.failed());
  EXPECT_EQ(p.feed(reinterpret_cast<const uint8_t*>("HTTP"), 4), 0u);
  p.on_eof();
  EXPECT_EQ(p.error(), Err::BadResponse);
  p.reset();
  EXPECT_EQ(p.state(), HttpResponseParser::State::StatusLine);
  EXPECT_EQ(p.error(), Err::Ok);
  EXPECT_EQ(p.status(), 0);
}

// ========================================================== HttpClient ===

const char kIfttt[] = "maker.ifttt.com";
const std::string kWebhook = "http://maker.ifttt.com/trigger/button_pressed/with/key/k3y";

std::string response(int status, const std::string& reason, const std::string& body,
                     const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n" + extra +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}
std::string redirect(int status, const std::string& location) {
  return "HTTP/1.1 " + std::to_string(status) + " Moved\r\nLocation: " + location +
         "\r\nContent-Length: 5\r\n\r\nmoved";
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    machine.now = 1000;
    net.add_host(kIfttt, server);
    net.add_host("other.example", other);
  }
  void TearDown() override {
    // Every stream handed out is closed exactly once, and never used after.
    EXPECT_TRUE(net.all_streams_closed());
    for (size_t i = 0; i < net.handed_out.size(); ++i) {
      EXPECT_EQ(net.handed_out[i]->close_calls, 1) << "stream " << i;
      EXPECT_EQ(net.handed_out[i]->calls_after_close, 0) << "stream " << i;
    }
  }

  HttpResult& run(HttpRequest req) {
    client.request(req, &result);
    return result;
  }
  HttpResult& post(const std::string& url,
                   const std::string& body = R"({"value1":"micropython1"})") {
    url_ = url;
    body_ = body;
    HttpRequest req;
    req.method = "POST";
    req.url = view(url_);
    req.content_type = "application/json";
    req.body = view(body_);
    return run(req);
  }
  HttpResult& get(const std::string& url) {
    url_ = url;
    HttpRequest req;
    req.url = view(url_);
    return run(req);
  }
  std::string body() const { return as_string(result.body.ref()); }

  FakeMachine machine;
  FakeNet net{&machine};
  HttpClient client{net, machine};
  HttpResult result;
  const Ip4 server = ip4(10, 0, 0, 1);
  const Ip4 other = ip4(10, 0, 0, 2);
  std::string url_, body_;
};

TEST_F(HttpClientTest, TheTutorialsWebhookPostIsSentByteForByte) {
  Str<sizes::kHttpRequestBodyMax> json;
  JsonObject o(json);
  o.add("value1", "micropython1");
  ASSERT_TRUE(o.end());
  FakeStream& s = net.expect(server, 80).data(kIftttOk);
  post(kWebhook, as_string(json.ref()));
  EXPECT_EQ(s.written,
            "POST /trigger/button_pressed/with/key/k3y HTTP/1.1\r\n"
            "Host: maker.ifttt.com\r\n"
            "User-Agent: buttonhook/0.1\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 25\r\n"
            "Connection: close\r\n"
            "\r\n"
            "{\"value1\":\"micropython1\"}");
  EXPECT_EQ(result.err, Err::Ok) << err_name(result.err);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(body(), "Congratulations! You've fired the button_pressed event");
  EXPECT_FALSE(result.body_truncated);
  EXPECT_EQ(result.redirects, 0);
  ASSERT_EQ(net.lookups, std::vector<std::string>{kIfttt});
  ASSERT_EQ(net.connects.size(), 1u);
  EXPECT_FALSE(net.connects[0].tls);
  EXPECT_EQ(net.connects[0].timeout_ms, 10000u);
}

TEST_F(HttpClientTest, SuccessWithContentLengthDoesNotWaitForTheClose) {
  // The server keeps the connection open after a complete reply.
  net.expect(server, 80).delay(120).data(response(200, "OK", "done")).then_hang();
  post(kWebhook);
  EXPECT_EQ(result.err, Err::Ok) << err_name(result.err);
  EXPECT_EQ(body(), "done");
  EXPECT_EQ(result.elapsed_ms, 120u);
}

TEST_F(HttpClientTest, ChunkedReplyByteByByte) {
  net.expect(server, 80)
      .max_read(1)
      .data(
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
          "chunked\r\n\r\n7\r\nCongrat\r\n4;x=y\r\nulat\r\n0\r\n\r\n")
      .then_hang();
  post(kWebhook);
  EXPECT_EQ(result.err, Err::Ok) << err_name(result.err);
  EXPECT_EQ(body(), "Congratulat");
}

TEST_F(HttpClientTest, ReplyDelimitedByTheClose) {
  FakeStream& s =
      net.expect(server, 80).max_read(3).data("HTTP/1.0 200 OK\r\n\r\nbody until close");
  post(kWebhook);
  EXPECT_EQ(result.err, Err::Ok) << err_name(result.err);
  EXPECT_EQ(body(), "body until close");
  EXPECT_EQ(result.status, 200);
  EXPECT_GT(s.reads, 5);
}

TEST_F(HttpClientTest, ServerErrorGivesHttpStatusWithTheBody) {
  net.expect(server, 80).data(response(500, "Internal Server Error", "oops\n"));
  post(kWebhook);
  EXPECT_EQ(result.err, Err::HttpStatus);
  EXPECT_EQ(result.status, 500);
  EXPECT_EQ(body(), "oops\n");
}

TEST_F(HttpClientTest, IftttBadKeyGives401WithItsJson) {
  net.expect(server, 80).max_read(17).data(kIfttt401);
  post(kWebhook);
  EXPECT_EQ(result.err, Err::HttpStatus);
  EXPECT_EQ(result.status, 401);
  EXPECT_EQ(body(), kIftttBadKeyBody);
}

TEST_F(HttpClientTest, ConnectionRefused) {
  net.refuse(server, 80);
  post(kWebhook);
  EXPECT_EQ(result.err, Err::ConnectFailed);
  EXPECT_EQ(result.status, 0);
  EXPECT_TRUE(net.handed_out.empty());
}

TEST_F(HttpClientTest, NobodyListeningIsRefusedToo) {
  get("http://maker.ifttt.com:8080/");
  EXPECT_EQ(result.err, Err::ConnectFailed);
  ASSERT_EQ(net.connects.size(), 1u);
  EXPECT_EQ(net.connects[0].port, 8080);
}

TEST_F(HttpClientTest, DnsFailure) {
  post("http://no.such.host/trigger/x");
  EXPECT_EQ(result.err, Err::DnsFailed);
  EXPECT_TRUE(net.connects.empty());
}

TEST_F(HttpClientTest, DnsTimeoutIsReportedAsTheNetSaysAndTimed) {
  net.fail_host("slow.dns", Err::Timeout);
  post("http://slow.dns/");
  EXPECT_EQ(result.err, Err::Timeout);
  EXPECT_EQ(result.elapsed_ms, 10000u);
}

TEST_F(HttpClientTest, ConnectTimeoutTakesTheTimeout) {
  net.refuse(server, 80, Err::ConnectTimeout);
  HttpRequest req;
  url_ = kWebhook;
  req.url = view(url_);
  req.timeout_ms = 2500;
  run(req);
  EXPECT_EQ(result.err, Err::ConnectTimeout);
  EXPECT_EQ(result.elapsed_ms, 2500u);
  EXPECT_EQ(net.connects[0].timeout_ms, 2500u);
}

TEST_F(HttpClientTest, ReadTimeoutMidBody) {
  const std::string full = response(200, "OK", "Congratulations!");
  FakeStream& s = net.expect(server, 80).data(full.substr(0, full.size() - 4)).timeout();
  post(kWebhook);
  EXPECT_EQ(result.err, Err::Timeout);
  EXPECT_EQ(result.status, 200);  // seen before the stall
  EXPECT_EQ(body(), "Congratulati");
  EXPECT_EQ(result.elapsed_ms, 10000u);
  EXPECT_EQ(s.read_timeouts.back(), 10000u);
}

TEST_F(HttpClientTest, ResetMidHeaders) {
  net.expect(server, 80).data("HTTP/1.1 200 OK\r\nContent-Ty").error(Err::IoError);
  post(kWebhook);
  EXPECT_EQ(result.err, Err::IoError);
}

TEST_F(HttpClientTest, ErrorAfterNBytesOfAGoodReply) {
  for (size_t n : {0u, 1u, 9u, 30u, 60u}) {
    net.expect(server, 80).data(kIftttOk).fail_after(n, Err::IoError);
    post(kWebhook);
    EXPECT_EQ(result.err, Err::IoError) << n;
  }
}

TEST_F(HttpClientTest, UnknownErrorCodeFromTheStreamIsAnIoError) {
  net.expect(server, 80).error(static_cast<Err>(200));
  post(kWebhook);
  EXPECT_EQ(result.err, Err::IoError);
}

TEST_F(HttpClientTest, GarbageReply) {
  net.expect(server, 80).data("<html>hello</html>\r\n").then_hang();
  post(kWebhook);
  EXPECT_EQ(result.err, Err::BadResponse);
  EXPECT_EQ(result.elapsed_ms, 0u);  // refused at the first byte, no wait for more
}

TEST_F(HttpClientTest, CloseBeforeAnyByte) {
  net.expect(server, 80);
  post(kWebhook);
  EXPECT_EQ(result.err, Err::Closed);
  EXPECT_EQ(result.status, 0);
}

TEST_F(HttpClientTest, WriteFailure) {
  net.expect(server, 80).fail_write_after(10, Err::IoError).data(kIftttOk);
  post(kWebhook);
  EXPECT_EQ(result.err, Err::IoError);
  EXPECT_EQ(net.handed_out[0]->reads, 0);
}

TEST_F(HttpClientTest, WriteTimeoutOfTheBody) {
  // The head (everything up to the blank line) goes, the body stalls.
  const size_t head = 176;
  FakeStream& s = net.expect(server, 80);
  s.fail_write_after(head, Err::Timeout);
  post(kWebhook);
  EXPECT_EQ(result.err, Err::Timeout);
  EXPECT_EQ(result.elapsed_ms, 10000u);
  EXPECT_EQ(s.written.size(), head);
  EXPECT_EQ(s.written.substr(head - 4), "\r\n\r\n");
}

TEST_F(HttpClientTest, TricklingServerIsBoundedByTheTotalTimeout) {
  FakeStream& s = net.expect(server, 80);
  const std::string reply = response(200, "OK", "slow");
  for (char c : reply) s.delay(900).data(std::string(1, c));
  HttpRequest req;
  url_ = kWebhook;
  req.url = view(url_);
  req.timeout_ms = 1000;
  req.total_timeout_ms = 5000;
  run(req);
  EXPECT_EQ(result.err, Err::Timeout);
  EXPECT_LE(result.elapsed_ms, 5000u);
  EXPECT_GE(result.elapsed_ms, 4500u);
  // No read may wait past the total.
  for (uint32_t t : s.read_timeouts) EXPECT_LE(t, 1000u);
  EXPECT_LT(s.read_timeouts.back(), 1000u);
}

TEST_F(HttpClientTest, NoTotalLimitWhenZero) {
  FakeStream& s = net.expect(server, 80);
  for (int i = 0; i < 20; ++i) s.delay(5000).data(i == 0 ? "HTTP/1.1 200 OK\r\n\r\n" : "x");
  HttpRequest req;
  url_ = kWebhook;
  req.url = view(url_);
  req.total_timeout_ms = 0;
  run(req);
  EXPECT_EQ(result.err, Err::Ok) << err_name(result.err);
  EXPECT_EQ(result.elapsed_ms, 100000u);
  EXPECT_EQ(body(), std::string(19, 'x'));
}

TEST_F(HttpClientTest, ReplyLongerThanTheKeptBody) {
  net.expect(server, 80).data(response(200, "OK", std::string(3000, 'z')));
  get(kWebhook);
  EXPECT_EQ(result.err, Err::Ok);
  EXPECT_TRUE(result.body_truncated);
  EXPECT_EQ(body(), std::string(sizes::kHttpResponseBodyMax, 'z'));
}

TEST_F(HttpClientTest, InterimContinueIsSkipped) {
  net.expect(server, 80).data("HTTP/1.1 100 Continue\r\n\r\n" + response(200, "OK", "ok"));
  post(kWebhook);
  EXPECT_EQ(result.err, Err::Ok);
  EXPECT_EQ(result.status, 200);
}

TEST_F(HttpClientTest, RequestHeadersPerMethod) {
  FakeStream& g = net.expect(server, 80).data(response(200, "OK", ""));
  get("http://maker.ifttt.com/status?x=1");
  EXPECT_EQ(g.written,
            "GET /status?x=1 HTTP/1.1\r\nHost: maker.ifttt.com\r\nUser-Agent: buttonhook/0.1\r\n"
            "Connection: close\r\n\r\n");

  FakeStream& p = net.expect(server, 80).data(response(200, "OK", ""));
  HttpRequest req;
  req.method = "PUT";
  url_ = "http://maker.ifttt.com/x";
  req.url = view(url_);
  req.headers[0] = "Idempotency-Key: 00c0ffee-17";
  req.headers[1] = "X-Battery-mV: 3000";
  req.header_count = 2;
  run(req);
  EXPECT_EQ(result.err, Err::Ok);
  EXPECT_EQ(p.written,
            "PUT /x HTTP/1.1\r\nHost: maker.ifttt.com\r\nUser-Agent: buttonhook/0.1\r\n"
            "Content-Length: 0\r\nIdempotency-Key: 00c0ffee-17\r\nX-Battery-mV: 3000\r\n"
            "Connection: close\r\n\r\n");

  FakeStream& e = net.expect(server, 80).data(response(200, "OK", ""));
  post("http://maker.ifttt.com/x", "");
  EXPECT_NE(e.written.find("\r\nContent-Length: 0\r\n"), std::string::npos) << e.written;
  EXPECT_EQ(e.written.substr(e.written.size() - 4), "\r\n\r\n");
}

TEST_F(HttpClientTest, HostHeaderCarriesOnlyANonDefaultPort) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"http://10.0.0.1:8080/", "Host: 10.0.0.1:8080\r\n"},
      {"http://10.0.0.1/", "Host: 10.0.0.1\r\n"},
      {"http://10.0.0.1:80/", "Host: 10.0.0.1\r\n"},
      {"http://10.0.0.1:443/", "Host: 10.0.0.1:443\r\n"},
      {"https://10.0.0.1/", "Host: 10.0.0.1\r\n"},
      {"https://10.0.0.1:443/", "Host: 10.0.0.1\r\n"},
      {"https://10.0.0.1:8443/", "Host: 10.0.0.1:8443\r\n"},
      {"https://10.0.0.1:80/", "Host: 10.0.0.1:80\r\n"},
  };
  for (const auto& [url, host] : cases) {
    Url u;
    ASSERT_EQ(parse_url(view(url), &u), Err::Ok);
    FakeStream& s = net.expect(server, u.port).data(response(200, "OK", ""));
    get(url);
    EXPECT_EQ(result.err, Err::Ok) << url;
    EXPECT_NE(s.written.find("\r\n" + host), std::string::npos) << url << "\n" << s.written;
  }
  EXPECT_TRUE(net.lookups.empty());  // IP literals need no DNS
}

TEST_F(HttpClientTest, HttpsPassesTlsOptionsWithTheHostAsSni) {
  net.expect(server, 443).data(response(200, "OK", "secure"));
  get("https://maker.ifttt.com/x");
  EXPECT_EQ(result.err, Err::Ok);
  ASSERT_EQ(net.connects.size(), 1u);
  EXPECT_TRUE(net.connects[0].tls);
  EXPECT_EQ(net.connects[0].sni, kIfttt);
  EXPECT_EQ(net.connects[0].port, 443);

  TlsOptions tls;
  tls.sni = "ignored";
  tls.fingerprint_sha1 = "0123";
  client.set_tls(tls);
  net.expect(other, 8443).data(response(200, "OK", ""));
  get("https://other.example:8443/");
  EXPECT_EQ(result.err, Err::Ok);
  EXPECT_EQ(net.connects[1].sni, "other.example");
}

TEST_F(HttpClientTest, HttpsOnATransportWithoutTls) {
  net.tls_supported = false;
  net.expect(server, 443);
  post("https://maker.ifttt.com/trigger/x");
  EXPECT_EQ(result.err, Err::TlsUnsupported);
  EXPECT_TRUE(net.handed_out.empty());
}

TEST_F(HttpClientTest, RequestsThatCannotBeSentSafely) {
  const std::vector<std::pair<HttpRequest, Err>> cases = [] {
    std::vector<std::pair<HttpRequest, Err>> v;
    HttpRequest r;
    r.url = "http://10.0.0.1/";
    HttpRequest bad = r;
    bad.headers[0] = "X-Evil: 1\r\nHost: other";
    bad.header_count = 1;
    v.push_back({bad, Err::Invalid});
    bad = r;
    bad.headers[0] = "no colon";
    bad.header_count = 1;
    v.push_back({bad, Err::Invalid});
    bad = r;
    bad.headers[0] = "Bad Name: x";
    bad.header_count = 1;
    v.push_back({bad, Err::Invalid});
    bad = r;
    bad.header_count = 5;
    v.push_back({bad, Err::Invalid});
    bad = r;
    bad.method = "GET /x HTTP/1.1\r\n";
    v.push_back({bad, Err::Invalid});
    bad = r;
    bad.method = "";
    v.push_back({bad, Err::Invalid});
    bad = r;
    bad.content_type = "text/plain\nX: y";
    v.push_back({bad, Err::Invalid});
    bad = r;
    bad.method = "HEAD";
    v.push_back({bad, Err::Unsupported});
    bad = r;
    bad.url = "ftp://10.0.0.1/";
    v.push_back({bad, Err::BadUrl});
    bad = r;
    bad.url = "";
    v.push_back({bad, Err::BadUrl});
    return v;
  }();
  for (const auto& [req, want] : cases) {
    run(req);
    EXPECT_EQ(result.err, want) << as_string(req.method) << " " << as_string(req.url);
  }
  EXPECT_TRUE(net.connects.empty());
}

TEST_F(HttpClientTest, ResultIsResetOnEachRequest) {
  net.expect(server, 80).data(response(500, "Err", "bad"));
  post(kWebhook);
  EXPECT_EQ(result.status, 500);
  post("http://no.such.host/");
  EXPECT_EQ(result.err, Err::DnsFailed);
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(body(), "");
}

// ------------------------------------------------------------ redirects --

TEST_F(HttpClientTest, GetFollows302ToAnotherHost) {
  FakeStream& first = net.expect(server, 80).data(redirect(302, "http://other.example:81/new?q=1"));
  FakeStream& second = net.expect(other, 81).data(response(200, "OK", "arrived"));
  get("http://maker.ifttt.com/old");
  EXPECT_EQ(result.err, Err::Ok) << err_name(result.err);
  EXPECT_EQ(result.redirects, 1);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(body(), "arrived");
  EXPECT_EQ(first.written.rfind("GET /old HTTP/1.1\r\nHost: maker.ifttt.com\r\n", 0), 0u);
  EXPECT_EQ(second.written.rfind("GET /new?q=1 HTTP/1.1\r\nHost: other.example:81\r\n", 0), 0u)
      << second.written;
}

TEST_F(HttpClientTest, GetFollowsEachRedirectCodeAndRelativeLocations) {
  const std::vector<std::tuple<int, std::string, std::string>> cases = {
      {301, "/moved", "/moved"},
      {302, "next", "/a/next"},
      {303, "?page=2", "/a/b?page=2"},
      {307, "//maker.ifttt.com/c#frag", "/c"},
      {308, "HTTP://MAKER.IFTTT.COM/d", "/d"},
      {302, "caf\xC3\xA9", "/a/caf%C3%A9"},
  };
  for (const auto& [code, location, path] : cases) {
    net.expect(server, 80).data(redirect(code, location));
    FakeStream& s = net.expect(server, 80).data(response(200, "OK", ""));
    get("http://maker.ifttt.com/a/b?x=y");
    EXPECT_EQ(result.err, Err::Ok) << code << " " << location;
    EXPECT_EQ(s.written.rfind("GET " + path + " HTTP/1.1\r\n", 0), 0u) << s.written;
  }
}

TEST_F(HttpClientTest, Post307And308AreFollowedWithTheBody) {
  for (int code : {307, 308}) {
    FakeStream& first = net.expect(server, 80).data(redirect(code, "http://other.example/hook"));
    FakeStream& second = net.expect(other, 80).data(response(200, "OK", "ok"));
    post(kWebhook);
    EXPECT_EQ(result.err, Err::Ok) << code;
    EXPECT_EQ(result.redirects, 1);
    const std::string tail =
        "Content-Type: application/json\r\nContent-Length: 25\r\nConnection: close\r\n\r\n"
        "{\"value1\":\"micropython1\"}";
    EXPECT_EQ(
        second.written,
        "POST /hook HTTP/1.1\r\nHost: other.example\r\nUser-Agent: buttonhook/0.1\r\n" + tail);
    EXPECT_NE(first.written.find(tail), std::string::npos);
  }
}

TEST_F(HttpClientTest, UrlNamesWhereTheLastTryWent) {
  // An error line names this host and port (never the path: it holds the key).
  net.expect(server, 80).data(redirect(307, "http://other.example:81/hook"));
  net.refuse(other, 81);
  post(kWebhook);
  EXPECT_EQ(result.err, Err::ConnectFailed);
  EXPECT_EQ(as_string(client.url().host.ref()), "other.example");
  EXPECT_EQ(client.url().port, 81);

  post("ftp://maker.ifttt.com/x");  // nothing tried: no host
  EXPECT_EQ(result.err, Err::BadUrl);
  EXPECT_TRUE(client.url().host.empty());
  post("http://maker.ifttt.com:0/x");  // the host parses, the port does not
  EXPECT_EQ(result.err, Err::BadUrl);
  EXPECT_TRUE(client.url().host.empty());
}

TEST_F(HttpClientTest, Post301To303AreNotFollowed) {
  for (int code : {301, 302, 303}) {
    net.expect(server, 80).data(redirect(code, "http://other.example/hook"));
    post(kWebhook);
    EXPECT_EQ(result.err, Err::RedirectNotFollowed) << code;
    EXPECT_EQ(result.status, code);
    EXPECT_EQ(body(), "moved");
    EXPECT_EQ(result.redirects, 0);
  }
  EXPECT_EQ(net.connects.size(), 3u);  // never to other.example
}

TEST_F(HttpClientTest, RedirectLoopStopsAfterTheLimit) {
  for (int i = 0; i <= sizes::kHttpMaxRedirects; ++i) {
    net.expect(server, 80).data(redirect(302, "/again"));
  }
  get("http://maker.ifttt.com/again");
  EXPECT_EQ(result.err, Err::TooManyRedirects);
  EXPECT_EQ(result.redirects, sizes::kHttpMaxRedirects);
  EXPECT_EQ(result.status, 302);
  EXPECT_EQ(net.connects.size(), size_t(sizes::kHttpMaxRedirects) + 1);
  EXPECT_EQ(net.unused_scripts(), 0u);
}

TEST_F(HttpClientTest, ExactlyTheLimitOfRedirectsIsFine) {
  for (int i = 0; i < sizes::kHttpMaxRedirects; ++i) {
    net.expect(server, 80).data(redirect(307, "/hop" + std::to_string(i)));
  }
  net.expect(server, 80).data(response(200, "OK", "there"));
  post(kWebhook);
  EXPECT_EQ(result.err, Err::Ok) << err_name(result.err);
  EXPECT_EQ(result.redirects, sizes::kHttpMaxRedirects);
}

TEST_F(HttpClientTest, SchemeChangesAreRefused) {
  net.expect(server, 443).data(redirect(302, "http://maker.ifttt.com/plain"));
  get("https://maker.ifttt.com/secure");
  EXPECT_EQ(result.err, Err::RedirectNotFollowed);
  EXPECT_EQ(result.status, 302);
  EXPECT_EQ(net.connects.size(), 1u);

  net.expect(server, 80).data(redirect(301, "https://maker.ifttt.com/secure"));
  get("http://maker.ifttt.com/plain");
  EXPECT_EQ(result.err, Err::RedirectNotFollowed);
  EXPECT_EQ(net.connects.size(), 2u);
}

TEST_F(HttpClientTest, UnusableRedirectsAreNotFollowed) {
  const std::vector<std::string> replies = {
      "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n",      // no Location
      redirect(302, "ftp://maker.ifttt.com/x"),               // other scheme
      redirect(302, "mailto:someone@example.com"),            // not a URL we use
      redirect(302, "http://bad host/"),                      // bad URL
      redirect(302, "/" + std::string(sizes::kUrlMax, 'l')),  // too long
      "HTTP/1.1 300 Multiple Choices\r\nLocation: /a\r\nContent-Length: 0\r\n\r\n",  // not a
                                                                                     // redirect
      "HTTP/1.1 304 Not Modified\r\n\r\n",
  };
  for (const std::string& reply : replies) {
    net.expect(server, 80).data(reply);
    get("http://maker.ifttt.com/");
    EXPECT_EQ(result.err, Err::RedirectNotFollowed) << reply;
  }
  EXPECT_EQ(net.connects.size(), replies.size());
}

TEST_F(HttpClientTest, TimeIsSharedAcrossRedirects) {
  net.expect(server, 80).delay(3000).data(redirect(302, "/next"));
  FakeStream& s = net.expect(server, 80).delay(1000).timeout();
  HttpRequest req;
  url_ = "http://maker.ifttt.com/";
  req.url = view(url_);
  req.timeout_ms = 10000;
  req.total_timeout_ms = 7000;
  run(req);
  EXPECT_EQ(result.err, Err::Timeout);
  EXPECT_EQ(result.elapsed_ms, 7000u);
  EXPECT_EQ(s.read_timeouts.front(), 4000u);
}

}  // namespace
}  // namespace bh
