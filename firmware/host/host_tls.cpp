#include "host_tls.h"

#include <bearssl.h>
#include <string.h>  // memcpy, memcmp

#include <algorithm>  // std::min
#include <chrono>     // deadlines
#include <vector>     // trust anchors

namespace bh::host {

namespace {

uint64_t now_ms() {
  return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count());
}

uint32_t left_ms(uint64_t deadline) {
  const uint64_t now = now_ms();
  return now >= deadline ? 0 : uint32_t(std::min<uint64_t>(deadline - now, UINT32_MAX));
}

// ------------------------------------------------------------ fingerprint -
// An X.509 "engine" that trusts the server's certificate by its SHA-1 (or,
// insecure, trusts it whatever it is), as the ESP8266 core's
// setFingerprint()/setInsecure() do: no chain, name or date checks.
struct PinnedX509 {
  const br_x509_class* vtable;
  bool check = false;
  uint8_t want[20] = {};
  bool mismatch = false;
  bool have_key = false;
  int index = 0;  // position of the certificate in the chain (0 = the server's)
  br_sha1_context sha1;
  br_x509_decoder_context dec;
};

PinnedX509* pinned(const br_x509_class** ctx) {
  return reinterpret_cast<PinnedX509*>(ctx);
}

void no_dn(void*, const void*, size_t) {}

void px_start_chain(const br_x509_class** ctx, const char*) {
  PinnedX509* p = pinned(ctx);
  p->index = 0;
  p->mismatch = false;
  p->have_key = false;
}
void px_start_cert(const br_x509_class** ctx, uint32_t) {
  PinnedX509* p = pinned(ctx);
  if (p->index != 0) return;
  br_sha1_init(&p->sha1);
  br_x509_decoder_init(&p->dec, no_dn, nullptr);
}
void px_append(const br_x509_class** ctx, const unsigned char* buf, size_t len) {
  PinnedX509* p = pinned(ctx);
  if (p->index != 0) return;
  br_sha1_update(&p->sha1, buf, len);
  br_x509_decoder_push(&p->dec, buf, len);
}
void px_end_cert(const br_x509_class** ctx) {
  PinnedX509* p = pinned(ctx);
  if (p->index++ != 0) return;
  uint8_t got[20];
  br_sha1_out(&p->sha1, got);
  p->mismatch = p->check && memcmp(got, p->want, sizeof got) != 0;
  p->have_key = br_x509_decoder_get_pkey(&p->dec) != nullptr;
}
unsigned px_end_chain(const br_x509_class** ctx) {
  PinnedX509* p = pinned(ctx);
  if (!p->have_key) return BR_ERR_X509_UNSUPPORTED;
  return p->mismatch ? BR_ERR_X509_NOT_TRUSTED : 0;
}
const br_x509_pkey* px_get_pkey(const br_x509_class* const* ctx, unsigned* usages) {
  PinnedX509* p = reinterpret_cast<PinnedX509*>(const_cast<const br_x509_class**>(ctx));
  if (usages) *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
  return br_x509_decoder_get_pkey(&p->dec);
}
const br_x509_class kPinnedClass = {sizeof(PinnedX509), px_start_chain, px_start_cert,
                                    px_append,          px_end_cert,    px_end_chain,
                                    px_get_pkey};

// "AB:CD:..", "AB CD .." or "ABCD..": exactly 20 bytes.
bool parse_sha1(StrRef text, uint8_t out[20]) {
  size_t n = 0;
  int hi = -1;
  for (size_t i = 0; i < text.len; ++i) {
    const char c = text.data[i];
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) {
      if ((c == ':' || c == ' ') && hi < 0) continue;
      return false;
    }
    if (hi < 0) {
      hi = v;
    } else {
      if (n == 20) return false;
      out[n++] = uint8_t(hi << 4 | v);
      hi = -1;
    }
  }
  return n == 20 && hi < 0;
}

void append_blob(void* ctx, const void* data, size_t len) {
  auto* v = static_cast<std::vector<uint8_t>*>(ctx);
  const auto* b = static_cast<const uint8_t*>(data);
  v->insert(v->end(), b, b + len);
}

