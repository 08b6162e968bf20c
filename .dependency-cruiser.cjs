/** The domain stays plain TypeScript: no Nest DI, no HTTP, no database, no I/O. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'Code under libs/*/src/domain/ imports no framework, driver or infrastructure (the aggregate base class comes from @chancery/event-store/domain).',
      severity: 'error',
      from: { path: '^libs/[^/]+/src/domain/' },
      to: {
        path: [
          '^node_modules/(@nestjs/(common|core|typeorm|platform-express|swagger|jwt|terminus)|typeorm|pg|express|nestjs-pino|pino)(/|$)',
          '^libs/(database|http|audit|config|platform)/',
          '^libs/event-store/src/(store|commit|projections|event-store\\.module|aggregate/aggregate\\.repository)',
          '^libs/[^/]+/src/(?!domain/)[^/]+\\.(module|service|controller|query|projection|handler)\\.ts$',
          '^node:',
        ],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
