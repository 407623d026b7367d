-- wrk script: ReceiveMessage (1 message, no long poll) and DeleteMessage of what it received,
-- alternating. Each thread keeps the receipt handles its connections received; a connection
-- deletes one if any is waiting, otherwise it receives. Args: <queue url>.
-- Prints "SQS deletes: N", "SQS receives: N", "SQS empty receives: N" when done.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "sqs_common.lua")

function setup(thread) table.insert(sqs.threads, thread) end

local receive_req, delete_head, handles = nil, nil, {}

function init(args)
  local queue_url = args[1]
  receive_req = wrk.format("POST", "/", sqs.headers("ReceiveMessage"),
      '{"QueueUrl":"' .. queue_url .. '","MaxNumberOfMessages":1,"WaitTimeSeconds":0}')
  delete_head = '{"QueueUrl":"' .. queue_url .. '","ReceiptHandle":"'
  deletes, receives, got = 0, 0, 0
end

function request()
  local h = table.remove(handles)
  if h then
    deletes = deletes + 1
    return wrk.format("POST", "/", sqs.headers("DeleteMessage"), delete_head .. h .. '"}')
  end
  receives = receives + 1
  return receive_req
end

function response(status, headers, body)
  if status ~= 200 then return end
  for h in string.gmatch(body, '"ReceiptHandle"%s*:%s*"([^"]+)"') do
    table.insert(handles, h)
    got = got + 1
  end
end

function done(summary, latency, requests)
  local t = sqs.collect({"deletes", "receives", "got"})
  io.write(string.format("SQS deletes: %d\nSQS receives: %d\nSQS empty receives: %d\n",
                         t.deletes, t.receives, t.receives - t.got))
end
