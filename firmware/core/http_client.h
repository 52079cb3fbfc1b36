// HTTP/1.1 client over a Net stream, in three pieces that are tested apart:
//   parse_url()          "http://host:port/path?q" -> Url
//   HttpResponseParser   bytes in (pushed, any split), status/headers/body out;
//                        never touches a socket (as Boost.Beast's parser)
//   HttpClient           DNS + connect + write request + feed parser + redirects
//
// Requests carry Host, Content-Type (when there is a body), Content-Length,
// User-Agent, Connection: close, and any extra headers given. Responses may
// use Content-Length, chunked transfer encoding, or end at close.
//
// Redirect policy (urequests follows none; IFTTT sends none): at most
// sizes::kHttpMaxRedirects hops, same scheme only.
//   GET:  301, 302, 303, 307, 308 are followed with GET.
//   POST: 307 and 308 are followed with the same method and body; 301, 302
//         and 303 are NOT followed (that would silently turn the webhook into
//         a GET and drop the body): the result is Err::RedirectNotFollowed
//         with the 3xx status, so the caller reports the press as failed.
//
// Timeouts: timeout_ms bounds the TCP connect, and separately every wait for
// bytes (write or read); a server that trickles bytes is bounded by
// total_timeout_ms.
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // uint16_t

#include "hal.h"
#include "result.h"
#include "sizes.h"
#include "text.h"

namespace bh {

struct Url {
  bool tls = false;  // https://
  Str<sizes::kHostMax> host;
  uint16_t port = 80;
  Str<sizes::kPathMax> path;  // starts with '/', includes the query
};

// Accepts http:// and https:// (scheme case-insensitive), a host name or
// dotted IPv4, an optional :port (1..65535), and an optional path (default
// "/"). No user:password@, no IPv6 literals. Err::BadUrl or Err::Overflow.
Err parse_url(StrRef text, Url* out);

class HttpResponseParser {
 public:
  enum class State : uint8_t { StatusLine, Headers, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, Done, Error };

  HttpResponseParser() { reset(); }
  void reset();
  // Feeds bytes; returns how many were consumed (all, unless Done or Error).
  size_t feed(const uint8_t* data, size_t len);
  // The peer closed the connection: completes a body delimited by close,
  // otherwise an incomplete message becomes Err::Closed.
  void on_eof();

  bool done() const { return state_ == State::Done; }
  bool failed() const { return state_ == State::Error; }
  Err error() const { return error_; }
  State state() const { return state_; }
  int status() const { return status_; }
  // Body text, truncated to sizes::kHttpResponseBodyMax (body_truncated()).
  StrRef body() const { return body_.ref(); }
  bool body_truncated() const { return body_truncated_; }
  size_t body_bytes() const { return body_bytes_; }  // all body bytes seen
  StrRef location() const { return location_.ref(); }
  bool chunked() const { return chunked_; }
  bool keep_alive() const { return keep_alive_; }

 private:
  // Implementation state (line buffer, content length, chunk remaining, ...).
  bool line_byte(char c);  // accumulates one header/status/chunk line byte
  void on_line();
  void fail(Err e);
  void body_bytes_in(const uint8_t* data, size_t len);
  void status_line(StrRef line);
  void header_line(StrRef line);
  void end_of_headers();
  void chunk_size_line(StrRef line);
  void content_length(StrRef value);

  State state_ = State::StatusLine;
  Err error_ = Err::Ok;
  int status_ = 0;
  Str<sizes::kHttpHeaderLineMax> line_;
  Str<sizes::kHttpResponseBodyMax> body_;
  Str<sizes::kUrlMax> location_;  // empty if absent or too long to follow
  bool body_truncated_ = false;
  size_t body_bytes_ = 0;
  bool chunked_ = false;
  bool keep_alive_ = true;
  bool has_length_ = false;
  bool has_transfer_encoding_ = false;
  bool until_close_ = false;  // body delimited by the peer closing
  uint32_t content_length_ = 0;
  uint32_t remaining_ = 0;  // of the body or of the current chunk
  uint32_t header_bytes_ = 0;  // all header/trailer bytes so far, interim responses included
  bool saw_cr_ = false;
};

struct HttpRequest {
  StrRef method = "GET";
  StrRef url;
  StrRef content_type;  // e.g. "application/json"; empty = no body header
  StrRef body;
  // Extra header lines, each "Name: value", without CRLF; at most 4.
  StrRef headers[4];
  size_t header_count = 0;
  uint32_t timeout_ms = 10000;
  uint32_t total_timeout_ms = 30000;
};

struct HttpResult {
  Err err = Err::Ok;       // Ok only for a complete response with status < 400
  int status = 0;          // last status seen, 0 if none
  Str<sizes::kHttpResponseBodyMax> body;
  bool body_truncated = false;
  uint8_t redirects = 0;
  uint32_t elapsed_ms = 0;
};

class HttpClient {
 public:
  HttpClient(Net& net, Machine& machine) : net_(net), machine_(machine) {}
  // Performs the request, following redirects per the policy above.
  // status >= 400 gives err = Err::HttpStatus with status and body filled.
  void request(const HttpRequest& req, HttpResult* out);
  // Optional TLS settings used for https:// URLs.
  void set_tls(const TlsOptions& tls) { tls_ = tls; has_tls_ = true; }
  // Where the last request went (its last hop, after redirects), so an
  // error can name the host and port; its host is empty when the request
  // never got that far (a URL that does not parse, a bad header).
  const Url& url() const { return url_; }

 private:
  // One exchange on url_ into parser_; closes its stream whatever happens.
  Err one_request(const HttpRequest& req, uint32_t start);
  bool time_left(uint32_t start, uint32_t total_ms, uint32_t step_ms, uint32_t* wait_ms);
  Err follow_location(StrRef location);

  Net& net_;
  Machine& machine_;
  TlsOptions tls_;
  bool has_tls_ = false;
  // The working state (~2 KB) lives in the client rather than on the stack,
  // so an owner can keep the client off the ESP8266's 4 KB stack.
  Url url_;
  HttpResponseParser parser_;
};

}  // namespace bh
