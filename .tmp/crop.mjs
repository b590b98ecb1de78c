import { chromium } from 'playwright-core'
const [file, width, out, ...tops] = process.argv.slice(2)
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
const page = await browser.newPage({ viewport: { width: Number(width), height: 800 } })
const { writeFileSync } = await import('node:fs'); writeFileSync('/tmp/shots/view.html', '<html><body style="margin:0"><img src="file://' + file + '"></body></html>'); await page.goto('file:///tmp/shots/view.html')
await page.addStyleTag({ content: 'body{margin:0} img{display:block}' })
for (const top of tops) {
  await page.evaluate((y) => window.scrollTo(0, y), Number(top))
  await page.screenshot({ path: `${out}-${top}.png` })
}
await browser.close()
