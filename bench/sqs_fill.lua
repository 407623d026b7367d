-- wrk script: fills a queue with SendMessageBatch (10 messages a request) and stops each thread
-- once it has sent its quota of messages. Args: <queue url> <messages per thread> [body bytes].
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "sqs_common.lua")

local quota = 0

function init(args)
  local queue_url, size = args[1], tonumber(args[3] or "1024")
  quota = tonumber(args[2])
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
  if sent >= quota then wrk.thread:stop() end
end
