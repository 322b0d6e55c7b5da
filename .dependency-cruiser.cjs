/**
 * The layer rule (npm run lint): dependencies run one way — route → command/use case →
 * repository → model — and shared code knows no feature.
 */
const EXPRESS_ALLOWED = '(^src/app[.]ts$|^src/http/|^src/sandbox/|routes[.]ts$|^src/sessions/)';

module.exports = {
  forbidden: [
    {
      name: 'models-only-through-repositories',
      comment: 'Feature code reaches the database through injected repositories, never a model.',
      severity: 'error',
      from: { path: '^src/', pathNot: '(^src/db/|-repository[.]ts$|^src/repositories[.]ts$)' },
      to: { path: '^src/db/models/' },
    },
    {
      name: 'shared-knows-no-feature',
      comment: 'src/shared (errors, clock, time, validation) is used by everyone and uses no one.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/(?!shared/)' },
    },
    {
      name: 'domain-without-express',
      comment:
        'Rules, commands, use cases and repositories never see HTTP: only routes and src/http do.',
      severity: 'error',
      from: { path: '^src/', pathNot: EXPRESS_ALLOWED },
      to: { path: '(^|/)node_modules/(express|express-session)/' },
    },
    {
      name: 'access-rules-are-pure',
      comment: 'The access policies decide on data they are given: no I/O, no database.',
      severity: 'error',
      from: { path: '^src/access/(policies/|scope[.]ts|actor[.]ts)' },
      to: {
        path: '(^src/(db|repositories|sessions|http)|(^|/)node_modules/(sequelize|pg|redis)/)',
      },
    },
    {
      name: 'login-methods-independent',
      comment: 'No login method imports another one.',
      severity: 'error',
      from: { path: '^src/auth/(classic|eid)/' },
      to: { path: '^src/auth/(classic|eid)/', pathNot: '^src/auth/$1/' },
    },
    {
      name: 'nothing-imports-the-composition-root',
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
