-- GET an interaction, cycling through seeded refs: args = <refs file> (ids for get-by-id, ext_... for get-by-ext).
package.path = "bench/lua/?.lua;" .. package.path
local common = require("common")
local refs, n = nil, 0

function init(args)
  refs = common.read_lines(args[1])
end

function request()
  n = n % #refs + 1
  return wrk.format("GET", common.base .. "/" .. refs[n], common.headers)
end

done = common.report
