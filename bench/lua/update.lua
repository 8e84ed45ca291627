-- Update seeded interactions (changedProperties), cycling through refs: args = <refs file>.
package.path = "bench/lua/?.lua;" .. package.path
local common = require("common")
local refs, n = nil, 0

function init(args)
  refs = common.read_lines(args[1])
end

function request()
  n = n + 1
  local body = string.format('{"changedProperties": {"Priority": %d, "Note": "update %d"}}', n % 10, n)
  return wrk.format("POST", common.base .. "/" .. refs[n % #refs + 1] .. "/update", common.headers, body)
end

done = common.report
