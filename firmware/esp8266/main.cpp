// The sketch: builds the Hal from the ESP8266 parts and runs the core's App.
//
// Everything the button does lives in firmware/core (App::run is the
// tutorial's main.py); this file only wires parts together. All objects are
// static: the App holds its buffers itself (~11 KB, 5.3 KB of it the console
// and setup portal), and the Arduino loop task has a 4 KB stack.
//
// loop() runs App::loop() whenever run() asked to stay awake: the debug
// jumper (the console on port 8266) or the setup portal (no valid config.py,
// or the button held at power-on: access point + page on port 80).
#include <Arduino.h>  // setup, loop

#include "app.h"
#include "esp_files.h"
#include "esp_gpio.h"
#include "esp_machine.h"
#include "esp_net.h"
#include "esp_wlan.h"

namespace {

bh::esp::EspGpio gpio;
bh::esp::EspWlan sta(bh::esp::EspWlan::Interface::Station);
bh::esp::EspWlan ap(bh::esp::EspWlan::Interface::AccessPoint);
bh::esp::EspMachine machine;
bh::esp::EspNet net(machine);
bh::esp::EspFiles files;
bh::Hal hal{gpio, sta, ap, machine, net, files};
bh::App app(hal);

bool stay_awake = false;

}  // namespace

void setup() {
  machine.begin();            // serial console first, so every line is seen
  bh::esp::EspWlan::begin();  // WiFi.persistent(false) before any Wi-Fi call
  files.begin();
  // On the board run() ends in deep sleep and never returns, unless the
  // debug jumper keeps it awake.
  stay_awake = app.run() == bh::BootOutcome::StayAwake;
}

void loop() {
  if (stay_awake) app.loop();
}
