// The timing and power models as data: sim/data/timing.toml and
// sim/data/power.toml (built into the binary; --timing/--power read other
// files). Every figure must carry its source.
#pragma once

#include <stdint.h>  // uint8_t

#include <string>       // names
#include <string_view>  // TOML text

#include "env.h"

namespace bh::sim {

// What the board is doing, as the power model and the timeline name it.
enum class PowerState : uint8_t {
  Off,
  Booting,
  Listen,  // receiver on, not associated
  Scanning,
  Associating,
  Dhcp,
  Tx,
  Rx,
  TlsHandshake,  // CPU busy with the handshake's crypto, receiver on part of the time
  IdleAwake,  // CPU on; radio off or associated and idle (modem sleep)
  DeepSleep,
};
const char* power_state_name(PowerState s);

struct PowerModel {
  std::string tx_mode = "b";
  double tx_ma = 0;
  double rx_ma = 0;
  double listen_ma = 0;
  double modem_sleep_ma = 0;
  double booting_ma = 0;
  double deep_sleep_ma = 0;
  double led_ma = 0;
  double scanning_tx = 0;  // share of the phase spent transmitting
  double associating_tx = 0;
  double dhcp_tx = 0;
  double tls_rx = 0;  // share of a TLS handshake with the receiver on; the rest is modem sleep

  // The chip's current in a state, LEDs not included.
  double current_ma(PowerState s) const;
};

// Parse TOML text; `name` (a file name) prefixes error messages, which carry
// the line. Throw SimError.
host::RadioTiming load_timing(std::string_view text, const std::string& name);
PowerModel load_power(std::string_view text, const std::string& name);

// The copies of sim/data/*.toml built into the binary.
std::string_view builtin_timing_toml();
std::string_view builtin_power_toml();
host::RadioTiming default_timing();
PowerModel default_power();

// A whole file as text; SimError naming the file if it cannot be read.
std::string read_text_file(const std::string& path);

}  // namespace bh::sim
