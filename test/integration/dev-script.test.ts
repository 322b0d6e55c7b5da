import { spawnSync } from 'node:child_process';
import { projectRoot } from '../../src/shared/paths';

/** Runs `npm run dev`'s script with the given environment; it must stop before starting anything. */
const runDev = (env: Record<string, string>) =>
  spawnSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/dev.ts'], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });

describe('npm run dev on a machine without the services', () => {
  it('when PostgreSQL does not answer then it exits non-zero saying what to install and start', () => {
    const res = runDev({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/his_acceso' });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('PostgreSQL does not answer at 127.0.0.1:1');
    expect(res.stderr).toContain('sudo apt-get install -y postgresql');
  });

  it('when Redis does not answer then it exits non-zero saying what to install and start', () => {
    const res = runDev({
      DATABASE_URL: process.env.TEST_DATABASE_URL!,
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('Redis does not answer at redis://127.0.0.1:1');
    expect(res.stderr).toContain('sudo apt-get install -y redis-server');
  });
});
