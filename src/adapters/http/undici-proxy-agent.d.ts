// undici's ProxyAgent and what it needs, module by module: importing these, not the package's
// index, keeps the rest of undici (its fetch, WebSocket, mocks: ~170 KB) out of the Action's bundle.
declare module 'undici/lib/dispatcher/proxy-agent.js' {
  import type { ProxyAgent } from 'undici';

  const ProxyAgentClass: typeof ProxyAgent;
  export default ProxyAgentClass;
}

declare module 'undici/lib/dispatcher/dispatcher.js' {
  import type { Dispatcher } from 'undici';

  const DispatcherClass: typeof Dispatcher;
  export default DispatcherClass;
}

declare module 'undici/lib/api/index.js' {
  /** request, stream, pipeline, connect, upgrade: methods undici's index puts on Dispatcher. */
  const api: Record<string, unknown>;
  export default api;
}
