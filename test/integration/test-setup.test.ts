import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/shared/paths';

/**
 * Runs the test run's set-up step (`npm test`'s pretest) as a non-root user would: it then only
 * checks, installing and starting nothing.
 */
const runSetup = (env: Record<string, string>) => {
  const started = Date.now();
  const res = spawnSync('bash', [join(projectRoot, 'scripts/test-setup.sh')], {
    cwd: projectRoot,
    env: { ...process.env, TEST_SETUP_AS_USER: '1', ...env },
    encoding: 'utf8',
    timeout: 30_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { ...res, output: `${res.stdout}${res.stderr}`, elapsedMs: Date.now() - started };
};

describe('the test set-up step (scripts/test-setup.sh)', () => {
  it('when Chromium is missing and it is not root then it exits 1 printing the exact apt-get command', () => {
    const res = runSetup({ TEST_SETUP_CHROMIUM: '/nonexistent/his-acceso/chromium' });
    expect(res.status).toBe(1);
    expect(res.output).toContain('no Chromium at /nonexistent/his-acceso/chromium');
    expect(res.output).toMatch(/^ {2}sudo apt-get install -y chromium$/m);
  });

  it('when everything is present then it exits 0 quickly without installing anything', () => {
    const res = runSetup({ TEST_SETUP_CHROMIUM: '/usr/bin/chromium' });
    expect(res.output).toBe('');
    expect(res.status).toBe(0);
    expect(res.elapsedMs).toBeLessThan(2000);
  });
});
