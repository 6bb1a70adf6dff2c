-- The baseline: POST /bench/ping (one INSERT through the same middleware stack).
dofile(os.getenv("WRK_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.path = "/bench/ping"
wrk.headers["Content-Type"] = "application/json"
wrk.body = "{}"
