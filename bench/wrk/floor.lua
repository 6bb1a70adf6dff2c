-- The submission's database work alone: POST /bench/floor with the same bodies as submit.lua
-- (bench/benchsite/floor.py: hand-written SQL, no validation, no ORM, no Ninja).
dofile(os.getenv("WRK_DIR") .. "/common.lua")
dofile(os.getenv("WRK_DATA"))
local json_h = {["Content-Type"] = "application/json"}
local path = floor_path or "/bench/floor"

function request()
  return wrk.format("POST", path, json_h, submission_body(next_n()))
end
