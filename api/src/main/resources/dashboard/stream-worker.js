"use strict";
// The dashboard's stream, off the page's main thread: thousands of entry messages a second would
// each be a task there (parse, queue) and crowd out its frames. Here they are parsed and handed
// over at most once per 16 ms, in one message.
let socket = null, queued = [], timer = 0, generation = 0;

function hand() {
  timer = 0;
  // At most 250 a message: each is unpacked on the page's thread in one go.
  for (let i = 0; i < queued.length; i += 250) postMessage({ type: "entries", generation, list: queued.slice(i, i + 250) });
  queued = [];
}

function open(url, token, subscriptions, next) {
  close();
  generation = next;
  const ws = new WebSocket(url, ["bearer." + token]);
  socket = ws;
  ws.onopen = () => {
    for (let i = 0; i < subscriptions.length; i += 100) {
      ws.send(JSON.stringify({ op: "subscribe", accounts: subscriptions.slice(i, i + 100) }));
    }
    postMessage({ type: "open", generation });
  };
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type !== "entry") return;
    queued.push(msg);
    if (!timer) timer = setTimeout(hand, 16);
  };
  ws.onclose = (event) => {
    if (socket !== ws) return;
    socket = null;
    hand();
    postMessage({ type: "close", generation, code: event.code, reason: event.reason });
  };
}

function close() {
  if (socket) { socket.onclose = null; socket.onmessage = null; socket.close(); socket = null; }
  hand();
}

onmessage = (event) => {
  const m = event.data;
  if (m.op === "open") open(m.url, m.token, m.subscriptions, m.generation);
  else if (m.op === "close") close();
};
