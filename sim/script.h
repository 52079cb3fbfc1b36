// The script of events the CLI runs, from its arguments or from stdin:
//   power-on | power-on-held | press | jumper-on | jumper-off | power-off | advance <seconds> | wait
//   fault <kind> [<seconds>] | fault clear
#pragma once

#include <stdint.h>  // uint64_t

#include <string>  // words
#include <vector>  // the script

#include "env.h"

namespace bh::sim {

struct Event {
  enum class Kind {
    PowerOn,
    PowerOnHeld,  // power-on with the button (RST) held: the setup portal
    Press,
    JumperOn,
    JumperOff,
    PowerOff,
    Advance,
    Wait,
    Fault,
    FaultClear
  };
  Kind kind = Kind::Wait;
  uint64_t us = 0;    // Advance: how long; Fault: how long (0 = until the end of the run)
  host::Fault fault;  // Fault: what (its window is set when it runs)
};

// Parses words into events; on an error returns false and says why in *err
// (naming the word and what is accepted).
bool parse_events(const std::vector<std::string>& words, std::vector<Event>* out, std::string* err);

// The help text for the event words.
const char* events_help();

}  // namespace bh::sim
