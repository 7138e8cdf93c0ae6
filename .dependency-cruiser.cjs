// Module boundaries (HOUSE-STYLE 3, ARCHITECTURE 3), checked by `npm run boundaries`.
// Paths are relative to the repository root; `$1` in a `to` rule refers to the first group
// captured by the same rule's `from.path`.

const TEST_FILE = '\\.test\\.tsx?$'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'platform-not-to-modules-or-app',
      comment: 'platform/ is the shared foundation: it must not depend on modules/ or app/ (tests included).',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/(modules|app)/' },
    },
    {
      name: 'modules-through-index',
      comment: 'A module imports another module only through its public surface src/modules/<name>/index.ts.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/', pathNot: TEST_FILE },
      to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'submodules-through-index',
      comment:
        'A module that grew sub-modules (content/types, content/entries, …) keeps the same rule one level down: a sub-module imports a sibling only through its index.ts.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/([^/]+)/', pathNot: TEST_FILE },
      to: {
        path: '^src/modules/$1/[^/]+/',
        pathNot: ['^src/modules/$1/$2/', '^src/modules/$1/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'module-root-not-into-submodules',
      comment:
        "A module's own root files (its shared vocabulary) sit below its sub-modules: apart from the module's index.ts, they import no sub-module, so no cycle can form through them.",
      severity: 'error',
      from: { path: '^src/modules/[^/]+/[^/]+\\.ts$', pathNot: ['/index\\.ts$', TEST_FILE] },
      to: { path: '^src/modules/[^/]+/[^/]+/' },
    },
    {
      name: 'modules-not-to-app',
      comment: 'app/ is the composition root; modules receive their dependencies, they never import app/.',
      severity: 'error',
      from: { path: '^src/modules/', pathNot: TEST_FILE },
      to: { path: '^src/app/' },
    },
    {
      name: 'no-circular',
      comment: 'Circular imports make load order matter and hide layering mistakes.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'db-only-in-repos',
      comment: 'Only *.repo.ts files and src/platform/db build SQL or talk to a database driver.',
      severity: 'error',
      from: { pathNot: ['\\.repo\\.ts$', '^src/platform/db/', '^test/', TEST_FILE] },
      to: { path: '(^|/)node_modules/(drizzle-orm|pg|@electric-sql/pglite|@types/pg)/' },
    },
    {
      // Without this, a path the resolver cannot follow would silently escape every rule above.
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Packages stay in the graph as leaves (not followed into). Do not `exclude` node_modules:
    // excluded modules vanish from the graph and db-only-in-repos could never fire.
    doNotFollow: { path: 'node_modules' },
    // Count `import type` too: a type-only import still couples two modules.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      // Resolve packages the way Node's ESM loader does (package.json "exports", "import" condition).
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'types', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
}
