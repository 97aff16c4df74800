// Opens a conn-node's demo page in Debian's chromium (never a downloaded browser) and reports on stdout:
//   CONNECTED             once the page's client is connected
//   SHOWN <text>          for each expected text once the page lists a message containing it
//   TRANSPORT <how>       then, over which transport the page received them
// then waits for a line on stdin before closing, so the caller can check the node meanwhile.
// Usage: node show-pushes.mjs <page url> <blocked: none|websocket|websocket,events> <text>...
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const [url, block, ...texts] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "longlink-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
try {
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (m) => console.error(`page: ${m.text()}`));
  const blocked = block.split(",");
  if (blocked.includes("websocket")) {
    await page.routeWebSocket(/.*/, (ws) => ws.close({ code: 1011, reason: "blocked by the test" }));
  }
  if (blocked.includes("events")) {
    await page.route(/\/events\?/, (route) => route.abort());
  }
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("connected"),
    null, { timeout: 30_000 });
  console.log("CONNECTED");
  for (const text of texts) {
    await page.locator("li.message", { hasText: text }).first().waitFor({ timeout: 30_000 });
    console.log(`SHOWN ${text}`);
  }
  console.log(`TRANSPORT ${await page.locator("#transport").textContent()}`);
  await new Promise((resolve) => createInterface({ input: process.stdin }).once("line", resolve).once("close", resolve));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
