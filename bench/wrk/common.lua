-- Shared by the wrk scripts: unique report bodies per thread, and a done() that prints one JSON line.
local counter = 0
local thread_no = 0
local threads = {}

function setup(thread)
  thread_no = thread_no + 1
  thread:set("tid", thread_no)
  table.insert(threads, thread)
end

function next_n()
  counter = counter + 1
  return (tid or 0) * 10000000 + counter + (seed or 0)
end

function submission_body(n)
  -- distinct phone and words per report, so no repeated-submission or flood flag fires
  local phone = string.format("0813%08d", n % 100000000)
  return string.format(
    '{"title":"Jalan rusak di RT %d","body":"Lubang besar di jalan nomor %d sudah %d minggu belum diperbaiki, membahayakan pengendara motor di malam hari.",' ..
    '"topic_id":%d,"region_code":"%s","channel":"web","guest_phone":"%s","guest_name":"Warga %d"}',
    n % 50, n, n % 9 + 1, topic_id, region_code, phone, n)
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%.2f,"rps":%.1f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,' ..
    '"non2xx":%d,"connect_err":%d,"read_err":%d,"write_err":%d,"timeouts":%d}\n',
    summary.requests, secs, summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.status, e.connect, e.read, e.write, e.timeout))
end
