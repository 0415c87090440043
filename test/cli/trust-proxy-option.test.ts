/** `--trust-proxy` of `edgecourier cloud` and `start`: a value Express could not use stops the start, saying what is wanted. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const cli = fileURLToPath(new URL('../../dist/edgecourier.js', import.meta.url));

const refused = test.macro({
  exec: async (t, command: string, value: string) => {
    const error = await t.throwsAsync<Error & { code: number; stderr: string }>(
      promisify(execFile)(process.execPath, [cli, command, '--trust-proxy', value, '--local'], { timeout: 60_000 }),
    );
    t.is(error?.code, 1);
    t.regex(
      error?.stderr ?? '',
      new RegExp(`"${value.split(',').pop()}" is not an IP address, a subnet such as 10\\.0\\.0\\.0/8, a number of hops, or one of loopback`),
    );
  },
  title: (_provided, command, value) => `${command} --trust-proxy ${value} is refused before anything starts`,
});
test(refused, 'cloud', 'yes');
test(refused, 'cloud', '10.0.0.0/40');
test(refused, 'start', 'loopback,proxy.example.com');
