/**
 * @module What a sandbox with egress may reach, as the names and iptables rules of one policy: outside
 * addresses, yes; other sandboxes, link-local, private and reserved ranges, no, unless the operator lets a range
 * through (the host itself is refused by a host-wide rule of egress-firewall.ts, whatever the policy).
 */
import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { EdgeError } from '../base/errors.ts';

/**
 * Never reached unless the operator lets a range through: this network (0/8), private (10/8, 172.16/12,
 * 192.168/16), shared (100.64/10), loopback (127/8), link-local with the cloud metadata address 169.254.169.254
 * (169.254/16), multicast (224/4) and reserved with broadcast (240/4). IPv6 is turned off in egress sandboxes,
 * so fc00::/7 and fe80::/10 cannot be reached at all.
 */
export const blockedRanges: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
];

/** Every egress bridge's name starts so: the host-wide rules match them all with iptables' `+` wildcard. */
export const BRIDGE_PREFIX = 'ec-eg-';
/** The label that marks a Docker network as an egress network, its value the policy's id. */
export const EGRESS_LABEL = 'edgecourier.egress';
/** The chain policies hang from; a bridge of no installed policy falls to its last rule, a refusal. */
export const EGRESS_CHAIN = 'EDGECOURIER-EGRESS';
const POLICY_CHAIN_PREFIX = 'EC-EGRESS-';
/** A policy chain's name, its id in the capture group. */
export const policyChainPattern = /^EC-EGRESS-([0-9a-f]{8})$/;

/** One policy: processes with the same allowances and resolvers share its network, bridge and chain. */
export interface EgressPolicy {
  /** A hash of what the rules let through. */
  id: string;
  /** The Docker network its sandboxes join. */
  network: string;
  /** The network's bridge on the host (at most 15 characters, as Linux wants). */
  bridge: string;
  chain: string;
  /** The chain's rules in order, as iptables takes them after `-A <chain>`. */
  rules: string[];
}

export const policyChain = (id: string): string => `${POLICY_CHAIN_PREFIX}${id}`;

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/**
 * An operator's allowance (`--egress-allow`): an IPv4 address or range, as its network address and prefix.
 * @example parseAllowance('172.20.1.7/24') // '172.20.1.0/24'
 */
export function parseAllowance(text: string): string {
  const [address = '', prefix = '32', ...rest] = text.trim().split('/');
  if (address.includes(':')) {
    throw new EdgeError('INVALID_INPUT', `"${text}" is an IPv6 range; egress is IPv4 only (sandboxes with egress have IPv6 turned off)`);
  }
  if (!isIPv4(address) || rest.length > 0 || !/^\d{1,2}$/.test(prefix) || Number(prefix) > 32) {
    throw new EdgeError('INVALID_INPUT', `"${text}" is not an IPv4 address or range such as 10.1.0.0/16`);
  }
  const bits = Number(prefix);
  const size = 2 ** (32 - bits);
  return `${numberToIpv4(Math.floor(ipv4ToNumber(address) / size) * size)}/${bits}`;
}

/**
 * The IPv4 name servers of a resolv.conf other than loopback ones. Docker's embedded DNS (127.0.0.11 in the
 * sandbox) asks these from the sandbox's own network, so they must be let through on port 53 even when private.
 */
export function resolversOf(resolvConf: string): string[] {
  const found = [...resolvConf.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((match) => match[1]!);
  return [...new Set(found.filter((address) => isIPv4(address) && !address.startsWith('127.')))].sort();
}

/**
 * The policy for these allowances and resolvers: one sandbox never reaches another; DNS to the resolvers and the
 * allowed ranges are let through first; then the blocked ranges are refused; the rest (outside addresses) goes on.
 * Refused rather than dropped, so that a function's connection fails at once instead of at its time limit.
 */
export function egressPolicy(allow: readonly string[], resolvers: readonly string[]): EgressPolicy {
  const allowed = [...new Set(allow.map(parseAllowance))].sort();
  const id = createHash('sha256').update(JSON.stringify({ allowed, resolvers, blockedRanges })).digest('hex').slice(0, 8);
  const bridge = `${BRIDGE_PREFIX}${id}`;
  return {
    id,
    network: `edgecourier-egress-${id}`,
    bridge,
    chain: policyChain(id),
    rules: [
      `-o ${bridge} -j REJECT`,
      ...resolvers.flatMap((address) => ['udp', 'tcp'].map((protocol) => `-d ${address}/32 -p ${protocol} --dport 53 -j ACCEPT`)),
      ...allowed.map((range) => `-d ${range} -j ACCEPT`),
      ...blockedRanges.map((range) => `-d ${range} -j REJECT`),
    ],
  };
}
