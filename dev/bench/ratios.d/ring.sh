# Sourced by dev/bench/ratios and dev/bench/write-profile, with PORT (a running Coffer), WORK (a
# directory) and SENDERS set: makes SENDERS users in a ring and one merchant, each with a session and
# a funded account ($WORK/senders: "token account owner" per line; M_* and R_* the merchant and the
# first sender), and the wrk scripts $WORK/ring.lua, hot.lua and read.lua.
# Senders 0..63 in a ring and one merchant, each a user with a session and a funded account.
J='Content-Type: application/json'
field() { sed "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/"; }
user() { # prints: token account owner
  local email="ratios-$(date +%s%N)-$RANDOM@example.com" token account owner
  curl -sf -X POST "localhost:$PORT/v1/users" -H "$J" -d "{\"email\":\"$email\",\"password\":\"bench password\"}" >"$WORK/u"
  owner=$(field id <"$WORK/u")
  token=$(curl -sf -X POST "localhost:$PORT/v1/sessions" -H "$J" -d "{\"email\":\"$email\",\"password\":\"bench password\"}" | field token)
  account=$(curl -sf -X POST "localhost:$PORT/v1/accounts" -H "$J" -H "Authorization: Bearer $token" -d '{"currency":"EUR"}' | field id)
  curl -sf -X POST "localhost:$PORT/v1/deposits" -H "$J" -H "Authorization: Bearer $token" -H "Idempotency-Key: fund-$account" \
    -d "{\"accountId\":\"$account\",\"amount\":100000000000}" >/dev/null
  echo "$token $account $owner"
}
for i in $(seq 0 $((SENDERS - 1))); do user; done >"$WORK/senders"
read -r M_TOKEN M_ACCOUNT M_OWNER < <(user)
read -r R_TOKEN R_ACCOUNT R_OWNER <"$WORK/senders"

# wrk: each request is a transfer of 1 minor unit from the next sender, to the next sender in the
# ring (or to the merchant), under a fresh Idempotency-Key.
lua_senders() {
  local n=0
  echo "senders = {"
  while read -r token account owner; do
    echo "  {token = \"$token\", account = \"$account\"},"
    n=$((n + 1))
  done <"$WORK/senders"
  echo "}"
}
for mode in ring hot read; do
  {
    lua_senders
    echo "merchant = \"$M_ACCOUNT\"; mode = \"$mode\""
    cat <<'LUA'
local counter = 0
local prefix = ""
local threads = {}
refused = {}
-- Keys never repeat across runs: the run's start time, the mode, the thread.
local started = tostring(os.time())
function setup(thread)
  thread:set("id", mode .. "-" .. started .. "-" .. (#threads + 1)); table.insert(threads, thread)
end
function init(args) prefix = id end
sample = ""
function response(status, headers, body)
  if status >= 300 then
    refused[status] = (refused[status] or 0) + 1
    if sample == "" then sample = status .. " " .. string.sub(body or "", 1, 300) end
  end
end
function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("refused")) do all[status] = (all[status] or 0) + n end
  end
  for status, n in pairs(all) do io.write("refused ", status, " ", n, "\n") end
  for _, t in ipairs(threads) do
    local s = t:get("sample")
    if s ~= "" then io.write("sample ", s, "\n"); break end
  end
end
function request()
  if mode == "read" then
    return wrk.format("GET", "/v1/accounts/" .. senders[1].account, {["Authorization"] = "Bearer " .. senders[1].token})
  end
  counter = counter + 1
  local i = counter % #senders + 1
  local s = senders[i]
  local to = mode == "hot" and merchant or senders[i % #senders + 1].account
  local body = '{"fromAccountId":"' .. s.account .. '","toAccountId":"' .. to .. '","amount":1}'
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. s.token,
                   ["Idempotency-Key"] = "b-" .. prefix .. "-" .. counter}
  return wrk.format("POST", "/v1/transfers", headers, body)
end
LUA
  } >"$WORK/$mode.lua"
done

