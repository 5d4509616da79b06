-- Replays the requests of one page, as many different signed-in people, for `make bench`.
--
-- Run with one connection per thread (-t N -c N): each thread then has exactly one request in
-- flight, so response() always answers the request() before it. That is what lets a write be
-- chained (create an entry, then share it into the pair) with the right person's session.
--
-- Arguments (after --): the request file, one request per line, tab-separated:
--   method  path  session-cookie  csrf-secret  form-body  [then]
-- where `then` is "share:<pair id>" to share the entry the POST created.
-- An empty session cookie means an anonymous request (the /healthz/ baseline).
--
-- A response counts as good only when it is what a person would get: 200 for a page, a redirect
-- to the entry (never to the sign-in page) after a write. Everything else is counted as bad, and
-- the first few are printed, so a benchmark can never look fast by serving error pages.

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local lines = {}
local position = 1
local pending = nil     -- the share request that follows a created entry
local expect = nil      -- what the request in flight should get
local good, bad, shown = 0, 0, 0
local samples = {}

local function split(line)
   local fields = {}
   for field in (line .. "\t"):gmatch("([^\t]*)\t") do
      table.insert(fields, field)
   end
   return fields
end

local function headers_for(cookie, csrf, has_body)
   local headers = {}
   if cookie ~= "" then
      local value = "sessionid=" .. cookie
      if csrf ~= "" then value = value .. "; csrftoken=" .. csrf end
      headers["Cookie"] = value
   end
   if has_body then headers["Content-Type"] = "application/x-www-form-urlencoded" end
   return headers
end

function init(args)
   for line in io.lines(args[1]) do
      if line ~= "" then
         local f = split(line)
         local method, path, cookie, csrf, body, after = f[1], f[2], f[3], f[4], f[5], f[6] or ""
         local has_body = method == "POST"
         if has_body then
            body = "csrfmiddlewaretoken=" .. csrf .. (body ~= "" and ("&" .. body) or "")
         else
            body = nil
         end
         table.insert(lines, {
            request = wrk.format(method, path, headers_for(cookie, csrf, has_body), body),
            method = method, cookie = cookie, csrf = csrf, after = after,
         })
      end
   end
   -- Spread the threads over the file so they start as different people.
   position = ((id or 0) * 7919) % #lines + 1
end

function request()
   if pending then
      local r = pending
      pending = nil
      expect = r
      return r.request
   end
   local line = lines[position]
   position = position % #lines + 1
   expect = line
   return line.request
end

local function note_bad(status, headers)
   bad = bad + 1
   if shown < 5 then
      shown = shown + 1
      table.insert(samples, tostring(status) .. " " .. tostring(headers["Location"] or ""))
   end
end

function response(status, headers, body)
   local line = expect
   if line == nil then return end
   if line.method == "GET" then
      if status == 200 then good = good + 1 else note_bad(status, headers) end
      return
   end
   -- A POST: success is a redirect back to the entry page, not to sign-in or anywhere else.
   local location = headers["Location"] or ""
   local entry = location:match("^/entries/(%d+)/")
   if status ~= 302 or entry == nil then
      note_bad(status, headers)
      return
   end
   good = good + 1
   local pair = line.after:match("^share:(%d+)$")
   if pair then
      pending = {
         request = wrk.format("POST", "/entries/" .. entry .. "/share/",
            headers_for(line.cookie, line.csrf, true),
            "csrfmiddlewaretoken=" .. line.csrf .. "&pair=" .. pair),
         method = "POST", cookie = line.cookie, csrf = line.csrf, after = "",
      }
   end
end

function done(summary, latency, requests)
   local total_good, total_bad, all_samples = 0, 0, {}
   for _, thread in ipairs(threads) do
      total_good = total_good + (thread:get("good") or 0)
      total_bad = total_bad + (thread:get("bad") or 0)
      local s = thread:get("samples")
      if s then
         for _, v in ipairs(s) do
            if #all_samples < 5 then table.insert(all_samples, v) end
         end
      end
   end
   local e = summary.errors
   local quoted = {}
   for _, v in ipairs(all_samples) do table.insert(quoted, string.format("%q", v)) end
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "good": %d, "bad": %d, ' ..
      '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, ' ..
      '"timeouts": %d, "latency_us": {"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, ' ..
      '"mean": %.1f}, "bad_samples": [%s]}\n',
      summary.requests, summary.duration, summary.bytes, total_good, total_bad,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(95),
      latency:percentile(99), latency.max, latency.mean, table.concat(quoted, ", ")))
end
