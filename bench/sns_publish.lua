-- wrk script: Publish of a fixed message to one topic. Args: <topic ARN, URL-encoded> [message bytes, default 256].
-- A query-protocol form POST with an unsigned SigV4-shaped Authorization header whose credential
-- scope names sns: moto's server routes on that scope (the form's Version alone is not enough for
-- it); lambda-local routes on it too, so both servers see the same bytes apart from the topic ARN.
local function message(n)
  local unit = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
  return string.sub(string.rep(unit, math.floor(n / #unit) + 1), 1, n)
end

function init(args)
  local topic, size = args[1], tonumber(args[2] or "256")
  wrk.method = "POST"
  wrk.path = "/"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
  wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sns/aws4_request, "
                                 .. "SignedHeaders=content-type;host;x-amz-date, Signature=0"
  wrk.headers["X-Amz-Date"] = "20240101T000000Z"
  wrk.body = "Action=Publish&Version=2010-03-31&TopicArn=" .. topic .. "&Message=" .. message(size)
end
