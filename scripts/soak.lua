-- wrk script for scripts/soak.sh: a mix of reads (70%), moves to the Trash (15%) and restores (15%)
-- over the seeded projects. Each wrk thread owns a disjoint slice of the projects, so trash and
-- restore mostly alternate; a stale guess answers 404 (in_trash / not_in_trash), counted apart.
-- Arguments: WORKSPACE KEY ID:URL,ID:URL,...
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  ws, key = args[1], args[2]
  local all = {}
  for pair in string.gmatch(args[3], "[^,]+") do
    local id, url = string.match(pair, "([^:]+):(.+)")
    table.insert(all, {id = id, url = url, trashed = false})
  end
  mine = {}
  for i, p in ipairs(all) do
    if (i - 1) % counter == tid then table.insert(mine, p) end
  end
  if #mine == 0 then mine = all end
  headers = {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}
  ok, conflicts, errors, reads, trashes, restores = 0, 0, 0, 0, 0, 0
  math.randomseed(os.time() + tid)
end

function request()
  local r = math.random(100)
  local p = mine[math.random(#mine)]
  if r <= 70 then
    reads = reads + 1
    local k = r % 5
    if k == 0 then return wrk.format("GET", "/" .. ws, headers)
    elseif k == 1 then return wrk.format("GET", "/" .. ws .. "/" .. p.url, headers)
    elseif k == 2 then return wrk.format("GET", "/" .. ws .. "/trash?limit=50", headers)
    elseif k == 3 then return wrk.format("GET", "/" .. ws .. "/usage", headers)
    else return wrk.format("GET", "/" .. ws .. "/images?limit=20", headers) end
  end
  if not p.trashed then
    p.trashed = true
    trashes = trashes + 1
    return wrk.format("DELETE", "/" .. ws .. "/" .. p.url, headers)
  end
  p.trashed = false
  restores = restores + 1
  return wrk.format("POST", "/" .. ws .. "/trash/restore", headers,
                    '{"type":"project","id":"' .. p.id .. '"}')
end

function response(status, hdrs, body)
  if status < 300 then ok = ok + 1
  elseif status == 404 or status == 409 then conflicts = conflicts + 1
  else
    errors = errors + 1
    if errors <= 5 then io.stderr:write("unexpected " .. status .. ": " .. string.sub(body, 1, 200) .. "\n") end
  end
end

function done(summary, latency, requests)
  local t = {ok = 0, conflicts = 0, errors = 0, reads = 0, trashes = 0, restores = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  io.write(string.format("SOAK requests=%d ok=%d conflicts404_409=%d unexpected=%d socket_errors=%d " ..
                         "timeouts=%d reads=%d trashes=%d restores=%d\n",
                         summary.requests, t.ok, t.conflicts, t.errors,
                         summary.errors.connect + summary.errors.read + summary.errors.write,
                         summary.errors.timeout, t.reads, t.trashes, t.restores))
  for _, q in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("SOAK latency p%s=%.2fms\n", q, latency:percentile(q) / 1000))
  end
  io.write(string.format("SOAK latency max=%.2fms rps=%.0f\n", latency.max / 1000,
                         summary.requests / (summary.duration / 1e6)))
end
