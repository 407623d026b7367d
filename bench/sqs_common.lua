-- Shared by the SQS wrk scripts (loaded with dofile from the script's own folder).
-- Every request is JSON 1.0, routed by X-Amz-Target, with an unsigned SigV4-shaped
-- Authorization header whose credential scope names sqs: moto's server routes on that scope
-- (it answers as S3 without it); lambda-local accepts it too, so both servers see the same bytes.
sqs = {}

function sqs.headers(op)
  return {
    ["Content-Type"] = "application/x-amz-json-1.0",
    ["X-Amz-Target"] = "AmazonSQS." .. op,
    ["Authorization"] = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, "
                        .. "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0",
    ["X-Amz-Date"] = "20240101T000000Z",
  }
end

-- A message body of n bytes (printable, JSON-safe).
function sqs.body(n)
  local unit = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
  local s = string.rep(unit, math.floor(n / #unit) + 1)
  return string.sub(s, 1, n)
end

-- Sums the named global of every thread (collected in setup()) into a table.
sqs.threads = {}
function sqs.collect(names)
  local totals = {}
  for _, name in ipairs(names) do totals[name] = 0 end
  for _, t in ipairs(sqs.threads) do
    for _, name in ipairs(names) do totals[name] = totals[name] + (t:get(name) or 0) end
  end
  return totals
end
