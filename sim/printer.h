// The CLI's Output: every line "[   12.345] text" on a FILE (stdout),
// flushed line by line (so a crash or a kill loses nothing, and scripts
// reading a pipe see lines as they happen). Colours only when asked (the
// CLI asks when stdout is a terminal and --no-color/NO_COLOR are absent):
// time dim, board events cyan, LEDs yellow, warnings bold yellow, serial
// lines starting with "Error" red.
#pragma once

#include <stdio.h>  // FILE

#include "board.h"

namespace bh::sim {

class Printer final : public Output {
 public:
  Printer(FILE* out, bool color) : out_(out), color_(color) {}
  void line(uint64_t t_us, LineKind kind, const std::string& text) override;
  // A line with the time prefix but outside the board (CLI notes).
  void note(uint64_t t_us, const std::string& text) { line(t_us, LineKind::Board, text); }

 private:
  FILE* out_;
  bool color_;
};

}  // namespace bh::sim
