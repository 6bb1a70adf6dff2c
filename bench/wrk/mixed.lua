-- The realistic mix. Per 100 requests: 20 submissions, 30 tracking lookups (guest secret),
-- 15 public list, 10 public search, 15 staff inbox (token), 5 staff inbox search, 5 staff notes.
dofile(os.getenv("WRK_DIR") .. "/common.lua")
dofile(os.getenv("WRK_DATA"))

local words = {"jalan", "sampah", "air", "lampu", "puskesmas", "sekolah", "banjir", "pelayanan", "listrik", "rusak"}
local json_h = {["Content-Type"] = "application/json"}
local staff_h = {["Authorization"] = "Bearer " .. staff_token}
local note_h = {["Authorization"] = "Bearer " .. staff_token, ["Content-Type"] = "application/json"}

function request()
  local n = next_n()
  local r = n % 100
  if r < 20 then
    return wrk.format("POST", "/api/reports", json_h, submission_body(n))
  elseif r < 50 then
    local t = tracked[(n % #tracked) + 1]
    return wrk.format("GET", "/api/reports/" .. t[1], {["X-Report-Secret"] = t[2]})
  elseif r < 65 then
    return wrk.format("GET", "/api/public/reports?limit=20")
  elseif r < 75 then
    return wrk.format("GET", "/api/public/reports?q=" .. words[(n % #words) + 1])
  elseif r < 90 then
    return wrk.format("GET", "/api/reports?limit=20", staff_h)
  elseif r < 95 then
    return wrk.format("GET", "/api/reports?q=" .. words[(n % #words) + 1], staff_h)
  else
    local id = noted[(n % #noted) + 1]
    return wrk.format("POST", "/api/reports/" .. id .. "/notes", note_h,
                      string.format('{"body":"Sudah dicek ke lapangan, tindak lanjut %d."}', n))
  end
end
