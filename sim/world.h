// The world file (TOML): access points, DNS, routes, board settings and the
// faults that can be set now. The format is documented in sim/README.md
// with an example in sim/examples/world.toml.
#pragma once

#include <string>       // names
#include <string_view>  // text

#include "config.h"
#include "env.h"

namespace bh::sim {

// Parses a world file; `name` prefixes error messages ("world.toml:12:3:
// ..."). Unknown keys are errors (a typo must not silently drop a fault).
// Throws SimError.
host::World load_world(std::string_view text, const std::string& name);

// Without --world: one access point that accepts the config's own SSID and
// password (open when the password is empty), on 192.168.0.0/24.
host::World default_world(const Config* config);

// "NAME=IP[:PORT]" (the --dns option) added to the world's DNS table.
void add_dns(host::World& world, const std::string& spec);

// "a.b.c.d[:port]"; SimError with `what` in the message otherwise.
host::Endpoint parse_endpoint(std::string_view text, const std::string& what);

// A locally administered BSSID derived from the SSID, stable across runs.
std::array<uint8_t, 6> bssid_for(const std::string& ssid);

}  // namespace bh::sim
