/**
 * @module Ported functions (test/fixtures/ports): each one's warm call through the DockerExecutor against plain node
 * calling the same file in process as its home platform does, with the same installed dependencies.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { LoadedApp } from '../runtime/app.ts';
import type { Invoker } from '../runtime/invoker.ts';
import { installedCopy, type HomePlatform } from '../test/helpers/plain-node.ts';
import { CallFailed, failed, ms, percentile, Tally, timeSequential } from './stats.ts';

export interface PortsBenchDeps {
  invoker: Invoker;
  load(dir: string): Promise<LoadedApp>;
  report(line: string): void;
}

interface Port {
  app: string;
  fn: string;
  platform: HomePlatform;
  input: unknown;
}

const CALLS = 100;
const portsDir = fileURLToPath(new URL('../test/fixtures/ports', import.meta.url));

export async function benchPorts(deps: PortsBenchDeps): Promise<void> {
  const { homeEntry } = (await import(join(portsDir, 'home-platforms.mjs'))) as {
    homeEntry(appDir: string, fn: string, platform: HomePlatform): Promise<(input: unknown) => unknown>;
  };
  const ports = JSON.parse(await readFile(join(portsDir, 'ports.json'), 'utf8')) as Port[];
  deps.report(`ported functions, warm, ${CALLS} sequential calls each: plain node in process (its home platform's call) vs DockerExecutor, p50`);
  for (const port of ports) {
    // A port that fails (a package that does not install here) is a row saying so; the others still run.
    try {
      const dir = await installedCopy(join(portsDir, port.app));
      const plain = await homeEntry(dir, port.fn, port.platform);
      const app = await deps.load(dir);
      const warm = async () => {
        const response = await deps.invoker.invoke(app, port.fn, port.input);
        if (!response.ok) throw new CallFailed(response.error.code, response.error.message);
      };
      const failures = new Tally();
      await timeSequential(20, async () => plain(port.input));
      await timeSequential(20, warm);
      const base = percentile(await timeSequential(CALLS, async () => plain(port.input)), 50);
      const docker = percentile(await timeSequential(CALLS, warm, failures), 50);
      deps.report(`  ${port.app} (${port.platform}): plain node ${ms(base)}, DockerExecutor ${ms(docker)} (+${ms(docker - base)})${failed(failures)}`);
    } catch (error) {
      deps.report(`  ${port.app}: FAILED: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
