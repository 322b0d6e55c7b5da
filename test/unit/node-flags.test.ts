import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NODE_FLAGS } from '../../src/shared/node-flags';
import { projectRoot } from '../../src/shared/paths';

/**
 * The Node flags the app is started with are one list (src/shared/node-flags.ts): `npm start`
 * and the systemd unit of deploy/ start it with exactly those, before the entry file.
 */
const flags = NODE_FLAGS.join(' ');

it('when the app is started with npm start then node gets the memory flags the CSV bench measured', () => {
  const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  expect(pkg.scripts.start).toBe(`node ${flags} dist/src/main.js`);
});

it('when the app is started by systemd then the unit gives node the same flags', () => {
  const unit = readFileSync(path.join(projectRoot, 'deploy/systemd/his-acceso.service'), 'utf8');
  const execStart = unit.split('\n').filter((line) => line.startsWith('ExecStart='));
  expect(execStart).toEqual([`ExecStart=/usr/bin/node ${flags} dist/src/main.js`]);
});
