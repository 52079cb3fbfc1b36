#include "esp_files.h"

#include <LittleFS.h>  // LittleFS, File

#include "text.h"

namespace bh {
namespace esp {

namespace {

// LittleFS names are at most 32 bytes per path component; 64 is plenty for
// "/config.py" and friends.
using Path = Str<64>;

}  // namespace

void EspFiles::begin() {
  if (!mounted_) mounted_ = LittleFS.begin();
}

Err EspFiles::read(StrRef path, uint8_t* out, size_t cap, size_t* len) {
  *len = 0;
  const Path p(path);
  if (p.overflow() || p.empty()) return Err::Invalid;
  if (!mounted_ || !LittleFS.exists(p.c_str())) return Err::NotFound;
  File f = LittleFS.open(p.c_str(), "r");
  if (!f) return Err::IoError;
  const size_t total = f.size();
  if (total > cap) return Err::Overflow;
  const size_t n = f.read(out, total);
  f.close();
  if (n != total) return Err::IoError;
  *len = n;
  return Err::Ok;
}

Err EspFiles::write(StrRef path, const uint8_t* data, size_t len) {
  const Path p(path);
  Path tmp(path);
  tmp.append(".tmp");
  if (p.overflow() || tmp.overflow() || p.empty()) return Err::Invalid;
  if (!mounted_) return Err::IoError;
  // Write aside, then rename (atomic in LittleFS): a battery that dies
  // mid-write leaves the old file, never half of the new one.
  File f = LittleFS.open(tmp.c_str(), "w");
  if (!f) return Err::IoError;
  const size_t n = len ? f.write(data, len) : 0;
  f.close();
  if (n != len || !LittleFS.rename(tmp.c_str(), p.c_str())) {
    LittleFS.remove(tmp.c_str());
    return Err::IoError;
  }
  return Err::Ok;
}

Err EspFiles::remove(StrRef path) {
  const Path p(path);
  if (p.overflow() || p.empty()) return Err::Invalid;
  if (!mounted_ || !LittleFS.exists(p.c_str())) return Err::NotFound;
  return LittleFS.remove(p.c_str()) ? Err::Ok : Err::IoError;
}

bool EspFiles::exists(StrRef path) {
  const Path p(path);
  return mounted_ && !p.overflow() && !p.empty() && LittleFS.exists(p.c_str());
}

Err EspFiles::size(StrRef path, size_t* len) {
  *len = 0;
  const Path p(path);
  if (p.overflow() || p.empty()) return Err::Invalid;
  if (!mounted_ || !LittleFS.exists(p.c_str())) return Err::NotFound;
  File f = LittleFS.open(p.c_str(), "r");
  if (!f) return Err::IoError;
  *len = f.size();
  f.close();
  return Err::Ok;
}

}  // namespace esp
}  // namespace bh
