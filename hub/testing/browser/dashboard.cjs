// Drives the hub's dashboard in headless Chromium like a person would:
// signs in with a wrong key, then the right one, finds the event the test
// fired, fires a test event ("Test It"), waits for its applet runs to be
// done, and takes a screenshot at each step. For each screenshot it writes
// down what the page said at that moment and what the PNG holds (decoded
// here with node's zlib), so the C++ test can check both.
//
//   playwright-node dashboard.cjs HUB_URL KEY OUT_DIR VALUE1_OF_FIRED_EVENT
//
// Writes OUT_DIR/result.json; exits non-zero with the reason on stderr.
"use strict";
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const { chromium } = require("playwright-core");

const [url, key, outDir, firedValue1] = process.argv.slice(2);
const kViewport = { width: 1280, height: 900 };
const kStepTimeout = 15000;

// PNG -> { width, height, colors (distinct, sampled), headerPixels } for
// 8-bit RGB/RGBA, which is what Chromium writes.
function pngStats(file) {
  const data = fs.readFileSync(file);
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  if (!data.subarray(0, 8).equals(signature)) throw new Error(file + ": not a PNG");
  let pos = 8, width = 0, height = 0, colorType = 0, bitDepth = 0;
  const idat = [];
  while (pos < data.length) {
    const len = data.readUInt32BE(pos);
    const type = data.toString("ascii", pos + 4, pos + 8);
    const body = data.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      width = body.readUInt32BE(0); height = body.readUInt32BE(4);
      bitDepth = body[8]; colorType = body[9];
    } else if (type === "IDAT") {
      idat.push(body);
    }
    pos += 12 + len;
  }
  if (bitDepth !== 8 || (colorType !== 2 && colorType !== 6)) {
    throw new Error(file + ": unexpected PNG format " + bitDepth + "/" + colorType);
  }
  const bpp = colorType === 6 ? 4 : 3;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? pixels[y * stride + x - bpp] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? pixels[(y - 1) * stride + x - bpp] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[y * stride + x] = v & 255;
    }
  }
  const colors = new Set();
  let headerPixels = 0;
  for (let i = 0; i < pixels.length; i += bpp) {
    const rgb = (pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2];
    if (colors.size < 100000) colors.add(rgb);
    if (rgb === 0x17202e) headerPixels++;  // the header's background (--head)
  }
  return { width, height, colors: colors.size, headerPixels };
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.BH_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const result = { screenshots: [] };
  try {
    const page = await browser.newPage({ viewport: kViewport, deviceScaleFactor: 1 });
    page.setDefaultTimeout(kStepTimeout);
    const consoleErrors = [];
    // The 401s of the page's first look (not signed in) and of the wrong
    // key are expected; Chromium logs every failed fetch as an error.
    page.on("console", (m) => {
      if (m.type() === "error" && !/status of 401/.test(m.text())) consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(String(e)));

    async function shot(name, fullPage = false) {
      const file = path.join(outDir, name + ".png");
      await page.screenshot({ path: file, fullPage });
      const text = await page.evaluate(() => document.body.innerText);
      result.screenshots.push({ name, file, text, ...pngStats(file) });
    }

    await page.goto(url + "/");
    await page.locator("#login").waitFor({ state: "visible" });
    await page.fill("#key", "not-the-key");
    await page.click("#login-form button[type=submit]");
    await page.locator("#login-note", { hasText: "not accepted" }).waitFor();
    await shot("login-refused");

    await page.fill("#key", key);
    await page.click("#login-form button[type=submit]");
    await page.locator("#app").waitFor({ state: "visible" });
    // The event the test fired before the browser came.
    await page.locator("#events tr", { hasText: firedValue1 }).first().waitFor();
    await page.locator("#buttons tr", { hasText: firedValue1 }).first().waitFor();
    await shot("dashboard");

    await page.fill("#t-value1", "browser-test");
    await page.click("#fire");
    const note = page.locator("#test-note.ok");
    await note.waitFor();
    const noteText = await note.innerText();
    const match = /event #(\d+)/.exec(noteText);
    if (!match) throw new Error("no event id in the note: " + noteText);
    result.test_event_id = Number(match[1]);
    result.test_note = noteText;
    await page.locator('#events tr[data-event-id="' + match[1] + '"]').waitFor();
    // Every run of the test event done (the page refreshes every 2 s).
    await page.waitForFunction((id) => {
      const rows = [...document.querySelectorAll("#runs tr[data-run-id]")]
        .filter((r) => r.cells[1].textContent.startsWith("#" + id + " "));
      return rows.length > 0 && rows.every((r) => r.dataset.status === "done");
    }, match[1]);
    result.runs_done = await page.$$eval("#runs tr[data-status=done]", (rows) => rows.length);
    await shot("test-event-done", /*fullPage=*/true);  // the runs are below the fold
    result.console_errors = consoleErrors;
  } finally {
    await browser.close();
  }
  fs.writeFileSync(path.join(outDir, "result.json"), JSON.stringify(result, null, 2));
}

main().catch((e) => {
  console.error("dashboard.cjs: " + (e && e.stack ? e.stack : e));
  process.exit(1);
});