// Every CERTIFICATE in a PEM text, as DER.
bool pem_certificates(StrRef pem, std::vector<std::vector<uint8_t>>* out) {
  br_pem_decoder_context pc;
  br_pem_decoder_init(&pc);
  std::string text(pem.data, pem.len);
  text += '\n';  // the decoder ends an object at a newline
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t len = text.size();
  std::vector<uint8_t> der;
  bool in_cert = false;
  while (len > 0) {
    const size_t used = br_pem_decoder_push(&pc, p, len);
    p += used;
    len -= used;
    switch (br_pem_decoder_event(&pc)) {
      case BR_PEM_BEGIN_OBJ: {
        const std::string name = br_pem_decoder_name(&pc);
        in_cert = name == "CERTIFICATE" || name == "X509 CERTIFICATE";
        der.clear();
        br_pem_decoder_setdest(&pc, in_cert ? append_blob : nullptr, in_cert ? &der : nullptr);
        break;
      }
      case BR_PEM_END_OBJ:
        if (in_cert) out->push_back(der);
        in_cert = false;
        break;
      case BR_PEM_ERROR: return false;
      default: break;
    }
  }
  return !out->empty();
}

}  // namespace

// ---------------------------------------------------------------- state ---

struct TlsClient::State {
  br_ssl_client_context cc;
  br_x509_minimal_context xc;
  PinnedX509 pin;
  bool use_pin = false;
  // Trust anchors point into these buffers.
  std::vector<std::vector<uint8_t>> blobs;
  std::vector<br_x509_trust_anchor> anchors;
  bool peer_closed = false;
  unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];

  br_ssl_engine_context* eng() { return &cc.eng; }

  // A trust anchor from one DER certificate (a CA, or the server's own).
  bool add_anchor(const std::vector<uint8_t>& der) {
    std::vector<uint8_t> dn;
    br_x509_decoder_context dc;
    br_x509_decoder_init(&dc, append_blob, &dn);
    br_x509_decoder_push(&dc, der.data(), der.size());
    const br_x509_pkey* pk = br_x509_decoder_get_pkey(&dc);
    if (!pk) return false;
    br_x509_trust_anchor ta{};
    blobs.push_back(dn);
    ta.dn.data = blobs.back().data();
    ta.dn.len = blobs.back().size();
    ta.flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
    ta.pkey.key_type = pk->key_type;
    if (pk->key_type == BR_KEYTYPE_RSA) {
      blobs.emplace_back(pk->key.rsa.n, pk->key.rsa.n + pk->key.rsa.nlen);
      ta.pkey.key.rsa.n = blobs.back().data();
      ta.pkey.key.rsa.nlen = blobs.back().size();
      blobs.emplace_back(pk->key.rsa.e, pk->key.rsa.e + pk->key.rsa.elen);
      ta.pkey.key.rsa.e = blobs.back().data();
      ta.pkey.key.rsa.elen = blobs.back().size();
    } else {
      ta.pkey.key.ec.curve = pk->key.ec.curve;
      blobs.emplace_back(pk->key.ec.q, pk->key.ec.q + pk->key.ec.qlen);
      ta.pkey.key.ec.q = blobs.back().data();
      ta.pkey.key.ec.qlen = blobs.back().size();
    }
    anchors.push_back(ta);
    return true;
  }
};

TlsClient::TlsClient(ReadFn read, WriteFn write)
    : read_(std::move(read)), write_(std::move(write)), st_(std::make_unique<State>()) {
  // blobs must not move while anchors point into them.
  st_->blobs.reserve(64);
}

TlsClient::~TlsClient() = default;

