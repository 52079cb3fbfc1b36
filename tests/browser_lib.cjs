// Shared by the browser tests: headless Chromium (Debian's, $CHROMIUM from
// browser_env.sh) through playwright-core, and one line per check.
const { chromium } = require('playwright-core');

function check(ok, what) {
  if (!ok) throw new Error('FAIL: ' + what);
  console.log('ok - ' + what);
}

// Runs body(browser) in a fresh headless Chromium; exits 1 on any failure.
function withBrowser(body) {
  (async () => {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    try {
      await body(browser);
    } finally {
      await browser.close();
    }
  })().catch((e) => {
    console.error(e.message || e);
    process.exit(1);
  });
}

module.exports = { check, withBrowser };
