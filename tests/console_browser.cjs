// MicroPython's browser client, webrepl.html, unmodified, against the
// console of a virtual board, in headless Chromium: connect, type the
// password and a command in its terminal, send a binary file with the side
// panel and get it back. Run by console_browser_test.sh.
// Usage: node console_browser.cjs WEBREPL_HTML WS_URL PASSWORD FILE
const fs = require('fs');
const path = require('path');
const { check, withBrowser } = require('./browser_lib.cjs');

const [html, wsUrl, password, file] = process.argv.slice(2);

withBrowser(async (browser) => {
  const page = await browser.newPage({ acceptDownloads: true });
  page.setDefaultTimeout(20000);
  await page.goto('file://' + path.resolve(html));
  // term.js draws spaces as no-break spaces.
  const terminal = async () => (await page.textContent('#term')).replace(/\u00a0/g, ' ');
  const waitText = (text) =>
    page.waitForFunction(
      (t) => document.getElementById('term').textContent.replace(/\u00a0/g, ' ').includes(t),
      text);

  await page.fill('#url', wsUrl);
  await page.click('#button');
  await waitText('Password:');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await waitText('WebREPL connected');
  check(true, 'webrepl.html logs in (password typed in its terminal)');

  await page.keyboard.type('hepl');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('lp');
  await page.keyboard.press('Enter');
  await waitText('webrepl_setup');
  check(true, 'a command typed with corrections runs');

  const data = fs.readFileSync(file);
  await page.setInputFiles('#put-file-select', file);
  await page.click('#put-file-button');
  await page.waitForFunction(() => /^Sent /.test(document.getElementById('file-status').textContent));
  check(/Sent .*, \d+ bytes/.test(await page.textContent('#file-status')),
        'put: ' + (await page.textContent('#file-status')));

  await page.fill('#get_filename', path.basename(file));
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('input[value="Get from device"]'),
  ]);
  const got = fs.readFileSync(await download.path());
  check(Buffer.compare(got, data) === 0, 'get: ' + got.length + ' bytes, the same as put');
  check((await terminal()).includes('sent'), 'the terminal shows the transfer');
});
