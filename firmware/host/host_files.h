// The board's filesystem (LittleFS on the chip) as a directory on the PC:
// "/config.py" is ROOT/config.py. Paths must be absolute, and no component
// may be "." or ".." (nothing outside ROOT is reachable); empty components
// ("//") are refused too. Writes replace the file atomically (temp +
// rename), as a power cut must not leave half a config.
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // uint8_t

#include <filesystem>  // std::filesystem::path
#include <optional>    // mapped paths

#include "hal.h"

namespace bh::host {

class HostFiles final : public Files {
 public:
  explicit HostFiles(std::filesystem::path root) : root_(std::move(root)) {}

  Err read(StrRef path, uint8_t* out, size_t cap, size_t* len) override;
  Err write(StrRef path, const uint8_t* data, size_t len) override;
  Err remove(StrRef path) override;
  bool exists(StrRef path) override;
  Err size(StrRef path, size_t* len) override;

  const std::filesystem::path& root() const { return root_; }
  // ROOT/... for a board path, or nullopt if the path is refused.
  std::optional<std::filesystem::path> map(StrRef path) const;

 private:
  std::filesystem::path root_;
};

}  // namespace bh::host
