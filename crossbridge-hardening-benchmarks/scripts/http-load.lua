-- One request of the HTTP load check: a search under one of 10,000 API keys, so the limiter works
-- on many buckets as it would in production. The path comes from the command line.
local path = "/api/search?q=cats"

function init(args)
  if args[1] ~= nil then
    path = args[1]
  end
end

function request()
  return wrk.format("GET", path, { ["X-API-Key"] = "load-key-" .. math.random(1, 10000) })
end
