import { startViewer, type ViewerServer } from '../../src/viewer/server.js';

/** Runs `run` against a viewer server on a free port of 127.0.0.1, closed afterwards. */
export async function withServer(run: (server: ViewerServer) => Promise<void>): Promise<void> {
  const server = await startViewer({ port: 0 });
  try {
    await run(server);
  } finally {
    await server.close();
  }
}
