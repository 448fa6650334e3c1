-- wrk script of bench/registration.py: every request POSTs a new registration (a new email).
-- Arguments after "--": kind (form, api or bare), the round (unique within a run), the run's tag,
-- the origin (https://host:port), the answers each thread waits for before it stops (0: run for
-- the duration) and, for the form, the CSRF cookie and the form's token.
-- done() prints one line "WRK_RESULT {json}" that bench/registration.py reads.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

local kind, round, tag, origin, quota, cookie, token
local path = wrk.path
local counter = 0
local answered = 0
local languages = { "nb", "nn", "en" }

function init(args)
  kind, round, tag, origin = args[1], tonumber(args[2]), args[3], args[4]
  quota, cookie, token = tonumber(args[5]), args[6], args[7]
  if quota > 0 then
    -- wrk's main thread waits out the duration: the bench sends wrk SIGINT once every
    -- thread has said it is done.
    response = function(status, headers, body)
      answered = answered + 1
      if answered == quota then
        io.write("WRK_THREAD_DONE\n")
        io.flush()
        wrk.thread:stop()
      end
    end
  end
end

function request()
  counter = counter + 1
  local n = round .. "-" .. thread_id .. "-" .. counter
  local language = languages[counter % 3 + 1]
  local organisation = "Kommune " .. (counter % 23)
  if kind == "form" then
    local body = "csrfmiddlewaretoken=" .. token
      .. "&name=Deltaker+" .. n
      .. "&email=deltaker-" .. tag .. "-" .. n .. "%40example.org"
      .. "&organisation_name=Kommune+" .. (counter % 23)
      .. "&title=R%C3%A5dgiver&language=" .. language
    return wrk.format("POST", path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = "csrftoken=" .. cookie,
      ["Referer"] = origin .. path,
      ["X-Forwarded-Proto"] = "https",
    }, body)
  end
  local body = '{"name": "Deltaker ' .. n .. '", "email": "deltaker-' .. tag .. "-" .. n
    .. '@example.org", "organisation": "' .. organisation
    .. '", "title": "Rådgiver", "language": "' .. language .. '"}'
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["X-Forwarded-Proto"] = "https",
    -- One client address per request, as the proxy reports it: the public rate limit
    -- (per address) is exercised but never reached.
    ["X-Forwarded-For"] = string.format("fd00:%x:%x::%x", round, thread_id, counter),
  }, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "status": %d, "connect": %d, '
      .. '"read": %d, "write": %d, "timeout": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
