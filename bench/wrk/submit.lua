-- The full submission: POST /api/reports as a guest, a distinct report per request.
dofile(os.getenv("WRK_DIR") .. "/common.lua")
dofile(os.getenv("WRK_DATA"))

function request()
  local n = next_n()
  return wrk.format("POST", "/api/reports", {["Content-Type"] = "application/json"}, submission_body(n))
end
