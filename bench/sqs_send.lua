-- wrk script: SendMessage of a fixed body. Args: <queue url> [body bytes, default 1024].
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "sqs_common.lua")

function setup(thread) table.insert(sqs.threads, thread) end

function init(args)
  local queue_url, size = args[1], tonumber(args[2] or "1024")
  wrk.method = "POST"
  wrk.path = "/"
  for k, v in pairs(sqs.headers("SendMessage")) do wrk.headers[k] = v end
  wrk.body = '{"QueueUrl":"' .. queue_url .. '","MessageBody":"' .. sqs.body(size) .. '"}'
end
