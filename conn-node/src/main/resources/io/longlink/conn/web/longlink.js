// Longlink browser client: a plain ES module, no build step. Speaks the JSON form of the device
// protocol (docs/protocol.md) over WebSocket, subprotocol "longlink.v1.json".
//
//   import { LonglinkClient } from "/longlink.js";
//   const client = new LonglinkClient({
//     url: "wss://push.example.com/ws", appKey: "demo", deviceId: "browser-1",
//     token: async () => (await fetch("/my-app/longlink-token")).text(),
//     onMessage: (m) => console.log(m.messageId, m.text),
//   });
//   client.start();

const SUBPROTOCOL = "longlink.v1.json";
/** Codes after which reconnecting with the same settings cannot help (docs/protocol.md, error table). */
const STOP_CODES = new Set(["UNSUPPORTED_VERSION", "UNKNOWN_APP", "INVALID_ARGUMENT"]);
const TOKEN_CODES = new Set(["BAD_TOKEN", "TOKEN_EXPIRED"]);
const PONG_TIMEOUT_MS = 10_000;

export class LonglinkClient {
  /**
   * @param {object} o
   * @param {string} o.url WebSocket URL of a conn-node's web listener, e.g. ws://127.0.0.1:7010/ws
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
    for (const k of ["url", "appKey", "deviceId", "token"]) {
      if (!o[k]) throw new Error(`LonglinkClient: ${k} is required`);
    }
    this.o = {
      heartbeatSeconds: 30, ackDelayMs: 100, ackMax: 50, backoffMinMs: 1000, backoffMaxMs: 120_000,
      stableMs: 30_000, dedupSize: 2000, reconnectOnKick: false,
      onMessage() {}, onConnected() {}, onDisconnected() {}, onStopped() {}, ...o,
    };
    this.url = o.url;
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
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.#flushAcks();
      this.#send({ type: "DISCONNECT", reason: "client closed" });
      this.ws.close(1000, "bye");
    }
    this.#cleanup();
    this.state = "closed";
  }

  async #connect() {
    this.state = "connecting";
    let token;
    try {
      token = typeof this.o.token === "function" ? await this.o.token() : this.o.token;
    } catch (e) {
      this.#retry({ code: "INTERNAL", reason: `token supplier failed: ${e}` });
      return;
    }
    if (this.stopped) return;
    const ws = new WebSocket(this.url, [SUBPROTOCOL]);
    this.ws = ws;
    this.closeInfo = null;
    ws.onopen = () => {
      this.#send({
        type: "CONNECT", protocolVersion: 1, appKey: this.o.appKey, deviceId: this.o.deviceId, token,
        clientVersion: "longlink-js/0.1.0", platform: "WEB", heartbeatSeconds: this.o.heartbeatSeconds,
        lastMessageId: this.lastMessageId,
      });
    };
    ws.onmessage = (e) => {
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      this.#onFrame(m);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.#cleanup();
      // the server's ERROR came first; a close code 4000 + n carries the same code
      const info = this.closeInfo || { code: e.code >= 4000 ? `CLOSE_${e.code}` : "CONNECTION_LOST", reason: e.reason };
      this.#after(info);
    };
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
        this.pongTimer = setTimeout(() => this.ws && this.ws.close(), PONG_TIMEOUT_MS);
      }
      this.#schedulePing();
    }, this.heartbeatMs);
  }

  #send(m) {
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
