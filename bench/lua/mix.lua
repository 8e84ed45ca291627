-- Half creates (unique externalId "<prefix>-<n>"), half gets of seeded refs: args = <prefix> <refs file>.
package.path = "bench/lua/?.lua;" .. package.path
local common = require("common")
local prefix, refs, n = nil, nil, 0

function init(args)
  prefix, refs = args[1], common.read_lines(args[2])
end

function request()
  n = n + 1
  if n % 2 == 0 then
    return wrk.format("GET", common.base .. "/" .. refs[(n / 2) % #refs + 1], common.headers)
  end
  local body = string.format('{"externalId": "%s-%d", "userData": {"Subject": "Mixed", "Priority": 3}}', prefix, n)
  return wrk.format("POST", common.base, common.headers, body)
end

done = common.report
