#include "world.h"

#include <stdint.h>  // UINT64_MAX
#include <toml++/toml.h>

#include <algorithm>  // std::transform
#include <cmath>      // std::llround

#include "errors.h"
#include "faults.h"

namespace bh::sim {

namespace {

std::string where(const std::string& name, const toml::source_region& src) {
  return name + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return char(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return s;
}

// Reads one table, refusing keys it does not know.
class Reader {
 public:
  Reader(const toml::table& t, const std::string& file, std::string what)
      : t_(t), file_(file), what_(std::move(what)) {}

  void known(std::initializer_list<const char*> keys) const {
    for (const auto& [k, v] : t_) {
      bool ok = false;
      for (const char* key : keys) ok |= k.str() == key;
      if (!ok) fail(v.source(), "unknown key '" + std::string(k.str()) + "' in " + what_);
    }
  }
  [[noreturn]] void fail(const toml::source_region& at, const std::string& msg) const {
    throw SimError(where(file_, at) + ": " + msg);
  }
  const toml::node* get(const char* key) const { return t_.get(key); }

  std::optional<std::string> text(const char* key) const {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) fail(n->source(), what_ + "." + key + " must be a string (in quotes)");
    return n->value<std::string>();
  }
  std::optional<int64_t> integer(const char* key, int64_t min, int64_t max) const {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_integer()) fail(n->source(), what_ + "." + key + " must be a whole number");
    const int64_t v = n->value<int64_t>().value_or(0);
    if (v < min || v > max) {
      fail(n->source(), what_ + "." + key + " must be within " + std::to_string(min) + ".." +
                            std::to_string(max));
    }
    return v;
  }
  std::optional<bool> boolean(const char* key) const {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) fail(n->source(), what_ + "." + key + " must be true or false");
    return n->value<bool>();
  }
  const toml::source_region& source() const { return t_.source(); }

 private:
  const toml::table& t_;
  const std::string& file_;
  std::string what_;
};

AuthMode parse_auth(const std::string& s, const Reader& r, const toml::source_region& at) {
  const std::string a = lower(s);
  if (a == "open") return AuthMode::Open;
  if (a == "wep") return AuthMode::Wep;
  if (a == "wpa") return AuthMode::WpaPsk;
  if (a == "wpa2") return AuthMode::Wpa2Psk;
  if (a == "wpa/wpa2" || a == "wpa-wpa2") return AuthMode::WpaWpa2Psk;
  r.fail(at, "auth must be one of open, wep, wpa, wpa2, wpa/wpa2 (got '" + s + "')");
}

bool parse_bssid(const std::string& s, std::array<uint8_t, 6>* out) {
  unsigned v[6];
  char tail;
  if (sscanf(s.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
             &tail) != 6) {
    return false;
  }
  if (s.size() != 17) return false;
  for (int i = 0; i < 6; ++i) (*out)[size_t(i)] = uint8_t(v[i]);
  return true;
}

// "192.168.7.0/24" (only /24: the board's lease arithmetic assumes it).
bool parse_subnet(const std::string& s, Ip4* out) {
  const auto slash = s.find('/');
  if (slash == std::string::npos || s.substr(slash) != "/24") return false;
  auto ip = host::parse_ip(s.substr(0, slash));
  if (!ip) return false;
  *out = *ip;
  out->b[3] = 0;
  return true;
}

uint64_t seconds_to_ms(double s) {
  return uint64_t(std::llround(s * 1000.0));
}

std::vector<host::TimeWindow> parse_down(const toml::node& n, const Reader& r) {
  std::vector<host::TimeWindow> windows;
  if (n.is_boolean()) {
    if (n.value<bool>().value_or(false)) windows.push_back(host::TimeWindow{});
    return windows;
  }
  const toml::array* a = n.as_array();
  if (!a) r.fail(n.source(), "down must be true, false, or a list of [from_s, to_s] windows");
  for (const toml::node& w : *a) {
    const toml::array* pair = w.as_array();
    if (!pair || pair->size() != 2 || !(*pair)[0].is_number() || !(*pair)[1].is_number()) {
      r.fail(w.source(), "each down window is [from_s, to_s] in seconds of virtual time");
    }
    const double from = (*pair)[0].value<double>().value_or(0);
    const double to = (*pair)[1].value<double>().value_or(0);
    if (from < 0 || to <= from) r.fail(w.source(), "a down window needs 0 <= from_s < to_s");
    windows.push_back(host::TimeWindow{seconds_to_ms(from), seconds_to_ms(to)});
  }
  return windows;
}

