/**
 * `npm run bench:profile -- <ours.cpuprofile> <baseline.cpuprofile>`: two CPU profiles that
 * `BENCH_CPU_PROF=<dir> npm run bench` wrote (bench/probes.ts; each with a `.json` beside it that
 * counts the responses of its span), side by side in CPU microseconds per response, by
 * component: each package, Node's own modules, V8 (GC, JSON.parse, writes), and our code by
 * folder. Sorted by what ours spends more; then our own code's costliest functions. A V8
 * profile gives self time: a function inlined by V8 counts in its caller.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The component a frame belongs to. */
function component(frame: ProfileNode['callFrame']): string | null {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(idle)') return null;
    if (functionName === '(garbage collector)') return 'V8: garbage collector';
    return `V8/native: ${functionName || '(anonymous)'}`;
  }
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + 'node_modules/'.length).split('/');
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const project = /\/(src|views|bench)\/(.*)$/.exec(url.replace(/"$/, ''));
  if (!project) return url;
  if (project[1] !== 'src') return project[1]!;
  const parts = project[2]!.split('/');
  return `src/${parts.slice(0, Math.min(2, parts.length - 1)).join('/') || parts[0]}`;
}

function load(file: string) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const { responses } = JSON.parse(
    readFileSync(file.replace(/\.cpuprofile$/, '.json'), 'utf8'),
  ) as {
    responses: number;
  };
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byComponent = new Map<string, number>();
  const byFunction = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id)!;
    const part = component(frame);
    if (part === null) return;
    const us = profile.timeDeltas[i] ?? 0;
    byComponent.set(part, (byComponent.get(part) ?? 0) + us);
    if (part.startsWith('src/')) {
      const name = `${frame.url.replace(/^.*\/src\//, 'src/')} ${frame.functionName || '(anonymous)'}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    }
  });
  const per = (m: Map<string, number>) => new Map([...m].map(([k, v]) => [k, v / responses]));
  return { responses, byComponent: per(byComponent), byFunction: per(byFunction) };
}

function main(): void {
  const [oursFile, baseFile] = process.argv.slice(2);
  if (!oursFile || !baseFile) {
    console.error('usage: npm run bench:profile -- <ours.cpuprofile> <baseline.cpuprofile>');
    process.exitCode = 2;
    return;
  }
  const ours = load(oursFile);
  const base = load(baseFile);
  const names = new Set([...ours.byComponent.keys(), ...base.byComponent.keys()]);
  const rows = [...names]
    .map(
      (name) => [name, ours.byComponent.get(name) ?? 0, base.byComponent.get(name) ?? 0] as const,
    )
    .sort((a, b) => b[1] - b[2] - (a[1] - a[2]));
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const cell = (us: number) => us.toFixed(1).padStart(9);
  console.log(
    `CPU µs per response (main thread, V8 profile): ours ${sum(ours.byComponent).toFixed(1)} ` +
      `over ${ours.responses} responses, baseline ${sum(base.byComponent).toFixed(1)} over ${base.responses}`,
  );
  console.log(
    `${'component'.padEnd(44)}${'ours'.padStart(9)}${'base'.padStart(9)}${'more'.padStart(9)}`,
  );
  for (const [name, a, b] of rows.filter(([, a, b]) => Math.abs(a - b) >= 0.5 || a >= 2))
    console.log(`${name.padEnd(44)}${cell(a)}${cell(b)}${cell(a - b)}`);
  console.log('\nour code, costliest functions (self time, inlined callees included):');
  for (const [name, us] of [...ours.byFunction].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`${cell(us)}  ${name}`);
}

main();
