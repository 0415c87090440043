/**
 * @module The host's iptables rules that hold sandboxes with egress in. Three host-wide hooks match every egress
 * bridge by its name's prefix: the host itself refuses them (INPUT), and what they send elsewhere goes through
 * one chain, whose last rule refuses. Each policy is a chain of its own, reached from there by its bridge, and
 * written in one atomic iptables-restore. A bridge whose policy is missing, or half made, reaches nothing: every
 * step fails closed. The hooks stay installed for good: they match nothing but egress bridges.
 */
import { execFile } from 'node:child_process';
import { EdgeError } from '../base/errors.ts';
import { BRIDGE_PREFIX, EGRESS_CHAIN, policyChain, policyChainPattern, type EgressPolicy } from './egress-policy.ts';

/** Inserted at the top of their chains, once each. */
const hooks: ReadonlyArray<readonly [chain: string, rule: string]> = [
  // The host itself, at any of its addresses (the bridge's gateway, docker0, its LAN and public ones): never.
  ['INPUT', `-i ${BRIDGE_PREFIX}+ -j REJECT`],
  // Answers to connections a sandbox was let to make, past Docker's isolation of one network from another.
  ['DOCKER-USER', `-o ${BRIDGE_PREFIX}+ -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`],
  ['DOCKER-USER', `-i ${BRIDGE_PREFIX}+ -j ${EGRESS_CHAIN}`],
];

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function unavailable(reason: string): EdgeError {
  return new EdgeError(
    'EGRESS_UNAVAILABLE',
    `the app asks for network egress ("network": { "egress": true } in app.json), but this executor cannot hold it in: ${reason}`,
  );
}

/** Why an iptables command could not run at all, when that is the case. */
function cannotRun(command: string, error: (Error & { code?: unknown }) | null, stderr: string): string | undefined {
  if (error?.code === 'ENOENT')
    return `${command} is not installed on this host (what keeps egress sandboxes from the host and private networks are iptables rules)`;
  if (/Permission denied|must be root/.test(stderr)) return `${command} needs root, and this process runs as uid ${process.getuid?.()}`;
  if (error && typeof error.code !== 'number') return `${command} failed: ${error.message}`;
  return undefined;
}

/** Runs an iptables command; one that cannot run at all is EGRESS_UNAVAILABLE, saying why. */
function run(command: 'iptables' | 'iptables-restore', args: string[], input?: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, ['-w', ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      const reason = cannotRun(command, error, stderr);
      if (reason) reject(unavailable(reason));
      else resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
    // An iptables that exits before reading (a refusal) closes the pipe: its exit code says what went wrong.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
  });
}

async function mustRun(command: 'iptables' | 'iptables-restore', args: string[], input?: string): Promise<string> {
  const outcome = await run(command, args, input);
  if (outcome.code !== 0) throw unavailable(`${command} ${args.join(' ')} failed: ${outcome.stderr.trim().split('\n')[0]}`);
  return outcome.stdout;
}

/** The filter table as `iptables -S` prints it: its chains and its rules. */
async function filterTable(): Promise<{ chains: Set<string>; rules: string[] }> {
  const lines = (await mustRun('iptables', ['-S'])).split('\n');
  const chains = new Set(lines.filter((line) => line.startsWith('-N ')).map((line) => line.slice(3).trim()));
  return { chains, rules: lines.filter((line) => line.startsWith('-A ')) };
}

/** True when `rule` is in `chain` (iptables -C), which must exist. */
async function hasRule(chain: string, rule: string): Promise<boolean> {
  const outcome = await run('iptables', ['-C', chain, ...rule.split(' ')]);
  return outcome.code === 0;
}

/**
 * Installs the policy's rules, and the hooks when they are missing, in one atomic step; checking and
 * healing, so it is called before every egress sandbox starts. Throws EGRESS_UNAVAILABLE when it cannot.
 */
export async function installEgressRules(policy: EgressPolicy): Promise<void> {
  const table = await filterTable();
  if (!table.chains.has('DOCKER-USER')) {
    throw unavailable(
      "iptables here has no DOCKER-USER chain: the Docker engine runs with --iptables=false, or this process does not share the Docker host's network (it runs in a container)",
    );
  }
  const created = !table.chains.has(EGRESS_CHAIN);
  // Chains are declared before any rule, as iptables-restore's format has it. Declaring the policy's chain empties
  // it, so its new rules replace the old ones in the same step.
  const restore = ['*filter', ...(created ? [`:${EGRESS_CHAIN} - [0:0]`] : []), `:${policy.chain} - [0:0]`];
  if (created) restore.push(`-A ${EGRESS_CHAIN} -j REJECT`);
  restore.push(...policy.rules.map((rule) => `-A ${policy.chain} ${rule}`));
  // A goto, not a jump: at the policy's end the packet leaves EDGECOURIER-EGRESS too, before its final refusal.
  const entry = `-i ${policy.bridge} -g ${policy.chain}`;
  if (created || !table.chains.has(policy.chain) || !(await hasRule(EGRESS_CHAIN, entry))) restore.push(`-I ${EGRESS_CHAIN} ${entry}`);
  for (const [chain, rule] of hooks) {
    if (!(await hasRule(chain, rule))) restore.push(`-I ${chain} ${rule}`);
  }
  restore.push('COMMIT', '');
  await mustRun('iptables-restore', ['--noflush'], restore.join('\n'));
}

/** Removes a policy's chain and its entries, in one step; its bridge, should it still exist, then reaches nothing. */
export async function removeEgressRules(id: string): Promise<void> {
  const chain = policyChain(id);
  const table = await filterTable();
  if (!table.chains.has(chain)) return;
  const entries = table.rules.filter((rule) => rule.startsWith(`-A ${EGRESS_CHAIN} `) && rule.endsWith(` -g ${chain}`));
  const restore = ['*filter', ...entries.map((rule) => `-D${rule.slice(2)}`), `-F ${chain}`, `-X ${chain}`, 'COMMIT', ''];
  await mustRun('iptables-restore', ['--noflush'], restore.join('\n'));
}

/** The ids of the policies installed on this host. */
export async function installedPolicies(): Promise<string[]> {
  const { chains } = await filterTable();
  return [...chains].flatMap((chain) => policyChainPattern.exec(chain)?.slice(1, 2) ?? []);
}
