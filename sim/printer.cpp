#include "printer.h"

#include "timeline.h"

namespace bh::sim {

void Printer::line(uint64_t t_us, LineKind kind, const std::string& text) {
  std::string out;
  if (!color_) {
    out = time_prefix(t_us) + text + "\n";
  } else {
    const char* c = "";
    switch (kind) {
      case LineKind::Serial: c = text.rfind("Error", 0) == 0 ? "\033[31m" : ""; break;
      case LineKind::Board: c = "\033[36m"; break;
      case LineKind::Led: c = "\033[33m"; break;
      case LineKind::Warning: c = "\033[1;33m"; break;
    }
    out = "\033[2m" + time_prefix(t_us) + "\033[0m" + c + text + (c[0] ? "\033[0m" : "") + "\n";
  }
  fwrite(out.data(), 1, out.size(), out_);
  fflush(out_);
}

}  // namespace bh::sim
