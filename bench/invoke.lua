-- wrk script: a synchronous Invoke with a small JSON event.
wrk.method = "POST"
wrk.body = '{"hello":"world","n":1}'
