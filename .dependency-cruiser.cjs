/**
 * Layers point down only (run by `npm test` as `npm run check:layers`). Lowest first; a folder may
 * import its own layer and the ones before it. providers/ and orchestrate/ sit at the edge: they
 * may use the plain-data layers (util, task, normalize, prompts), orchestrate may use providers,
 * and neither knows fusion, evaluation, reports, run/ or cli/. run/ is above them, cli/ on top,
 * and only src/index.ts (the library's entry) may import anything, cli/ included. kinds/ holds what
 * differs per task kind (one folder each) and sits above the layers a kind draws on.
 */
const LAYERS = ['util', 'task', 'normalize', 'prompts', 'validation', 'fuse', 'qa', 'eval', 'report', 'kinds'];
const FUSION = ['validation', 'fuse', 'qa', 'eval', 'report', 'kinds'];
const folders = (names) => `^src/(${names.join('|')})/`;

const layerRules = LAYERS.map((layer, i) => ({
  name: `${layer}-points-down`,
  severity: 'error',
  comment: `src/${layer}/ may import only the layers below it (${LAYERS.slice(0, i).join(', ') || 'none'})`,
  from: { path: `^src/${layer}/` },
  to: { path: folders([...LAYERS.slice(i + 1), 'providers', 'orchestrate', 'run', 'cli']) },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'providers-at-the-edge',
      severity: 'error',
      comment: 'providers/ may use util, task, normalize and prompts; never orchestrate/, fusion, run/ or cli/',
      from: { path: '^src/providers/' },
      to: { path: folders([...FUSION, 'orchestrate', 'run', 'cli']) },
    },
    {
      name: 'orchestrate-at-the-edge',
      severity: 'error',
      comment: 'orchestrate/ may use util, task, normalize, prompts and providers; never fusion, run/ or cli/',
      from: { path: '^src/orchestrate/' },
      to: { path: folders([...FUSION, 'run', 'cli']) },
    },
    {
      name: 'run-below-cli',
      severity: 'error',
      comment: 'run/ is the pipeline the CLI and the library call; it never imports cli/',
      from: { path: '^src/run/' },
      to: { path: folders(['cli']) },
    },
    {
      name: 'only-the-entry-imports-index',
      severity: 'error',
      comment: 'src/index.ts and src/api/*.ts are the library entry points (the root and its subpaths); nothing inside src imports them',
      from: { path: '^src/', pathNot: '^src/(index\\.ts|api/)' },
      to: { path: '^src/(index\\.ts|api/)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'an import cycle ties two modules into one; break it by moving the shared part down',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|test|bench)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