Err TlsClient::fail_from_engine(const char* what) {
  const int code = br_ssl_engine_last_error(st_->eng());
  std::string why;
  switch (code) {
    case BR_ERR_OK: why = "the server closed the connection"; break;
    case BR_ERR_X509_NOT_TRUSTED:
      why = st_->use_pin ? "the certificate's SHA-1 fingerprint does not match TLS_FINGERPRINT"
                         : "the certificate is not signed by the CA in TLS_CA";
      break;
    case BR_ERR_X509_BAD_SERVER_NAME:
      why = "expected server name: the certificate is for another host";
      break;
    case BR_ERR_X509_EXPIRED: why = "the certificate is expired or not yet valid (clock?)"; break;
    case BR_ERR_BAD_VERSION: why = "no common TLS version (BearSSL speaks TLS 1.0-1.2)"; break;
    case BR_ERR_BAD_CIPHER_SUITE: why = "no common cipher suite"; break;
    default:
      if (code >= BR_ERR_RECV_FATAL_ALERT && code < BR_ERR_SEND_FATAL_ALERT) {
        why = "the server sent alert " + std::to_string(code - BR_ERR_RECV_FATAL_ALERT);
      } else if (code >= BR_ERR_SEND_FATAL_ALERT) {
        why = "we sent alert " + std::to_string(code - BR_ERR_SEND_FATAL_ALERT);
      } else {
        why = "protocol error";
      }
  }
  error_ = std::string(what) + ": " + why + " (BearSSL " + std::to_string(code) + ")";
  return code == BR_ERR_OK ? Err::Closed : Err::TlsFailed;
}

Err TlsClient::run_until(unsigned want, uint64_t deadline) {
  br_ssl_engine_context* eng = st_->eng();
  while (true) {
    const unsigned state = br_ssl_engine_current_state(eng);
    if (state & BR_SSL_CLOSED) return fail_from_engine("TLS");
    if (state & BR_SSL_SENDREC) {
      size_t len = 0;
      unsigned char* buf = br_ssl_engine_sendrec_buf(eng, &len);
      const Err e = write_(buf, len, left_ms(deadline));
      if (e != Err::Ok) return e;
      br_ssl_engine_sendrec_ack(eng, len);
      continue;
    }
    if (state & want) return Err::Ok;
    if (state & BR_SSL_RECVAPP) return Err::IoError;  // unread data while we want to send
    if (state & BR_SSL_RECVREC) {
      size_t len = 0;
      unsigned char* buf = br_ssl_engine_recvrec_buf(eng, &len);
      const int32_t n = read_(buf, len, left_ms(deadline));
      if (n == 0) {
        st_->peer_closed = true;
        return Err::Closed;
      }
      if (n < 0) return Err(-n);
      br_ssl_engine_recvrec_ack(eng, size_t(n));
      continue;
    }
    br_ssl_engine_flush(eng, 0);
  }
}

