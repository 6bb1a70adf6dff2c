-- The submission's database work alone in ONE statement: POST /bench/floor1 (bench/benchsite/floor.py).
dofile(os.getenv("WRK_DIR") .. "/common.lua")
dofile(os.getenv("WRK_DATA"))
local json_h = {["Content-Type"] = "application/json"}

function request()
  return wrk.format("POST", "/bench/floor1", json_h, submission_body(next_n()))
end
