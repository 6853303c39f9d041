-- Load script for wrk, written by ./scripts/bench (bench/main.go). The
-- request comes from the environment:
--   BENCH_METHOD, BENCH_PATH, BENCH_BODY   "{n}" in the path and the body is
--                                          replaced by one random number per
--                                          request, from 1 to BENCH_MAX
--   BENCH_HEADERS                          "Name: value" lines
--   BENCH_SEED                             seeds the random numbers
-- At the end one line "BENCH {json}" reports the counts and the latency
-- percentiles in microseconds. wrk counts statuses >= 400 as errors.status.

local method = os.getenv("BENCH_METHOD")
local path = os.getenv("BENCH_PATH")
local body = os.getenv("BENCH_BODY")
local max = tonumber(os.getenv("BENCH_MAX")) or 1
local headers = {}
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then headers[name] = value end
end
if body == "" then body = nil end

local varies = (path .. (body or "")):find("{n}", 1, true) ~= nil
local static = nil

function init(args)
  math.randomseed(tonumber(os.getenv("BENCH_SEED")) or 1)
  if not varies then static = wrk.format(method, path, headers, body) end
end

function request()
  if static then return static end
  local n = tostring(math.random(max))
  local b = nil
  if body then b = body:gsub("{n}", n) end
  return wrk.format(method, (path:gsub("{n}", n)), headers, b)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {"requests":%d,"duration_us":%d,"status_errors":%d,' ..
    '"socket_errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
