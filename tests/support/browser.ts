/**
 * A real browser for the tests that must see what a reviewer sees: Debian's Chromium driven by
 * playwright-core (which never downloads a browser of its own). Where no Chromium is installed,
 * `chromiumPath` is undefined and those tests are skipped, saying so in their name; `.ci/run`
 * installs it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** CHROMIUM_PATH, or the first Chromium found where Debian and others install it. */
export const chromiumPath: string | undefined = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(
  (p): p is string => !!p && existsSync(p),
);

/** Appended to a browser test's name: why it did not run, when it does not. */
export const NO_BROWSER = chromiumPath ? '' : ': no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)';

/** Headless, with its background traffic off (this machine's network is closed: every attempt would be refused). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Where screenshots go: outside the repository (HANDRAIL_TEST_OUTPUT, or the temp folder). */
export function testOutputDir(): string {
  const dir = process.env.HANDRAIL_TEST_OUTPUT ?? join(tmpdir(), 'handrail-test-output');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Every console message and failed request of the page (a CSP refusal shows as both). */
export function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => problems.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`${r.url()}: ${r.failure()?.errorText}`));
  return problems;
}
