-- wrk script for `./bh bench hub`: every request is the button's webhook,
-- POST /trigger/button_pressed/with/key/KEY with a small JSON body, and every
-- reply is counted by status, so the bench can compare the 200s with what
-- the target stored.
--
--   wrk -t2 -c64 -d70s -s bench/trigger.lua http://127.0.0.1:PORT -- KEY 10 32
--
-- Arguments: the key, the load time in seconds, connections per thread.
-- wrk stops by abandoning the requests in flight, so the target would store
-- events whose 200 wrk never counts. Instead, after the load time each
-- connection stops sending (delay() parks it) once its last request is
-- answered; when all of a thread's connections are parked the thread prints
-- "bench: drained", and the bench stops wrk with SIGINT (wrk then prints its
-- summary as usual). Give -d the load time plus a generous drain limit.
--
-- done() prints one line the bench parses (latencies in microseconds;
-- in_load counts the 200s that arrived within the load time):
--   bench: requests=N ok=N in_load=N other=N errors=N p50_us=N p99_us=N

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
local PARKED_MS = 24 * 3600 * 1000

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local key = args[1] or "bench-key"
  local load_seconds = tonumber(args[2] or "10")
  connections = tonumber(args[3] or "1")
  wrk.method = "POST"
  wrk.path = "/trigger/button_pressed/with/key/" .. key
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"value1":"micropython1","value2":"bench","value3":"42"}'
  deadline_us = now_us() + load_seconds * 1000000
  ok, in_load, other, parked = 0, 0, 0, 0
end

-- Called after each reply, before the connection's next request: send at
-- once until the deadline, then never again.
function delay()
  if now_us() < deadline_us then return 0 end
  parked = parked + 1
  if parked == connections then
    io.write("bench: drained\n")
    io.stdout:flush()
  end
  return PARKED_MS
end

-- Defining response() makes wrk hand every reply to Lua, which costs wrk
-- some CPU; it costs the same for every target, and it is the only way to
-- count 200s exactly.
function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
    if now_us() < deadline_us then in_load = in_load + 1 end
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local total = {ok = 0, in_load = 0, other = 0}
  for _, t in ipairs(threads) do
    for name in pairs(total) do total[name] = total[name] + t:get(name) end
  end
  local e = summary.errors
  io.write(string.format(
    "bench: requests=%d ok=%d in_load=%d other=%d errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, total.ok, total.in_load, total.other,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
