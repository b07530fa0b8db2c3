-- wrk script for bench/load.py: the site's mix of requests, one connection a thread.
--
--   wrk -tN -cN -dSs -s bench/load.lua http://127.0.0.1:PORT -- POOL
--
-- Thread n (1..N) reads POOL.n, which bench/load.py writes: one request a line, tab-separated:
-- its kind ("anonymous:topic", "write:vote", ...), method, path, body ("" for none), then each
-- header as "Name: value". A thread sends its pool's requests in order, one at a time, each
-- right after the answer to the one before: N connections are N clients in a closed loop, and
-- a connection is opened only when its request is ready, as the proxy in front of gunicorn
-- does (the shipped sync workers would wait on an idle connection). The pool is made long
-- enough not to wrap, since a write sent twice would not be a new row; a wrap is reported.
--
-- With one connection a thread, each answer belongs to the request the thread sent last, so
-- each request's kind, status and latency (a monotonic clock through LuaJIT's ffi, from
-- request() to response(), in microseconds) are known. done() prints lines starting "LOAD "
-- that bench/load.py parses (parse_report).

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } load_timespec;
  int clock_gettime(int clock_id, load_timespec *tp);
]]
local clock = ffi.new("load_timespec")
local CLOCK_MONOTONIC = 1

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000000 + math.floor(tonumber(clock.tv_nsec) / 1000)
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

local pool, kinds = {}, {}
local index = 0
local current, started_at = nil, nil
-- Read by done() through thread:get: globals of the thread's own Lua state.
records = {}  -- "kind status microseconds", one an answer
started = {}  -- requests sent, by kind
wrapped = 0

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  local path = args[1] .. "." .. id
  for line in io.lines(path) do
    if line ~= "" then
      local fields = split(line)
      local headers = {}
      for i = 5, #fields do
        local name, value = fields[i]:match("^([^:]+): (.*)$")
        headers[name] = value
      end
      local body = fields[4] ~= "" and fields[4] or nil
      table.insert(kinds, fields[1])
      table.insert(pool, wrk.format(fields[2], fields[3], headers, body))
    end
  end
  assert(#pool > 0, "the pool " .. path .. " is empty")
end

-- This wrk (Debian's 4.1.0) calls request() once when a thread starts and never sends what
-- it returns; that first call takes nothing from the pool, so no write is lost or counted.
local probed = false

function request()
  if not probed then
    probed = true
    return pool[1]
  end
  index = index + 1
  if index > #pool then
    index = 1
    wrapped = wrapped + 1
  end
  current = kinds[index]
  started[current] = (started[current] or 0) + 1
  started_at = now_us()
  return pool[index]
end

function response(status, headers, body)
  if current ~= nil then
    table.insert(records, current .. " " .. status .. " " .. (now_us() - started_at))
    current = nil
  end
end

function done(summary, latency, requests)
  local out = {}
  local function line(...)
    table.insert(out, "LOAD " .. table.concat({ ... }, " "))
  end
  line("requests", summary.requests)
  line("duration_us", summary.duration)
  local e = summary.errors
  line("errors", e.connect, e.read, e.write, e.status, e.timeout)
  local total_wrapped, total_started = 0, {}
  for _, thread in ipairs(threads) do
    total_wrapped = total_wrapped + (thread:get("wrapped") or 0)
    for kind, count in pairs(thread:get("started") or {}) do
      total_started[kind] = (total_started[kind] or 0) + count
    end
    for _, record in ipairs(thread:get("records") or {}) do
      line("r", record)
    end
  end
  line("wrapped", total_wrapped)
  for kind, count in pairs(total_started) do
    line("started", kind, count)
  end
  io.write(table.concat(out, "\n") .. "\n")
end
