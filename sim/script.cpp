#include "script.h"

#include <cmath>    // std::isfinite, std::llround
#include <cstdlib>  // strtod

#include "faults.h"

namespace bh::sim {

const char* events_help() {
  return "events:\n"
         "  power-on           connect the power (reset cause 0)\n"
         "  power-on-held      connect the power with the button held, then release it\n"
         "                     (reset cause 6, RTC memory lost: the setup portal)\n"
         "  press              press RST: wake from deep sleep (cause 5) or reboot (cause 6)\n"
         "  jumper-on          debug jumper on: DEBUG_PIN (GPIO14, D5) to GND\n"
         "  jumper-off         debug jumper off\n"
         "  power-off          cut the power (RTC memory is lost)\n"
         "  advance <seconds>  let virtual time pass (an awake board runs its loop)\n"
         "  wait               keep running in real time until SIGTERM/SIGINT\n"
         "  fault <kind> [s]   a world fault from now, for s seconds (default: to the end):\n"
         "                     ap-down wrong-password dns-failure hub-down hub-5xx hub-503\n"
         "                     hub-slow reset-mid-request reset-after-forward\n"
         "  fault clear        end every fault now\n";
}

bool parse_events(const std::vector<std::string>& words, std::vector<Event>* out,
                  std::string* err) {
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    Event e;
    if (w == "power-on") {
      e.kind = Event::Kind::PowerOn;
    } else if (w == "power-on-held") {
      e.kind = Event::Kind::PowerOnHeld;
    } else if (w == "press") {
      e.kind = Event::Kind::Press;
    } else if (w == "jumper-on") {
      e.kind = Event::Kind::JumperOn;
    } else if (w == "jumper-off") {
      e.kind = Event::Kind::JumperOff;
    } else if (w == "power-off") {
      e.kind = Event::Kind::PowerOff;
    } else if (w == "wait") {
      e.kind = Event::Kind::Wait;
    } else if (w == "fault") {
      if (i + 1 >= words.size()) {
        *err = std::string("fault needs a kind: ") + fault_words() + ", or clear";
        return false;
      }
      const std::string& k = words[++i];
      if (k == "clear") {
        e.kind = Event::Kind::FaultClear;
      } else {
        const auto f = fault_from_word(k);
        if (!f) {
          *err = "unknown fault '" + k + "' (" + fault_words() + ", or clear)";
          return false;
        }
        e.kind = Event::Kind::Fault;
        e.fault = *f;
        // An optional duration: the next word, if it is a number.
        if (i + 1 < words.size()) {
          const std::string& n = words[i + 1];
          char* end = nullptr;
          const double s = std::strtod(n.c_str(), &end);
          if (!n.empty() && *end == '\0') {
            if (!std::isfinite(s) || s <= 0 || s > 1e9) {
              *err = "fault " + k + " lasts seconds (a number > 0), not '" + n + "'";
              return false;
            }
            e.us = uint64_t(std::llround(s * 1e6));
            ++i;
          }
        }
      }
    } else if (w == "advance") {
      if (i + 1 >= words.size()) {
        *err = "advance needs a number of seconds, e.g. 'advance 10'";
        return false;
      }
      const std::string& n = words[++i];
      char* end = nullptr;
      const double s = std::strtod(n.c_str(), &end);
      if (n.empty() || *end != '\0' || !std::isfinite(s) || s < 0 || s > 1e9) {
        *err = "advance takes seconds (a number >= 0), not '" + n + "'";
        return false;
      }
      e.kind = Event::Kind::Advance;
      e.us = uint64_t(std::llround(s * 1e6));
    } else {
      *err = "unknown event '" + w +
             "' (power-on, power-on-held, press, jumper-on, jumper-off, power-off, advance <seconds>, wait, "
             "fault <kind> [<seconds>])";
      return false;
    }
    out->push_back(e);
  }
  return true;
}

}  // namespace bh::sim
