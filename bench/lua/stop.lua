-- Stop, by externalId, the interactions the create scenario made ("<prefix>-1".."<prefix>-<count>"), then
-- those the mix scenario made ("<mix prefix>-1", -3, ...): args = <prefix> <count> <mix prefix>.
-- Each is stopped once; bench.py reports any non-2xx answer (should the run outlast what was made).
package.path = "bench/lua/?.lua;" .. package.path
local common = require("common")
local prefix, count, mix, n = nil, 0, nil, 0

function init(args)
  prefix, count, mix = args[1], tonumber(args[2]), args[3]
end

function request()
  n = n + 1
  local ref = n <= count and string.format("%s-%d", prefix, n) or string.format("%s-%d", mix, 2 * (n - count) - 1)
  return wrk.format("POST", string.format("%s/ext_%s/stop", common.base, ref), common.headers, "{}")
end

done = common.report
