-- One endpoint of the load benchmark, for wrk (run by bench/load.py, which
-- sets these environment variables):
--   BENCH_METHOD    GET or POST
--   BENCH_PATH      the path to request
--   BENCH_HEADERS   extra headers, one "Name: value" a line
--   BENCH_VARIANTS  one request variant a line: "cookie<TAB>body". Requests
--                   go round the variants in order, so several logins take
--                   turns and a vote alternates for and against.
--   BENCH_EXPECT    the status every answer must have (anything else is an error)
-- At the end it prints one line "BENCH-RESULT {json}" for bench/load.py.

local function lines(text)
  local out = {}
  for line in string.gmatch(text or "", "[^\n]+") do
    table.insert(out, line)
  end
  return out
end

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
local base_headers = {}
for _, line in ipairs(lines(os.getenv("BENCH_HEADERS"))) do
  local name, value = string.match(line, "^([^:]+):%s*(.*)$")
  if name then
    base_headers[name] = value
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local requests = {}
local next_request = 0
unexpected = 0
server_errors = 0
first_unexpected = ""

function init(args)
  local variants = lines(os.getenv("BENCH_VARIANTS"))
  if #variants == 0 then
    variants = { "\t" }
  end
  for _, variant in ipairs(variants) do
    local cookie, body = string.match(variant, "^([^\t]*)\t?(.*)$")
    local headers = {}
    for name, value in pairs(base_headers) do
      headers[name] = value
    end
    if cookie ~= "" then
      headers["Cookie"] = cookie
    end
    if method == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    else
      body = nil
    end
    table.insert(requests, wrk.format(method, path, headers, body))
  end
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end

function response(status, headers, body)
  if status ~= expect then
    unexpected = unexpected + 1
    if first_unexpected == "" then
      first_unexpected = tostring(status)
    end
  end
  if status >= 500 then
    server_errors = server_errors + 1
  end
end

function done(summary, latency, requests_)
  local wrong, fivexx, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    wrong = wrong + (thread:get("unexpected") or 0)
    fivexx = fivexx + (thread:get("server_errors") or 0)
    local seen = thread:get("first_unexpected") or ""
    if first == "" then
      first = seen
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
      .. '"timeout": %d, "status": %d, "unexpected": %d, "server_errors": %d, "first_unexpected": "%s", '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    wrong, fivexx, first,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean
  ))
end
