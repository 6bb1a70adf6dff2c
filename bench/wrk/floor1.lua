-- The submission's database work alone in ONE statement: POST /bench/floor1 (bench/benchsite/floor.py).
floor_path = "/bench/floor1"
dofile(os.getenv("WRK_DIR") .. "/floor.lua")
