-- wrk script: a POST with a JSON body, as bench/latency_client.cc sends it (Content-Type:
-- application/json). Args: [file]: the body is that file's bytes (a captured proxy event, for a
-- direct Invoke); without one, the small body of bench/invoke.lua (a request to an API route).
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if args[1] then
    local f = assert(io.open(args[1], "rb"))
    wrk.body = f:read("*a")
    f:close()
  else
    wrk.body = '{"hello":"world","n":1}'
  end
end
