-- wrk script for the write paths. bench/run.py prepares a file of requests, one a line:
--   <bearer token> TAB <path> TAB <JSON body, may be empty>
-- Thread i of n takes lines i, i+n, i+2n, ... in order, round-robin over its connections,
-- and never sends a line twice. The threads write until BENCH_DEADLINE (one wall-clock
-- time for all, seconds since the epoch) or until their lines run out, then park their
-- connections (an empty request sends nothing), so nothing is in flight when wrk stops
-- a second later: every sent request has its answer and the harness can compare the
-- 2xx answers with the new rows exactly. The deadline is shared because gunicorn's sync
-- workers take connections in the order they were opened: a parked connection ahead of
-- a waiting request would hold a worker, and that request, until wrk ends.
-- Environment: BENCH_WRITES_FILE, BENCH_THREADS, BENCH_DEADLINE, BENCH_METHOD.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_usec; } bench_timeval;
  int gettimeofday(bench_timeval *tv, void *tz);
]]
local tv = ffi.new("bench_timeval")

local function now()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) + tonumber(tv.tv_usec) / 1e6
end

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("BENCH_THREADS"))
  deadline = tonumber(os.getenv("BENCH_DEADLINE"))
  local method = os.getenv("BENCH_METHOD") or "POST"
  reqs = {}
  local i = 0
  for line in io.lines(os.getenv("BENCH_WRITES_FILE")) do
    if i % nthreads == tid then
      local token, path, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
      local headers = {["Authorization"] = "Bearer " .. token}
      if body ~= "" then
        headers["Content-Type"] = "application/json"
      else
        body = nil
      end
      reqs[#reqs + 1] = wrk.format(method, path, headers, body)
    end
    i = i + 1
  end
  pos, issued, ok, other, parked = 1, 0, 0, 0, 0
  codes = ""
  counts = {}
  first, last = 0, 0
  -- wrk calls request() once on thread 0 before the run to inspect it: not a send.
  inspected = tid ~= 0
end

function request()
  if not inspected then
    inspected = true
    return reqs[1] or wrk.format("GET", "/")
  end
  local t = now()
  if first == 0 then
    first = t
  end
  if pos > #reqs or t >= deadline then
    parked = parked + 1
    return ""
  end
  local r = reqs[pos]
  pos = pos + 1
  issued = issued + 1
  return r
end

function response(status, headers, body)
  last = now()
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    other = other + 1
    counts[status] = (counts[status] or 0) + 1
    codes = ""
    for code, n in pairs(counts) do
      codes = codes .. code .. ":" .. n .. ","
    end
  end
end

function done(summary, latency, requests)
  local issued_all, ok_all, other_all, first_all, last_all = 0, 0, 0, 0, 0
  local per_thread, codes_all = {}, {}
  for _, thread in ipairs(threads) do
    local n = thread:get("issued")
    issued_all = issued_all + n
    ok_all = ok_all + thread:get("ok")
    other_all = other_all + thread:get("other")
    local f, l = thread:get("first"), thread:get("last")
    if f > 0 and (first_all == 0 or f < first_all) then first_all = f end
    if l > last_all then last_all = l end
    per_thread[#per_thread + 1] = tostring(n)
    local c = thread:get("codes")
    if c ~= "" then codes_all[#codes_all + 1] = c end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "status_errors": %d, "socket_errors": %d, "issued": %d, "ok": %d, ' ..
    '"other": %d, "window_s": %.6f, "issued_per_thread": [%s], "codes": "%s"}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.status, e.connect + e.read + e.write + e.timeout, issued_all, ok_all,
    other_all, last_all - first_all, table.concat(per_thread, ", "),
    table.concat(codes_all, "")))
end
