// Longlink browser client: a plain ES module, no build step. Speaks the JSON form of the device
// protocol (docs/protocol.md) over WebSocket (subprotocol "longlink.v1.json"), and falls back to
// the HTTP session API (server-sent events, then long-polling) where WebSocket does not get through.
//
//   import { LonglinkClient } from "/longlink.js";
//   const client = new LonglinkClient({
//     url: "wss://push.example.com/ws", httpUrl: "https://push.example.com:7011",
//     appKey: "demo", deviceId: "browser-1",
//     token: async () => (await fetch("/my-app/longlink-token")).text(),
//     onMessage: (m) => console.log(m.messageId, m.text),
//   });
//   client.start();

const SUBPROTOCOL = "longlink.v1.json";
/** Codes after which reconnecting with the same settings cannot help (docs/protocol.md, error table). */
const STOP_CODES = new Set(["UNSUPPORTED_VERSION", "UNKNOWN_APP", "INVALID_ARGUMENT"]);
const TOKEN_CODES = new Set(["BAD_TOKEN", "TOKEN_EXPIRED"]);
const PONG_TIMEOUT_MS = 10_000;

/** One frame of the JSON form, or null for what is not JSON. */
function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export class LonglinkClient {
  /**
   * @param {object} o
   * @param {string} o.url WebSocket URL of a conn-node's web listener, e.g. ws://127.0.0.1:7010/ws
   * @param {string} [o.httpUrl] base URL of the node's HTTP session listener (SSE, long-poll), e.g. http://127.0.0.1:7011
   * @param {string[]} [o.transports] tried in this order: "websocket", "sse", "longpoll" (those with a URL)
   * @param {string} o.appKey
   * @param {string} o.deviceId
   * @param {string|function(): (string|Promise<string>)} o.token the token, or a supplier asked again after BAD_TOKEN/TOKEN_EXPIRED
   * @param {function(object)} [o.onMessage] each new message once: {messageId, payload (Uint8Array), text, notification, collapseKey, sentAtMs}
   * @param {function(object)} [o.onConnected] the CONNACK
   * @param {function(object)} [o.onDisconnected] {code, reason, retryInMs} after each lost connection
   * @param {function(object)} [o.onStopped] {code, reason}: the client gave up (KICKED, token refused, bad app...)
   * @param {boolean} [o.reconnectOnKick=false]
   */
  constructor(o) {
    for (const k of ["appKey", "deviceId", "token"]) {
      if (!o[k]) throw new Error(`LonglinkClient: ${k} is required`);
    }
    this.o = {
      heartbeatSeconds: 30, ackDelayMs: 100, ackMax: 50, backoffMinMs: 1000, backoffMaxMs: 120_000,
      stableMs: 30_000, dedupSize: 2000, reconnectOnKick: false,
      onMessage() {}, onConnected() {}, onDisconnected() {}, onStopped() {}, ...o,
    };
    this.url = o.url;
    this.httpUrl = o.httpUrl || null;
    this.transports = (o.transports || ["websocket", "sse", "longpoll"])
      .filter((t) => (t === "websocket" ? !!o.url : !!o.httpUrl));
    if (!this.transports.length) throw new Error("LonglinkClient: no transport with a URL");
    this.transportIndex = 0;
    this.seen = new Set();
    this.seenOrder = [];
    this.pendingAcks = [];
    this.lastMessageId = o.lastMessageId || "0";
    this.backoffMs = this.o.backoffMinMs;
    this.stopped = true;
    this.state = "idle";
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.tokenRetried = false;
    this.#connect();
  }

  /** Leaves cleanly: ACKs what was received, sends DISCONNECT, closes. No reconnect. */
  close() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    if (this.state === "connected") {
      this.#flushAcks();
      this.#send({ type: "DISCONNECT", reason: "client closed" });
      if (this.ws) this.ws.close(1000, "bye");
    }
    this.#cleanup();
    this.state = "closed";
  }

  /** The transport in use or being tried: "websocket", "sse" or "longpoll". */
  get transport() {
    return this.mode || this.transports[this.transportIndex];
  }

  async #connect() {
    this.state = "connecting";
    this.mode = null;
    let token;
    try {
      token = typeof this.o.token === "function" ? await this.o.token() : this.o.token;
    } catch (e) {
      this.#retry({ code: "INTERNAL", reason: `token supplier failed: ${e}` });
      return;
    }
    if (this.stopped) return;
    const connect = {
      type: "CONNECT", protocolVersion: 1, appKey: this.o.appKey, deviceId: this.o.deviceId, token,
      clientVersion: "longlink-js/0.1.0", platform: "WEB", heartbeatSeconds: this.o.heartbeatSeconds,
      lastMessageId: this.lastMessageId,
    };
    this.closeInfo = null;
    this.gen = (this.gen || 0) + 1;
    if (this.transports[this.transportIndex] === "websocket") {
      this.#connectWebSocket(connect);
    } else {
      this.#connectHttp(connect, this.gen);
    }
  }

  #connectWebSocket(connect) {
    this.mode = "websocket";
    const ws = new WebSocket(this.url, [SUBPROTOCOL]);
    this.ws = ws;
    ws.onopen = () => this.#send(connect);
    ws.onmessage = (e) => {
      const m = parse(e.data);
      if (m) this.#onFrame(m);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      // the server's ERROR came first; a close code 4000 + n carries the same code
      this.#lost(this.closeInfo || { code: e.code >= 4000 ? `CLOSE_${e.code}` : "CONNECTION_LOST", reason: e.reason });
    };
  }

  /** POST /connect, then the frames over an event stream, or over long polls when the stream does not get through. */
  async #connectHttp(connect, gen) {
    let frames;
    try {
      const r = await fetch(`${this.httpUrl}/connect`, { method: "POST", body: JSON.stringify(connect),
        headers: { "content-type": "text/plain" } });
      frames = await r.json();
    } catch (e) {
      if (gen === this.gen) this.#lost({ code: "CONNECTION_LOST", reason: String(e) });
      return;
    }
    if (gen !== this.gen || this.stopped) return;
    const ack = Array.isArray(frames) ? frames.find((f) => f.type === "CONNACK" && f.httpSession) : null;
    if (!ack) {
      (Array.isArray(frames) ? frames : [frames]).forEach((f) => this.#onFrame(f));
      this.#lost(this.closeInfo || { code: "CONNECTION_LOST", reason: "no session" });
      return;
    }
    this.httpSession = ack.httpSession;
    frames.forEach((f) => this.#onFrame(f));
    if (this.transports[this.transportIndex] === "sse") {
      this.#stream(gen);
    } else {
      this.#poll(gen);
    }
  }

  #stream(gen) {
    this.mode = "sse";
    const es = new EventSource(`${this.httpUrl}/events?session=${encodeURIComponent(this.httpSession)}`);
    this.es = es;
    let opened = false;
    es.onopen = () => { opened = true; };
    es.onmessage = (e) => {
      const m = parse(e.data);
      if (!m) return;
      this.#onFrame(m);
      if (m.type === "ERROR") this.#lost(this.closeInfo);
    };
    es.onerror = () => {
      if (gen !== this.gen || this.es !== es) return;
      if (!opened) {
        es.close(); // the stream does not get through: the same session goes on over long polls
        this.es = null;
        this.#poll(gen);
      } else if (es.readyState === EventSource.CLOSED) {
        this.#lost(this.closeInfo || { code: "CONNECTION_LOST", reason: "event stream closed" });
      }
    };
  }

  async #poll(gen) {
    this.mode = "longpoll";
    while (gen === this.gen && !this.stopped) {
      let frames;
      try {
        const r = await fetch(`${this.httpUrl}/poll?session=${encodeURIComponent(this.httpSession)}`);
        frames = await r.json();
      } catch (e) {
        if (gen === this.gen) this.#lost({ code: "CONNECTION_LOST", reason: String(e) });
        return;
      }
      if (gen !== this.gen) return;
      for (const f of Array.isArray(frames) ? frames : [frames]) this.#onFrame(f);
      if (this.closeInfo) {
        this.#lost(this.closeInfo);
        return;
      }
    }
  }

  /** The connection or session is gone: clean up, then decide (stop, new token, redirect, backoff). */
  #lost(info) {
    const wasConnected = this.state === "connected";
    this.#cleanup();
    this.gen = (this.gen || 0) + 1;
    if (!wasConnected && !this.closeInfo && this.transportIndex + 1 < this.transports.length) {
      this.transportIndex++; // this transport did not get through: try the next one at once
      if (!this.stopped) this.#connect();
      return;
    }
    if (!wasConnected && !this.closeInfo) this.transportIndex = 0;
    this.#after(info);
  }

  #onFrame(m) {
    switch (m.type) {
      case "CONNACK":
        if ((m.code || "OK") !== "OK") return; // the ERROR that follows says what to do
        this.state = "connected";
        this.tokenRetried = false;
        this.connectedAt = Date.now();
        this.heartbeatMs = (m.heartbeatSeconds || this.o.heartbeatSeconds) * 1000;
        this.#schedulePing();
        this.o.onConnected(m);
        break;
      case "PUSH":
        this.#onPush(m);
        break;
      case "PONG":
        clearTimeout(this.pongTimer);
        break;
      case "REDIRECT":
        this.redirect = m;
        break;
      case "ERROR":
        this.closeInfo = { code: m.code, reason: m.reason || "" };
        break;
      default: // KICK: the ERROR KICKED follows
    }
  }

  #onPush(m) {
    const id = m.messageId;
    this.#queueAck(id); // ACK duplicates too: the copy may be a re-delivery of an entry still in the inbox
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.seenOrder.push(id);
    if (this.seenOrder.length > this.o.dedupSize) this.seen.delete(this.seenOrder.shift());
    if (BigInt(id) > BigInt(this.lastMessageId)) this.lastMessageId = id;
    const payload = m.payload ? Uint8Array.from(atob(m.payload), (c) => c.charCodeAt(0)) : new Uint8Array(0);
    this.o.onMessage({
      messageId: id, payload, text: new TextDecoder().decode(payload), notification: m.notification || null,
      collapseKey: m.collapseKey || "", sentAtMs: Number(m.sentAtMs || 0),
    });
  }

  #queueAck(id) {
    this.pendingAcks.push(id);
    if (this.pendingAcks.length >= this.o.ackMax) {
      this.#flushAcks();
    } else if (!this.ackTimer) {
      this.ackTimer = setTimeout(() => this.#flushAcks(), this.o.ackDelayMs);
    }
  }

  #flushAcks() {
    clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (this.pendingAcks.length && this.#send({ type: "ACK", messageIds: this.pendingAcks })) {
      this.pendingAcks = [];
    }
  }

  #schedulePing() {
    clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => {
      if (this.#send({ type: "PING" })) {
        this.pongTimer = setTimeout(() => this.#lost({ code: "CONNECTION_LOST", reason: "no PONG" }), PONG_TIMEOUT_MS);
      }
      this.#schedulePing();
    }, this.heartbeatMs);
  }

  #send(m) {
    if (this.mode === "sse" || this.mode === "longpoll") {
      if (!this.httpSession) return false;
      fetch(`${this.httpUrl}/send?session=${encodeURIComponent(this.httpSession)}`, { method: "POST",
        body: JSON.stringify(m), headers: { "content-type": "text/plain" }, keepalive: true }).catch(() => {});
      return true;
    }
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(m));
    return true;
  }

  #cleanup() {
    clearTimeout(this.pingTimer);
    clearTimeout(this.pongTimer);
    clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (this.ws) {
      this.ws.onopen = this.ws.onmessage = this.ws.onclose = null;
      if (this.ws.readyState <= WebSocket.OPEN) this.ws.close();
      this.ws = null;
    }
    if (this.es) {
      this.es.close();
      this.es = null;
    }
    this.httpSession = null;
  }

  /** What to do after a connection ended with {code, reason}: stop, refresh the token, follow a redirect or back off. */
  #after(info) {
    if (this.stopped) return;
    if (this.connectedAt && Date.now() - this.connectedAt > this.o.stableMs) this.backoffMs = this.o.backoffMinMs;
    this.connectedAt = 0;
    const stop = STOP_CODES.has(info.code) || (info.code === "KICKED" && !this.o.reconnectOnKick);
    if (TOKEN_CODES.has(info.code)) {
      if (typeof this.o.token === "function" && !this.tokenRetried) {
        this.tokenRetried = true;
        this.o.onDisconnected({ ...info, retryInMs: 0 });
        this.#connect();
        return;
      }
      this.#stop(info);
      return;
    }
    if (stop) {
      this.#stop(info);
      return;
    }
    const redirect = this.redirect;
    this.redirect = null;
    if (redirect && redirect.addresses && redirect.addresses.length) {
      const target = new URL(this.url);
      target.host = redirect.addresses[Math.floor(Math.random() * redirect.addresses.length)];
      this.url = target.toString();
    }
    const hint = redirect ? Number(redirect.retryAfterMs || 0) : 0;
    this.#retry(info, hint);
  }

  #retry(info, atLeastMs = 0) {
    const delay = Math.max(atLeastMs, this.backoffMs) + Math.floor(Math.random() * this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, this.o.backoffMaxMs);
    this.state = "waiting";
    this.o.onDisconnected({ ...info, retryInMs: delay });
    this.retryTimer = setTimeout(() => this.#connect(), delay);
  }

  #stop(info) {
    this.stopped = true;
    this.state = "stopped";
    this.o.onStopped(info);
  }
}
