/**
 * What `otasuke sensor run` does once its flags are parsed: load the config, start the agent, and
 * stop it cleanly on SIGTERM / SIGINT. Returns the exit code.
 */
import { ConfigError, loadAgentConfig } from './agentConfig.ts';
import { agentLog } from './agentLog.ts';
import { startAgent } from './agent.ts';
import type { RunOptions } from './runCommand.ts';

export interface RunIo {
  stderr: { write(text: string): unknown };
  signals: Pick<NodeJS.Process, 'once' | 'removeListener'>;
}

export async function runAgent(options: RunOptions, io: RunIo): Promise<number> {
  let agent;
  try {
    const config = loadAgentConfig({ ...(options.config !== undefined ? { configFile: options.config } : {}), ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}) });
    agent = await startAgent(config, { log: agentLog(io.stderr) });
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr.write(`otasuke sensor run: ${e.message}\n`);
      return 2;
    }
    io.stderr.write(`otasuke sensor run: cannot start: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
  const signal = await new Promise<string>((resolve) => {
    const on = (name: string) => () => resolve(name);
    const term = on('SIGTERM');
    const int = on('SIGINT');
    io.signals.once('SIGTERM', term);
    io.signals.once('SIGINT', int);
    // A live capture that ended for good also ends the run (folder mode runs until a signal).
    void agent.stopped.then(() => {
      if (agent.stats().capture.mode === 'interface') resolve('capture_ended');
    });
  });
  // A second signal while stopping: leave now (the spool is on disk, nothing is lost).
  const impatient = (): void => {
    io.stderr.write('otasuke sensor run: stopping at once; unsent alerts stay in the spool\n');
    process.exit(1);
  };
  io.signals.once('SIGTERM', impatient);
  io.signals.once('SIGINT', impatient);
  try {
    await agent.stop();
  } catch (e) {
    io.stderr.write(`otasuke sensor run: stopping failed: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  } finally {
    io.signals.removeListener('SIGTERM', impatient);
    io.signals.removeListener('SIGINT', impatient);
  }
  return signal === 'capture_ended' ? 1 : 0;
}
