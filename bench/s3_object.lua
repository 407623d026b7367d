-- wrk script: PutObject or GetObject of one object. Args: <PUT|GET> <bucket/key path> [bytes].
-- An unsigned SigV4-shaped Authorization header naming s3, so moto's server routes it to S3 as
-- lambda-local does; both servers get the same bytes.
function init(args)
  wrk.method = args[1]
  wrk.path = "/" .. args[2]
  wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, "
                                 .. "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0"
  wrk.headers["X-Amz-Date"] = "20240101T000000Z"
  wrk.headers["X-Amz-Content-SHA256"] = "UNSIGNED-PAYLOAD"
  if args[1] == "PUT" then
    wrk.body = string.rep("x", tonumber(args[3]))
    wrk.headers["Content-Type"] = "application/octet-stream"
  end
end
