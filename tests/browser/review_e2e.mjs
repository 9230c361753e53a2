// The review app in a real headless browser (Debian's chromium driven by playwright-core):
// sign in, the queue, an item corrected from the keyboard, the next item accepted with one
// keystroke. tests/test_review_browser.py runs it against a live `chart2fhir review`.
//
//   node review_e2e.mjs BASE_URL USER PASSWORD ITEM_ID VALUE SHOT_DIR
//
// ITEM_ID: an open value item whose correction form has a value field; VALUE: what to type
// there. SHOT_DIR: where queue.png and item.png go (and failure.png if a step fails), or
// "-" for none. Prints one JSON line of what it did; exits 1 with a message on a failure.
// CHROMIUM names the browser (default /usr/bin/chromium): Playwright's own browser
// downloads are not used.
"use strict";

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const USAGE = "usage: node review_e2e.mjs BASE_URL USER PASSWORD ITEM_ID VALUE SHOT_DIR|-";
const STEP_TIMEOUT_MS = 20_000;
const VIEWPORT = { width: 1280, height: 900 };

class Failed extends Error {}

function fail(message) {
  throw new Failed(message);
}

// The item id in an /items/N URL, or null.
function itemOf(url) {
  const match = /^\/items\/(\d+)$/.exec(new URL(url).pathname);
  return match ? Number(match[1]) : null;
}

// Do `act` (a click or a key that submits a form to `path`), check the server took the
// POST (a redirect, not a refusal), and wait for the page the redirects end on.
async function post(page, path, act, what) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === path),
    act(),
  ]);
  if (response.status() !== 303) {
    const body = await response.text().catch(() => "");
    fail(`${what}: POST ${path} answered ${response.status()}, not a redirect: ${body.slice(0, 200)}`);
  }
  await page.waitForURL((u) => u.pathname !== path || u.search !== "");
  await page.waitForLoadState("load");
}

async function main(argv) {
  if (argv.length !== 6) fail(USAGE);
  const [base, user, password, itemArg, value, shotArg] = argv;
  const itemId = Number(itemArg);
  if (!Number.isInteger(itemId) || itemId <= 0) fail(`ITEM_ID is not an item number: ${itemArg}`);
  const shots = shotArg === "-" ? null : shotArg;
  if (shots) mkdirSync(shots, { recursive: true });

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    // No network but the app's: no sync, updates or first-run pages from a browser that
    // cannot reach the internet anyway.
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  // A new context is a fresh, empty profile: no cookies from an earlier run.
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);

  // What a person would not see but a broken page shows: a script error, a page or image
  // the server failed on, and what the Content-Security-Policy blocked (an inline script).
  const problems = [];
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content.Security.Policy/i.test(m.text())) {
      problems.push(`blocked by the CSP: ${m.text()}`);
    }
  });
  page.on("response", (r) => {
    if (r.url().startsWith(base) && r.status() >= 500) {
      problems.push(`HTTP ${r.status()} from ${new URL(r.url()).pathname}`);
    }
  });
  const checkProblems = (step) => {
    if (problems.length) fail(`${step}: ${problems.join("; ")}`);
  };

  const visited = [];
  const ms = {}; // milliseconds each step took
  let clock = Date.now();
  const lap = (step) => {
    checkProblems(step);
    const now = Date.now();
    ms[step] = now - clock;
    clock = now;
  };
  try {
    // Sign in.
    await page.goto(`${base}/login`);
    if ((await page.locator("input[name=csrf_token]").count()) !== 1) {
      fail("the sign-in form has no CSRF token");
    }
    await page.fill("input[name=username]", user);
    await page.fill("input[name=password]", password);
    await post(page, "/login", () => page.click("form.login button[type=submit]"), "sign-in");
    if (new URL(page.url()).pathname !== "/queue") {
      fail(`signing in as ${user} led to ${page.url()}, not /queue`);
    }
    lap("sign_in");

    // The queue.
    await page.goto(`${base}/queue`);
    const rows = await page.locator("table.queue tbody tr a[href^='/items/']").count();
    if (rows === 0) fail("the queue shows no items");
    if ((await page.locator(`table.queue a[href='/items/${itemId}']`).count()) !== 1) {
      fail(`item ${itemId} is not in the queue`);
    }
    if (shots) await page.screenshot({ path: join(shots, "queue.png"), fullPage: true });
    lap("queue");

    // The item, with the scan where its value was read.
    await page.goto(`${base}/items/${itemId}`);
    visited.push(itemId);
    if ((await page.locator(`.item[data-item='${itemId}']`).count()) !== 1) {
      fail(`/items/${itemId} is not an item page: ${await page.title()}`);
    }
    const crop = page.locator("img.crop");
    if ((await crop.count()) !== 1) fail(`item ${itemId} shows no crop of the scan`);
    const cropWidth = await crop.evaluate((img) => img.decode().then(() => img.naturalWidth, () => 0));
    if (!cropWidth) fail(`item ${itemId}: the crop image did not load`);
    if (shots) await page.screenshot({ path: join(shots, "item.png"), fullPage: true });
    lap("item");

    // Correct it from the keyboard: "c" focuses the form, Enter saves.
    await page.keyboard.press("c");
    const focused = await page.evaluate(() => document.activeElement?.getAttribute("name"));
    if (focused !== "value") fail(`"c" focused ${focused ?? "nothing"}, not the value field`);
    await page.keyboard.type(value);
    await post(page, `/items/${itemId}`, () => page.keyboard.press("Enter"), "the correction");
    if (itemOf(page.url()) === itemId) {
      const error = await page.locator("p.error").allTextContents();
      fail(`the correction was refused: ${error.join(" ") || "no message"}`);
    }
    const next = itemOf(page.url());
    if (next === null) fail(`after the correction the browser is at ${page.url()}, not an item`);
    visited.push(next);
    lap("correct");

    // Accept the next item with one keystroke.
    if ((await page.locator("#accept").count()) !== 1) fail(`item ${next} has no accept button`);
    await post(page, `/items/${next}`, () => page.keyboard.press("a"), `accepting item ${next}`);
    const after = itemOf(page.url());
    if (after === next) fail(`accepting item ${next} was refused`);
    if (after === null && new URL(page.url()).pathname !== "/queue") {
      fail(`after accepting, the browser is at ${page.url()}`);
    }
    if (after !== null) visited.push(after);
    lap("accept");

    const result = {
      ok: true,
      queue_rows: rows,
      corrected: itemId,
      accepted: next,
      then: after,
      visited,
      final_url: new URL(page.url()).pathname,
      ms,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (e) {
    if (shots) {
      await page.screenshot({ path: join(shots, "failure.png"), fullPage: true }).catch(() => {});
    }
    const where = `at ${page.url()}, items visited: ${visited.join(", ") || "none"}`;
    throw new Failed(`${e.message} (${where})`);
  } finally {
    await browser.close();
  }
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`review_e2e: FAILED: ${e instanceof Failed ? e.message : e.stack}\n`);
  process.exit(1);
});