Err TlsClient::handshake(const TlsOptions& opts, uint32_t timeout_ms) {
  State& s = *st_;
  error_.clear();
  resumed_ = false;
  if (!opts.insecure && opts.fingerprint_sha1.empty()) {
    std::vector<std::vector<uint8_t>> certs;
    if (opts.ca_pem.empty()) {
      error_ = "TLS: no CA certificate, fingerprint or insecure flag given";
      return Err::TlsFailed;
    }
    if (!pem_certificates(opts.ca_pem, &certs)) {
      error_ = "TLS: the CA certificate is not valid PEM";
      return Err::Invalid;
    }
    for (const auto& der : certs) {
      if (!s.add_anchor(der)) {
        error_ = "TLS: a certificate in the CA file cannot be decoded";
        return Err::Invalid;
      }
    }
  }
  br_ssl_client_init_full(&s.cc, &s.xc, s.anchors.data(), s.anchors.size());
  if (opts.insecure || !opts.fingerprint_sha1.empty()) {
    s.pin.vtable = &kPinnedClass;
    s.pin.check = !opts.insecure;
    if (s.pin.check && !parse_sha1(opts.fingerprint_sha1, s.pin.want)) {
      error_ = "TLS: the SHA-1 fingerprint is not 40 hex digits";
      return Err::Invalid;
    }
    s.use_pin = true;
    br_ssl_engine_set_x509(s.eng(), &s.pin.vtable);
  }
  br_ssl_engine_set_buffer(s.eng(), s.iobuf, sizeof s.iobuf, 1);
  TlsSession* saved = opts.session;
  const bool offer = saved && saved->id_len > 0 && saved->id_len <= sizeof saved->id;
  if (offer) {
    br_ssl_session_parameters p{};
    memcpy(p.session_id, saved->id, saved->id_len);
    p.session_id_len = saved->id_len;
    p.version = saved->version;
    p.cipher_suite = saved->cipher_suite;
    memcpy(p.master_secret, saved->master_secret, sizeof p.master_secret);
    br_ssl_engine_set_session_parameters(s.eng(), &p);
  }
  const std::string sni(opts.sni.data, opts.sni.len);
  if (!br_ssl_client_reset(&s.cc, sni.empty() ? nullptr : sni.c_str(), offer ? 1 : 0)) {
    return fail_from_engine("TLS: cannot start");
  }
  const Err e = run_until(BR_SSL_SENDAPP, now_ms() + timeout_ms);
  if (e != Err::Ok) {
    const std::string what = "TLS: handshake with " + sni + " failed";
    if (e == Err::TlsFailed || e == Err::Closed) {
      fail_from_engine(what.c_str());
      return Err::TlsFailed;
    }
    error_ = what + ": " + err_name(e);
    return e;
  }
  br_ssl_session_parameters p{};
  br_ssl_engine_get_session_parameters(s.eng(), &p);
  // The server resumed the session when it kept the ID we offered.
  resumed_ = offer && p.session_id_len == saved->id_len &&
             memcmp(p.session_id, saved->id, p.session_id_len) == 0;
  if (saved) {
    *saved = TlsSession{};
    memcpy(saved->id, p.session_id, p.session_id_len);
    saved->id_len = p.session_id_len;
    saved->resumed = resumed_ ? 1 : 0;
    saved->version = p.version;
    saved->cipher_suite = p.cipher_suite;
    memcpy(saved->master_secret, p.master_secret, sizeof saved->master_secret);
  }
  return Err::Ok;
}

int32_t TlsClient::read(uint8_t* buf, size_t len, uint32_t timeout_ms) {
  if (st_->peer_closed) return 0;
  const Err e = run_until(BR_SSL_RECVAPP, now_ms() + timeout_ms);
  if (e == Err::Closed) return 0;  // close_notify, or the socket closed after the answer
  if (e != Err::Ok) return -int32_t(e);
  size_t avail = 0;
  unsigned char* app = br_ssl_engine_recvapp_buf(st_->eng(), &avail);
  const size_t n = std::min(avail, len);
  memcpy(buf, app, n);
  br_ssl_engine_recvapp_ack(st_->eng(), n);
  return int32_t(n);
}

Err TlsClient::write(const uint8_t* data, size_t len, uint32_t timeout_ms) {
  const uint64_t deadline = now_ms() + timeout_ms;
  br_ssl_engine_context* eng = st_->eng();
  while (len > 0) {
    const Err e = run_until(BR_SSL_SENDAPP, deadline);
    if (e != Err::Ok) return e == Err::TlsFailed ? Err::IoError : e;
    size_t room = 0;
    unsigned char* app = br_ssl_engine_sendapp_buf(eng, &room);
    const size_t n = std::min(room, len);
    memcpy(app, data, n);
    br_ssl_engine_sendapp_ack(eng, n);
    data += n;
    len -= n;
  }
  br_ssl_engine_flush(eng, 0);
  const Err e = run_until(BR_SSL_SENDAPP | BR_SSL_RECVAPP, deadline);
  return e == Err::TlsFailed ? Err::IoError : e;
}

void TlsClient::close(uint32_t timeout_ms) {
  if (st_->peer_closed) return;
  br_ssl_engine_close(st_->eng());
  // Push the close_notify out; the answer is not awaited.
  const unsigned state = br_ssl_engine_current_state(st_->eng());
  if (state & BR_SSL_SENDREC) {
    size_t len = 0;
    unsigned char* buf = br_ssl_engine_sendrec_buf(st_->eng(), &len);
    write_(buf, len, timeout_ms);
  }
}

}  // namespace bh::host
