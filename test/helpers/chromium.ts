import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { packageRoot } from '../../src/paths.js';

/** The Chromium the browser tests drive: `$ATTRAMENT_CHROMIUM`, else `/usr/bin/chromium`. */
export const CHROMIUM = process.env.ATTRAMENT_CHROMIUM ?? '/usr/bin/chromium';

const HEADLESS_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * What the tests read of an SVG element in the page. Test code is compiled without the DOM lib
 * (only the viewer's tsconfig has it), so page-side types are spelled out where needed.
 */
export interface SVGGraphicsLike {
  getBBox(): { width: number; height: number };
}

/** Fails the test, saying how to get Chromium, when it is not there. */
export function requireChromium(): void {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set ATTRAMENT_CHROMIUM`);
}

export interface ChromiumPage {
  page: Page;
  /** Console errors and warnings, page errors, requests outside `allowedUrl` and HTTP errors, as they happen. */
  problems: string[];
}

export interface ChromiumPageOptions {
  /** Requests to URLs that do not start with this (`file:`, a server's URL) are problems. */
  allowedUrl: string;
  viewport: { width: number; height: number };
}

/** Runs `run` on a fresh page in headless Chromium, which is closed afterwards. */
export async function withChromiumPage(options: ChromiumPageOptions, run: (p: ChromiumPage) => Promise<void>): Promise<void> {
  requireChromium();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: HEADLESS_ARGS });
  try {
    const page = await browser.newPage({ viewport: options.viewport });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith(options.allowedUrl)) problems.push(`request outside ${options.allowedUrl}: ${r.url()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    await run({ page, problems });
  } finally {
    await browser.close();
  }
}

/** Saves a screenshot of `page` as `test-output/<name>`. */
export async function saveScreenshot(page: Page, name: string, fullPage: boolean): Promise<void> {
  const out = path.join(packageRoot, 'test-output');
  mkdirSync(out, { recursive: true });
  await page.screenshot({ path: path.join(out, name), fullPage });
}

/**
 * CPU seconds (user + system) used so far by the processes this test process started and their
 * descendants (the browser it drives), from Linux's `/proc` (clock ticks of 1/100 s); null
 * elsewhere. A load-independent companion to a wall-clock figure on a shared machine: only
 * processes still running count, so read it while the browser is open.
 */
export function childCpuSeconds(): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces), in parentheses: state, ppid, ...
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(f[1]));
      ticks.set(Number(name), Number(f[11]) + Number(f[12]));
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === process.pid) {
        total += t;
        break;
      }
    }
  }
  return total / 100;
}
