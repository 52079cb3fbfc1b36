// Small files on LittleFS: config.py (put there by `pio run -t uploadfs`)
// and whatever the core saves later.
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // uint8_t

#include "hal.h"

namespace bh {
namespace esp {

class EspFiles final : public Files {
 public:
  // Mounts LittleFS once. A flash that holds no file system yet is
  // formatted (the Arduino default), so config.py is then simply missing.
  void begin();

  Err read(StrRef path, uint8_t* out, size_t cap, size_t* len) override;
  Err write(StrRef path, const uint8_t* data, size_t len) override;
  Err remove(StrRef path) override;
  bool exists(StrRef path) override;
  Err size(StrRef path, size_t* len) override;

 private:
  bool mounted_ = false;
};

}  // namespace esp
}  // namespace bh
