-- Drives a workload with wrk: cycles through the requests in REQUESTS_JSON (written by run.py as
-- a Lua table below this header) and prints one JSON line with the results.
local i = 0
request = function()
  i = (i % #requests) + 1
  local r = requests[i]
  return wrk.format(r.method, r.path, r.headers, r.body)
end

done = function(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50":%.3f,"p99":%.3f,"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
