// The whole board's HAL on the host, in one object: what a port hands the
// core (bh::Hal), plus the board-level operations the simulator needs —
// a chip reset (pins, radio and sockets start over; RTC memory and flash
// stay) and a power cut (RTC memory lost too).
#pragma once

#include <filesystem>  // the files root

#include "env.h"
#include "hal.h"
#include "host_files.h"
#include "host_gpio.h"
#include "host_machine.h"
#include "host_net.h"
#include "host_wlan.h"

namespace bh::host {

class HostHal {
 private:
  Env& env_;  // first: the members below are built from it

 public:
  HostHal(Env& env, std::filesystem::path files_root)
      : env_(env),
        gpio(env),
        sta(env, HostWlan::Interface::Station),
        ap(env, HostWlan::Interface::AccessPoint),
        machine(env),
        net(env, &sta),
        files(std::move(files_root)),
        hal_{gpio, sta, ap, machine, net, files} {}
  HostHal(const HostHal&) = delete;
  HostHal& operator=(const HostHal&) = delete;

  Hal& hal() { return hal_; }
  Env& env() { return env_; }

  // The chip restarts with this reset cause.
  void reset(ResetCause cause) {
    net.close_all();
    sta.reset();
    ap.reset();
    gpio.reset();
    machine.boot(cause);
  }
  // Everything stops (deep sleep or power cut): sockets and radio off, pins
  // released. The radio's active flags stay in "flash".
  void halt() {
    net.close_all();
    sta.reset();
    ap.reset();
    gpio.reset();
    env_.radio.reset();
  }
  void power_off() {
    halt();
    machine.power_off();
  }

  HostGpio gpio;
  HostWlan sta;
  HostWlan ap;
  HostMachine machine;
  HostNet net;
  HostFiles files;

 private:
  Hal hal_;
};

}  // namespace bh::host
