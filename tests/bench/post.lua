-- wrk script: POST one filled questionnaire per request.
-- run_bench.py passes the form body and the cookies (session + device) in the environment,
-- because the real app's CSRF token is only known once the server is up.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_POST_BODY")
assert(wrk.body and wrk.body ~= "", "BENCH_POST_BODY is not set")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
