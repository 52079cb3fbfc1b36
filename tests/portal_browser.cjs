// The setup portal in headless Chromium, as a person would use it: open the
// page, see the scanned networks, send a form with a mistake, read the error,
// fix it, save. Run by portal_browser_test.sh (which starts the board).
// Usage: node portal_browser.cjs URL SSID WIFI_PASSWORD WEBHOOK_URL BUTTON_ID CONSOLE_PASSWORD
const { check, withBrowser } = require('./browser_lib.cjs');

const [url, ssid, wifiPassword, webhook, buttonId, consolePassword] = process.argv.slice(2);

withBrowser(async (browser) => {
  const page = await browser.newPage();
  page.setDefaultTimeout(30000);
  await page.goto(url);
  check((await page.title()) === 'Buttonhook setup', 'the setup page opens');
  const networks = await page.$$eval('datalist#n option', (os) => os.map((o) => o.value));
  check(networks.includes(ssid), 'the scan offers ' + ssid + ' (' + networks.join(', ') + ')');

  // A Wi-Fi password too short for WPA2: the form comes back with the error.
  await page.fill('input[name=s]', ssid);
  await page.fill('input[name=p]', 'short');
  await page.fill('input[name=u]', webhook);
  await page.fill('input[name=b]', buttonId);
  await page.fill('input[name=c]', consolePassword);
  await Promise.all([page.waitForLoadState('load'), page.click('button')]);
  await page.waitForSelector('#error');
  const error = await page.textContent('#error');
  check(/WIFI_PASSWORD/.test(error), 'a short Wi-Fi password is refused: ' + error.trim());
  check((await page.inputValue('input[name=s]')) === ssid, 'what was typed stays');

  await page.fill('input[name=p]', wifiPassword);
  await page.fill('input[name=c]', consolePassword);
  await Promise.all([page.waitForLoadState('load'), page.click('button')]);
  await page.waitForSelector('#saved');
  check(/restarts/.test(await page.textContent('#saved')), 'saved; the board restarts');
});
