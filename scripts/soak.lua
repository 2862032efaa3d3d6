-- One request of the soak run: a search or an embedding under one of 10,000 API keys.
local kind = "search"

function init(args)
  if args[1] ~= nil then
    kind = args[1]
  end
end

function request()
  local headers = { ["X-API-Key"] = "soak-key-" .. math.random(1, 10000) }
  if kind == "embed" then
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/embed", headers, '{"texts":["soak"]}')
  end
  return wrk.format("GET", "/api/search?q=soak", headers)
end

-- done() runs in wrk's main Lua state, where init() did not run: the shell labels the line.
function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d non2xx_or_errors=%d p99_ms=%.1f\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(99) / 1000))
end
