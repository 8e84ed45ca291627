-- POST a new interaction with a unique externalId "<prefix>-<n>" (n = 1, 2, ...): args = <prefix>.
package.path = "bench/lua/?.lua;" .. package.path
local common = require("common")
local prefix, n = nil, 0

function init(args)
  prefix = args[1]
end

function request()
  n = n + 1
  local body = string.format(
    '{"externalId": "%s-%d", "userData": {"Subject": "Call back about invoice %d", "Priority": 5}}', prefix, n, n)
  return wrk.format("POST", common.base, common.headers, body)
end

done = common.report
