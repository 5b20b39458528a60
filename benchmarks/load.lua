-- wrk script for benchmarks/load.py: each request is a random line of the thread's targets file,
-- and each response's latency is recorded under the line's kind.
--
-- load.py runs wrk with as many threads as connections (-t N -c N), so each thread has exactly one
-- connection: request() and response() then alternate and the time between them is that request's
-- latency (the clock is CLOCK_MONOTONIC through LuaJIT's ffi). wrk itself keeps only one latency
-- histogram for all requests.
--
-- Environment: LOAD_TARGETS (the targets files' prefix: thread N reads <prefix>N.tsv, lines of
-- kind TAB path TAB partial), LOAD_RESULTS (the file done() writes), LOAD_SEED.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } load_timespec;
int clock_gettime(int clock_id, load_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("load_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  -- Globals of this thread's Lua state, read back by done() with thread:get().
  -- Flat tables only: wrk's thread:get() crashes copying a table that holds tables.
  kinds = {} -- kind names, numbered in the order this thread meets them
  local numbers = {}
  sample_kinds = {} -- the kind's number of each response
  sample_us = {} -- and its latency in microseconds
  statuses = {} -- "kind<TAB>status" -> count, for anything but 200
  failures = {} -- the first few "kind<TAB>status<TAB>path"
  targets = {} -- { kind number, path, partial, the request once formatted }
  -- wrk runs every thread's init() one after the other before any starts, so each reads a file of its
  -- own (LOAD_TARGETS<id>.tsv, a share of the targets): reading them all took each thread ~25 ms.
  local name = assert(os.getenv("LOAD_TARGETS"), "LOAD_TARGETS is not set") .. id .. ".tsv"
  local file = assert(io.open(name, "r"))
  for line in file:lines() do
    local kind, path, partial = line:match("^([^\t]+)\t([^\t]+)\t(%d)$")
    if kind then
      if not numbers[kind] then
        table.insert(kinds, kind)
        numbers[kind] = #kinds
      end
      table.insert(targets, { numbers[kind], path, partial == "1" })
    end
  end
  file:close()
  assert(#targets > 0, "no targets in " .. name)
  math.randomseed(tonumber(os.getenv("LOAD_SEED") or "1") * 100003 + id)
end

-- What a browser sends; the finder's script adds X-Finder-Partial to ask for the results only.
local function format(target)
  local headers = {
    ["Accept"] = "text/html,application/json;q=0.9,*/*;q=0.8",
    ["Accept-Encoding"] = "gzip, deflate, br",
    ["Accept-Language"] = "en-US,en;q=0.9",
    ["User-Agent"] = "mutual-help-finder-load-test",
  }
  if target[3] then
    headers["X-Finder-Partial"] = "1"
  end
  return wrk.format("GET", target[2], headers)
end

local current, started

function request()
  current = targets[math.random(#targets)]
  -- Formatted on first use: formatting every line in every thread's init() took seconds of CPU.
  local text = current[4]
  if not text then
    text = format(current)
    current[4] = text
  end
  started = now_us()
  return text
end

function response(status, headers, body)
  local elapsed = now_us() - started
  local n = #sample_us + 1
  sample_kinds[n] = current[1]
  sample_us[n] = math.floor(elapsed + 0.5)
  if status ~= 200 then
    local key = kinds[current[1]] .. "\t" .. status
    statuses[key] = (statuses[key] or 0) + 1
    if #failures < 20 then
      failures[#failures + 1] = key .. "\t" .. current[2]
    end
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(assert(os.getenv("LOAD_RESULTS"), "LOAD_RESULTS is not set"), "w"))
  local errors = summary.errors
  out:write(string.format("summary\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", summary.duration, summary.requests,
    summary.bytes, errors.connect, errors.read, errors.write, errors.status, errors.timeout))
  for _, p in ipairs({ 50, 90, 95, 99, 99.9 }) do
    out:write(string.format("wrk\t%s\t%d\n", p, latency:percentile(p)))
  end
  out:write(string.format("wrk\tmax\t%d\n", latency.max))
  for _, thread in ipairs(threads) do
    local names, numbers, values = thread:get("kinds"), thread:get("sample_kinds"), thread:get("sample_us")
    for i, us in ipairs(values) do
      out:write("sample\t", names[numbers[i]], "\t", us, "\n")
    end
    for key, count in pairs(thread:get("statuses")) do
      out:write("status\t", key, "\t", count, "\n")
    end
    for _, failure in ipairs(thread:get("failures")) do
      out:write("failure\t", failure, "\n")
    end
  end
  out:close()
end
