// libFuzzer target for the console and the portal as a whole: a board on
// in-memory fakes takes any bytes from a client. First byte: 0 = the console
// (after a WebSocket upgrade and a login, so frames, file requests and
// shell lines are reached), else the setup portal (raw HTTP).
#include <stddef.h>  // size_t
#include <stdint.h>  // uint8_t

#include <string>

#include "remote_board.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bh::testing;  // NOLINT: test helpers
  if (size == 0) return 0;
  const std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  RemoteBoard board;
  board.sta.scan_result = {"home", "guest"};
  if (data[0] == 0) {
    board.files.files["/config.py"] = kRemoteConfig;
    board.files.files["/webrepl_cfg.py"] = "PASS = 'secret'\n";
    board.gpio.grounded[14] = true;
    FakeListener& listener = board.net.serve(8266);
    board.boot(bh::ResetCause::PowerOn);
    listener.incoming()
        .data(upgrade_request("foo") + ws_binary("secret\r", false) + input)
        .max_read(97);
  } else {
    FakeListener& listener = board.net.serve(80);
    board.boot(bh::ResetCause::PowerOn);
    listener.incoming().data(input);
  }
  board.loop(8);
  return 0;
}
