#include "models.h"

#include <toml++/toml.h>

#include <fstream>  // read_text_file
#include <sstream>  // read_text_file

#include "errors.h"

namespace bh::sim {

// Generated from sim/data/*.toml (see CMakeLists.txt).
extern const char timing_toml_text[];
extern const char power_toml_text[];

const char* power_state_name(PowerState s) {
  switch (s) {
    case PowerState::Off: return "off";
    case PowerState::Booting: return "booting";
    case PowerState::Listen: return "listen";
    case PowerState::Scanning: return "scanning";
    case PowerState::Associating: return "associating";
    case PowerState::Dhcp: return "dhcp";
    case PowerState::Tx: return "tx";
    case PowerState::Rx: return "rx";
    case PowerState::TlsHandshake: return "tls-handshake";
    case PowerState::IdleAwake: return "idle-awake";
    case PowerState::DeepSleep: return "deep-sleep";
  }
  return "?";
}

double PowerModel::current_ma(PowerState s) const {
  auto mix = [this](double tx_share) { return rx_ma * (1.0 - tx_share) + tx_ma * tx_share; };
  switch (s) {
    case PowerState::Off: return 0.0;
    case PowerState::Booting: return booting_ma;
    case PowerState::Listen: return listen_ma;
    case PowerState::Scanning: return mix(scanning_tx);
    case PowerState::Associating: return mix(associating_tx);
    case PowerState::Dhcp: return mix(dhcp_tx);
    case PowerState::Tx: return tx_ma;
    case PowerState::Rx: return rx_ma;
    case PowerState::TlsHandshake: return tls_rx * rx_ma + (1 - tls_rx) * modem_sleep_ma;
    case PowerState::IdleAwake: return modem_sleep_ma;
    case PowerState::DeepSleep: return deep_sleep_ma;
  }
  return 0.0;
}

namespace {

std::string where(const std::string& name, const toml::source_region& src) {
  return name + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
}

toml::table parse(std::string_view text, const std::string& name) {
  try {
    return toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    throw SimError(where(name, e.source()) + ": " + std::string(e.description()));
  }
}

// A sub-table that must exist and carry a non-empty `source`.
const toml::table& section(const toml::table& root, const char* key, const std::string& name) {
  const toml::node* n = root.get(key);
  if (!n || !n->is_table()) throw SimError(name + ": missing table [" + std::string(key) + "]");
  const toml::table& t = *n->as_table();
  const auto* src = t.get_as<std::string>("source");
  if (!src || src->get().empty()) {
    throw SimError(where(name, t.source()) + ": [" + key +
                   "] has no source = \"...\" (every figure needs one)");
  }
  return t;
}

double number(const toml::table& t, const char* key, const char* table, const std::string& name) {
  const toml::node* n = t.get(key);
  if (!n || !(n->is_number())) {
    throw SimError(where(name, t.source()) + ": [" + table + "] needs " + key + " = <number>");
  }
  const double v = n->value<double>().value_or(0.0);
  if (v < 0) throw SimError(where(name, n->source()) + ": " + key + " must not be negative");
  return v;
}

void no_unknown_tables(const toml::table& root, std::initializer_list<const char*> known,
                       const std::string& name) {
  for (const auto& [k, v] : root) {
    bool ok = false;
    for (const char* x : known) ok |= k.str() == x;
    if (!ok)
      throw SimError(where(name, v.source()) + ": unknown table or key '" + std::string(k.str()) +
                     "'");
  }
}

host::RangeMs range(const toml::table& root, const char* key, const std::string& name) {
  const toml::table& t = section(root, key, name);
  const toml::array* a = t.get_as<toml::array>("ms");
  if (!a || a->size() != 2 || !(*a)[0].is_number() || !(*a)[1].is_number()) {
    throw SimError(where(name, t.source()) + ": [" + key + "] needs ms = [min, max]");
  }
  host::RangeMs r{(*a)[0].value<double>().value_or(0), (*a)[1].value<double>().value_or(0)};
  if (r.min_ms < 0 || r.max_ms < r.min_ms) {
    throw SimError(where(name, a->source()) + ": [" + key +
                   "] ms = [min, max] needs 0 <= min <= max");
  }
  return r;
}

}  // namespace

host::RadioTiming load_timing(std::string_view text, const std::string& name) {
  const toml::table root = parse(text, name);
  no_unknown_tables(
      root,
      {"boot", "scan_full", "scan_channel", "assoc", "dhcp", "wrong_password", "dns", "tls_full",
       "tls_resumed"},
      name);
  host::RadioTiming t;
  t.boot = range(root, "boot", name);
  t.scan_full = range(root, "scan_full", name);
  t.scan_channel = range(root, "scan_channel", name);
  t.assoc = range(root, "assoc", name);
  t.dhcp = range(root, "dhcp", name);
  t.wrong_password = range(root, "wrong_password", name);
  t.dns = range(root, "dns", name);
  t.tls_full = range(root, "tls_full", name);
  t.tls_resumed = range(root, "tls_resumed", name);
  return t;
}

PowerModel load_power(std::string_view text, const std::string& name) {
  const toml::table root = parse(text, name);
  no_unknown_tables(
      root, {"tx", "rx", "listen", "modem_sleep", "booting", "deep_sleep", "phases", "led"}, name);
  PowerModel p;
  const toml::table& tx = section(root, "tx", name);
  const toml::table& rx = section(root, "rx", name);
  p.tx_mode = tx["mode"].value_or(std::string("b"));
  if (p.tx_mode != "b" && p.tx_mode != "g" && p.tx_mode != "n") {
    throw SimError(where(name, tx.source()) + ": [tx] mode must be \"b\", \"g\" or \"n\"");
  }
  const std::string key = p.tx_mode + "_ma";
  p.tx_ma = number(tx, key.c_str(), "tx", name);
  p.rx_ma = number(rx, key.c_str(), "rx", name);
  p.listen_ma = number(section(root, "listen", name), "ma", "listen", name);
  p.modem_sleep_ma = number(section(root, "modem_sleep", name), "ma", "modem_sleep", name);
  p.booting_ma = number(section(root, "booting", name), "ma", "booting", name);
  p.deep_sleep_ma = number(section(root, "deep_sleep", name), "ma", "deep_sleep", name);
  p.led_ma = number(section(root, "led", name), "ma", "led", name);
  const toml::table& ph = section(root, "phases", name);
  p.scanning_tx = number(ph, "scanning_tx", "phases", name);
  p.associating_tx = number(ph, "associating_tx", "phases", name);
  p.dhcp_tx = number(ph, "dhcp_tx", "phases", name);
  p.tls_rx = number(ph, "tls_rx", "phases", name);
  for (double share : {p.scanning_tx, p.associating_tx, p.dhcp_tx, p.tls_rx}) {
    if (share > 1.0)
      throw SimError(where(name, ph.source()) + ": [phases] shares must be within 0..1");
  }
  return p;
}

std::string_view builtin_timing_toml() {
  return timing_toml_text;
}
std::string_view builtin_power_toml() {
  return power_toml_text;
}
host::RadioTiming default_timing() {
  return load_timing(timing_toml_text, "sim/data/timing.toml");
}
PowerModel default_power() {
  return load_power(power_toml_text, "sim/data/power.toml");
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SimError("cannot read " + path + ": no such file or not readable");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace bh::sim
