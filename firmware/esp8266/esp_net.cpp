#include "esp_net.h"

#include <Arduino.h>  // millis, delay, configTime
#include <string.h>   // memcpy, memcmp, memset
#include <time.h>     // time

#include "sizes.h"
#include "text.h"

namespace bh {
namespace esp {

namespace {

constexpr uint32_t kPollMs = 1;  // between looks at a socket; delay() yields
// X.509 dates need the wall clock, which a waking ESP8266 does not have.
// Any time before this (Nov 2023) means "not set yet".
constexpr time_t kClockSet = 1700000000;

int32_t fail(Err e) {
  return -static_cast<int32_t>(e);
}

IPAddress to_ip(const Ip4& ip) {
  return IPAddress(ip.b[0], ip.b[1], ip.b[2], ip.b[3]);
}

}  // namespace

// ------------------------------------------------------------- streams ---

int32_t PooledStream::read(uint8_t* buf, size_t len, uint32_t timeout_ms) {
  if (!client_ || len == 0) return fail(Err::Invalid);
  const uint32_t start = millis();
  for (;;) {
    // Bytes first: after the peer closed, what it sent is still readable.
    const int avail = client_->available();
    if (avail > 0) {
      const size_t want = static_cast<size_t>(avail) < len ? static_cast<size_t>(avail) : len;
      const int n = client_->read(buf, want);
      if (n > 0) return n;
    }
    if (!client_->connected()) return 0;
    if (millis() - start >= timeout_ms) return fail(Err::Timeout);
    delay(kPollMs);
  }
}

Err PooledStream::write(const uint8_t* data, size_t len, uint32_t timeout_ms) {
  if (!client_) return Err::Invalid;
  if (len == 0) return Err::Ok;
  // Stream::setTimeout bounds WiFiClient's (and BearSSL's) blocking write.
  client_->setTimeout(timeout_ms);
  const size_t n = client_->write(data, len);
  if (n == len) return Err::Ok;
  return client_->connected() ? Err::Timeout : Err::IoError;
}

void PooledStream::close() {
  if (!client_) return;
  client_->stop();  // WiFiClientSecureCtx saves the session into session_ here
  if (anchors_) anchors_->reset();
  if (session_ && out_) {
    const br_ssl_session_parameters& p = session_params(*session_);
    *out_ = TlsSession{};
    if (p.session_id_len <= sizeof out_->id) {
      memcpy(out_->id, p.session_id, p.session_id_len);
      out_->id_len = p.session_id_len;
    }
    out_->resumed = offered_len_ && offered_len_ == out_->id_len &&
                    memcmp(offered_, out_->id, offered_len_) == 0;
    out_->version = p.version;
    out_->cipher_suite = p.cipher_suite;
    memcpy(out_->master_secret, p.master_secret, sizeof out_->master_secret);
  }
  client_ = nullptr;
  anchors_ = nullptr;
  session_ = nullptr;
  out_ = nullptr;
}

// ------------------------------------------------------------- listener --

bool ServerSocket::open(uint16_t port) {
  server_.begin(port);
  open_ = server_.status() != CLOSED;
  return open_;
}

Stream* ServerSocket::accept(uint32_t timeout_ms, Err* err) {
  if (!open_) {
    *err = Err::Invalid;
    return nullptr;
  }
  const uint32_t start = millis();
  for (;;) {
    WiFiClient client = server_.accept();
    if (client) {
      Stream* s = net_.adopt(client);
      if (s) {
        *err = Err::Ok;
        return s;
      }
      client.stop();  // every slot busy: refuse rather than queue
      *err = Err::Overflow;
      return nullptr;
    }
    if (millis() - start >= timeout_ms) {
      *err = Err::Timeout;
      return nullptr;
    }
    delay(kPollMs);
  }
}

void ServerSocket::close() {
  if (open_) server_.close();
  open_ = false;
}

// ------------------------------------------------------------- net -------

EspNet::EspNet(Machine& machine) : machine_(machine), listener_(*this) {}

Err EspNet::resolve(StrRef host, Ip4* out, uint32_t timeout_ms) {
  const Str<sizes::kHostMax> name(host);
  if (name.overflow()) return Err::Overflow;
  if (name.empty()) return Err::Invalid;
  IPAddress ip;
  // Dotted IPv4 text comes back at once, without a DNS query.
  if (!WiFi.hostByName(name.c_str(), ip, timeout_ms)) return Err::DnsFailed;
  for (int i = 0; i < 4; ++i) out->b[i] = ip[i];
  return Err::Ok;
}

Stream* EspNet::connect(Ip4 ip, uint16_t port, uint32_t timeout_ms, const TlsOptions* tls,
                        Err* err) {
  *err = Err::Ok;
  return tls ? connect_tls(to_ip(ip), port, timeout_ms, *tls, err)
             : connect_tcp(to_ip(ip), port, timeout_ms, err);
}

Stream* EspNet::connect_tcp(const IPAddress& ip, uint16_t port, uint32_t timeout_ms, Err* err) {
  TcpSlot* slot = free_tcp_slot();
  if (!slot) {
    *err = Err::Overflow;
    return nullptr;
  }
  slot->client.setTimeout(timeout_ms);  // bounds the connect
  const uint32_t start = millis();
  if (!slot->client.connect(ip, port)) {
    // WiFiClient does not say why; the clock does.
    *err = millis() - start >= timeout_ms ? Err::ConnectTimeout : Err::ConnectFailed;
    slot->client.stop();
    return nullptr;
  }
  // The request goes out in a few writes; do not hold them back for ACKs.
  slot->client.setNoDelay(true);
  return slot->stream.attach(slot->client);
}

Stream* EspNet::connect_tls(const IPAddress& ip, uint16_t port, uint32_t timeout_ms,
                            const TlsOptions& tls, Err* err) {
  TlsSlot& slot = tls_;
  if (slot.stream.in_use()) {
    *err = Err::Overflow;
    return nullptr;
  }
  const Str<sizes::kHostMax> host(tls.sni);
  if (host.overflow()) {
    *err = Err::Overflow;
    return nullptr;
  }
  *err = set_trust(slot, tls, timeout_ms);
  if (*err != Err::Ok) return nullptr;

  // The session from RTC memory (an empty one: a full handshake).
  br_ssl_session_parameters& params = session_params(slot.session);
  memset(&params, 0, sizeof params);
  if (tls.session && tls.session->id_len && tls.session->id_len <= sizeof params.session_id) {
    memcpy(params.session_id, tls.session->id, tls.session->id_len);
    params.session_id_len = tls.session->id_len;
    params.version = tls.session->version;
    params.cipher_suite = tls.session->cipher_suite;
    memcpy(params.master_secret, tls.session->master_secret, sizeof params.master_secret);
  }
  slot.client.setSession(tls.session ? &slot.session : nullptr);

  slot.client.setTimeout(timeout_ms);
  const uint32_t start = millis();
  if (!slot.client.open_tcp(ip, port)) {
    *err = millis() - start >= timeout_ms ? Err::ConnectTimeout : Err::ConnectFailed;
    slot.client.stop();
    slot.anchors.reset();
    return nullptr;
  }
  if (!slot.client.handshake(host.empty() ? nullptr : host.c_str())) {
    char why[96] = "";
    const int code = slot.client.getLastSSLError(why, sizeof why);
    Str<sizes::kLogLineMax> line;
    line.appendf("TLS: handshake with %s failed: %s (BearSSL %d)", host.c_str(), why, code);
    machine_.log(line.ref());
    slot.client.stop();
    slot.anchors.reset();
    *err = Err::TlsFailed;
    return nullptr;
  }
  Stream* stream = slot.stream.attach(slot.client, &slot.anchors);
  slot.stream.save_session_on_close(tls.session ? &slot.session : nullptr, tls.session);
  return stream;
}

Err EspNet::set_trust(TlsSlot& slot, const TlsOptions& tls, uint32_t timeout_ms) {
  if (tls.insecure) {
    machine_.log("WARNING: TLS certificate checks are OFF (INSECURE_SKIP_TLS_VERIFY).");
    machine_.log("WARNING: anyone on the path can read and change this request.");
    slot.client.setInsecure();
    return Err::Ok;
  }
  if (!tls.fingerprint_sha1.empty()) {
    // "AA:BB:...", "AA BB ..." or "AABB...": 20 bytes of SHA-1, as BearSSL reads it.
    const Str<64> hex(tls.fingerprint_sha1);
    if (hex.overflow() || !slot.client.setFingerprint(hex.c_str())) {
      machine_.log("TLS: the SHA-1 fingerprint is not 40 hex digits");
      return Err::Invalid;
    }
    return Err::Ok;
  }
  if (!tls.ca_pem.empty()) {
    slot.anchors.emplace();
    if (!slot.anchors->append(reinterpret_cast<const uint8_t*>(tls.ca_pem.data), tls.ca_pem.len)) {
      machine_.log("TLS: the CA certificate is not valid PEM");
      slot.anchors.reset();
      return Err::Invalid;
    }
    slot.client.setTrustAnchors(&*slot.anchors);
    wait_for_clock(timeout_ms);
    return Err::Ok;
  }
  // BearSSL refuses every server when nothing is set; say so up front.
  machine_.log("TLS: no CA certificate, fingerprint or insecure flag given");
  return Err::TlsFailed;
}

void EspNet::wait_for_clock(uint32_t timeout_ms) {
  if (time(nullptr) >= kClockSet) return;
  machine_.log("TLS: asking pool.ntp.org for the time (certificate dates)");
  configTime(0, 0, "pool.ntp.org", "time.google.com");
  const uint32_t start = millis();
  while (time(nullptr) < kClockSet && millis() - start < timeout_ms) delay(20);
  if (time(nullptr) < kClockSet) {
    machine_.log("TLS: no time from NTP; the certificate will look not yet valid");
  }
}

Listener* EspNet::listen(uint16_t port, Err* err) {
  if (listener_.in_use()) {
    *err = Err::Overflow;
    return nullptr;
  }
  if (!listener_.open(port)) {
    *err = Err::IoError;
    return nullptr;
  }
  *err = Err::Ok;
  return &listener_;
}

Stream* EspNet::adopt(const WiFiClient& client) {
  TcpSlot* slot = free_tcp_slot();
  if (!slot) return nullptr;
  slot->client = client;  // shares the connection (WiFiClient is a handle)
  return slot->stream.attach(slot->client);
}

EspNet::TcpSlot* EspNet::free_tcp_slot() {
  for (TcpSlot& s : tcp_) {
    if (!s.stream.in_use()) return &s;
  }
  return nullptr;
}

}  // namespace esp
}  // namespace bh