host::AccessPoint parse_ap(const toml::table& t, const std::string& file, size_t index) {
  Reader r(t, file, "[[ap]] #" + std::to_string(index + 1));
  r.known(
      {"ssid", "password", "auth", "bssid", "channel", "rssi", "hidden", "subnet", "dhcp", "down"});
  host::AccessPoint ap;
  const auto ssid = r.text("ssid");
  if (!ssid || ssid->empty() || ssid->size() > 32)
    r.fail(t.source(), "every [[ap]] needs ssid = \"...\" (1..32 bytes)");
  ap.ssid = *ssid;
  ap.password = r.text("password").value_or("");
  if (const auto auth = r.text("auth")) {
    ap.auth = parse_auth(*auth, r, r.get("auth")->source());
  } else {
    ap.auth = ap.password.empty() ? AuthMode::Open : AuthMode::Wpa2Psk;
  }
  if (ap.auth == AuthMode::Open) {
    ap.password.clear();
  } else if (ap.auth != AuthMode::Wep && (ap.password.size() < 8 || ap.password.size() > 64)) {
    r.fail(t.source(), "a WPA network's password has 8..64 characters (ssid '" + ap.ssid + "')");
  }
  if (const auto b = r.text("bssid")) {
    if (!parse_bssid(*b, &ap.bssid))
      r.fail(r.get("bssid")->source(), "bssid is six hex bytes: \"a0:40:a0:91:7d:ac\"");
  } else {
    ap.bssid = bssid_for(ap.ssid);
  }
  ap.channel = uint8_t(r.integer("channel", 1, 14).value_or(6));
  ap.rssi = int8_t(r.integer("rssi", -100, 0).value_or(-60));
  ap.hidden = r.boolean("hidden").value_or(false);
  ap.dhcp = r.boolean("dhcp").value_or(true);
  if (const auto s = r.text("subnet")) {
    if (!parse_subnet(*s, &ap.subnet))
      r.fail(r.get("subnet")->source(), "subnet is \"a.b.c.0/24\"");
  }
  if (const toml::node* d = r.get("down")) ap.down = parse_down(*d, r);
  return ap;
}

// Seconds of virtual time: a number >= 0.
std::optional<double> seconds(const Reader& r, const char* key) {
  const toml::node* n = r.get(key);
  if (!n) return std::nullopt;
  const double v = n->value<double>().value_or(-1);
  if (!n->is_number() || v < 0)
    r.fail(n->source(), std::string(key) + " is seconds of virtual time (a number >= 0)");
  return v;
}

host::Fault parse_fault(const toml::table& t, const std::string& file, size_t index) {
  Reader r(t, file, "[[fault]] #" + std::to_string(index + 1));
  r.known({"kind", "at", "until", "for", "status"});
  const auto kind = r.text("kind");
  if (!kind)
    r.fail(t.source(), "every [[fault]] needs kind = \"...\" (" + std::string(fault_words()) + ")");
  std::optional<host::Fault> f = fault_from_word(*kind);
  if (!f)
    r.fail(r.get("kind")->source(), "unknown fault kind '" + *kind + "' (" + fault_words() + ")");
  const double at = seconds(r, "at").value_or(0);
  f->window.from_ms = seconds_to_ms(at);
  const auto until = seconds(r, "until");
  const auto lasts = seconds(r, "for");
  if (until && lasts) r.fail(r.get("for")->source(), "give until or for, not both");
  if (until) {
    if (*until <= at) r.fail(r.get("until")->source(), "until must be after at");
    f->window.to_ms = seconds_to_ms(*until);
  } else if (lasts) {
    if (*lasts <= 0) r.fail(r.get("for")->source(), "for must be > 0 seconds");
    f->window.to_ms = seconds_to_ms(at + *lasts);
  }
  if (const auto status = r.integer("status", 500, 599)) {
    if (f->kind != host::FaultKind::Http5xx)
      r.fail(r.get("status")->source(), "status is for kind = \"hub-5xx\" only");
    f->status = int(*status);
  }
  return *f;
}

}  // namespace

std::array<uint8_t, 6> bssid_for(const std::string& ssid) {
  // FNV-1a: stable across runs and platforms, unlike std::hash.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : ssid) h = (h ^ c) * 1099511628211ull;
  return {0x02, uint8_t(h >> 32), uint8_t(h >> 24), uint8_t(h >> 16), uint8_t(h >> 8), uint8_t(h)};
}

