-- wrk script for `./bh bench hub`: every request is the button's webhook,
-- POST /trigger/button_pressed/with/key/KEY with a small JSON body, and every
-- reply is counted by status, so the bench can compare the 200s with what
-- the target stored.
--
--   wrk -t2 -c64 -d11s -s bench/trigger.lua http://127.0.0.1:PORT -- KEY 10
--
-- The second argument is the load time in seconds; give wrk's -d a second
-- or so more. wrk stops by abandoning the requests in flight, so the target
-- may store events whose 200 wrk never counts. Instead, after the load time
-- each connection stops sending (delay() parks it) while its last request
-- finishes and is counted; wrk then ends with nothing in flight.
--
-- done() prints one line the bench parses (latencies in microseconds):
--   bench: requests=N ok=N other=N errors=N load_us=N p50_us=N p99_us=N

local ffi = require("ffi")  -- wrk embeds LuaJIT; os.clock is CPU time, os.time whole seconds
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec* tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local threads = {}
local PARKED_MS = 3600 * 1000

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local key = args[1] or "bench-key"
  local load_seconds = tonumber(args[2] or "10")
  wrk.method = "POST"
  wrk.path = "/trigger/button_pressed/with/key/" .. key
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"value1":"micropython1","value2":"bench","value3":"42"}'
  started_us = now_us()
  deadline_us = started_us + load_seconds * 1000000
  ok, other = 0, 0
end

-- Called before each request but the first on a connection: send at once
-- until the deadline, then never again.
function delay()
  if now_us() < deadline_us then return 0 end
  return PARKED_MS
end

-- Defining response() makes wrk hand every reply to Lua, which costs wrk
-- some CPU; it costs the same for every target, and it is the only way to
-- count 200s exactly.
function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local total_ok, total_other, load_us = 0, 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_other = total_other + t:get("other")
    load_us = math.max(load_us, t:get("deadline_us") - t:get("started_us"))
  end
  local e = summary.errors
  io.write(string.format(
    "bench: requests=%d ok=%d other=%d errors=%d load_us=%d p50_us=%d p99_us=%d\n",
    summary.requests, total_ok, total_other, e.connect + e.read + e.write + e.timeout,
    load_us, latency:percentile(50), latency:percentile(99)))
end
