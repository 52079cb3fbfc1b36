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

}  // namespace sizes
}  // namespace bh