host::Endpoint parse_endpoint(std::string_view text, const std::string& what) {
  host::Endpoint e;
  std::string_view ip = text;
  const auto colon = text.rfind(':');
  if (colon != std::string_view::npos) {
    ip = text.substr(0, colon);
    const std::string port(text.substr(colon + 1));
    char* end = nullptr;
    const long p = port.empty() ? -1 : strtol(port.c_str(), &end, 10);
    if (p < 1 || p > 65535 || *end != '\0') {
      throw SimError(what + ": port must be 1..65535 in \"" + std::string(text) + "\"");
    }
    e.port = uint16_t(p);
  }
  const auto parsed = host::parse_ip(ip);
  if (!parsed) {
    throw SimError(what + ": \"" + std::string(text) +
                   "\" is not IP[:PORT] (a dotted IPv4 address, e.g. 127.0.0.1:8080)");
  }
  e.ip = *parsed;
  return e;
}

host::World load_world(std::string_view text, const std::string& name) {
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    throw SimError(where(name, e.source()) + ": " + std::string(e.description()));
  }
  host::World world;
  Reader top(root, name, "the world file");
  top.known({"board", "ap", "dns", "route", "fault"});

  if (const toml::node* b = root.get("board")) {
    if (!b->is_table()) top.fail(b->source(), "[board] must be a table");
    Reader r(*b->as_table(), name, "[board]");
    r.known({"battery_mv", "chip_id", "gpio16_rst", "press_sense_pin", "press_hold_ms"});
    world.battery_mv = uint16_t(r.integer("battery_mv", 0, 65535).value_or(world.battery_mv));
    world.chip_id = uint32_t(r.integer("chip_id", 0, 0xffffff).value_or(world.chip_id));
    world.gpio16_rst = r.boolean("gpio16_rst").value_or(false);
    if (const auto pin = r.integer("press_sense_pin", 0, 16)) world.press_sense_pin = uint8_t(*pin);
    world.press_hold_ms =
        uint32_t(r.integer("press_hold_ms", 1, 10000).value_or(world.press_hold_ms));
  }

  if (const toml::node* aps = root.get("ap")) {
    const toml::array* a = aps->as_array();
    if (!a || !a->is_array_of_tables()) top.fail(aps->source(), "access points are [[ap]] tables");
    for (size_t i = 0; i < a->size(); ++i)
      world.aps.push_back(parse_ap(*(*a)[i].as_table(), name, i));
  }

  if (const toml::node* d = root.get("dns")) {
    if (!d->is_table()) top.fail(d->source(), "[dns] must be a table of name = \"IP[:PORT]\"");
    for (const auto& [k, v] : *d->as_table()) {
      if (!v.is_string())
        top.fail(v.source(), "dns \"" + std::string(k.str()) + "\" must be \"IP[:PORT]\"");
      const std::string host = lower(std::string(k.str()));
      if (host.empty()) top.fail(v.source(), "empty DNS name");
      world.dns[host] =
          parse_endpoint(v.value<std::string>().value_or(""), where(name, v.source()));
    }
  }

  if (const toml::node* routes = root.get("route")) {
    const toml::array* a = routes->as_array();
    if (!a || !a->is_array_of_tables()) top.fail(routes->source(), "routes are [[route]] tables");
    for (const toml::node& n : *a) {
      Reader r(*n.as_table(), name, "[[route]]");
      r.known({"from", "to"});
      const auto from = r.text("from");
      const auto to = r.text("to");
      if (!from || !to)
        r.fail(n.source(), "every [[route]] needs from = \"IP[:PORT]\" and to = \"IP[:PORT]\"");
      const host::Endpoint f = parse_endpoint(*from, where(name, r.get("from")->source()));
      const host::Endpoint t = parse_endpoint(*to, where(name, r.get("to")->source()));
      world.routes[{host::ip_to_u32(f.ip), f.port}] = t;
    }
  }
  if (const toml::node* faults = root.get("fault")) {
    const toml::array* a = faults->as_array();
    if (!a || !a->is_array_of_tables()) top.fail(faults->source(), "faults are [[fault]] tables");
    for (size_t i = 0; i < a->size(); ++i)
      world.faults.push_back(parse_fault(*(*a)[i].as_table(), name, i));
  }
  return world;
}

host::World default_world(const Config* config) {
  host::World world;
  if (!config) return world;
  host::AccessPoint ap;
  ap.ssid = config->wifi_ssid.c_str();
  ap.password = config->wifi_password.c_str();
  ap.auth = ap.password.empty() ? AuthMode::Open : AuthMode::Wpa2Psk;
  ap.bssid = bssid_for(ap.ssid);
  world.aps.push_back(ap);
  return world;
}

void add_dns(host::World& world, const std::string& spec) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw SimError("--dns " + spec +
                   ": expected NAME=IP[:PORT], e.g. maker.ifttt.com=127.0.0.1:8080");
  }
  world.dns[lower(spec.substr(0, eq))] = parse_endpoint(spec.substr(eq + 1), "--dns " + spec);
}

}  // namespace bh::sim
