-- Shared by the scenario scripts: the vendor path, headers, a list of seeded refs, and a JSON summary.
local M = {}

M.base = "/nexus/v3/openmedia/crm-tasks/interactions"
M.headers = {["x-api-key"] = "bench", ["Content-Type"] = "application/json"}

-- One ref (an interaction id or "ext_<externalId>") per line of `path`.
function M.read_lines(path)
  local out = {}
  for line in io.lines(path) do
    if #line > 0 then out[#out + 1] = line end
  end
  return out
end

-- One line of JSON for bench.py: throughput, latency percentiles (ms), non-2xx and socket errors.
function M.report(summary, latency)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50": %.3f, "p99": %.3f, "max": %.3f, ' ..
    '"non2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end

return M
