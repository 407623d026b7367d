-- wrk script: fills a queue with SendMessageBatch (10 messages a request). A thread that has
-- sent its quota stops and creates the file <marker prefix><thread number>, so the caller can
-- end wrk early without asking the server for the queue's depth.
-- Args: <queue url> <messages per thread> <body bytes> <marker prefix>.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "sqs_common.lua")

local count = 0
function setup(thread)
  count = count + 1
  thread:set("number", count)
end

local quota, marker, done_ = 0, nil, false

function init(args)
  local queue_url, size = args[1], tonumber(args[3] or "1024")
  quota, marker = tonumber(args[2]), args[4]
  sent = 0
  local body = sqs.body(size)
  local entries = {}
  for i = 0, 9 do
    entries[#entries + 1] = '{"Id":"m' .. i .. '","MessageBody":"' .. body .. '"}'
  end
  wrk.method = "POST"
  wrk.path = "/"
  for k, v in pairs(sqs.headers("SendMessageBatch")) do wrk.headers[k] = v end
  wrk.body = '{"QueueUrl":"' .. queue_url .. '","Entries":[' .. table.concat(entries, ",") .. ']}'
end

function response(status, headers, body)
  if status == 200 then sent = sent + 10 end
  if sent >= quota and not done_ then
    done_ = true
    if marker then
      local f = io.open(marker .. tostring(number), "w")
      if f then f:close() end
    end
    wrk.thread:stop()
  end
end
