// The dependency rules of ../shared/DESIGN.md, checked by `npm test` (test/architecture.test.ts):
// dependencies point one way, doors -> pipeline -> store/model, and there are no cycles.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'No import cycles.', from: {}, to: { circular: true } },
    { name: 'model-imports-nothing', severity: 'error', comment: 'The model imports nothing of rdds.', from: { path: '^src/model/' }, to: { path: '^src/', pathNot: '^src/model/' } },
    { name: 'store-imports-only-model', severity: 'error', comment: 'The store imports only the model.', from: { path: '^src/store/' }, to: { path: '^src/', pathNot: '^src/(store|model)/' } },
    { name: 'query-imports-only-model', severity: 'error', comment: 'The grammars read text into queries; they know nothing of the rest.', from: { path: '^src/query/' }, to: { path: '^src/', pathNot: '^src/(query|model)/' } },
    { name: 'policy-not-render-server', severity: 'error', comment: 'The policy never imports render or server.', from: { path: '^src/policy/' }, to: { path: '^src/(render|server)/' } },
    { name: 'render-not-store-server-pipeline', severity: 'error', comment: 'Renderers print resolutions; they never read the store, a door or the pipeline.', from: { path: '^src/render/' }, to: { path: ['^src/(store|server)/', '^src/pipeline\\.ts$'] } },
    {
      name: 'doors-not-ingest-store',
      severity: 'error',
      comment: 'The doors never import ingest or the store; the composition root (service.ts) excepted.',
      from: { path: '^src/server/', pathNot: '^src/server/service\\.ts$' },
      to: { path: '^src/(ingest|store)/' },
    },
    { name: 'observe-not-server', severity: 'error', comment: 'Observe exposes its routes through a small interface and imports nothing from the doors.', from: { path: '^src/observe/' }, to: { path: '^src/server/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too: a renderer that names a store type depends on the store.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
