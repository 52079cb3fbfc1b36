// The console's wire: the WebSocket upgrade and frames (RFC 6455, the parts
// WebREPL clients use), the password exchange and the WebREPL file
// protocol (docs/console.md has the facts, from MicroPython's sources).
//
//   client frames   masked (browser) or not (webrepl_cli.py); text frames
//                   are keystrokes, binary frames file requests and data
//   server frames   unmasked, FIN set; text = console output, binary = file
//                   replies, one reply unit per frame (the CLI reads a unit
//                   from a single frame)
#include <string.h>  // memcpy

#include "app.h"
#include "base64.h"
#include "http_request.h"
#include "remote.h"
#include "sha1.h"

namespace bh {

namespace {

constexpr uint32_t kIoMs = 1000;  // longest wait for the rest of a message already begun
constexpr uint8_t kText = 1, kBinary = 2, kClose = 8;
// Status codes as MicroPython sends them: errno values.
constexpr uint16_t kENOENT = 2, kEIO = 5, kEINVAL = 22, kEFBIG = 27;

uint32_t le(const uint8_t* p, int n) {
  uint32_t v = 0;
  while (n--) v = v << 8 | p[n];
  return v;
}

}  // namespace

// ---------------------------------------------------------------- frames --

bool Remote::handshake() {
  HttpRequestHead head;
  if (read_request_head(*client_, hal_.machine, &head, kIoMs, 2 * kIoMs) != Err::Ok ||
      !head.websocket || head.ws_key.empty()) {
    return false;
  }
  Sha1 sha;
  sha.update(head.ws_key.c_str(), head.ws_key.size());
  sha.update("258EAFA5-E914-47DA-95CA-C5AB0DC85B11", 36);
  uint8_t digest[Sha1::kDigestSize];
  sha.finish(digest);
  out_.assign(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ");
  base64_append(out_, digest, sizeof digest);
  out_.append("\r\n\r\n");
  const Err e = client_->write(reinterpret_cast<const uint8_t*>(out_.c_str()), out_.size(), kIoMs);
  out_.clear();
  return e == Err::Ok;
}

bool Remote::ws_next() {
  if (remaining_) return true;
  uint8_t h[4];
  // Nothing waiting: return at once. A frame begun: its header follows.
  const int32_t n = client_->read(h, 1, 0);
  if (n == -static_cast<int32_t>(Err::Timeout)) return false;
  if (n > 0 && read_exact(*client_, h + 1, 1, kIoMs)) {
    if (h[0] & 15) opcode_ = h[0] & 15;  // 0 continues the previous frame's kind
    const bool masked = h[1] & 0x80;
    remaining_ = h[1] & 0x7f;
    mask_at_ = 0;
    memset(mask_, 0, 4);
    // No client sends frames of 64 KB (127).
    if (remaining_ < 127 && (remaining_ < 126 || read_exact(*client_, h + 2, 2, kIoMs)) &&
        (!masked || read_exact(*client_, mask_, 4, kIoMs))) {
      if (remaining_ == 126) remaining_ = uint32_t(h[2]) << 8 | h[3];
      return true;
    }
  }
  drop();
  return false;
}

int32_t Remote::ws_read(uint8_t* dst, size_t len) {
  if (len > remaining_) len = remaining_;
  const int32_t n = len ? client_->read(dst, len, kIoMs) : 0;
  if (n <= 0) {
    drop();
    return -1;
  }
  for (int32_t i = 0; i < n; ++i) dst[i] ^= mask_[mask_at_++ & 3];
  remaining_ -= static_cast<uint32_t>(n);
  return n;
}

void Remote::ws_send(uint8_t opcode, const void* data, size_t len) {
  // Console text first: the CLI reads the version right after its password,
  // and a reply must not overtake "WebREPL connected" (which it skips).
  if (opcode != kText && !out_.empty()) flush();
  const uint8_t h[4] = {static_cast<uint8_t>(0x80 | opcode),
                        static_cast<uint8_t>(len < 126 ? len : 126), static_cast<uint8_t>(len >> 8),
                        static_cast<uint8_t>(len)};
  if (!client_ || client_->write(h, len < 126 ? 2 : 4, kIoMs) != Err::Ok ||
      client_->write(static_cast<const uint8_t*>(data), len, kIoMs) != Err::Ok) {
    drop();
  }
}

// ---------------------------------------------------------------- session -

void Remote::on_frame() {
  uint8_t b[32];
  if (opcode_ == kClose) {
    flush();  // what the frames before it produced
    drop();
    return;
  }
  // One step per frame, by the phase the frame arrived in: the frame that
  // completes a get request is not also the client's first "next chunk".
  const Phase phase = phase_;
  if (opcode_ == kBinary && phase == Phase::Shell) {
    // A file request, maybe split over frames (the CLI sends 10 + 72 bytes).
    while (client_ && remaining_ && phase_ == Phase::Shell) {
      const int32_t n = ws_read(req_ + req_len_, sizeof req_ - req_len_);
      if (n > 0 && (req_len_ += n) == sizeof req_) {
        req_len_ = 0;
        on_request();
      }
    }
  }
  if (opcode_ == kBinary && phase == Phase::Put) on_put_data();
  if (opcode_ == kBinary && phase == Phase::Get) {
    while (client_ && remaining_ && ws_read(b, sizeof b) > 0) {
    }
    if (client_) on_get_next();
  }
  // Keystrokes, or the password (which the CLI sends in a binary frame).
  while (client_ && remaining_) {
    const int32_t n = ws_read(b, sizeof b);
    for (int32_t i = 0; i < n && client_; ++i) {
      if (phase_ == Phase::Password)
        on_password(static_cast<char>(b[i]));
      else if (phase_ == Phase::Shell && opcode_ == kText)
        on_key(static_cast<char>(b[i]));
    }
  }
}

void Remote::on_password(char c) {
  if (c != '\r' && c != '\n') {
    typed_.append(c);
    return;
  }
  // Every byte compared, whatever the first difference.
  uint8_t diff = typed_.size() != pass_.size() || pass_.empty();
  for (size_t i = 0; i < pass_.size(); ++i) diff |= typed_.c_str()[i] ^ pass_.c_str()[i];
  typed_.clear();
  if (!diff) {
    failures_ = 0;
    phase_ = Phase::Shell;
    log("WebREPL: client logged in");
    say("\r\nWebREPL connected\r\n>>> ");
    return;
  }
  if (failures_ < 6) ++failures_;
  const uint32_t delay_s = 1u << (failures_ - 1);  // 1, 2, 4 ... 32 s
  locked_until_ = hal_.machine.ticks_ms() + delay_s * 1000;
  say("\r\nAccess denied\r\n");
  flush();
  drop();
  Str<64> line;
  line.appendf("WebREPL: wrong password; next try in %u s", static_cast<unsigned>(delay_s));
  log(line.ref());
}

void Remote::status_reply(uint16_t code, const char* why) {
  if (why) {
    // A browser shows this text; webrepl_cli.py skips text frames.
    Str<120> line;
    request_path(line);
    line.append(": ").append(why);
    log(line.ref());
    say("\r\n");
    say_line(this, line.ref());
    flush();
  }
  const uint8_t r[4] = {'W', 'B', static_cast<uint8_t>(code), static_cast<uint8_t>(code >> 8)};
  ws_send(kBinary, r, sizeof r);
}

// The request's file name as a board path: "config.py" is "/config.py".
void Remote::request_path(StrBuf& out) {
  StrRef name(reinterpret_cast<const char*>(req_ + 18),
              le(req_ + 16, 2) < 64 ? le(req_ + 16, 2) : 64);
  name.len = name.find('\0');  // NUL-padded
  if (!name.starts_with("/")) out.append('/');
  out.append(name);
}

void Remote::on_request() {
  static const uint8_t kVersion[3] = {0, 1, 0};  // Buttonhook's console 0.1.0
  const uint8_t type = req_[2];
  size_ = le(req_ + 12, 4);
  done_ = 0;
  if (req_[0] != 'W' || req_[1] != 'A' || type < 1 || type > 3) {
    status_reply(kEINVAL, "not a WebREPL request");
  } else if (type == 3) {
    ws_send(kBinary, kVersion, sizeof kVersion);
  } else if (type == 1 && size_ > sizeof buf_) {
    status_reply(kEFBIG, "too large: the board takes files up to 4096 bytes");
  } else if (type == 1) {
    status_reply(0);
    phase_ = Phase::Put;
    on_put_data();  // an empty file is complete at once
  } else {
    Str<80> path;
    request_path(path);
    size_t len = 0;
    const Err e = hal_.files.read(path.ref(), buf_, sizeof buf_, &len);
    size_ = static_cast<uint32_t>(len);
    if (e == Err::Ok) {
      status_reply(0);
      phase_ = Phase::Get;
    } else if (e == Err::NotFound) {
      status_reply(kENOENT, "no such file");
    } else {
      status_reply(
          e == Err::Overflow ? kEFBIG : kEIO,
          e == Err::Overflow ? "too large: the board sends files up to 4096 bytes" : err_name(e));
    }
  }
}

void Remote::on_put_data() {
  while (client_ && remaining_ && done_ < size_) {
    const int32_t n = ws_read(buf_ + done_, size_ - done_);
    if (n > 0) done_ += static_cast<uint32_t>(n);
  }
  if (!client_ || done_ < size_) return;
  Str<80> path;
  request_path(path);
  phase_ = Phase::Shell;
  if (hal_.files.write(path.ref(), buf_, size_) != Err::Ok) {
    status_reply(kEIO, "cannot write");
    return;
  }
  if (path.ref().equals("/config.py")) {
    // The changed settings count from now; if they do not parse, say so.
    echo_ = true;
    app_reload();
    echo_ = false;
  }
  status_reply(0, "saved");
}

void Remote::on_get_next() {
  uint32_t n = size_ - done_;
  if (n > sizes::kWebReplChunk) n = sizes::kWebReplChunk;
  // Length and bytes in one frame: both clients read a chunk from one frame.
  uint8_t frame[2 + sizes::kWebReplChunk];
  frame[0] = static_cast<uint8_t>(n);
  frame[1] = static_cast<uint8_t>(n >> 8);
  memcpy(frame + 2, buf_ + done_, n);
  ws_send(kBinary, frame, 2 + n);
  done_ += n;
  if (n || !client_) return;
  phase_ = Phase::Shell;
  status_reply(0, "sent");
}

}  // namespace bh
