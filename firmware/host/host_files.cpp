#include "host_files.h"

#include <stdio.h>  // FILE, fopen

#include <string>        // path text
#include <system_error>  // std::error_code

namespace bh::host {

namespace fs = std::filesystem;

std::optional<fs::path> HostFiles::map(StrRef path) const {
  const std::string p(path.data, path.len);
  if (p.size() < 2 || p[0] != '/' || p.find('\0') != std::string::npos) return std::nullopt;
  fs::path out = root_;
  size_t start = 1;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    const std::string part = p.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return std::nullopt;
    out /= part;
    start = end + 1;
  }
  return out;
}

Err HostFiles::read(StrRef path, uint8_t* out, size_t cap, size_t* len) {
  *len = 0;
  const auto p = map(path);
  if (!p) return Err::Invalid;
  std::error_code ec;
  if (!fs::is_regular_file(*p, ec)) return Err::NotFound;
  FILE* f = fopen(p->c_str(), "rb");
  if (!f) return Err::NotFound;
  size_t n = fread(out, 1, cap, f);
  // One byte more tells us whether the file is larger than cap.
  uint8_t extra;
  const bool more = fread(&extra, 1, 1, f) == 1;
  const bool failed = ferror(f) != 0;
  fclose(f);
  if (failed) return Err::IoError;
  *len = n;
  return more ? Err::Overflow : Err::Ok;
}

Err HostFiles::write(StrRef path, const uint8_t* data, size_t len) {
  const auto p = map(path);
  if (!p) return Err::Invalid;
  std::error_code ec;
  fs::create_directories(p->parent_path(), ec);
  if (ec) return Err::IoError;
  const fs::path tmp = p->string() + ".tmp";
  FILE* f = fopen(tmp.c_str(), "wb");
  if (!f) return Err::IoError;
  const bool ok = fwrite(data, 1, len, f) == len;
  if (fclose(f) != 0 || !ok) {
    fs::remove(tmp, ec);
    return Err::IoError;
  }
  fs::rename(tmp, *p, ec);
  return ec ? Err::IoError : Err::Ok;
}

Err HostFiles::remove(StrRef path) {
  const auto p = map(path);
  if (!p) return Err::Invalid;
  std::error_code ec;
  if (!fs::is_regular_file(*p, ec)) return Err::NotFound;
  return fs::remove(*p, ec) ? Err::Ok : Err::IoError;
}

bool HostFiles::exists(StrRef path) {
  const auto p = map(path);
  std::error_code ec;
  return p && fs::is_regular_file(*p, ec);
}

Err HostFiles::size(StrRef path, size_t* len) {
  const auto p = map(path);
  if (!p) return Err::Invalid;
  std::error_code ec;
  if (!fs::is_regular_file(*p, ec)) return Err::NotFound;
  const auto n = fs::file_size(*p, ec);
  if (ec) return Err::IoError;
  *len = size_t(n);
  return Err::Ok;
}

}  // namespace bh::host
