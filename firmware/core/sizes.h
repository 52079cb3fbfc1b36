// Every fixed capacity of the firmware core, in one place.
//
// The core has no heap: each buffer is sized here at compile time. Sizes are
// chosen for the ESP8266 (about 40 KB of RAM free to the application under
// the Arduino core) and checked by static_asserts where they matter.
#pragma once

#include <stddef.h>  // size_t

namespace bh {
namespace sizes {

// config.py
constexpr size_t kConfigFileMax = 2048;   // bytes of config.py read at boot (the tutorial's is 300)
constexpr size_t kSsidMax = 32;           // 802.11 SSID limit
constexpr size_t kWifiPasswordMax = 64;   // WPA2 passphrase limit (63) + hex PSK (64)
constexpr size_t kUrlMax = 384;           // webhook URL (IFTTT keys are 22-43 chars)
constexpr size_t kButtonIdMax = 64;       // BUTTON_ID text
constexpr size_t kConfigErrorMax = 160;   // one error message with line number
constexpr size_t kConfigKeyMax = 32;      // longest key name we report
constexpr size_t kTlsCaPathMax = 32;      // TLS_CA: a file name on the board
constexpr size_t kTlsFingerprintMax = 64; // TLS_FINGERPRINT: 40 hex digits, maybe with ':'

// URL pieces
constexpr size_t kHostMax = 128;          // DNS name (253 allowed; 128 is plenty here)
constexpr size_t kPathMax = kUrlMax;      // path + query

// HTTP client
constexpr size_t kHttpRequestBodyMax = 256;   // our JSON body
constexpr size_t kHttpHeaderLineMax = 512;    // one response header line
constexpr size_t kHttpResponseBodyMax = 512;  // kept response text (the rest is drained)
constexpr int kHttpMaxRedirects = 3;          // see http_client.h for the policy
constexpr size_t kHttpIoChunk = 256;          // stack buffer for socket reads

// Wi-Fi
constexpr size_t kScanMax = 16;           // access points kept from one scan

// Press queue (RTC user memory, see rtc_layout.h)
constexpr size_t kPressQueueMax = 16;     // presses kept while undelivered; the oldest goes first
constexpr size_t kRtcUserMax = 512;       // RTC user memory on the ESP8266

// Log lines
constexpr size_t kLogLineMax = 256;

// Remote access: the console (WebREPL) and the setup portal
constexpr size_t kFileTransferMax = 4096;  // largest file put/get (config, CA PEMs); the work buffer
constexpr size_t kWebReplChunk = 256;      // get: file bytes per frame (the protocol's limit)
constexpr size_t kWebReplRequest = 82;     // the protocol's file request header
constexpr size_t kConsolePassMin = 4;      // webrepl_setup's password limits
constexpr size_t kConsolePassMax = 9;
constexpr size_t kConsoleLineMax = 96;     // one command line
constexpr size_t kConsoleOutMax = 256;     // text gathered into one frame
constexpr size_t kConsoleLogMax = 512;     // recent log lines kept for `log`
constexpr size_t kWsKeyMax = 32;           // Sec-WebSocket-Key (24 from a real client)
constexpr size_t kHttpHeadLineMax = 96;    // kept of one request header line
constexpr size_t kHttpHeadMax = 4096;      // longer request heads are refused
constexpr size_t kPortalFormMax = 1024;    // the setup form's body
constexpr size_t kPortalScanMax = 10;      // networks offered on the setup page

}  // namespace sizes
}  // namespace bh
