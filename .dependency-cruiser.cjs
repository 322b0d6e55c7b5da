/**
 * The structure rules (npm run lint). The folders of src/ in their declared order, from the entry
 * points down to the base (docs/architecture.md): a folder imports only folders BELOW its own
 * level, never one above (type-only imports included), and the folders of one level marked
 * `independent` never import each other. The rules below are generated from this list, so the
 * list is the one place the order is written down.
 */
const LEVELS = [
  { name: 'entry', folders: ['main.ts', 'app.ts', 'platform.ts', 'cli'] },
  {
    name: 'screen areas',
    independent: true,
    folders: [
      'areas/login',
      'areas/home',
      'areas/me',
      'areas/admin',
      'areas/audit',
      'areas/adoption',
      'areas/health',
      'areas/verify',
      'areas/oidc',
    ],
  },
  { name: 'web (the HTTP machinery the areas share)', folders: ['web'] },
  // The domain's concepts, each a level of its own: a concept uses only those listed after it.
  { name: 'domain: authentication', folders: ['domain/authentication'] },
  { name: 'domain: the confidentiality agreement', folders: ['domain/agreements'] },
  { name: 'domain: periodic access reviews', folders: ['domain/reviews'] },
  { name: 'domain: the HIS modules (OpenID clients)', folders: ['domain/modules'] },
  { name: 'domain: users', folders: ['domain/users'] },
  { name: 'domain: passwords', folders: ['domain/passwords'] },
  { name: 'domain: establishments and regiones', folders: ['domain/establishments'] },
  { name: 'domain: sessions', folders: ['domain/sessions'] },
  { name: 'domain: badges', folders: ['domain/badges'] },
  { name: 'domain: the audit trail', folders: ['domain/audit'] },
  { name: 'access', folders: ['access'] },
  { name: 'storage', folders: ['storage'] },
  { name: 'db', folders: ['db'] },
  { name: 'adapters', independent: true, folders: ['redis', 'eid'] },
  { name: 'config', folders: ['config'] },
  { name: 'shared', folders: ['shared'] },
];

const escapeDots = (s) => s.replace(/[.]/g, '[.]');
/** `areas/login` → files under src/areas/login/; `main.ts` → that file. */
const pathOf = (folder) => `^src/${escapeDots(folder)}${folder.endsWith('.ts') ? '$' : '/'}`;
const anyOf = (folders) => `(${folders.map(pathOf).join('|')})`;

const upward = LEVELS.flatMap((level, i) =>
  i === 0
    ? []
    : [
        {
          name: `area-order: ${level.name}`,
          comment: `${level.name} imports only what lies below it (see LEVELS).`,
          severity: 'error',
          from: { path: anyOf(level.folders) },
          to: { path: anyOf(LEVELS.slice(0, i).flatMap((l) => l.folders)) },
        },
      ],
);

const sideways = LEVELS.filter((level) => level.independent).flatMap((level) =>
  level.folders.map((folder) => ({
    name: `area-order: ${folder} is independent`,
    comment: `The folders of "${level.name}" never import each other.`,
    severity: 'error',
    from: { path: pathOf(folder) },
    to: { path: anyOf(level.folders.filter((f) => f !== folder)) },
  })),
);

const EXPRESS_ALLOWED = '(^src/app[.]ts$|^src/web/|^src/areas/|^src/sandbox/)';

module.exports = {
  forbidden: [
    ...upward,
    ...sideways,
    {
      name: 'every-file-has-a-level',
      comment: 'A new folder of src/ takes its place in LEVELS before anything imports it.',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: `(${anyOf(LEVELS.flatMap((l) => l.folders))}|^src/sandbox/)`,
      },
      to: {},
    },
    {
      name: 'models-only-through-storage',
      comment:
        'Code reaches the database through injected repositories and queries, never a model.',
      severity: 'error',
      from: { path: '^src/', pathNot: '(^src/db/|^src/storage/)' },
      to: { path: '^src/db/models/' },
    },
    {
      name: 'sql-only-in-storage',
      comment: 'Raw SQL lives in storage (repositories and query modules) and db/ only.',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot:
          '(^src/db/|^src/storage/|^src/app[.]ts$|^src/platform[.]ts$|^src/main[.]ts$|^src/cli/)',
      },
      to: { path: '(^|/)node_modules/(pg|pg-query-stream)/' },
    },
    {
      name: 'domain-without-express',
      comment: 'Rules, commands and storage never see HTTP: only the areas, web and the root do.',
      severity: 'error',
      from: { path: '^src/', pathNot: EXPRESS_ALLOWED },
      to: { path: '(^|/)node_modules/(express|express-session|multer)/' },
    },
    {
      name: 'access-rules-are-pure',
      comment: 'The access policies decide on data they are given: no I/O, no database.',
      severity: 'error',
      from: { path: '^src/access/(policies/|scope[.]ts|actor[.]ts)' },
      to: {
        path: '(^src/(db|storage|domain|web)|(^|/)node_modules/(sequelize|pg|redis)/)',
      },
    },
    {
      name: 'nothing-imports-the-entry-points',
      severity: 'error',
      from: {},
      to: { path: '^src/(main|sandbox/main|cli/main)[.]ts$' },
    },
    {
      name: 'app-does-not-import-the-sandbox',
      comment: 'The e-ID sandbox is a separate process; the app talks to it over HTTP only.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/sandbox/' },
      to: { path: '^src/sandbox/' },
    },
    {
      name: 'sandbox-uses-only-the-base',
      comment: 'The sandbox is its own program: it shares only config and shared with the app.',
      severity: 'error',
      from: { path: '^src/sandbox/' },
      to: { path: '^src/', pathNot: '^src/(sandbox|shared|config)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
